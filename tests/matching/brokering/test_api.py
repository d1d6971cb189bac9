"""The introductions API: the persona matrix for every endpoint (anonymous 401, outsiders 404,
insiders without the right 403), ministry staff's introductions by pair or from a run's
candidate, both sides' answers (409 when too late or twice), the agreement, milestones and
outcome report, the documented fields, pagination and filters in bounded queries, and no 500
for any body."""

from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import VerificationStatus
from matching.models import Candidate, Introduction, MatchRun, Milestone, OutcomeReport
from tests.factories import (
    AgreementFactory,
    CallFactory,
    IntroductionFactory,
    OutcomeReportFactory,
    UniversityFactory,
)

from .common import ACTION_INPUTS, OUTSIDERS, PDF, PERSONAS, VISION, pdf, published, room, state, today

pytestmark = pytest.mark.django_db

LIST = "/api/v1/introductions/"
FIELDS = {"id", "project", "project_title", "employer", "university", "university_name", "status",
          "message", "places", "employer_response", "university_response", "decline_reason",
          "decline_comment", "sent_at", "expires_at", "accepted_at", "agreement", "milestones",
          "outcome", "created_at", "updated_at"}
AGREEMENT_FIELDS = {"signed_on", "places_agreed", "funding_agreed_cny", "document", "recorded_at"}
MILESTONE_FIELDS = {"title", "happened_on", "note", "recorded_at"}
OUTCOME_FIELDS = {"status", "students_trained", "interns_hosted", "graduates_hired",
                  "funding_delivered_cny", "narrative", "comment", "submitted_at", "confirmed_at",
                  "decided_at"}
UNKNOWN = "00000000-0000-4000-8000-000000000000"


@pytest.fixture
def api_for(api_for):
    """Messages in English, for the assertions on them."""

    def make(user):
        api = api_for(user)
        api.credentials(HTTP_ACCEPT_LANGUAGE="en")
        return api

    return make


def url(introduction, action: str = "") -> str:
    return f"{LIST}{introduction.public_id}/" + (f"{action}/" if action else "")


OUTCOME = {"students_trained": 18, "interns_hosted": 10, "graduates_hired": 6,
           "funding_delivered_cny": 100000, "narrative": "完成两期实训，6 名毕业生入职。"}

# action: (introduction status, outcome report status, body, who may)
ACTIONS = {
    "send": ("proposed", None, lambda: {"message": "请对接。"}, {"ministry"}),
    "cancel": ("sent", None, lambda: {"comment": "企业调整计划。"}, {"ministry"}),
    "accept": ("sent", None, dict, {"employer", "university"}),
    "decline": ("sent", None, lambda: {"reason": "timing"}, {"employer", "university"}),
    "agreement": ("accepted", None, lambda: {"signed_on": today(), "places_agreed": 20},
                  {"employer", "university"}),
    "milestones": ("signed", None, lambda: {"title": "首批学生进企业", "happened_on": today()},
                   {"employer", "university"}),
    "outcome": ("signed", None, lambda: dict(OUTCOME), {"employer"}),
    "outcome/confirm": ("in_progress", "submitted", dict, {"university"}),
    "outcome/return": ("in_progress", "submitted", lambda: {"comment": "数字有误。"},
                       {"university"}),
    "outcome/accept": ("in_progress", "confirmed", lambda: {"comment": ""}, {"ministry"}),
}
# An insider asking for a step that is not theirs at this moment.
CONFLICTS = {("outcome/return", "ministry")}


def expected(action: str, persona: str) -> int:
    status, _report, _body, who = ACTIONS[action]
    if persona == "anonymous":
        return 401
    if persona in OUTSIDERS or (status == "proposed" and persona != "ministry"):
        return 404
    if (action, persona) in CONFLICTS:
        return 409
    return 200 if persona in who else 403


# The persona matrix


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("action", ACTIONS)
def test_each_action_is_for_its_own_people(request, api_for, introduce, action, persona):
    status, report, body, _who = ACTIONS[action]
    introduction = introduce(status, report=report)
    before = state(introduction)
    response = api_for(request.getfixturevalue(persona)).post(url(introduction, action), body(),
                                                              format="json")
    code = expected(action, persona)
    assert response.status_code == code, response.content
    if code == 200:
        assert set(response.json()) == FIELDS
        assert response.json()["id"] == str(introduction.public_id)
    else:
        assert "detail" in response.json()
    assert (state(introduction) != before) == (code == 200)


@pytest.mark.parametrize(("persona", "code"), [
    ("anonymous", 401), ("employer", 200), ("university", 200), ("other_employer", 404),
    ("other_university", 404), ("pending_employer", 404), ("ministry", 200)])
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
    theirs = introduce("accepted", proposal=published(other_employer.employer),
                       to=other_university.university)
    response = api_for(request.getfixturevalue(persona)).get(LIST)
    if persona == "anonymous":
        assert response.status_code == 401
        return
    assert response.status_code == 200
    listed = {row["id"] for row in response.json()["results"]}
    expected_ids = {
        "employer": {mine}, "university": {mine}, "other_employer": {theirs},
        "other_university": {theirs}, "pending_employer": set(),
        "ministry": {mine, draft, theirs},
    }[persona]
    assert listed == {str(i.public_id) for i in expected_ids}


@pytest.mark.parametrize(("persona", "code"), [
    ("employer", 404), ("university", 404), ("other_employer", 404), ("ministry", 200)])
def test_a_proposed_introduction_is_the_ministrys_draft(request, api_for, introduce, persona,
                                                        code):
    introduction = introduce("proposed")
    assert api_for(request.getfixturevalue(persona)).get(url(introduction)).status_code == code


def test_a_side_no_longer_verified_reads_but_cannot_act(api_for, pending_employer, university,
                                                        ministry):
    room(university.university)
    introduction = IntroductionFactory(proposal=published(pending_employer.employer),
                                       university=university.university, broker=ministry)
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


# Creating


def pair(project, university_org, **extra) -> dict:
    return {"project": str(project.public_id), "university": str(university_org.public_id),
            "message": "建议双方对接。", **extra}


@pytest.fixture
def candidate(ministry, project, university):
    run = MatchRun.objects.create(call=project.call, created_by=ministry, status="succeeded",
                                  weights={"area": 0.6, "capacity": 0.15, "region": 0.15,
                                           "interest": 0.1})
    return Candidate.objects.create(run=run, proposal=project, university=university.university,
                                    score=0.66, area_fit=0.7, capacity_fit=0.5, region=1.0,
                                    interest=0.0, rank=1, proposed=True)


def test_ministry_staff_introduce_a_pair(api_for, ministry, project, university):
    response = api_for(ministry).post(LIST, pair(project, university.university), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == FIELDS
    assert (body["project"], body["university"]) == (str(project.public_id),
                                                      str(university.university.public_id))
    assert (body["status"], body["places"], body["message"]) == ("proposed", 20, "建议双方对接。")
    assert (body["agreement"], body["milestones"], body["outcome"]) == (None, [], None)
    made = Introduction.objects.get(public_id=body["id"])
    assert (made.broker, made.candidate) == (ministry, None)


def test_ministry_staff_introduce_a_runs_candidate(api_for, ministry, candidate):
    response = api_for(ministry).post(LIST, {"candidate": candidate.pk}, format="json")
    assert response.status_code == 201, response.json()
    made = Introduction.objects.get(public_id=response.json()["id"])
    assert (made.candidate, made.proposal, made.university, made.status) == (
        candidate, candidate.proposal, candidate.university, "proposed")


@pytest.mark.parametrize("persona", ["employer", "university", "pending_employer", "anonymous"])
@pytest.mark.parametrize("by", ["pair", "candidate"])
def test_only_ministry_staff_create_introductions(request, api_for, project, university, candidate,
                                                 persona, by):
    body = pair(project, university.university) if by == "pair" else {"candidate": candidate.pk}
    response = api_for(request.getfixturevalue(persona)).post(LIST, body, format="json")
    assert response.status_code == (401 if persona == "anonymous" else 403)
    assert not Introduction.objects.exists()


@pytest.mark.parametrize(("change", "field"), [
    ({"project": UNKNOWN}, "project"),
    ({"project": "not-a-uuid"}, "project"),
    ({"university": UNKNOWN}, "university"),
    ({"university": 12}, "university"),
    ({"message": "长" * 2001}, "message"),
    ({"message": None}, "message"),
    ({"project": None}, "non_field_errors"),
    ({"university": None}, "non_field_errors"),
    ({"project": None, "university": None}, "non_field_errors"),
    ({"candidate": 1}, "non_field_errors"),
    ({"project": None, "university": None, "candidate": "abc"}, "candidate"),
    ({"project": None, "university": None, "candidate": -1}, "candidate"),
    ({"project": None, "university": None, "candidate": 2**70}, "candidate"),
])
def test_bad_input_is_a_400_with_a_message_and_makes_nothing(api_for, ministry, project,
                                                             university, candidate, change, field):
    body = {key: value for key, value in {**pair(project, university.university), **change}.items()
            if value is not None or key == "message"}
    response = api_for(ministry).post(LIST, body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()[field]
    assert not Introduction.objects.exists()


@pytest.mark.parametrize(("fix", "message"), [
    ("draft", "Only published projects can be introduced."),
    ("pending", "Only verified universities can be introduced."),
])
def test_an_unpublished_project_or_unverified_university_is_a_400(api_for, ministry, project,
                                                                  university, fix, message):
    if fix == "draft":
        type(project).objects.filter(pk=project.pk).update(status="draft")
    else:
        type(university.university).objects.filter(pk=university.university_id).update(
            status=VerificationStatus.PENDING)
    response = api_for(ministry).post(LIST, pair(project, university.university), format="json")
    assert response.status_code == 400
    assert response.json()["non_field_errors"] == [message]
    assert not Introduction.objects.exists()


@pytest.mark.parametrize("by", ["pair", "candidate"])
def test_a_second_open_introduction_of_a_pair_is_a_400(api_for, ministry, project, university,
                                                      candidate, introduce, by):
    introduce("sent")
    body = pair(project, university.university) if by == "pair" else {"candidate": candidate.pk}
    response = api_for(ministry).post(LIST, body, format="json")
    assert response.status_code == 400
    assert response.json()["non_field_errors"] == [
        "This project and university already have an open introduction."]
    assert Introduction.objects.count() == 1


# Sending and cancelling


def test_ministry_staff_send_with_a_message_and_both_sides_are_told(
    api_for, ministry, employer, university, introduce, django_capture_on_commit_callbacks,
    mailoutbox
):
    introduction = introduce("proposed")
    with django_capture_on_commit_callbacks(execute=True):
        response = api_for(ministry).post(url(introduction, "send"), {"message": "请尽快答复。"},
                                          format="json")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["message"]) == ("sent", "请尽快答复。")
    assert body["sent_at"] and body["expires_at"] > body["sent_at"]
    assert {employer.email, university.email} <= {a for m in mailoutbox for a in m.to}


def test_sending_twice_is_a_409(api_for, ministry, introduce):
    introduction = introduce("sent")
    response = api_for(ministry).post(url(introduction, "send"), {}, format="json")
    assert response.status_code == 409
    assert "not possible" in response.json()["detail"]


def test_sending_over_capacity_is_a_400(api_for, ministry, introduce, university):
    introduction = introduce("proposed")
    room(university.university, places=5)
    response = api_for(ministry).post(url(introduction, "send"), {}, format="json")
    assert response.status_code == 400
    assert "student places left" in response.json()["non_field_errors"][0]
    assert Introduction.objects.get().status == "proposed"


def test_ministry_staff_cancel(api_for, ministry, introduce):
    introduction = introduce("accepted")
    response = api_for(ministry).post(url(introduction, "cancel"), {"comment": "企业调整计划。"},
                                      format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"


# Answers


def test_the_introduction_is_accepted_once_both_sides_accept(api_for, employer, university,
                                                             introduce):
    introduction = introduce("sent")
    body = api_for(employer).post(url(introduction, "accept"), format="json").json()
    assert (body["status"], body["employer_response"], body["university_response"]) == (
        "sent", "accepted", "")
    response = api_for(university).post(url(introduction, "accept"), format="json")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["university_response"]) == ("accepted", "accepted")
    assert body["accepted_at"]


def test_accepting_twice_is_a_409(api_for, employer, introduce):
    introduction = introduce("sent")
    api = api_for(employer)
    assert api.post(url(introduction, "accept")).status_code == 200
    response = api.post(url(introduction, "accept"))
    assert response.status_code == 409
    assert response.json()["detail"] == "Your side has already answered this introduction."


def test_accepting_after_the_answer_time_is_a_409(api_for, university, introduce):
    introduction = introduce("sent")
    with time_machine.travel(timezone.now() + timedelta(days=15)):
        response = api_for(university).post(url(introduction, "accept"))
    assert response.status_code == 409
    assert "it can no longer be answered" in response.json()["detail"]
    introduction.refresh_from_db()
    assert (introduction.status, introduction.university_response) == ("sent", "")


def test_a_side_declines_with_a_reason(api_for, university, introduce):
    introduction = introduce("sent")
    response = api_for(university).post(url(introduction, "decline"),
                                        {"reason": "other", "comment": "方向不符。"}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["decline_reason"], body["decline_comment"]) == (
        "declined", "other", "方向不符。")


@pytest.mark.parametrize(("body", "field"), [
    ({}, "reason"), ({"reason": ""}, "reason"), ({"reason": "bored"}, "reason"),
    ({"reason": None}, "reason"), ({"reason": "other"}, "comment"),
    ({"reason": "other", "comment": "  "}, "comment"),
])
def test_a_decline_without_a_reason_is_a_400(api_for, employer, introduce, body, field):
    introduction = introduce("sent")
    before = state(introduction)
    response = api_for(employer).post(url(introduction, "decline"), body, format="json")
    assert response.status_code == 400
    assert response.json()[field]
    assert state(introduction) == before


# The agreement, milestones and the outcome


def test_a_side_records_the_agreement_with_its_pdf(api_for, client_for, employer, introduce):
    introduction = introduce("accepted")
    response = api_for(employer).post(url(introduction, "agreement"), {
        "signed_on": today(), "places_agreed": 18, "funding_agreed_cny": 50000,
        "document": pdf()}, format="multipart")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["places"]) == ("signed", 18)
    assert set(body["agreement"]) == AGREEMENT_FIELDS
    assert (body["agreement"]["places_agreed"], body["agreement"]["document"]) == (18, True)
    download = client_for(employer).get(
        f"/introductions/{introduction.public_id}/agreement/document/")
    assert b"".join(download.streaming_content) == PDF


def test_an_agreement_without_a_document_is_recorded_from_json(api_for, university, introduce):
    introduction = introduce("accepted")
    response = api_for(university).post(url(introduction, "agreement"),
                                        {"signed_on": today(), "places_agreed": 20}, format="json")
    assert response.status_code == 200
    assert response.json()["agreement"]["document"] is False


@pytest.mark.parametrize(("change", "field"), [
    ({"document": SimpleUploadedFile("协议.pdf", b"PK\x03\x04 not a pdf")}, "document"),
    ({"document": SimpleUploadedFile("协议.pdf", b"")}, "document"),
    ({"signed_on": "2027-02-30"}, "signed_on"),
    ({"signed_on": (timezone.localdate() + timedelta(days=2)).isoformat()}, "signed_on"),
    ({"places_agreed": 0}, "places_agreed"),
    ({"places_agreed": 41}, "places_agreed"),
    ({"funding_agreed_cny": -1}, "funding_agreed_cny"),
])
def test_a_bad_agreement_is_a_400_and_changes_nothing(api_for, employer, introduce, change, field):
    introduction = introduce("accepted")
    before = state(introduction)
    body = {"signed_on": today(), "places_agreed": 20, "funding_agreed_cny": 0, **change}
    response = api_for(employer).post(url(introduction, "agreement"), body, format="multipart")
    assert response.status_code == 400
    assert response.json()[field]
    assert state(introduction) == before


def test_milestones_start_the_work_and_are_listed(api_for, employer, university, introduce):
    introduction = introduce("signed")
    api_for(employer).post(url(introduction, "milestones"),
                           {"title": "首批学生进企业", "happened_on": today(), "note": "顺利。"},
                           format="json")
    response = api_for(university).post(url(introduction, "milestones"),
                                        {"title": "中期检查", "happened_on": today()},
                                        format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "in_progress"
    assert [m["title"] for m in body["milestones"]] == ["首批学生进企业", "中期检查"]
    assert set(body["milestones"][0]) == MILESTONE_FIELDS


def test_the_outcome_runs_its_course_to_completion(api_for, client_for, employer, university,
                                                   ministry, introduce):
    introduction = introduce("in_progress")
    response = api_for(employer).post(url(introduction, "outcome"),
                                      {**OUTCOME, "evidence": pdf("证明.pdf")}, format="multipart")
    assert response.status_code == 200, response.json()
    outcome = response.json()["outcome"]
    assert set(outcome) == OUTCOME_FIELDS
    assert (outcome["status"], outcome["graduates_hired"]) == ("submitted", 6)
    evidence = client_for(university).get(f"/introductions/{introduction.public_id}/outcome/evidence/")
    assert b"".join(evidence.streaming_content) == PDF

    response = api_for(university).post(url(introduction, "outcome/confirm"))
    assert response.status_code == 200
    assert response.json()["outcome"]["status"] == "confirmed"
    assert api_for(university).post(url(introduction, "outcome/confirm")).status_code == 409

    response = api_for(ministry).post(url(introduction, "outcome/accept"),
                                      {"comment": "验收通过。"}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["outcome"]["status"], body["outcome"]["comment"]) == (
        "completed", "accepted", "验收通过。")


@pytest.mark.parametrize(("change", "field"), [
    ({"graduates_hired": 29}, "graduates_hired"),
    ({"graduates_hired": -1}, "graduates_hired"),
    ({"students_trained": -5}, "students_trained"),
    ({"interns_hosted": 100_001}, "interns_hosted"),
    ({"funding_delivered_cny": 10**10 + 1}, "funding_delivered_cny"),
    ({"narrative": ""}, "narrative"),
    ({"graduates_hired": "six"}, "graduates_hired"),
])
def test_absurd_or_negative_figures_are_a_400(api_for, employer, introduce, change, field):
    introduction = introduce("in_progress")
    response = api_for(employer).post(url(introduction, "outcome"), {**OUTCOME, **change},
                                      format="json")
    assert response.status_code == 400
    assert response.json()[field]
    assert not OutcomeReport.objects.exists()


def test_a_report_sent_back_needs_a_comment_and_is_filed_again(api_for, employer, university,
                                                               introduce):
    introduction = introduce("in_progress", report="submitted")
    api = api_for(university)
    response = api.post(url(introduction, "outcome/return"), {}, format="json")
    assert response.status_code == 400 and response.json()["comment"]
    response = api.post(url(introduction, "outcome/return"), {"comment": "实习人数有误。"},
                        format="json")
    assert response.json()["outcome"]["status"] == "returned"
    response = api_for(employer).post(url(introduction, "outcome"),
                                      {**OUTCOME, "interns_hosted": 12}, format="json")
    assert response.status_code == 200
    assert (response.json()["outcome"]["status"], response.json()["outcome"]["interns_hosted"]) == (
        "submitted", 12)


@pytest.mark.parametrize("action", ["outcome/confirm", "outcome/return", "outcome/accept"])
def test_reviewing_a_report_not_filed_is_a_400(api_for, university, ministry, introduce, action):
    introduction = introduce("in_progress")
    user = ministry if action == "outcome/accept" else university
    response = api_for(user).post(url(introduction, action), {"comment": "请更正。"}, format="json")
    assert response.status_code == 400
    assert response.json()["non_field_errors"] == ["No outcome report has been filed yet."]


# Reading: fields, pagination, filters and queries


def test_an_introduction_carries_its_agreement_milestones_and_outcome(api_for, university,
                                                                      introduce, project):
    introduction = introduce("in_progress", report="confirmed")
    Milestone.objects.create(introduction=introduction, title="首批学生进企业",
                             happened_on=timezone.localdate())
    body = api_for(university).get(url(introduction)).json()
    assert set(body) == FIELDS
    assert (body["id"], body["project"], body["project_title"], body["employer"]) == (
        str(introduction.public_id), str(project.public_id), VISION, project.employer.name)
    assert (body["university"], body["university_name"]) == (
        str(introduction.university.public_id), introduction.university.name)
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


def test_the_list_filters_by_call_status_project_and_university(api_for, ministry, employer,
                                                                introduce, project, university):
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


@pytest.mark.parametrize(("query", "field"), [
    ({"status": "bogus"}, "status"), ({"project": "not-a-uuid"}, "project"),
    ({"university": "12"}, "university"),
])
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
                Milestone.objects.create(introduction=report.introduction, title=title,
                                         happened_on=timezone.localdate())

    fill(2)
    for user in (ministry, employer):
        with django_assert_max_num_queries(3):   # the count, the page, the milestones
            assert len(api_for(user).get(LIST).json()["results"]) == 2
    fill(28)
    for user in (ministry, employer):
        with django_assert_max_num_queries(3):
            results = api_for(user).get(LIST).json()["results"]
        assert len(results) == 25
        assert all(r["agreement"] and r["outcome"] and len(r["milestones"]) == 2 for r in results)


def test_ordering_by_a_nested_list_neither_repeats_nor_hides_introductions(api_for, ministry,
                                                                          introduce):
    first, second = introduce("in_progress"), introduce("in_progress", to=UniversityFactory())
    for introduction in (first, second):
        for title in ("开班", "中期", "结课"):
            Milestone.objects.create(introduction=introduction, title=title,
                                     happened_on=timezone.localdate())
    for ordering in ["milestones", "-milestones"]:
        response = api_for(ministry).get(LIST, {"ordering": ordering})
        assert response.status_code == 200
        assert sorted(row["id"] for row in response.json()["results"]) == sorted(
            str(i.public_id) for i in (first, second))


# No body gives a 500

GARBAGE = [None, "", "\x00", "x" * 5000, -1, 2**70, 1e308, True, [], {}, ["a", 1], {"a": {"b": 1}},
           "2027-13-45", "NaN", "../../etc/passwd", UNKNOWN]
BODIES = {api: needs for _page, api, *needs in ACTION_INPUTS}


@pytest.mark.parametrize("value", GARBAGE, ids=repr)
@pytest.mark.parametrize("action", BODIES)
def test_garbage_in_any_field_is_never_a_500(request, api_for, introduce, action, value):
    status, report, persona, fields = BODIES[action]
    introduction = introduce(status, report=report)
    response = api_for(request.getfixturevalue(persona)).post(
        url(introduction, action), dict.fromkeys(fields, value), format="json")
    assert response.status_code in {200, 400, 409}, response.content


@pytest.mark.parametrize("action", BODIES)
def test_a_body_that_is_not_an_object_is_a_400(request, api_for, introduce, action):
    status, report, persona, _fields = BODIES[action]
    introduction = introduce(status, report=report)
    api = api_for(request.getfixturevalue(persona))
    for raw in ["{not json", "[1, 2]", "42", "null", '"text"', "9" * 5000]:
        response = api.post(url(introduction, action), raw, content_type="application/json")
        assert response.status_code in {200, 400, 409}, (raw[:20], response.content)
    response = api.post(url(introduction, action), b"\xff\xfe garbage",
                        content_type="multipart/form-data; boundary=nothing")
    assert response.status_code in {200, 400, 409}


@pytest.mark.parametrize("value", GARBAGE, ids=repr)
def test_garbage_in_a_new_introduction_is_never_a_500(api_for, ministry, candidate, value):
    api = api_for(ministry)
    for field in ["project", "university", "candidate", "message"]:
        response = api.post(LIST, {field: value}, format="json")
        assert response.status_code == 400, response.content
    response = api.post(LIST, dict.fromkeys(["project", "university", "candidate", "message"],
                                            value), format="json")
    assert response.status_code == 400
    assert not Introduction.objects.exists()


@pytest.mark.parametrize("query", [
    {"call": "\x00"}, {"call": "x" * 5000}, {"status": ""}, {"project": ""},
    {"ordering": "nonsense"}, {"search": "\x00"}, {"page": "\x00"}, {"page_size": "-1"},
])
def test_garbage_queries_are_never_a_500(api_for, ministry, employer, introduce, query):
    introduce("sent")
    for user in (ministry, employer):
        assert api_for(user).get(LIST, query).status_code in {200, 400}
