"""The introductions' pages: the persona matrix of every page and action (anonymous visitors
log in, outsiders 404, insiders without the right 403), ministry staff's hand-made,
run-made and bulk-sent introductions, both sides' answers, the agreement, milestones and outcome
report through to closure, the PDF downloads, bad input as field errors, and no 500 for any
input."""

from datetime import timedelta
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, VerificationStatus
from matching.models import Agreement, Candidate, Introduction, MatchRun, Milestone, OutcomeReport
from tests.factories import (
    IntroductionFactory,
    UniversityFactory,
)
from tests.pages import field_errors, flashed

from .common import ACTION_INPUTS, OUTSIDERS, PDF, PERSONAS, VISION, pdf, published, room, state, today

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
LIST = reverse("brokering:introduction-list")
CREATE = reverse("brokering:introduction-create")
BULK_SEND = reverse("brokering:introduction-bulk-send")
PROPOSED_LIST = f"{LIST}?status=proposed"


@pytest.fixture(autouse=True)
def _english_pages(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def text(response) -> str:
    return unescape(response.content.decode())


def url(name: str, introduction: Introduction) -> str:
    return reverse(f"brokering:{name}", args=[introduction.public_id])


def detail(introduction: Introduction) -> str:
    return url("introduction-detail", introduction)


OUTCOME = {"students_trained": "18", "interns_hosted": "10", "graduates_hired": "6",
           "funding_delivered_cny": "100000", "narrative": "完成两期实训，6 名毕业生入职。"}

# action: (url name, introduction status, outcome report status, form data, who may)
ACTIONS = {
    "send": ("introduction-send", "proposed", None, lambda: {"message": "请对接。"}, {"ministry"}),
    "cancel": ("introduction-cancel", "sent", None, lambda: {"comment": "企业调整计划。"},
               {"ministry"}),
    "accept": ("introduction-accept", "sent", None, dict, {"employer", "university"}),
    "decline": ("introduction-decline", "sent", None, lambda: {"reason": "timing"},
                {"employer", "university"}),
    "agreement": ("agreement-record", "accepted", None,
                  lambda: {"signed_on": today(), "places_agreed": "20", "funding_agreed_cny": "0"},
                  {"employer", "university"}),
    "milestone": ("milestone-record", "signed", None,
                  lambda: {"title": "首批学生进企业", "happened_on": today()},
                  {"employer", "university"}),
    "outcome": ("outcome-submit", "signed", None, lambda: dict(OUTCOME), {"employer"}),
    "confirm": ("outcome-confirm", "in_progress", "submitted", dict, {"university"}),
    "return": ("outcome-return", "in_progress", "submitted", lambda: {"comment": "数字有误。"},
               {"university"}),
    "close": ("outcome-accept", "in_progress", "confirmed", lambda: {"comment": ""}, {"ministry"}),
}
# An insider asking for a step that is not theirs at this moment: refused with a message.
REFUSED = {("return", "ministry")}


def expected(action: str, persona: str) -> str:
    status, who = ACTIONS[action][1], ACTIONS[action][4]
    if persona == "anonymous":
        return "login"
    if persona in OUTSIDERS or (status == "proposed" and persona != "ministry"):
        return "404"
    if (action, persona) in REFUSED:
        return "refused"
    return "done" if persona in who else "403"


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


@pytest.mark.parametrize(("persona", "code"), [
    ("anonymous", "login"), ("employer", 200), ("university", 200), ("other_employer", 404),
    ("other_university", 404), ("pending_employer", 404), ("ministry", 200)])
@pytest.mark.parametrize("status", ["sent", "accepted", "declined", "expired", "cancelled",
                                    "signed", "in_progress", "completed"])
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


@pytest.mark.parametrize(("persona", "code"), [
    ("employer", 404), ("university", 404), ("other_employer", 404), ("ministry", 200)])
def test_a_proposed_introduction_is_the_ministrys_draft(request, client_for, introduce, persona,
                                                        code):
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
    theirs = introduce("accepted", proposal=published(other_employer.employer),
                       to=other_university.university)
    response = client_for(request.getfixturevalue(persona)).get(LIST)
    if persona == "anonymous":
        assert response.status_code == 302 and response.url.startswith(LOGIN)
        return
    assert response.status_code == 200
    listed = {i.pk for i in response.context["page"]}
    assert listed == {
        "employer": {mine.pk}, "university": {mine.pk}, "other_employer": {theirs.pk},
        "other_university": {theirs.pk}, "pending_employer": set(),
        "ministry": {mine.pk, draft.pk, theirs.pk},
    }[persona]


def test_an_unverified_member_of_a_side_sees_but_cannot_act(client_for, pending_employer,
                                                            university, ministry):
    room(university.university)
    project = published(pending_employer.employer)
    introduction = IntroductionFactory(proposal=project, university=university.university,
                                       broker=ministry)
    client = client_for(pending_employer)
    page = client.get(detail(introduction))
    assert page.status_code == 200
    assert 'id="accept-introduction"' not in text(page)
    assert 'id="decline-introduction"' not in text(page)
    assert {i.pk for i in client.get(LIST).context["page"]} == {introduction.pk}
    assert client.post(url("introduction-accept", introduction)).status_code == 403
    assert client.post(url("introduction-decline", introduction),
                       {"reason": "timing"}).status_code == 403
    introduction.refresh_from_db()
    assert (introduction.status, introduction.employer_response) == ("sent", "")


def test_a_university_no_longer_verified_cannot_confirm_the_outcome(client_for, university,
                                                                   introduce):
    introduction = introduce("in_progress", report="submitted")
    type(university.university).objects.filter(pk=university.university_id).update(
        status=VerificationStatus.PENDING)
    client = client_for(university)
    page = client.get(detail(introduction))
    assert page.status_code == 200
    assert 'id="confirm-outcome"' not in text(page) and 'id="return-outcome"' not in text(page)
    assert 'id="record-milestone"' not in text(page)
    assert client.post(url("outcome-confirm", introduction)).status_code == 403
    assert OutcomeReport.objects.get().status == "submitted"


@pytest.mark.parametrize("name", ["agreement-document", "outcome-evidence"])
@pytest.mark.parametrize(("persona", "code"), [
    ("anonymous", "login"), ("employer", 200), ("university", 200), ("other_employer", 404),
    ("other_university", 404), ("pending_employer", 404), ("ministry", 200)])
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
def test_only_ministry_staff_create_and_bulk_send(request, client_for, introduce, project,
                                                  university, persona, path):
    draft = introduce("proposed")
    data = {"project": str(project.public_id), "introductions": [str(draft.public_id)],
            "institution_code": university.university.institution_code}
    response = client_for(request.getfixturevalue(persona)).post(path, data)
    assert response.status_code == 403
    assert list(Introduction.objects.values_list("status", flat=True)) == ["proposed"]


@pytest.mark.parametrize("path", [CREATE, BULK_SEND])
def test_anonymous_visitors_log_in_before_brokering(client_for, anonymous, path):
    response = client_for(anonymous).post(path, {})
    assert response.status_code == 302 and response.url.startswith(LOGIN)


# Making introductions by hand


def by_hand(project, university_org, **extra) -> dict:
    return {"project": str(project.public_id), "institution_code": university_org.institution_code,
            "message": "建议双方就工业视觉实习基地对接。", **extra}


def test_ministry_staff_introduce_a_project_and_a_university_by_hand(client_for, ministry, project,
                                                                     university):
    client = client_for(ministry)
    page = client.get(LIST)
    assert 'id="introduce-by-hand"' in text(page)
    response = client.post(CREATE, by_hand(project, university.university))
    made = Introduction.objects.get()
    assert response.status_code == 302 and response.url == detail(made)
    assert (made.status, made.proposal, made.university, made.broker, made.places) == (
        "proposed", project, university.university, ministry, 20)
    assert made.message == "建议双方就工业视觉实习基地对接。"
    assert "The introduction was proposed; send it when ready." in flashed(response)


@pytest.mark.parametrize(("change", "field"), [
    ({"project": "00000000-0000-4000-8000-000000000000"}, "project"),
    ({"project": "not-a-uuid"}, "project"),
    ({"project": ""}, "project"),
    ({"institution_code": "9999999999"}, "institution_code"),
    ({"institution_code": "123"}, "institution_code"),
    ({"institution_code": ""}, "institution_code"),
    ({"message": "长" * 2001}, "message"),
])
def test_bad_hand_made_input_gets_field_errors_and_makes_nothing(client_for, ministry, project,
                                                                 university, change, field):
    response = client_for(ministry).post(CREATE, {**by_hand(project, university.university),
                                                  **change})
    assert response.status_code == 400
    assert field in field_errors(response)
    assert not Introduction.objects.exists()


def test_neither_project_nor_university_gets_both_errors(client_for, ministry):
    response = client_for(ministry).post(CREATE, {})
    assert response.status_code == 400
    assert {"project", "institution_code"} <= set(field_errors(response))
    assert not Introduction.objects.exists()


def test_unknown_project_and_university_are_both_named(client_for, ministry):
    response = client_for(ministry).post(CREATE, {
        "project": "00000000-0000-4000-8000-000000000000", "institution_code": "9999999999"})
    assert response.status_code == 400
    errors = field_errors(response)
    assert errors["project"] == ["No project has this id."]
    assert errors["institution_code"] == ["No university has this institution code."]


@pytest.mark.parametrize(("fix", "message"), [
    ("draft", "Only published projects can be introduced."),
    ("pending", "Only verified universities can be introduced."),
])
def test_an_unpublished_project_or_unverified_university_is_refused(client_for, ministry, project,
                                                                    university, fix, message):
    if fix == "draft":
        type(project).objects.filter(pk=project.pk).update(status="draft")
    else:
        type(university.university).objects.filter(pk=university.university_id).update(
            status=VerificationStatus.PENDING)
    response = client_for(ministry).post(CREATE, by_hand(project, university.university))
    assert response.status_code == 400
    assert message in text(response)
    assert not Introduction.objects.exists()


def test_a_second_open_introduction_of_a_pair_is_refused(client_for, ministry, project,
                                                         university, introduce):
    introduce("sent")
    response = client_for(ministry).post(CREATE, by_hand(project, university.university))
    assert response.status_code == 400
    assert "This project and university already have an open introduction." in text(response)
    assert Introduction.objects.count() == 1


def test_a_pair_whose_introduction_ended_can_be_introduced_again(client_for, ministry, project,
                                                                 university, introduce):
    introduce("declined")
    response = client_for(ministry).post(CREATE, by_hand(project, university.university))
    assert response.status_code == 302
    assert sorted(Introduction.objects.values_list("status", flat=True)) == ["declined",
                                                                             "proposed"]


# From a run


@pytest.fixture
def run(ministry, project, university, other_university):
    """A succeeded run of the project's call proposing three pairs and scoring a fourth."""
    room(other_university.university)
    second = published(project.employer, call=project.call, student_places=30, partners_sought=1)
    run = MatchRun.objects.create(call=project.call, created_by=ministry, status="succeeded",
                                  progress=100, finished_at=timezone.now(),
                                  weights={"area": 0.6, "capacity": 0.15, "region": 0.15,
                                           "interest": 0.1},
                                  summary={"proposed": 3, "candidates": 4})
    pairs = [(project, university.university, True), (project, other_university.university, True),
             (second, university.university, True), (second, other_university.university, False)]
    Candidate.objects.bulk_create(
        Candidate(run=run, proposal=p, university=u, score=0.5, area_fit=0.5, capacity_fit=0.5,
                  region=0.5, interest=0.0, rank=rank, proposed=proposed)
        for rank, (p, u, proposed) in enumerate(pairs, start=1))
    return run


def from_run(run) -> str:
    return reverse("brokering:introductions-from-run", args=[run.public_id])


def test_the_run_page_proposes_introductions_from_its_pairs(client_for, ministry, run):
    client = client_for(ministry)
    page = client.get(reverse("matching:run-detail", args=[run.public_id]))
    assert page.status_code == 200
    assert f'action="{from_run(run)}"' in text(page)
    response = client.post(from_run(run))
    assert response.status_code == 302
    assert response.url == f"{LIST}?status=proposed&call={run.call.slug}"
    assert "3 introductions were proposed from the run; review and send them." in flashed(response)
    made = Introduction.objects.all()
    assert {i.status for i in made} == {"proposed"} and made.count() == 3
    assert {i.candidate.run_id for i in made} == {run.pk}
    listed = client.get(response.url)
    assert {i.pk for i in listed.context["page"]} == {i.pk for i in made}
    assert text(listed).count('name="introductions"') == 3
    assert client.post(from_run(run)).status_code == 302
    assert Introduction.objects.count() == 3


@pytest.mark.parametrize("status", ["queued", "running", "failed"])
def test_an_unfinished_run_proposes_nothing(client_for, ministry, run, status):
    MatchRun.objects.filter(pk=run.pk).update(status=status)
    response = client_for(ministry).post(from_run(run))
    assert response.status_code == 302
    assert response.url == reverse("matching:run-detail", args=[run.public_id])
    assert "Only a succeeded run's proposals can be introduced." in flashed(response)
    assert not Introduction.objects.exists()


def test_an_unknown_run_is_404(client_for, ministry, run):
    response = client_for(ministry).post(
        reverse("brokering:introductions-from-run", args=["00000000-0000-4000-8000-000000000000"]))
    assert response.status_code == 404


@pytest.mark.parametrize(("persona", "code"), [
    ("employer", 403), ("university", 403), ("pending_employer", 403), ("anonymous", "login")])
def test_only_ministry_staff_propose_from_a_run(request, client_for, run, persona, code):
    response = client_for(request.getfixturevalue(persona)).post(from_run(run))
    if code == "login":
        assert response.status_code == 302 and response.url.startswith(LOGIN)
    else:
        assert response.status_code == code
    assert not Introduction.objects.exists()


# Sending


def test_ministry_staff_send_the_ticked_proposed_introductions(
    client_for, ministry, employer, university, introduce, django_capture_on_commit_callbacks,
    mailoutbox
):
    first, second = introduce("proposed"), introduce("proposed", to=UniversityFactory())
    room(second.university)
    left = introduce("proposed", to=UniversityFactory())
    client = client_for(ministry)
    page = client.get(PROPOSED_LIST)
    assert 'id="send-selected"' in text(page)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(BULK_SEND, {"introductions": [first.public_id, second.public_id],
                                           "message": "请在两周内答复。"})
    assert response.status_code == 302 and response.url == PROPOSED_LIST
    assert "2 introductions were sent." in flashed(response)
    for introduction in (first, second):
        introduction.refresh_from_db()
        assert (introduction.status, introduction.message) == ("sent", "请在两周内答复。")
        assert introduction.expires_at > timezone.now()
    left.refresh_from_db()
    assert left.status == "proposed"
    assert employer.email in {address for m in mailoutbox for address in m.to}
    assert university.email in {address for m in mailoutbox for address in m.to}


@pytest.mark.parametrize("ticked", [[], ["not-a-uuid"], [""], ["00000000-0000-4000-8000-000000000000"]])
def test_a_bad_or_empty_selection_sends_nothing(client_for, ministry, introduce, ticked):
    draft = introduce("proposed")
    response = client_for(ministry).post(BULK_SEND, {"introductions": ticked, "message": ""})
    assert response.status_code == 302 and response.url == PROPOSED_LIST
    assert flashed(response) == ["Tick the proposed introductions to send."]
    draft.refresh_from_db()
    assert draft.status == "proposed"


def test_ticking_an_introduction_already_sent_sends_nothing(client_for, ministry, introduce):
    sent = introduce("sent", to=UniversityFactory())
    before = state(sent)
    response = client_for(ministry).post(BULK_SEND, {"introductions": [sent.public_id]})
    assert response.status_code == 302
    assert flashed(response) == ["Tick the proposed introductions to send."]
    assert state(sent) == before


def test_an_introduction_over_capacity_is_named_and_the_others_are_sent(client_for, ministry,
                                                                        introduce):
    fits = introduce("proposed")
    full = introduce("proposed", to=UniversityFactory(name="满额大学"))
    room(full.university, places=5)
    response = client_for(ministry).post(BULK_SEND, {"introductions": [fits.public_id,
                                                                       full.public_id]})
    messages = flashed(response)
    assert "1 introduction was sent." in messages
    assert any("满额大学" in m and "student places left" in m for m in messages)
    assert Introduction.objects.get(pk=fits.pk).status == "sent"
    assert Introduction.objects.get(pk=full.pk).status == "proposed"


def test_ministry_staff_send_one_introduction_with_a_message(client_for, ministry, introduce):
    introduction = introduce("proposed")
    client = client_for(ministry)
    assert 'id="send-introduction"' in text(client.get(detail(introduction)))
    response = client.post(url("introduction-send", introduction), {"message": "请尽快答复。"})
    assert response.status_code == 302 and response.url == detail(introduction)
    assert "The introduction was sent to both sides." in flashed(response)
    introduction.refresh_from_db()
    assert (introduction.status, introduction.message, introduction.broker) == (
        "sent", "请尽快答复。", ministry)


def test_sending_without_a_message_keeps_the_one_written(client_for, ministry, introduce):
    introduction = introduce("proposed", message="原推荐语。")
    client_for(ministry).post(url("introduction-send", introduction), {"message": ""})
    introduction.refresh_from_db()
    assert (introduction.status, introduction.message) == ("sent", "原推荐语。")


def test_sending_twice_is_a_message(client_for, ministry, introduce):
    introduction = introduce("sent")
    response = client_for(ministry).post(url("introduction-send", introduction), {})
    assert response.status_code == 302
    assert any("not possible" in m for m in flashed(response))


def test_ministry_staff_cancel_an_introduction(client_for, ministry, introduce):
    introduction = introduce("accepted")
    response = client_for(ministry).post(url("introduction-cancel", introduction),
                                         {"comment": "企业调整计划。"})
    assert response.status_code == 302
    assert "The introduction was cancelled." in flashed(response)
    introduction.refresh_from_db()
    assert introduction.status == "cancelled"
    assert AuditEvent.objects.filter(action="cancel", comment="企业调整计划。").exists()


# Answers


def test_the_introduction_is_accepted_once_both_sides_accept(client_for, employer, university,
                                                             introduce):
    introduction = introduce("sent")
    client = client_for(employer)
    assert 'id="accept-introduction"' in text(client.get(detail(introduction)))
    response = client.post(url("introduction-accept", introduction))
    assert "Your acceptance was recorded; the other side's answer is awaited." in flashed(response)
    introduction.refresh_from_db()
    assert (introduction.status, introduction.employer_response) == ("sent", "accepted")
    page = client.get(detail(introduction))
    assert 'id="accept-introduction"' not in text(page)
    assert "Your side has answered" in text(page)

    response = client_for(university).post(url("introduction-accept", introduction))
    assert ("Both sides have accepted: record the cooperation agreement once signed."
            in flashed(response))
    introduction.refresh_from_db()
    assert (introduction.status, introduction.university_response) == ("accepted", "accepted")


def test_accepting_twice_is_a_message_not_an_error(client_for, employer, introduce):
    introduction = introduce("sent", employer_response="accepted",
                             employer_responded_at=timezone.now())
    before = state(introduction)
    response = client_for(employer).post(url("introduction-accept", introduction))
    assert response.status_code == 302 and response.url == detail(introduction)
    assert "Your side has already answered this introduction." in flashed(response)
    assert state(introduction) == before


def test_an_expired_introduction_cannot_be_answered(client_for, university, introduce):
    introduction = introduce("sent", expires_at=timezone.now() - timedelta(minutes=1))
    before = state(introduction)
    response = client_for(university).post(url("introduction-accept", introduction))
    assert response.status_code == 302
    assert any("expired" in m and "can no longer be answered" in m for m in flashed(response))
    assert state(introduction) == before


def test_a_side_declines_with_a_reason(client_for, university, introduce):
    introduction = introduce("sent")
    response = client_for(university).post(url("introduction-decline", introduction),
                                           {"reason": "no_capacity", "comment": "今年名额已满。"})
    assert response.status_code == 302
    assert "You declined the introduction." in flashed(response)
    introduction.refresh_from_db()
    assert (introduction.status, introduction.university_response, introduction.decline_reason,
            introduction.decline_comment) == ("declined", "declined", "no_capacity", "今年名额已满。")


@pytest.mark.parametrize(("data", "field"), [
    ({}, "reason"), ({"reason": ""}, "reason"), ({"reason": "bored"}, "reason"),
    ({"reason": "other"}, "comment"), ({"reason": "other", "comment": "   "}, "comment"),
    ({"reason": "timing", "comment": "长" * 2001}, "comment"),
])
def test_a_decline_without_a_reason_is_a_field_error(client_for, employer, introduce, data, field):
    introduction = introduce("sent")
    before = state(introduction)
    response = client_for(employer).post(url("introduction-decline", introduction), data)
    assert response.status_code == 400
    assert field in field_errors(response)
    assert state(introduction) == before


# The agreement, milestones and the outcome


def test_a_side_records_the_agreement_with_its_pdf(client_for, employer, university, ministry,
                                                   introduce):
    introduction = introduce("accepted")
    client = client_for(university)
    assert 'id="record-agreement"' in text(client.get(detail(introduction)))
    response = client.post(url("agreement-record", introduction), {
        "signed_on": today(), "places_agreed": "18", "funding_agreed_cny": "50000",
        "document": pdf()})
    assert response.status_code == 302, field_errors(response)
    assert "The cooperation agreement was recorded." in flashed(response)
    introduction.refresh_from_db()
    agreement = introduction.agreement
    assert (introduction.status, introduction.places) == ("signed", 18)
    assert (agreement.places_agreed, agreement.funding_agreed_cny) == (18, 50000)
    page = client.get(detail(introduction))
    assert url("agreement-document", introduction) in text(page)
    for user in (employer, university, ministry):
        download = client_for(user).get(url("agreement-document", introduction))
        assert b"".join(download.streaming_content) == PDF


@pytest.mark.parametrize(("change", "field"), [
    ({"document": SimpleUploadedFile("协议.pdf", b"PK\x03\x04 not a pdf")}, "document"),
    ({"document": SimpleUploadedFile("协议.pdf", b"")}, "document"),
    ({"signed_on": "2027-02-30"}, "signed_on"),
    ({"signed_on": (timezone.localdate() + timedelta(days=2)).isoformat()}, "signed_on"),
    ({"places_agreed": "0"}, "places_agreed"),
    ({"places_agreed": "41"}, "places_agreed"),
    ({"places_agreed": "many"}, "places_agreed"),
    ({"funding_agreed_cny": "-1"}, "funding_agreed_cny"),
])
def test_a_bad_agreement_is_a_field_error_and_changes_nothing(client_for, employer, introduce,
                                                              change, field):
    introduction = introduce("accepted")
    before = state(introduction)
    data = {"signed_on": today(), "places_agreed": "20", "funding_agreed_cny": "0", **change}
    response = client_for(employer).post(url("agreement-record", introduction), data)
    assert response.status_code == 400
    assert field in field_errors(response)
    assert state(introduction) == before
    assert not Agreement.objects.exists()


def test_a_side_records_milestones_and_the_first_starts_the_work(client_for, employer, university,
                                                                 introduce):
    introduction = introduce("signed")
    client = client_for(employer)
    assert 'id="record-milestone"' in text(client.get(detail(introduction)))
    response = client.post(url("milestone-record", introduction),
                           {"title": "首批 20 名学生进企业", "happened_on": today(), "note": "顺利。"})
    assert "The milestone was recorded." in flashed(response)
    client_for(university).post(url("milestone-record", introduction),
                                {"title": "中期检查", "happened_on": today()})
    introduction.refresh_from_db()
    assert introduction.status == "in_progress"
    assert list(introduction.milestones.values_list("title", flat=True)) == ["首批 20 名学生进企业",
                                                                              "中期检查"]
    assert "中期检查" in text(client.get(detail(introduction)))


@pytest.mark.parametrize(("change", "field"), [
    ({"title": ""}, "title"), ({"happened_on": "tomorrow"}, "happened_on"),
    ({"happened_on": (timezone.localdate() + timedelta(days=3)).isoformat()}, "happened_on"),
])
def test_a_bad_milestone_is_a_field_error(client_for, employer, introduce, change, field):
    introduction = introduce("signed")
    data = {"title": "首批学生进企业", "happened_on": today(), **change}
    response = client_for(employer).post(url("milestone-record", introduction), data)
    assert response.status_code == 400
    assert field in field_errors(response)
    assert not Milestone.objects.exists()


def test_the_outcome_runs_its_course_to_completion(client_for, employer, university, ministry,
                                                   introduce):
    introduction = introduce("in_progress")
    client = client_for(employer)
    assert 'id="submit-outcome"' in text(client.get(detail(introduction)))
    response = client.post(url("outcome-submit", introduction),
                           {**OUTCOME, "evidence": pdf("证明.pdf")})
    assert response.status_code == 302, field_errors(response)
    assert ("The outcome report was filed; the university is asked to confirm it."
            in flashed(response))
    report = OutcomeReport.objects.get(introduction=introduction)
    assert (report.status, report.students_trained, report.graduates_hired) == ("submitted", 18, 6)
    assert b"".join(client.get(url("outcome-evidence", introduction)).streaming_content) == PDF

    client = client_for(university)
    assert 'id="confirm-outcome"' in text(client.get(detail(introduction)))
    response = client.post(url("outcome-confirm", introduction))
    assert ("You confirmed the outcome report; ministry staff will review it."
            in flashed(response))
    report.refresh_from_db()
    assert report.status == "confirmed"

    client = client_for(ministry)
    assert 'id="accept-outcome"' in text(client.get(detail(introduction)))
    response = client.post(url("outcome-accept", introduction), {"comment": "验收通过。"})
    assert ("The outcome report was accepted and the cooperation closed." in flashed(response))
    report.refresh_from_db()
    introduction.refresh_from_db()
    assert (report.status, introduction.status) == ("accepted", "completed")


@pytest.mark.parametrize(("change", "field"), [
    ({"graduates_hired": "29"}, "graduates_hired"),
    ({"graduates_hired": "-1"}, "graduates_hired"),
    ({"students_trained": "-5"}, "students_trained"),
    ({"interns_hosted": "100001"}, "interns_hosted"),
    ({"funding_delivered_cny": "10000000001"}, "funding_delivered_cny"),
    ({"narrative": ""}, "narrative"),
    ({"evidence": SimpleUploadedFile("证明.pdf", b"<html>not a pdf</html>")}, "evidence"),
])
def test_absurd_or_negative_figures_are_field_errors(client_for, employer, introduce, change,
                                                     field):
    introduction = introduce("in_progress")
    response = client_for(employer).post(url("outcome-submit", introduction), {**OUTCOME, **change})
    assert response.status_code == 400
    assert field in field_errors(response)
    assert not OutcomeReport.objects.exists()


def test_a_report_sent_back_is_corrected_and_filed_again(client_for, employer, university,
                                                         introduce):
    introduction = introduce("in_progress", report="submitted")
    response = client_for(university).post(url("outcome-return", introduction), {"comment": ""})
    assert response.status_code == 400
    assert "comment" in field_errors(response)
    client_for(university).post(url("outcome-return", introduction), {"comment": "实习人数有误。"})
    report = OutcomeReport.objects.get()
    assert (report.status, report.comment) == ("returned", "实习人数有误。")
    client = client_for(employer)
    assert "实习人数有误。" in text(client.get(detail(introduction)))
    client.post(url("outcome-submit", introduction), {**OUTCOME, "interns_hosted": "12"})
    report.refresh_from_db()
    assert (report.status, report.interns_hosted) == ("submitted", 12)


def test_a_report_filed_twice_is_a_message(client_for, employer, introduce):
    introduction = introduce("in_progress", report="submitted")
    before = state(introduction)
    response = client_for(employer).post(url("outcome-submit", introduction), OUTCOME)
    assert response.status_code == 302
    assert any("has been filed" in m for m in flashed(response))
    assert state(introduction) == before


@pytest.mark.parametrize("name", ["outcome-confirm", "outcome-return", "outcome-accept"])
def test_reviewing_a_report_not_filed_is_a_message(client_for, university, ministry,
                                                   introduce, name):
    introduction = introduce("in_progress")
    user = ministry if name == "outcome-accept" else university
    response = client_for(user).post(url(name, introduction), {"comment": "请更正。"})
    assert response.status_code == 302
    assert "No outcome report has been filed yet." in flashed(response)
    assert not OutcomeReport.objects.exists()


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


@pytest.mark.parametrize("query", [
    {"status": "bogus"}, {"call": "no-such-call"}, {"province": "99"}, {"q": "x" * 101},
    {"page": "abc"}, {"page": "-1"}, {"page": "99999"}, {"page": "1e9999"},
])
def test_garbage_filters_never_fail(client_for, ministry, employer, introduce, query):
    introduce("sent")
    for user in (ministry, employer):
        assert client_for(user).get(LIST, query).status_code == 200
    # A NUL byte is refused before any view (tests/portal/test_bad_input.py).
    assert client_for(ministry).get(LIST, {**query, "q": "\x00"}).status_code == 400


def test_the_list_is_paginated_with_bounded_queries(client_for, ministry, employer, project,
                                                    django_assert_max_num_queries):
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

GARBAGE = ["", " ", "\x00", "x" * 5000, "-1", "1e9999", "9" * 5000, "2027-13-45", "NaN", "<script>",
           "../../etc/passwd", "00000000-0000-0000-0000-000000000000"]
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
    response = client.post(BULK_SEND, {"introductions": [value, value], "message": value})
    assert response.status_code in {302, 400}   # 400: a control character, refused before the view
    assert set(Introduction.objects.values_list("status", flat=True)) == {"proposed"}

