"""The interests API: the persona matrix for every endpoint (outsiders 404, insiders without the
right 403, anonymous 401), bad input 400, illegal state 409, the emails on commit."""

import uuid

import pytest
from django.utils import timezone

from accounts.models import UniversityCapacity
from projects.models import Interest
from tests.factories import CallFactory, InterestFactory, ProposalFactory, UniversityUserFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/interests/"
FIELDS = {
    "id",
    "project",
    "university",
    "students_offered",
    "statement",
    "contact_person",
    "contact_phone",
    "contact_email",
    "status",
    "response",
    "response_reason",
    "responded_at",
    "created_at",
}


def url(interest, action: str = "") -> str:
    return f"{LIST}{interest.public_id}/" + (f"{action}/" if action else "")


def capacity(user, places: int = 10, project_type: str = "internship_base") -> None:
    UniversityCapacity.objects.create(
        university=user.university, project_type=project_type, places=places, projects=5
    )


@pytest.fixture
def project(employer):
    return ProposalFactory(
        employer=employer.employer,
        status="published",
        decided_at=timezone.now(),
        title="工业视觉质检就业实习基地",
    )


@pytest.fixture
def places(university):
    capacity(university)


@pytest.fixture
def interest(university, project, places):
    return InterestFactory(proposal=project, university=university.university, students_offered=4)


def offer(project, students: int = 4, **extra) -> dict:
    return {
        "project": str(project.public_id),
        "students_offered": students,
        "statement": "我校可派出 4 名计算机视觉方向的硕士生。",
        **extra,
    }


def state(interest) -> tuple:
    interest.refresh_from_db()
    return (
        interest.status,
        interest.students_offered,
        interest.statement,
        interest.response,
        interest.response_reason,
    )


# Expressing interest


def test_a_university_expresses_interest_and_the_employer_is_emailed(
    api_for, university, employer, project, places, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_for(university).post(LIST, offer(project, contact_person="张老师"), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == FIELDS
    assert body["project"] == {"id": str(project.public_id), "title": "工业视觉质检就业实习基地"}
    assert body["university"] == {
        "id": str(university.university.public_id),
        "name": university.university.name,
        "province": "32",
        "tier": "undergraduate",
    }
    assert (body["students_offered"], body["status"], body["response"]) == (4, "live", "")
    assert body["contact_person"] == "张老师"
    assert body["contact_email"] == university.university.email
    assert Interest.objects.get(public_id=body["id"]).proposal == project
    assert [m.to for m in mailoutbox] == [[employer.email]]


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("employer", 403), ("ministry", 403), ("pending_university", 403), ("anonymous", 401)],
)
def test_only_verified_universities_express_interest(request, api_for, project, persona, expected):
    if persona == "pending_university":
        user = UniversityUserFactory(university__status="pending")
        capacity(user)
    else:
        user = request.getfixturevalue(persona)
    response = api_for(user).post(LIST, offer(project), format="json")
    assert response.status_code == expected
    assert not Interest.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"project": None}, "project"),
        ({"project": "not-a-uuid", "students_offered": 2, "statement": "s"}, "project"),
        ({"project": str(uuid.uuid4()), "students_offered": 2, "statement": "s"}, "project"),
        ({"students_offered": "many"}, "students_offered"),
        ({"students_offered": 0}, "students_offered"),
        ({"students_offered": 11}, "students_offered"),
        ({"statement": ""}, "statement"),
        ({"contact_phone": "12345"}, "contact_phone"),
        ({"contact_email": "not-an-email"}, "contact_email"),
    ],
)
def test_bad_input_is_a_400_that_writes_nothing(api_for, university, project, places, body, field):
    data = {key: value for key, value in {**offer(project), **body}.items() if value is not None}
    response = api_for(university).post(LIST, data, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Interest.objects.exists()


@pytest.mark.parametrize("status", ["draft", "submitted", "rejected", "withdrawn"])
def test_interest_in_an_unpublished_project_is_a_400(api_for, university, employer, places, status):
    proposal = ProposalFactory(employer=employer.employer, status=status)
    response = api_for(university).post(LIST, offer(proposal), format="json")
    assert response.status_code == 400
    assert "project" in response.json()
    assert not Interest.objects.exists()


def test_a_second_interest_is_a_400(api_for, university, project, interest):
    response = api_for(university).post(
        LIST, offer(project, students=1), format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert "already" in str(response.json()["non_field_errors"])
    assert Interest.objects.count() == 1


def test_an_interest_over_the_calls_allowance_is_a_400(api_for, university, employer, places):
    call = CallFactory(max_interests_per_university=1)
    first, second = (
        ProposalFactory(employer=employer.employer, call=call, status="published") for _ in range(2)
    )
    assert api_for(university).post(LIST, offer(first, 1), format="json").status_code == 201
    response = api_for(university).post(LIST, offer(second, 1), format="json")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    assert Interest.objects.count() == 1


# Reading


def test_each_persona_lists_only_the_interests_it_may_see(
    api_for, employer, other_employer, university, other_university, ministry, interest
):
    theirs = InterestFactory(university=other_university.university)

    def ids(user) -> set[str]:
        response = api_for(user).get(LIST)
        assert response.status_code == 200
        return {row["id"] for row in response.json()["results"]}

    assert ids(university) == {str(interest.public_id)}
    assert ids(other_university) == {str(theirs.public_id)}
    assert ids(employer) == {str(interest.public_id)}
    assert ids(other_employer) == set()
    assert ids(ministry) == {str(interest.public_id), str(theirs.public_id)}
    assert api_for(None).get(LIST).status_code == 401


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("university", 200),
        ("employer", 200),
        ("ministry", 200),
        ("other_university", 404),
        ("other_employer", 404),
        ("anonymous", 401),
    ],
)
def test_who_may_open_an_interest(request, api_for, interest, persona, expected):
    response = api_for(request.getfixturevalue(persona)).get(url(interest))
    assert response.status_code == expected
    if expected == 200:
        assert set(response.json()) == FIELDS


def test_an_unknown_interest_is_a_404(api_for, university):
    assert api_for(university).get(f"{LIST}{uuid.uuid4()}/").status_code == 404
    assert api_for(university).get(f"{LIST}nope/").status_code == 404


@pytest.mark.parametrize("persona", ["employer", "university", "ministry"])
def test_a_list_takes_the_same_few_queries_for_3_or_30_interests(
    request, api_for, employer, project, django_assert_max_num_queries, persona
):
    user = request.getfixturevalue(persona)
    mine = {"employer": {"proposal": project}, "university": {"university": user.university}, "ministry": {}}[
        persona
    ]
    counts = []
    for size in (3, 30):
        while Interest.objects.count() < size:
            InterestFactory(**mine)
        with django_assert_max_num_queries(3) as captured:
            response = api_for(user).get(LIST)
        assert response.status_code == 200 and response.json()["count"] == size
        counts.append(len(captured))
    assert counts[0] == counts[1], counts


# Changing and withdrawing


def test_the_university_changes_its_interest(api_for, university, interest):
    response = api_for(university).patch(
        url(interest), {"students_offered": 10, "statement": "改"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["students_offered"], response.json()["statement"]) == (10, "改")
    assert state(interest)[1:3] == (10, "改")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"students_offered": 11}, "students_offered"),
        ({"students_offered": 0}, "students_offered"),
        ({"students_offered": "x"}, "students_offered"),
        ({"statement": ""}, "statement"),
        ({"contact_email": "nope"}, "contact_email"),
    ],
)
def test_a_bad_change_is_a_400_that_changes_nothing(api_for, university, interest, body, field):
    before = state(interest)
    response = api_for(university).patch(url(interest), body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert state(interest) == before


def test_fields_outside_the_input_are_ignored(api_for, university, interest):
    response = api_for(university).patch(
        url(interest), {"status": "introduced", "response": "welcome"}, format="json"
    )
    assert response.status_code == 200
    assert state(interest)[0::3] == ("live", "")


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("employer", 403),
        ("ministry", 403),
        ("other_university", 404),
        ("other_employer", 404),
        ("anonymous", 401),
    ],
)
def test_only_the_owning_university_changes_or_withdraws(request, api_for, interest, persona, expected):
    api = api_for(request.getfixturevalue(persona))
    before = state(interest)
    assert api.patch(url(interest), {"students_offered": 1}, format="json").status_code == expected
    assert api.delete(url(interest)).status_code == expected
    assert state(interest) == before


def test_the_university_withdraws_its_interest(api_for, university, interest):
    response = api_for(university).delete(url(interest))
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    assert state(interest)[0] == "withdrawn"
    assert api_for(university).delete(url(interest)).status_code == 409
    assert api_for(university).patch(url(interest), {"students_offered": 1}, format="json").status_code == 409


def test_after_withdrawing_the_university_may_express_interest_again(api_for, university, project, interest):
    api_for(university).delete(url(interest))
    assert api_for(university).post(LIST, offer(project), format="json").status_code == 201


# The employer's answer


def test_the_employer_welcomes_an_interest_and_the_university_sees_it(
    api_for, employer, university, interest, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_for(employer).post(url(interest, "respond"), {"response": "welcome"}, format="json")
    assert response.status_code == 200, response.json()
    assert [m.to for m in mailoutbox] == [[university.email]]
    seen = api_for(university).get(url(interest)).json()
    assert (seen["response"], seen["response_reason"]) == ("welcome", "")
    assert seen["responded_at"] is not None


def test_not_a_fit_needs_a_reason(api_for, employer, interest):
    api = api_for(employer)
    response = api.post(url(interest, "respond"), {"response": "not_a_fit"}, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()
    assert state(interest)[3] == ""
    response = api.post(
        url(interest, "respond"), {"response": "not_a_fit", "reason": "方向不符"}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["response"], response.json()["response_reason"]) == ("not_a_fit", "方向不符")


@pytest.mark.parametrize("body", [{}, {"response": "maybe"}, {"response": ""}])
def test_a_bad_answer_is_a_400(api_for, employer, interest, body):
    response = api_for(employer).post(url(interest, "respond"), body, format="json")
    assert response.status_code == 400
    assert "response" in response.json()
    assert state(interest)[3] == ""


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("university", 403),
        ("ministry", 403),
        ("other_employer", 404),
        ("other_university", 404),
        ("anonymous", 401),
    ],
)
def test_only_the_projects_employer_answers(request, api_for, interest, persona, expected):
    response = api_for(request.getfixturevalue(persona)).post(
        url(interest, "respond"), {"response": "welcome"}, format="json"
    )
    assert response.status_code == expected
    assert state(interest)[3] == ""


def test_a_withdrawn_interest_cannot_be_answered(api_for, employer, university, interest):
    api_for(university).delete(url(interest))
    response = api_for(employer).post(url(interest, "respond"), {"response": "welcome"}, format="json")
    assert response.status_code == 409
    assert state(interest)[3] == ""
