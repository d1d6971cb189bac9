"""The introductions' pages, who may see and do what: the persona matrix of every page and
action (anonymous visitors log in, outsiders 404, insiders without the right 403), the PDF
downloads, the list's filters and pagination in bounded queries, and no 500 for any input."""

import pytest

from accounts.models import VerificationStatus
from matching.models import Agreement, Introduction, OutcomeReport
from tests.factories import (
    IntroductionFactory,
    UniversityFactory,
)
from tests.pages import flashed

from .common import ACTION_INPUTS, PDF, PERSONAS, VISION, pdf, published, room, state
from .introduction_pages import (
    ACTIONS,
    BULK_SEND,
    CREATE,
    LIST,
    LOGIN,
    _english_pages_fixture,  # noqa: F401
    detail,
    expected,
    text,
    url,
)

pytestmark = pytest.mark.django_db


# The persona matrix


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("action", ACTIONS)
def test_each_action_is_for_its_own_people(request, client_for, introduce, action, persona):
    name, status, report, data, _who = ACTIONS[action]
    introduction = introduce(status, report=report)
    before = state(introduction)
    response = client_for(request.getfixturevalue(persona)).post(url(name, introduction), data())
    outcome = expected(action, persona)
    if outcome == "login":
        assert response.status_code == 302 and response.url.startswith(LOGIN)
    elif outcome in {"404", "403"}:
        assert response.status_code == int(outcome)
    else:
        assert response.status_code == 302 and response.url == detail(introduction)
        assert any(m for m in flashed(response))
    assert (state(introduction) != before) == (outcome == "done")


@pytest.mark.parametrize(
    ("persona", "code"),
    [
        ("anonymous", "login"),
        ("employer", 200),
        ("university", 200),
        ("other_employer", 404),
        ("other_university", 404),
        ("pending_employer", 404),
        ("ministry", 200),
    ],
)
@pytest.mark.parametrize(
    "status", ["sent", "accepted", "declined", "expired", "cancelled", "signed", "in_progress", "completed"]
)
def test_an_introduction_is_seen_by_its_two_sides_and_the_ministry(
    request, client_for, introduce, status, persona, code
):
    introduction = introduce(status)
    response = client_for(request.getfixturevalue(persona)).get(detail(introduction))
    if code == "login":
        assert response.status_code == 302 and response.url.startswith(LOGIN)
    else:
        assert response.status_code == code
    if code == 200:
        assert VISION in text(response)


@pytest.mark.parametrize(
    ("persona", "code"), [("employer", 404), ("university", 404), ("other_employer", 404), ("ministry", 200)]
)
def test_a_proposed_introduction_is_the_ministrys_draft(request, client_for, introduce, persona, code):
    introduction = introduce("proposed")
    assert client_for(request.getfixturevalue(persona)).get(detail(introduction)).status_code == code


def test_an_unknown_introduction_is_404(client_for, ministry):
    missing = Introduction(public_id="00000000-0000-4000-8000-000000000000")
    assert client_for(ministry).get(detail(missing)).status_code == 404


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_lists_only_its_own_introductions(
    request, client_for, introduce, other_employer, other_university, persona
):
    mine = introduce("sent")
    draft = introduce("proposed", to=UniversityFactory())
    room(other_university.university)
    theirs = introduce(
        "accepted", proposal=published(other_employer.employer), to=other_university.university
    )
    response = client_for(request.getfixturevalue(persona)).get(LIST)
    if persona == "anonymous":
        assert response.status_code == 302 and response.url.startswith(LOGIN)
        return
    assert response.status_code == 200
    listed = {i.pk for i in response.context["page"]}
    assert (
        listed
        == {
            "employer": {mine.pk},
            "university": {mine.pk},
            "other_employer": {theirs.pk},
            "other_university": {theirs.pk},
            "pending_employer": set(),
            "ministry": {mine.pk, draft.pk, theirs.pk},
        }[persona]
    )


def test_an_unverified_member_of_a_side_sees_but_cannot_act(
    client_for, pending_employer, university, ministry
):
    room(university.university)
    project = published(pending_employer.employer)
    introduction = IntroductionFactory(proposal=project, university=university.university, broker=ministry)
    client = client_for(pending_employer)
    page = client.get(detail(introduction))
    assert page.status_code == 200
    assert 'id="accept-introduction"' not in text(page)
    assert 'id="decline-introduction"' not in text(page)
    assert {i.pk for i in client.get(LIST).context["page"]} == {introduction.pk}
    assert client.post(url("introduction-accept", introduction)).status_code == 403
    assert client.post(url("introduction-decline", introduction), {"reason": "timing"}).status_code == 403
    introduction.refresh_from_db()
    assert (introduction.status, introduction.employer_response) == ("sent", "")


def test_a_university_no_longer_verified_cannot_confirm_the_outcome(client_for, university, introduce):
    introduction = introduce("in_progress", report="submitted")
    type(university.university).objects.filter(pk=university.university_id).update(
        status=VerificationStatus.PENDING
    )
    client = client_for(university)
    page = client.get(detail(introduction))
    assert page.status_code == 200
    assert 'id="confirm-outcome"' not in text(page) and 'id="return-outcome"' not in text(page)
    assert 'id="record-milestone"' not in text(page)
    assert client.post(url("outcome-confirm", introduction)).status_code == 403
    assert OutcomeReport.objects.get().status == "submitted"


@pytest.mark.parametrize("name", ["agreement-document", "outcome-evidence"])
@pytest.mark.parametrize(
    ("persona", "code"),
    [
        ("anonymous", "login"),
        ("employer", 200),
        ("university", 200),
        ("other_employer", 404),
        ("other_university", 404),
        ("pending_employer", 404),
        ("ministry", 200),
    ],
)
def test_the_documents_are_for_the_two_sides_and_the_ministry(
    request, client_for, introduce, name, persona, code
):
    introduction = introduce("in_progress", report="submitted")
    Agreement.objects.get(introduction=introduction).document.save("协议.pdf", pdf())
    OutcomeReport.objects.get(introduction=introduction).evidence.save("证明.pdf", pdf())
    response = client_for(request.getfixturevalue(persona)).get(url(name, introduction))
    if code == "login":
        assert response.status_code == 302 and response.url.startswith(LOGIN)
        return
    assert response.status_code == code
    if code == 200:
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert "attachment" in response["Content-Disposition"]


@pytest.mark.parametrize("name", ["agreement-document", "outcome-evidence"])
def test_a_missing_document_is_404(client_for, introduce, employer, name):
    introduction = introduce("in_progress", report="submitted")
    assert client_for(employer).get(url(name, introduction)).status_code == 404


@pytest.mark.parametrize("persona", ["employer", "university", "pending_employer"])
@pytest.mark.parametrize("path", [CREATE, BULK_SEND])
def test_only_ministry_staff_create_and_bulk_send(
    request, client_for, introduce, project, university, persona, path
):
    draft = introduce("proposed")
    data = {
        "action": "introductions.send",
        "project": str(project.public_id),
        "ids": [str(draft.public_id)],
        "institution_code": university.university.institution_code,
    }
    response = client_for(request.getfixturevalue(persona)).post(path, data)
    assert response.status_code == 403
    assert list(Introduction.objects.values_list("status", flat=True)) == ["proposed"]


@pytest.mark.parametrize("path", [CREATE, BULK_SEND])
def test_anonymous_visitors_log_in_before_brokering(client_for, anonymous, path):
    response = client_for(anonymous).post(path, {})
    assert response.status_code == 302 and response.url.startswith(LOGIN)


# Filters and the list's size


def test_the_list_filters_by_call_status_and_search(client_for, ministry, introduce, project):
    sent = introduce("sent")
    other_call = introduce("proposed", proposal=published(project.employer, title="智能客服实习基地"))
    client = client_for(ministry)

    def listed(**query) -> set[int]:
        response = client.get(LIST, query)
        assert response.status_code == 200
        return {i.pk for i in response.context["page"]}

    assert listed(status="sent") == {sent.pk}
    assert listed(call=project.call.slug) == {sent.pk}
    assert listed(q="客服") == {other_call.pk}
    assert listed() == {sent.pk, other_call.pk}


@pytest.mark.parametrize(
    "query",
    [
        {"status": "bogus"},
        {"call": "no-such-call"},
        {"province": "99"},
        {"q": "x" * 101},
        {"page": "abc"},
        {"page": "-1"},
        {"page": "99999"},
        {"page": "1e9999"},
    ],
)
def test_garbage_filters_never_fail(client_for, ministry, employer, introduce, query):
    introduce("sent")
    for user in (ministry, employer):
        assert client_for(user).get(LIST, query).status_code == 200
    # A NUL byte is refused before any view (tests/portal/test_bad_input.py).
    assert client_for(ministry).get(LIST, {**query, "q": "\x00"}).status_code == 400


def test_the_list_is_paginated_with_bounded_queries(
    client_for, ministry, employer, project, django_assert_max_num_queries
):
    for _ in range(30):
        IntroductionFactory(proposal=project, university=UniversityFactory())
    for user in (ministry, employer):
        client = client_for(user)
        with django_assert_max_num_queries(12):
            response = client.get(LIST)
        assert response.status_code == 200
        assert len(response.context["page"].object_list) == 25
        assert response.context["page"].paginator.count == 30
        assert len(client.get(LIST, {"page": "2"}).context["page"].object_list) == 5


# No input gives a 500

GARBAGE = [
    "",
    " ",
    "\x00",
    "x" * 5000,
    "-1",
    "1e9999",
    "9" * 5000,
    "2027-13-45",
    "NaN",
    "<script>",
    "../../etc/passwd",
    "00000000-0000-0000-0000-000000000000",
]
FIELDS = {page: needs for page, _api, *needs in ACTION_INPUTS}


@pytest.mark.parametrize("value", GARBAGE)
@pytest.mark.parametrize("name", FIELDS)
def test_garbage_in_any_form_field_is_never_a_500(request, client_for, introduce, name, value):
    status, report, persona, fields = FIELDS[name]
    introduction = introduce(status, report=report)
    client = client_for(request.getfixturevalue(persona))
    response = client.post(url(name, introduction), dict.fromkeys(fields, value))
    assert response.status_code in {302, 400}
    response = client.post(url(name, introduction), {field: [value, "2"] for field in fields})
    assert response.status_code in {302, 400}


@pytest.mark.parametrize("value", GARBAGE)
def test_garbage_in_the_ministrys_forms_is_never_a_500(client_for, ministry, introduce, value):
    introduce("proposed")
    client = client_for(ministry)
    response = client.post(CREATE, {"project": value, "institution_code": value, "message": value})
    assert response.status_code == 400
    response = client.post(
        BULK_SEND, {"action": "introductions.send", "ids": [value, value], "message": value}
    )
    assert response.status_code in {302, 400}  # 400: a control character, refused before the view
    assert set(Introduction.objects.values_list("status", flat=True)) == {"proposed"}
