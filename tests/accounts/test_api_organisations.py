"""The accounts REST API: an organisation's detail and edits (a university's profile, an
employer's details) with their persona matrix, and the lists with their visibility and query
counts."""

import pytest

from accounts.models import Employer, University, VerificationStatus
from tests.accounts.conftest import code_with_check
from tests.accounts.helpers import url
from tests.factories import EmployerFactory, EmployerUserFactory, UniversityUserFactory

pytestmark = pytest.mark.django_db


# --- university detail and profile ---------------------------------------------------------

PROFILE = {
    "strengths": {"ml": 0.9, "cv.medical_imaging": 0.5},
    "capacity": {
        "directed_training": {"places": 30, "projects": 2},
        "internship_base": {"places": 0, "projects": 0},
    },
}


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("university", 200),
        ("ministry", 200),
        ("other_university", 404),
        ("employer", 404),
        ("anonymous", 401),
    ],
)
def test_university_detail_visibility(request, api_for, university, persona, expected):
    response = api_for(request.getfixturevalue(persona)).get(url("universities", university.university))

    assert response.status_code == expected
    if expected == 200:
        assert response.json()["id"] == str(university.university.public_id)


def test_university_detail_with_a_malformed_id_is_a_404(api_for, ministry):
    assert api_for(ministry).get("/api/v1/universities/not-a-uuid/").status_code == 404


def test_university_updates_its_profile(api_for, university):
    response = api_for(university).patch(url("universities", university.university), PROFILE, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["strengths"] == PROFILE["strengths"]
    assert response.json()["capacity"] == PROFILE["capacity"]
    again = api_for(university).get(url("universities", university.university)).json()
    assert (again["strengths"], again["capacity"]) == (PROFILE["strengths"], PROFILE["capacity"])


def test_ministry_updates_a_university_profile(api_for, ministry, university):
    response = api_for(ministry).patch(
        url("universities", university.university), {"strengths": {"nlp": 1}}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["strengths"] == {"nlp": 1.0}


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("other_university", 404), ("employer", 404), ("anonymous", 401)],
)
def test_outsiders_may_not_update_a_university(request, api_for, university, persona, expected):
    response = api_for(request.getfixturevalue(persona)).patch(
        url("universities", university.university),
        {"strengths": {"ml": 1}, "city": "苏州"},
        format="json",
    )

    assert response.status_code == expected
    fresh = University.objects.get(pk=university.university_id)
    assert fresh.city == "南京" and not fresh.strengths.exists()


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"strengths": {"quantum": 0.5}}, "strengths"),
        ({"strengths": {"ml": 1.5}}, "strengths"),
        ({"strengths": {"ml": -0.5}}, "strengths"),
        ({"strengths": {"ml": "high"}}, "strengths"),
        ({"strengths": [["ml", 0.5]]}, "strengths"),
        ({"strengths": {"ml": None}}, "strengths"),
        ({"capacity": {"directed_training": {"places": -1, "projects": 1}}}, "capacity"),
        ({"capacity": {"directed_training": {"places": 1.5, "projects": 1}}}, "capacity"),
        ({"capacity": {"directed_training": {"places": 2**31, "projects": 1}}}, "capacity"),
        ({"capacity": {"research": {"places": 1, "projects": 1}}}, "capacity"),
        ({"capacity": {"directed_training": 5}}, "capacity"),
        ({"capacity": "lots"}, "capacity"),
        ({"city": "苏州", "strengths": {"quantum": 0.5}}, "strengths"),
        ({"phone": "000", "strengths": {"ml": 0.1}}, "phone"),
        ({"name": "改名大学"}, "name"),
        ({"institution_code": "4132000000"}, "institution_code"),
    ],
)
def test_bad_university_patch_is_a_400_and_changes_nothing(api_for, university, patch, field):
    organisation = university.university
    api_for(university).patch(url("universities", organisation), PROFILE, format="json")
    before = api_for(university).get(url("universities", organisation)).json()

    response = api_for(university).patch(url("universities", organisation), patch, format="json")

    assert response.status_code == 400, response.content
    assert field in response.json()
    assert api_for(university).get(url("universities", organisation)).json() == before


@pytest.mark.parametrize(
    "body",
    [
        "[]",
        '"strengths"',
        '{"strengths": ',
        '{"strengths": {"ml": 1e400}}',
        '{"strengths": {"ml": NaN}}',
        '{"capacity": {"internship_base": {"places": 1e400, "projects": 1}}}',
    ],
)
def test_malformed_university_patch_is_a_400_not_a_500(api_for, university, body):
    organisation = university.university

    response = api_for(university).generic(
        "PATCH", url("universities", organisation), body, "application/json"
    )

    assert response.status_code == 400, response.content
    assert not organisation.strengths.exists() and not organisation.capacities.exists()


def test_pending_employer_fixes_its_own_details(api_for, pending_employer):
    organisation = pending_employer.employer
    new_code = code_with_check("91110108MA0000003")

    response = api_for(pending_employer).patch(
        url("employers", organisation),
        {"industry": "金融科技", "credit_code": new_code.lower()},
        format="json",
    )

    assert response.status_code == 200, response.content
    assert response.json()["credit_code"] == new_code
    organisation.refresh_from_db()
    assert (organisation.industry, organisation.credit_code) == ("金融科技", new_code)


def test_verified_employer_may_not_change_its_credit_code(api_for, employer):
    organisation = employer.employer

    response = api_for(employer).patch(
        url("employers", organisation), {"credit_code": code_with_check("91110108MA0000004")}, format="json"
    )

    assert response.status_code == 400
    assert "credit_code" in response.json()
    assert Employer.objects.get(pk=organisation.pk).credit_code == organisation.credit_code


def test_rejected_employer_fixing_its_details_goes_back_to_pending(api_for):
    member = EmployerUserFactory(
        employer__status=VerificationStatus.REJECTED, employer__status_reason="电话错"
    )

    response = api_for(member).patch(
        url("employers", member.employer), {"phone": "13312345678"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["status"] == "pending"
    assert Employer.objects.get(pk=member.employer_id).phone == "13312345678"


# --- lists ------------------------------------------------------------------------------------


def ids(response) -> set[str]:
    assert response.status_code == 200
    return {row["id"] for row in response.json()["results"]}


def test_ministry_lists_every_employer(api_for, ministry, employer, other_employer, pending_employer):
    expected = {str(u.employer.public_id) for u in (employer, other_employer, pending_employer)}

    assert ids(api_for(ministry).get(url("employers"))) == expected


def test_a_member_lists_only_its_own_employer(api_for, employer, other_employer, pending_employer):
    assert ids(api_for(employer).get(url("employers"))) == {str(employer.employer.public_id)}


def test_a_university_member_lists_no_employers(api_for, university, employer):
    assert ids(api_for(university).get(url("employers"))) == set()


def test_anonymous_may_not_list_employers(api_for, anonymous, employer):
    assert api_for(anonymous).get(url("employers")).status_code == 401


def test_ministry_filters_employers_by_status(api_for, ministry, employer, pending_employer):
    response = api_for(ministry).get(url("employers"), {"status": "pending"})

    assert ids(response) == {str(pending_employer.employer.public_id)}


def test_university_list_loads_profiles_without_a_query_per_university(
    api_for, ministry, django_assert_max_num_queries
):
    for i in range(8):
        member = UniversityUserFactory()
        api_for(member).patch(
            url("universities", member.university),
            {
                "strengths": {"ml": 0.1 * (i + 1), "cv": 0.5, "nlp.speech": 0.3},
                "capacity": {
                    "directed_training": {"places": 10 + i, "projects": 1},
                    "internship_base": {"places": 5, "projects": 2},
                },
            },
            format="json",
        )
    api = api_for(ministry)

    with django_assert_max_num_queries(6):
        response = api.get(url("universities"))

    rows = response.json()["results"]
    assert len(rows) == 8
    assert all(set(row["strengths"]) == {"ml", "cv", "nlp.speech"} for row in rows)
    assert all(len(row["capacity"]) == 2 for row in rows)


def test_employer_list_runs_a_fixed_number_of_queries(api_for, ministry, django_assert_max_num_queries):
    EmployerFactory.create_batch(10)
    api = api_for(ministry)

    with django_assert_max_num_queries(3):
        response = api.get(url("employers"))

    assert response.json()["count"] == 10
