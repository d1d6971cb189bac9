"""The introductions API, who may read and do what: the persona matrix for every endpoint
(anonymous 401, outsiders 404, insiders without the right 403), the documented fields,
pagination and filters in bounded queries, and no 500 for any body."""

import pytest
from django.utils import timezone

from matching.models import Introduction, Milestone
from tests.factories import (
    AgreementFactory,
    CallFactory,
    IntroductionFactory,
    OutcomeReportFactory,
    UniversityFactory,
)

from .common import ACTION_INPUTS, PERSONAS, VISION, published, room, state
from .introduction_api import (  # noqa: F401
    ACTIONS,
    AGREEMENT_FIELDS,
    FIELDS,
    LIST,
    OUTCOME_FIELDS,
    UNKNOWN,
    api_for_fixture,
    candidate_fixture,
    expected,
    url,
)

pytestmark = pytest.mark.django_db


# The persona matrix


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("action", ACTIONS)
def test_each_action_is_for_its_own_people(request, api_for, introduce, action, persona):
    status, report, body, _who = ACTIONS[action]
    introduction = introduce(status, report=report)
    before = state(introduction)
    response = api_for(request.getfixturevalue(persona)).post(
        url(introduction, action), body(), format="json"
    )
    code = expected(action, persona)
    assert response.status_code == code, response.content
    if code == 200:
        assert set(response.json()) == FIELDS
        assert response.json()["id"] == str(introduction.public_id)
    else:
        assert "detail" in response.json()
    assert (state(introduction) != before) == (code == 200)


@pytest.mark.parametrize(
    ("persona", "code"),
    [
        ("anonymous", 401),
        ("employer", 200),
        ("university", 200),
        ("other_employer", 404),
        ("other_university", 404),
        ("pending_employer", 404),
        ("ministry", 200),
    ],
)
@pytest.mark.parametrize("status", ["sent", "declined", "expired", "cancelled", "in_progress"])
def test_an_introduction_is_read_by_its_two_sides_and_the_ministry(
    request, api_for, introduce, status, persona, code
):
    introduction = introduce(status)
    response = api_for(request.getfixturevalue(persona)).get(url(introduction))
    assert response.status_code == code
    if code == 200:
        assert response.json()["id"] == str(introduction.public_id)


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_lists_only_its_own_introductions(
    request, api_for, introduce, other_employer, other_university, persona
):
    mine = introduce("sent")
    draft = introduce("proposed", to=UniversityFactory())
    room(other_university.university)
    theirs = introduce(
        "accepted", proposal=published(other_employer.employer), to=other_university.university
    )
    response = api_for(request.getfixturevalue(persona)).get(LIST)
    if persona == "anonymous":
        assert response.status_code == 401
        return
    assert response.status_code == 200
    listed = {row["id"] for row in response.json()["results"]}
    expected_ids = {
        "employer": {mine},
        "university": {mine},
        "other_employer": {theirs},
        "other_university": {theirs},
        "pending_employer": set(),
        "ministry": {mine, draft, theirs},
    }[persona]
    assert listed == {str(i.public_id) for i in expected_ids}


@pytest.mark.parametrize(
    ("persona", "code"), [("employer", 404), ("university", 404), ("other_employer", 404), ("ministry", 200)]
)
def test_a_proposed_introduction_is_the_ministrys_draft(request, api_for, introduce, persona, code):
    introduction = introduce("proposed")
    assert api_for(request.getfixturevalue(persona)).get(url(introduction)).status_code == code


def test_a_side_no_longer_verified_reads_but_cannot_act(api_for, pending_employer, university, ministry):
    room(university.university)
    introduction = IntroductionFactory(
        proposal=published(pending_employer.employer), university=university.university, broker=ministry
    )
    api = api_for(pending_employer)
    assert api.get(url(introduction)).status_code == 200
    for action, body in [("accept", {}), ("decline", {"reason": "timing"})]:
        assert api.post(url(introduction, action), body, format="json").status_code == 403
    introduction.refresh_from_db()
    assert (introduction.status, introduction.employer_response) == ("sent", "")


def test_an_unknown_or_malformed_id_is_404(api_for, ministry):
    api = api_for(ministry)
    assert api.get(f"{LIST}{UNKNOWN}/").status_code == 404
    assert api.get(f"{LIST}not-a-uuid/").status_code == 404
    assert api.post(f"{LIST}not-a-uuid/accept/", {}, format="json").status_code == 404


# Reading: fields, pagination, filters and queries


def test_an_introduction_carries_its_agreement_milestones_and_outcome(
    api_for, university, introduce, project
):
    introduction = introduce("in_progress", report="confirmed")
    Milestone.objects.create(
        introduction=introduction, title="首批学生进企业", happened_on=timezone.localdate()
    )
    body = api_for(university).get(url(introduction)).json()
    assert set(body) == FIELDS
    assert (body["id"], body["project"], body["project_title"], body["employer"]) == (
        str(introduction.public_id),
        str(project.public_id),
        VISION,
        project.employer.name,
    )
    assert (body["university"], body["university_name"]) == (
        str(introduction.university.public_id),
        introduction.university.name,
    )
    assert (body["status"], body["places"]) == ("in_progress", 20)
    assert set(body["agreement"]) == AGREEMENT_FIELDS and body["agreement"]["document"] is False
    assert [m["title"] for m in body["milestones"]] == ["首批学生进企业"]
    assert set(body["outcome"]) == OUTCOME_FIELDS and body["outcome"]["status"] == "confirmed"


def test_the_list_is_paginated_and_a_bad_page_is_a_400(api_for, ministry, project):
    for _ in range(30):
        IntroductionFactory(proposal=project, university=UniversityFactory())
    api = api_for(ministry)
    first = api.get(LIST).json()
    assert (first["count"], len(first["results"]), first["previous"]) == (30, 25, None)
    second = api.get(first["next"]).json()
    assert len(second["results"]) == 5 and second["next"] is None
    assert {r["id"] for r in first["results"]}.isdisjoint({r["id"] for r in second["results"]})
    for page in ["3", "0", "-1", "abc", "1e9999"]:
        response = api.get(LIST, {"page": page})
        assert response.status_code == 400, page
        assert response.json()["page"]


def test_the_list_filters_by_call_status_project_and_university(
    api_for, ministry, employer, introduce, project, university
):
    sent = introduce("sent")
    elsewhere = UniversityFactory()
    room(elsewhere)
    declined = introduce("declined", to=elsewhere)
    other = introduce("accepted", proposal=published(employer.employer, call=CallFactory()))

    def ids(user, **query) -> set[str]:
        response = api_for(user).get(LIST, query)
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    def of(*introductions) -> set[str]:
        return {str(i.public_id) for i in introductions}

    assert ids(ministry, call=project.call.slug) == of(sent, declined)
    assert ids(ministry, status="declined") == of(declined)
    assert ids(ministry, project=str(project.public_id)) == of(sent, declined)
    assert ids(ministry, university=str(university.university.public_id)) == of(sent, other)
    assert ids(ministry, call=project.call.slug, university=str(elsewhere.public_id)) == of(declined)
    assert ids(employer, status="accepted") == of(other)
    assert ids(ministry, call="no-such-call") == set()


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"status": "bogus"}, "status"),
        ({"project": "not-a-uuid"}, "project"),
        ({"university": "12"}, "university"),
    ],
)
def test_a_bad_filter_is_a_400(api_for, ministry, query, field):
    response = api_for(ministry).get(LIST, query)
    assert response.status_code == 400
    assert response.json()[field]


def test_the_list_runs_the_same_few_queries_however_many_introductions(
    api_for, ministry, employer, project, django_assert_max_num_queries
):
    def fill(n: int) -> None:
        for _ in range(n):
            report = OutcomeReportFactory(introduction__proposal=project, status="confirmed")
            AgreementFactory(introduction=report.introduction)
            for title in ("开班", "中期"):
                Milestone.objects.create(
                    introduction=report.introduction, title=title, happened_on=timezone.localdate()
                )

    fill(2)
    for user in (ministry, employer):
        with django_assert_max_num_queries(3):  # the count, the page, the milestones
            assert len(api_for(user).get(LIST).json()["results"]) == 2
    fill(28)
    for user in (ministry, employer):
        with django_assert_max_num_queries(3):
            results = api_for(user).get(LIST).json()["results"]
        assert len(results) == 25
        assert all(r["agreement"] and r["outcome"] and len(r["milestones"]) == 2 for r in results)


def test_ordering_by_a_nested_list_neither_repeats_nor_hides_introductions(api_for, ministry, introduce):
    first, second = introduce("in_progress"), introduce("in_progress", to=UniversityFactory())
    for introduction in (first, second):
        for title in ("开班", "中期", "结课"):
            Milestone.objects.create(introduction=introduction, title=title, happened_on=timezone.localdate())
    for ordering in ["milestones", "-milestones"]:
        response = api_for(ministry).get(LIST, {"ordering": ordering})
        assert response.status_code == 200
        assert sorted(row["id"] for row in response.json()["results"]) == sorted(
            str(i.public_id) for i in (first, second)
        )


# No body gives a 500

GARBAGE = [
    None,
    "",
    "\x00",
    "x" * 5000,
    -1,
    2**70,
    1e308,
    True,
    [],
    {},
    ["a", 1],
    {"a": {"b": 1}},
    "2027-13-45",
    "NaN",
    "../../etc/passwd",
    UNKNOWN,
]
BODIES = {api: needs for _page, api, *needs in ACTION_INPUTS}


@pytest.mark.parametrize("value", GARBAGE, ids=repr)
@pytest.mark.parametrize("action", BODIES)
def test_garbage_in_any_field_is_never_a_500(request, api_for, introduce, action, value):
    status, report, persona, fields = BODIES[action]
    introduction = introduce(status, report=report)
    response = api_for(request.getfixturevalue(persona)).post(
        url(introduction, action), dict.fromkeys(fields, value), format="json"
    )
    assert response.status_code in {200, 400, 409}, response.content


@pytest.mark.parametrize("action", BODIES)
def test_a_body_that_is_not_an_object_is_a_400(request, api_for, introduce, action):
    status, report, persona, _fields = BODIES[action]
    introduction = introduce(status, report=report)
    api = api_for(request.getfixturevalue(persona))
    for raw in ["{not json", "[1, 2]", "42", "null", '"text"', "9" * 5000]:
        response = api.post(url(introduction, action), raw, content_type="application/json")
        assert response.status_code in {200, 400, 409}, (raw[:20], response.content)
    response = api.post(
        url(introduction, action), b"\xff\xfe garbage", content_type="multipart/form-data; boundary=nothing"
    )
    assert response.status_code in {200, 400, 409}


@pytest.mark.parametrize("value", GARBAGE, ids=repr)
def test_garbage_in_a_new_introduction_is_never_a_500(api_for, ministry, candidate, value):
    api = api_for(ministry)
    for field in ["project", "university", "candidate", "message"]:
        response = api.post(LIST, {field: value}, format="json")
        assert response.status_code == 400, response.content
    response = api.post(
        LIST, dict.fromkeys(["project", "university", "candidate", "message"], value), format="json"
    )
    assert response.status_code == 400
    assert not Introduction.objects.exists()


@pytest.mark.parametrize(
    "query",
    [
        {"call": "\x00"},
        {"call": "x" * 5000},
        {"status": ""},
        {"project": ""},
        {"ordering": "nonsense"},
        {"search": "\x00"},
        {"page": "\x00"},
        {"page_size": "-1"},
    ],
)
def test_garbage_queries_are_never_a_500(api_for, ministry, employer, introduce, query):
    introduce("sent")
    for user in (ministry, employer):
        assert api_for(user).get(LIST, query).status_code in {200, 400}
