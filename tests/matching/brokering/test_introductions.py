"""Introductions, the services: the state table and who may take each step, both sides' answers
and what they are told, expiry on a frozen clock, the capacities an introduction holds, making
introductions from a run, who sees which, and the races for the last place (on PostgreSQL)."""

from collections.abc import Callable
from datetime import datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.errors import Conflict
from accounts.models import AuditEvent, Notification, UniversityCapacity, User, VerificationStatus
from matching.brokering import implementation, introductions, selectors, workflow
from matching.brokering.workflow import Status
from matching.models import Agreement, Candidate, Introduction, MatchRun
from projects.models import Proposal
from tests.factories import (
    CallFactory,
    EmployerUserFactory,
    IntroductionFactory,
    MinistryUserFactory,
    OutcomeReportFactory,
    ProposalFactory,
    UniversityFactory,
    UniversityUserFactory,
)
from tests.races import race

from .common import events, inbox, world

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2027, 6, 1, 9, 0, tzinfo=SH)

# What the design says, written out so that an edit of workflow.TRANSITIONS shows up here.
TABLE = {
    ("proposed", "send"): "sent",
    ("proposed", "cancel"): "cancelled",
    ("sent", "accept"): "accepted",
    ("sent", "decline"): "declined",
    ("sent", "expire"): "expired",
    ("sent", "cancel"): "cancelled",
    ("accepted", "cancel"): "cancelled",
    ("accepted", "sign"): "signed",
    ("signed", "start"): "in_progress",
    ("in_progress", "start"): "in_progress",
    ("signed", "complete"): "completed",
    ("in_progress", "complete"): "completed",
}
COUNTED = ["accepted", "signed", "in_progress", "completed"]


# Helpers


def published(employer_org, **fields) -> Proposal:
    """40 student places over 2 partners (a share of 20) unless told otherwise."""
    return ProposalFactory(employer=employer_org, status="published", decided_at=timezone.now(),
                           **fields)


def capacity(university_org, places: int = 100, projects: int = 5,
             project_type: str = "internship_base") -> UniversityCapacity:
    return UniversityCapacity.objects.update_or_create(
        university=university_org, project_type=project_type,
        defaults={"places": places, "projects": projects})[0]


def fields_for(status: str) -> dict:
    """The answers and times an introduction in this status would carry."""
    now = timezone.now()
    sent = {"sent_at": now, "expires_at": now + timedelta(days=14)}
    both = {**sent, "employer_response": "accepted", "employer_responded_at": now,
            "university_response": "accepted", "university_responded_at": now, "accepted_at": now}
    return {
        "proposed": {"sent_at": None, "expires_at": None},
        "sent": sent,
        "declined": {**sent, "university_response": "declined", "university_responded_at": now,
                     "decline_reason": "timing"},
        "expired": {"sent_at": now - timedelta(days=15), "expires_at": now - timedelta(days=1)},
        "cancelled": sent,
        **dict.fromkeys(COUNTED, both),
    }[status]


def fresh(introduction: Introduction) -> Introduction:
    return Introduction.objects.select_related("proposal", "proposal__employer", "proposal__call",
                                               "university").get(pk=introduction.pk)


def respond(actor, introduction, accept=True, **answer) -> Introduction:
    return introductions.introduction_respond(actor=actor, introduction=introduction,
                                              accept=accept, **answer)


def unverified_member(member) -> User:
    """A colleague of the member, once their organisation is no longer verified."""
    organisation = member.organisation
    if member.employer_id:
        colleague = EmployerUserFactory(employer=organisation)
    else:
        colleague = UniversityUserFactory(university=organisation)
    type(organisation).objects.filter(pk=organisation.pk).update(status=VerificationStatus.PENDING)
    return User.objects.select_related("employer", "university").get(pk=colleague.pk)


# Fixtures


@pytest.fixture
def call(db):
    return CallFactory()


@pytest.fixture
def project(employer, call):
    return published(employer.employer, call=call)


@pytest.fixture
def room(university):
    return capacity(university.university)


@pytest.fixture
def introduce(ministry, university, project, room):
    """An introduction in the given status (sent by default) of the project and the university,
    brokered by the ministry persona, holding its share of the places."""

    def make(status: str = "sent", *, proposal=None, to=None, **fields) -> Introduction:
        proposal = proposal or project
        return IntroductionFactory(
            proposal=proposal, university=to or university.university, broker=ministry,
            places=introductions.share_of(proposal),
            **{**fields_for(status), "status": status, **fields})

    return make


@pytest.fixture
def cast(employer, university, ministry, project):
    return SimpleNamespace(employer=employer, university=university, ministry=ministry,
                           project=project)


@pytest.fixture
def unverified_employer(employer):
    return unverified_member(employer)


@pytest.fixture
def unverified_university(university):
    return unverified_member(university)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


# The state table


STEPS: dict[str, Callable] = {
    "send": lambda c, i: introductions.introduction_send(actor=c.ministry, introduction=i),
    "accept": lambda c, i: respond(c.university, i),
    "decline": lambda c, i: respond(c.university, i, accept=False, reason="timing"),
    "cancel": lambda c, i: introductions.introduction_cancel(actor=c.ministry, introduction=i,
                                                             comment="企业调整计划。"),
    "sign": lambda c, i: implementation.agreement_record(
        actor=c.employer, introduction=i, signed_on=timezone.localdate(), places_agreed=20),
    "start": lambda c, i: implementation.milestone_record(
        actor=c.university, introduction=i, title="第一期实训开班", happened_on=timezone.localdate()),
    "complete": lambda c, i: implementation.outcome_accept(actor=c.ministry, report=i.outcome),
}


def ready_for(introduce, status: str, action: str) -> Introduction:
    """An introduction in this status, with what the action needs if the table allows it: the
    employer's acceptance (so the university's completes it), a confirmed outcome report."""
    extra = {"employer_response": "accepted"} if (status, action) == ("sent", "accept") else {}
    introduction = introduce(status, **extra)
    if action == "complete":
        OutcomeReportFactory(introduction=introduction, status="confirmed")
    return fresh(introduction)


def test_the_table_is_the_one_the_design_describes():
    assert {(s, a): new for (s, a), (new, _) in workflow.TRANSITIONS.items()} == TABLE
    assert set(workflow.COUNTED) == set(COUNTED)
    assert set(workflow.OPEN) == {"proposed", "sent", *COUNTED}
    assert "proposed" not in workflow.VISIBLE_TO_SIDES
    assert set(workflow.VISIBLE_TO_SIDES) == set(Status.values) - {"proposed"}


@pytest.mark.parametrize("status", Status.values)
@pytest.mark.parametrize("action", list(STEPS))
def test_each_step_is_taken_only_where_the_table_allows_it(
    cast, introduce, media, status, action, django_capture_on_commit_callbacks, mailoutbox
):
    introduction = ready_for(introduce, status, action)
    expected = TABLE.get((status, action))
    if expected is None:
        before = world()
        with django_capture_on_commit_callbacks(execute=True), pytest.raises(Conflict):
            STEPS[action](cast, introduction)
        assert world() == before
        assert mailoutbox == []
    else:
        STEPS[action](cast, introduction)
        assert Introduction.objects.get(pk=introduction.pk).status == expected
        assert introduction.status == expected


@pytest.mark.parametrize("status", Status.values)
def test_only_sent_introductions_expire(introduce, status):
    introduction = introduce(status, expires_at=timezone.now() - timedelta(days=1))
    assert introductions.introductions_expire(now=timezone.now() + timedelta(days=365)) == (
        1 if status == "sent" else 0)
    assert Introduction.objects.get(pk=introduction.pk).status == TABLE.get(
        (status, "expire"), status)


def test_available_actions_follow_the_table():
    assert workflow.available_actions("sent", is_side=True, is_ministry=False) == ["accept", "decline"]
    assert workflow.available_actions("sent", is_side=False, is_ministry=True) == ["cancel"]
    assert workflow.available_actions("accepted", is_side=True, is_ministry=False) == ["sign"]
    assert workflow.available_actions("proposed", is_side=True, is_ministry=False) == []
    assert workflow.available_actions("completed", is_side=True, is_ministry=True) == []


# Who may take each step


MINISTRY_STEPS = [("send", "proposed"), ("cancel", "proposed"), ("cancel", "sent"),
                  ("cancel", "accepted"), ("complete", "in_progress")]
SIDE_STEPS = [("accept", "sent"), ("decline", "sent"), ("sign", "accepted"), ("start", "signed"),
              ("start", "in_progress")]


def as_actor(action: str, actor) -> Callable:
    """The step of STEPS, taken by this actor instead of the usual one."""
    return lambda c, i: STEPS[action](
        SimpleNamespace(employer=actor, university=actor, ministry=actor), i)


@pytest.mark.parametrize(("action", "status"), MINISTRY_STEPS)
@pytest.mark.parametrize("persona", ["employer", "university", "other_employer", "other_university",
                                     "anonymous"])
def test_only_ministry_staff_send_cancel_and_close_introductions(
    request, cast, introduce, action, status, persona, mailoutbox
):
    introduction = ready_for(introduce, status, action)
    before = world()
    with pytest.raises(PermissionDenied):
        as_actor(action, request.getfixturevalue(persona))(cast, introduction)
    assert world() == before
    assert mailoutbox == []


@pytest.mark.parametrize(("action", "status"), SIDE_STEPS)
@pytest.mark.parametrize("persona", ["ministry", "other_employer", "other_university", "anonymous",
                                     "unverified_employer", "unverified_university"])
def test_only_verified_members_of_the_two_sides_answer_sign_and_record_milestones(
    request, cast, introduce, media, action, status, persona, mailoutbox
):
    introduction = ready_for(introduce, status, action)
    actor = request.getfixturevalue(persona)
    before = world()
    with pytest.raises(PermissionDenied):
        as_actor(action, actor)(cast, introduction)
    assert world() == before
    assert mailoutbox == []


def test_a_colleague_of_the_same_organisation_may_answer_for_it(employer, introduce):
    colleague = EmployerUserFactory(employer=employer.employer)
    introduction = respond(colleague, introduce())
    assert Introduction.objects.get(pk=introduction.pk).employer_response == "accepted"


# Creating and sending


def test_ministry_staff_propose_an_introduction_holding_the_projects_share(
    ministry, project, university
):
    introduction = introductions.introduction_create(actor=ministry, proposal=project,
                                                     university=university.university,
                                                     message="请尽快对接。")
    stored = Introduction.objects.get(pk=introduction.pk)
    assert (stored.status, stored.places, stored.broker, stored.message) == (
        "proposed", 20, ministry, "请尽快对接。")
    assert stored.sent_at is None and stored.candidate is None
    assert events(stored) == [("created", "", "proposed")]


@pytest.mark.parametrize("status", ["proposed", "sent", *COUNTED])
def test_a_second_open_introduction_of_the_same_pair_is_refused(ministry, university, introduce,
                                                                status):
    existing = introduce(status)
    with pytest.raises(ValidationError):
        introductions.introduction_create(actor=ministry, proposal=existing.proposal,
                                          university=university.university)
    assert Introduction.objects.count() == 1


@pytest.mark.parametrize("status", ["declined", "expired", "cancelled"])
def test_a_pair_whose_introduction_ended_may_be_introduced_again(ministry, university, introduce,
                                                                status):
    ended = introduce(status)
    again = introductions.introduction_create(actor=ministry, proposal=ended.proposal,
                                              university=university.university)
    assert again.pk != ended.pk and again.status == "proposed"


@pytest.mark.parametrize("status", ["draft", "submitted", "returned", "rejected", "withdrawn"])
def test_only_published_projects_are_introduced(ministry, employer, university, status):
    proposal = ProposalFactory(employer=employer.employer, status=status)
    with pytest.raises(ValidationError):
        introductions.introduction_create(actor=ministry, proposal=proposal,
                                          university=university.university)
    assert not Introduction.objects.exists()


def test_only_verified_universities_are_introduced(ministry, project):
    pending = UniversityFactory(status=VerificationStatus.PENDING)
    with pytest.raises(ValidationError):
        introductions.introduction_create(actor=ministry, proposal=project, university=pending)
    assert not Introduction.objects.exists()


@pytest.mark.parametrize("persona", ["employer", "university", "other_employer", "anonymous"])
def test_only_ministry_staff_propose_introductions(request, project, university, persona):
    with pytest.raises(PermissionDenied):
        introductions.introduction_create(actor=request.getfixturevalue(persona), proposal=project,
                                          university=university.university)
    assert not Introduction.objects.exists()


def test_sending_opens_the_response_window_and_tells_both_sides(
    ministry, employer, university, introduce, django_capture_on_commit_callbacks, mailoutbox
):
    introduction = introduce("proposed")
    introduction.proposal.call.response_days = 10
    introduction.proposal.call.save()
    other_broker = MinistryUserFactory()
    with time_machine.travel(T0, tick=False), django_capture_on_commit_callbacks(execute=True):
        introductions.introduction_send(actor=other_broker, introduction=fresh(introduction),
                                        message="请在十天内答复。")
    stored = Introduction.objects.get(pk=introduction.pk)
    assert (stored.status, stored.sent_at, stored.expires_at) == ("sent", T0, T0 + timedelta(days=10))
    assert (stored.broker, stored.message) == (other_broker, "请在十天内答复。")
    assert inbox(employer) == inbox(university) == ["matching/email/introduction_sent"]
    assert inbox(ministry) == inbox(other_broker) == []
    assert sorted(m.to[0] for m in mailoutbox) == sorted([employer.email, university.email])
    assert all(introduction.proposal.title in m.body for m in mailoutbox)
    assert events(stored)[-1] == ("send", "proposed", "sent")


def test_sending_several_reports_each_one_not_sent(ministry, other_university, introduce):
    capacity(other_university.university)
    ready = introduce("proposed")
    already = introduce("sent", to=other_university.university, proposal=published(
        ready.proposal.employer))
    sent, problems = introductions.introductions_send(actor=ministry,
                                                      introductions=[fresh(ready), fresh(already)])
    assert sent == 1 and len(problems) == 1
    assert str(already) in problems[0]
    assert Introduction.objects.get(pk=ready.pk).status == "sent"


# Answers


@pytest.mark.parametrize(("first", "other"), [("employer", "university"), ("university", "employer")])
def test_one_side_accepting_leaves_it_sent_and_asks_the_other_side(
    request, ministry, introduce, first, other, django_capture_on_commit_callbacks, mailoutbox
):
    answering, waiting = request.getfixturevalue(first), request.getfixturevalue(other)
    introduction = introduce()
    with django_capture_on_commit_callbacks(execute=True):
        respond(answering, fresh(introduction))
    stored = Introduction.objects.get(pk=introduction.pk)
    assert (stored.status, stored.accepted_at) == ("sent", None)
    assert getattr(stored, f"{first}_response") == "accepted"
    assert getattr(stored, f"{first}_responded_at") is not None
    assert (getattr(stored, f"{other}_response"), getattr(stored, f"{other}_responded_at")) == ("", None)
    assert inbox(waiting) == ["matching/email/introduction_half_accepted"]
    assert inbox(answering) == inbox(ministry) == []
    assert [m.to for m in mailoutbox] == [[waiting.email]]
    assert introduction.proposal.title in mailoutbox[0].body
    assert events(stored) == [(f"{first}_accepted", "sent", "sent")]
    assert Proposal.objects.get(pk=introduction.proposal_id).partners_confirmed == 0


def test_both_sides_accepting_accepts_it_confirms_a_partner_and_tells_the_broker(
    ministry, employer, university, introduce, django_capture_on_commit_callbacks, mailoutbox
):
    introduction = introduce()
    respond(employer, fresh(introduction))
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        respond(university, fresh(introduction))
    stored = Introduction.objects.get(pk=introduction.pk)
    assert (stored.status, stored.employer_response, stored.university_response) == (
        "accepted", "accepted", "accepted")
    assert stored.accepted_at is not None and stored.accepted_at == stored.university_responded_at
    project = Proposal.objects.get(pk=introduction.proposal_id)
    assert (project.partners_confirmed, project.stage) == (1, "matched")
    accepted = "matching/email/introduction_accepted"
    assert inbox(employer) == [accepted] and inbox(ministry) == [accepted]
    assert inbox(university) == ["matching/email/introduction_half_accepted", accepted]
    assert sorted(m.to[0] for m in mailoutbox) == sorted([employer.email, university.email,
                                                          ministry.email])
    assert events(stored) == [("employer_accepted", "sent", "sent"),
                              ("university_accepted", "sent", "accepted")]


def test_the_project_is_matched_until_every_partner_is_confirmed_and_counts_each(
    employer, university, other_university, introduce
):
    capacity(other_university.university)
    first = introduce(employer_response="accepted")
    second = introduce(to=other_university.university, employer_response="accepted")
    respond(university, fresh(first))
    assert Proposal.objects.get(pk=first.proposal_id).partners_confirmed == 1
    respond(other_university, fresh(second))
    project = Proposal.objects.get(pk=first.proposal_id)
    assert (project.partners_confirmed, project.stage) == (2, "matched")


@pytest.mark.parametrize("second", [True, False])
def test_a_side_answers_only_once(employer, introduce, second, mailoutbox):
    introduction = introduce()
    respond(employer, fresh(introduction))
    colleague = EmployerUserFactory(employer=employer.employer)
    before = world()
    for actor in (employer, colleague):
        with pytest.raises(Conflict):
            respond(actor, fresh(introduction), accept=second, reason="timing")
    assert world() == before


def test_an_employers_answer_never_counts_for_the_university(employer, introduce):
    introduction = introduce()
    respond(employer, fresh(introduction))
    with pytest.raises(Conflict):
        respond(employer, fresh(introduction))
    stored = Introduction.objects.get(pk=introduction.pk)
    assert (stored.status, stored.employer_response, stored.university_response) == (
        "sent", "accepted", "")


@pytest.mark.parametrize("reason", ["", "busy", "OTHER"])
def test_declining_needs_one_of_the_reasons(university, introduce, reason, mailoutbox):
    introduction = introduce()
    before = world()
    with pytest.raises(ValidationError) as caught:
        respond(university, fresh(introduction), accept=False, reason=reason)
    assert "reason" in caught.value.message_dict
    assert world() == before and mailoutbox == []


@pytest.mark.parametrize("comment", ["", "   "])
def test_declining_for_another_reason_needs_a_comment(university, introduce, comment):
    introduction = introduce()
    before = world()
    with pytest.raises(ValidationError) as caught:
        respond(university, fresh(introduction), accept=False, reason="other", comment=comment)
    assert "comment" in caught.value.message_dict
    assert world() == before


@pytest.mark.parametrize(("declining", "other"), [("employer", "university"),
                                                  ("university", "employer")])
def test_a_decline_ends_the_introduction_and_tells_the_other_side_and_the_broker(
    request, ministry, introduce, declining, other, django_capture_on_commit_callbacks, mailoutbox
):
    actor, told = request.getfixturevalue(declining), request.getfixturevalue(other)
    introduction = introduce()
    with django_capture_on_commit_callbacks(execute=True):
        respond(actor, fresh(introduction), accept=False, reason="other", comment="今年名额已满。")
    stored = Introduction.objects.get(pk=introduction.pk)
    assert (stored.status, getattr(stored, f"{declining}_response")) == ("declined", "declined")
    assert (stored.decline_reason, stored.decline_comment) == ("other", "今年名额已满。")
    assert inbox(told) == inbox(ministry) == ["matching/email/introduction_declined"]
    assert inbox(actor) == []
    assert sorted(m.to[0] for m in mailoutbox) == sorted([told.email, ministry.email])
    assert "今年名额已满。" in mailoutbox[0].body
    event = AuditEvent.objects.filter(object_id=introduction.pk,
                                      action=f"{declining}_declined").get()
    assert (event.from_status, event.to_status, event.reason, event.comment, event.actor) == (
        "sent", "declined", "other", "今年名额已满。", actor)


def test_a_decline_after_the_other_side_accepted_still_ends_it_and_frees_nothing(
    employer, university, call, introduce
):
    capacity(university.university, places=20, projects=1)
    introduction = introduce(employer_response="accepted")
    respond(university, fresh(introduction), accept=False, reason="no_capacity")
    assert Introduction.objects.get(pk=introduction.pk).status == "declined"
    project = Proposal.objects.get(pk=introduction.proposal_id)
    assert (project.partners_confirmed, project.stage) == (0, "")
    # It held nothing: the university's one slot is still free for another project.
    other = introduce(proposal=published(employer.employer, call=call), employer_response="accepted")
    respond(university, fresh(other))
    assert Introduction.objects.get(pk=other.pk).status == "accepted"


# Expiry, on a frozen clock


@pytest.fixture
def sent_at_t0(ministry, introduce):
    """Sent at T0 in a call whose sides have five days to answer."""
    introduction = introduce("proposed")
    introduction.proposal.call.response_days = 5
    introduction.proposal.call.save()
    with time_machine.travel(T0, tick=False):
        introductions.introduction_send(actor=ministry, introduction=fresh(introduction))
    return fresh(introduction)


DEADLINE = T0 + timedelta(days=5)


def test_an_answer_within_the_window_is_taken(employer, sent_at_t0):
    assert sent_at_t0.expires_at == DEADLINE
    with time_machine.travel(DEADLINE - timedelta(seconds=1), tick=False):
        respond(employer, sent_at_t0)
        assert introductions.introductions_expire() == 0
    assert Introduction.objects.get(pk=sent_at_t0.pk).employer_response == "accepted"


@pytest.mark.parametrize("accept", [True, False])
def test_an_answer_after_the_window_is_refused_before_the_sweeper_runs(university, sent_at_t0, accept):
    before = world()
    with time_machine.travel(DEADLINE, tick=False), pytest.raises(Conflict) as caught:
        respond(university, sent_at_t0, accept=accept, reason="timing")
    assert "expired" in caught.value.message
    assert world() == before


def test_the_sweeper_expires_unanswered_introductions_and_tells_everyone(
    ministry, employer, university, sent_at_t0, django_capture_on_commit_callbacks, mailoutbox
):
    mailoutbox.clear()
    Notification.objects.all().delete()
    with time_machine.travel(DEADLINE - timedelta(seconds=1), tick=False):
        assert introductions.introductions_expire() == 0
    with (time_machine.travel(DEADLINE + timedelta(hours=1), tick=False),
          django_capture_on_commit_callbacks(execute=True)):
        assert introductions.introductions_expire() == 1
        assert introductions.introductions_expire() == 0
    stored = Introduction.objects.get(pk=sent_at_t0.pk)
    assert stored.status == "expired"
    expired = "matching/email/introduction_expired"
    assert inbox(employer) == inbox(university) == inbox(ministry) == [expired]
    assert sorted(m.to[0] for m in mailoutbox) == sorted([employer.email, university.email,
                                                          ministry.email])
    event = AuditEvent.objects.filter(object_id=stored.pk, action="expire").get()
    assert (event.actor, event.from_status, event.to_status) == (None, "sent", "expired")


def test_a_half_accepted_introduction_expires_too(employer, sent_at_t0):
    with time_machine.travel(T0 + timedelta(days=1), tick=False):
        respond(employer, sent_at_t0)
    assert introductions.introductions_expire(now=DEADLINE) == 1
    assert Introduction.objects.get(pk=sent_at_t0.pk).status == "expired"


@pytest.mark.parametrize("status", ["proposed", "declined", "cancelled", *COUNTED])
def test_the_sweeper_leaves_introductions_that_are_not_awaiting_answers(introduce, status):
    introduction = introduce(status, expires_at=T0)
    assert introductions.introductions_expire(now=DEADLINE) == 0
    assert Introduction.objects.get(pk=introduction.pk).status == status


def test_an_expired_introduction_frees_the_pair_for_a_new_one(ministry, university, sent_at_t0):
    introductions.introductions_expire(now=DEADLINE)
    again = introductions.introduction_create(actor=ministry, proposal=sent_at_t0.proposal,
                                              university=university.university)
    introductions.introduction_send(actor=ministry, introduction=again)
    assert Introduction.objects.get(pk=again.pk).status == "sent"


# Capacity


def test_share_of_splits_the_places_over_the_partners_rounding_up(employer):
    assert introductions.share_of(published(employer.employer, student_places=40,
                                            partners_sought=3)) == 14
    assert introductions.share_of(published(employer.employer, student_places=40,
                                            partners_sought=2)) == 20
    assert introductions.share_of(published(employer.employer, student_places=7,
                                            partners_sought=1)) == 7


@pytest.fixture
def full_project(employer, other_university, introduce):
    """A project seeking one partner that another university already accepted."""
    project = published(employer.employer, partners_sought=1, student_places=20)
    capacity(other_university.university)
    introduce("accepted", proposal=project, to=other_university.university)
    introductions.project_refresh(project)
    return project


def test_sending_is_refused_when_the_project_has_all_its_partners(ministry, introduce, full_project):
    introduction = introduce("proposed", proposal=full_project)
    before = world()
    with pytest.raises(ValidationError) as caught:
        introductions.introduction_send(actor=ministry, introduction=fresh(introduction))
    assert "partner universities" in " ".join(caught.value.messages)
    assert world() == before


def test_the_last_acceptance_is_refused_when_the_project_has_all_its_partners(
    university, introduce, full_project, mailoutbox
):
    introduction = introduce(proposal=full_project, employer_response="accepted")
    before = world()
    with pytest.raises(ValidationError):
        respond(university, fresh(introduction))
    assert world() == before
    assert Proposal.objects.get(pk=full_project.pk).partners_confirmed == 1


def test_acceptances_are_refused_once_the_university_used_its_project_slots(
    employer, other_employer, university, call, introduce
):
    capacity(university.university, places=100, projects=1)
    introduce("accepted", proposal=published(other_employer.employer, call=call))
    waiting = introduce(employer_response="accepted")
    with pytest.raises(ValidationError) as caught:
        respond(university, fresh(waiting))
    assert "projects of this type" in " ".join(caught.value.messages)
    with pytest.raises(ValidationError):
        introductions.introduction_send(actor=waiting.broker, introduction=introduce(
            "proposed", proposal=published(employer.employer, call=call)))
    assert Introduction.objects.get(pk=waiting.pk).status == "sent"


def test_slots_and_places_count_only_the_same_call_and_project_type(employer, university, call,
                                                                   introduce):
    capacity(university.university, places=20, projects=1)
    capacity(university.university, places=20, projects=1, project_type="directed_training")
    introduce("accepted", proposal=published(employer.employer, call=CallFactory()))
    introduce("in_progress", proposal=published(employer.employer, call=CallFactory(),
                                                project_type="directed_training"))
    introduce("accepted", proposal=published(employer.employer, call=call,
                                             project_type="directed_training"))
    introduction = introduce(employer_response="accepted")
    respond(university, fresh(introduction))
    assert Introduction.objects.get(pk=introduction.pk).status == "accepted"


def test_a_university_without_capacity_for_the_type_is_refused(university, introduce):
    UniversityCapacity.objects.filter(university=university.university).delete()
    introduction = introduce(employer_response="accepted")
    with pytest.raises(ValidationError):
        respond(university, fresh(introduction))


def test_places_held_are_the_share_then_the_agreed_places_and_cancelling_frees_them(
    ministry, employer, university, call, introduce, media
):
    capacity(university.university, places=30, projects=5)
    first = introduce("accepted")                       # holds its share: 20 of 30
    second = introduce(proposal=published(employer.employer, call=call), employer_response="accepted")
    with pytest.raises(ValidationError) as caught:
        respond(university, fresh(second))
    assert "10 student places left" in " ".join(caught.value.messages)

    implementation.agreement_record(actor=employer, introduction=fresh(first),
                                    signed_on=timezone.localdate(), places_agreed=10)
    assert Introduction.objects.get(pk=first.pk).places == 10
    respond(university, fresh(second))                  # 10 + 20 = 30
    assert Introduction.objects.get(pk=second.pk).status == "accepted"

    third = introduce(proposal=published(employer.employer, call=call), employer_response="accepted")
    with pytest.raises(ValidationError):
        respond(university, fresh(third))
    introductions.introduction_cancel(actor=ministry, introduction=fresh(second), comment="企业撤回")
    respond(university, fresh(third))
    assert Introduction.objects.get(pk=third.pk).status == "accepted"


def test_cancelling_an_accepted_introduction_frees_the_projects_partner_place(
    ministry, university, other_university, introduce, full_project,
    django_capture_on_commit_callbacks, mailoutbox
):
    [held] = Introduction.objects.filter(proposal=full_project)
    with django_capture_on_commit_callbacks(execute=True):
        introductions.introduction_cancel(actor=ministry, introduction=fresh(held), comment="协议未谈拢。")
    project = Proposal.objects.get(pk=full_project.pk)
    assert (project.partners_confirmed, project.stage) == (0, "")
    assert inbox(other_university)[-1] == "matching/email/introduction_cancelled"
    assert other_university.email in [m.to[0] for m in mailoutbox]
    event = AuditEvent.objects.filter(object_id=held.pk, action="cancel").get()
    assert (event.from_status, event.to_status, event.comment) == ("accepted", "cancelled", "协议未谈拢。")
    waiting = introduce(proposal=full_project, employer_response="accepted")
    respond(university, fresh(waiting))
    assert Proposal.objects.get(pk=full_project.pk).partners_confirmed == 1


def test_cancelling_a_proposed_introduction_tells_nobody(ministry, employer, university, introduce,
                                                         django_capture_on_commit_callbacks,
                                                         mailoutbox):
    introduction = introduce("proposed")
    with django_capture_on_commit_callbacks(execute=True):
        introductions.introduction_cancel(actor=ministry, introduction=fresh(introduction))
    assert Introduction.objects.get(pk=introduction.pk).status == "cancelled"
    assert inbox(employer) == inbox(university) == [] and mailoutbox == []


# A page loaded before someone else acted


def test_sending_a_copy_loaded_before_it_was_cancelled_is_refused(ministry, introduce):
    stale = fresh(introduce("proposed"))
    introductions.introduction_cancel(actor=MinistryUserFactory(), introduction=fresh(stale))
    with pytest.raises(Conflict):
        introductions.introduction_send(actor=ministry, introduction=stale)
    assert Introduction.objects.get(pk=stale.pk).status == "cancelled"
    assert [e[0] for e in events(stale)] == ["cancel"]


def test_cancelling_twice_from_two_open_pages_cancels_once(ministry, introduce):
    introduction = introduce()
    first, second = fresh(introduction), fresh(introduction)
    introductions.introduction_cancel(actor=ministry, introduction=first)
    with pytest.raises(Conflict):
        introductions.introduction_cancel(actor=ministry, introduction=second)
    assert [e[0] for e in events(introduction)] == ["cancel"]


def test_cancelling_a_copy_loaded_before_both_sides_accepted_frees_the_partner_place(
    ministry, university, introduce
):
    stale = fresh(introduce(employer_response="accepted"))
    respond(university, fresh(stale))
    assert Proposal.objects.get(pk=stale.proposal_id).partners_confirmed == 1
    introductions.introduction_cancel(actor=ministry, introduction=stale)
    project = Proposal.objects.get(pk=stale.proposal_id)
    assert (project.partners_confirmed, project.stage) == (0, "")


def test_recording_an_agreement_for_a_copy_loaded_before_it_was_cancelled_is_refused(
    ministry, employer, introduce, media
):
    stale = fresh(introduce("accepted"))
    introductions.introduction_cancel(actor=ministry, introduction=fresh(stale))
    with pytest.raises(Conflict):
        implementation.agreement_record(actor=employer, introduction=stale,
                                        signed_on=timezone.localdate(), places_agreed=20)
    assert Introduction.objects.get(pk=stale.pk).status == "cancelled"
    assert not Agreement.objects.exists()


# From a run's proposals


def make_run(call, pairs, status=MatchRun.Status.SUCCEEDED, proposed=True) -> MatchRun:
    run = MatchRun.objects.create(call=call, status=status,
                                  weights={"area": 0.6, "capacity": 0.15, "region": 0.15,
                                           "interest": 0.1})
    Candidate.objects.bulk_create(
        Candidate(run=run, proposal=proposal, university=university, score=0.5, area_fit=0.5,
                  capacity_fit=0.5, region=0.5, interest=0.0, rank=rank, proposed=proposed)
        for rank, (proposal, university) in enumerate(pairs, start=1))
    return run


@pytest.fixture
def pairs(employer, university, other_university, project):
    second = published(employer.employer, call=project.call, student_places=30, partners_sought=1)
    return [(project, university.university), (project, other_university.university),
            (second, university.university)]


def test_a_succeeded_runs_proposed_pairs_become_proposed_introductions(ministry, project, pairs):
    run = make_run(project.call, pairs)
    make_run(project.call, [(pairs[2][0], UniversityFactory())], proposed=False)
    Candidate.objects.create(run=run, proposal=project, university=UniversityFactory(), score=0.1,
                             area_fit=0, capacity_fit=0, region=0, interest=0, rank=9)
    assert introductions.introductions_from_run(actor=ministry, run=run) == 3
    made = Introduction.objects.order_by("pk")
    assert {(i.proposal_id, i.university_id) for i in made} == {(p.pk, u.pk) for p, u in pairs}
    assert {i.status for i in made} == {"proposed"} and {i.broker for i in made} == {ministry}
    assert all(i.candidate.run == run and i.candidate.proposal_id == i.proposal_id for i in made)
    assert sorted(i.places for i in made) == [20, 20, 30]
    audit = AuditEvent.objects.get(action="introductions_proposed")
    assert (audit.target, audit.comment) == (run, "3")


def test_making_introductions_from_a_run_twice_makes_them_once(ministry, project, pairs):
    run = make_run(project.call, pairs)
    assert introductions.introductions_from_run(actor=ministry, run=run) == 3
    assert introductions.introductions_from_run(actor=ministry, run=run) == 0
    assert Introduction.objects.count() == 3


@pytest.mark.parametrize("status", ["proposed", "sent", *COUNTED])
def test_pairs_with_an_open_introduction_are_skipped(ministry, project, pairs, introduce, status):
    existing = introduce(status)
    run = make_run(project.call, pairs)
    assert introductions.introductions_from_run(actor=ministry, run=run) == 2
    assert Introduction.objects.filter(proposal=project, university=existing.university).get() == existing


@pytest.mark.parametrize(("status", "made"), [("declined", 2), ("expired", 2), ("cancelled", 3)])
def test_pairs_a_side_declined_or_let_expire_are_not_proposed_again(ministry, project, pairs, introduce,
                                                                    status, made):
    introduce(status)
    assert introductions.introductions_from_run(actor=ministry, run=make_run(project.call, pairs)) == made


def test_projects_no_longer_published_and_universities_no_longer_verified_are_skipped(
    ministry, project, pairs, other_university
):
    run = make_run(project.call, pairs)
    Proposal.objects.filter(pk=pairs[2][0].pk).update(status="withdrawn")
    type(other_university.university).objects.filter(pk=other_university.university_id).update(
        status=VerificationStatus.PENDING)
    assert introductions.introductions_from_run(actor=ministry, run=run) == 1
    assert Introduction.objects.get().university == pairs[0][1]


@pytest.mark.parametrize("status", ["queued", "running", "failed"])
def test_only_a_succeeded_runs_pairs_are_introduced(ministry, project, pairs, status):
    run = make_run(project.call, pairs, status=status)
    with pytest.raises(ValidationError):
        introductions.introductions_from_run(actor=ministry, run=run)
    assert not Introduction.objects.exists()


@pytest.mark.parametrize("persona", ["employer", "university", "anonymous"])
def test_only_ministry_staff_make_introductions_from_a_run(request, project, pairs, persona):
    run = make_run(project.call, pairs)
    with pytest.raises(PermissionDenied):
        introductions.introductions_from_run(actor=request.getfixturevalue(persona), run=run)
    assert not Introduction.objects.exists()


# Who sees which


def test_each_persona_sees_only_the_introductions_it_may(
    employer, other_employer, university, other_university, ministry, anonymous, introduce
):
    capacity(other_university.university)
    ours = {status: introduce(status, proposal=published(employer.employer))
            for status in Status.values}
    theirs = introduce(proposal=published(other_employer.employer), to=other_university.university)
    draft_of_theirs = introduce("proposed", proposal=theirs.proposal, to=UniversityFactory())
    shown = {i for s, i in ours.items() if s != "proposed"}

    def seen(user):
        return set(selectors.introductions_visible_to(user))

    assert seen(employer) == shown and seen(university) == shown
    assert seen(other_employer) == seen(other_university) == {theirs}
    assert seen(ministry) == {*ours.values(), theirs, draft_of_theirs}
    assert seen(anonymous) == set()
    assert seen(User.objects.create_user(username="nobody")) == set()
    for user in (other_employer, other_university, anonymous, employer):
        with pytest.raises(Introduction.DoesNotExist):
            selectors.introduction_get(user=user, public_id=ours["proposed"].public_id)
    assert selectors.introduction_get(user=ministry, public_id=ours["proposed"].public_id) == ours[
        "proposed"]
    assert selectors.introduction_get(user=university, public_id=ours["sent"].public_id) == ours["sent"]


def test_the_list_filters_by_status_text_and_call(ministry, employer, introduce):
    sent = introduce(proposal=published(employer.employer, title="医学影像联合培养"))
    declined = introduce("declined", proposal=published(employer.employer, call=CallFactory()))
    listed = selectors.introduction_list
    assert list(listed(user=ministry, filters=selectors.IntroductionFilters(status="sent"))) == [sent]
    assert list(listed(user=ministry, filters=selectors.IntroductionFilters(q="医学影像"))) == [sent]
    assert list(listed(user=ministry, filters=selectors.IntroductionFilters(
        call=declined.proposal.call.slug))) == [declined]
    assert list(listed(user=ministry)) == [declined, sent]


# Races, on the real PostgreSQL


def load(introduction_pk: int) -> Introduction:
    return Introduction.objects.select_related("proposal", "proposal__employer", "proposal__call",
                                               "university").get(pk=introduction_pk)


def attempt(user_pk: int, introduction_pk: int, step: Callable) -> Callable:
    """Prepared in its own thread: its own copies of the user and the introduction."""

    def prepare():
        actor = User.objects.select_related("employer", "university").get(pk=user_pk)
        introduction = load(introduction_pk)
        return lambda: step(actor, introduction)
    return prepare


def accept(actor, introduction):
    return respond(actor, introduction)


def cancel(actor, introduction):
    return introductions.introduction_cancel(actor=actor, introduction=introduction)


def send(actor, introduction):
    return introductions.introduction_send(actor=actor, introduction=introduction)


def ready_pair(proposal, university_org, broker, **fields) -> Introduction:
    return IntroductionFactory(proposal=proposal, university=university_org, broker=broker,
                               places=introductions.share_of(proposal),
                               **{**fields_for("sent"), "employer_response": "accepted", **fields})


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_last_acceptances_for_the_projects_last_partner_place_exactly_one_wins():
    owner, broker = EmployerUserFactory(), MinistryUserFactory()
    project = published(owner.employer, partners_sought=2, student_places=40)
    users = [UniversityUserFactory() for _ in range(3)]
    for user in users:
        capacity(user.university)
    ready_pair(project, users[0].university, broker, **fields_for("accepted"), status="accepted")
    introductions.project_refresh(project)
    waiting = [ready_pair(project, user.university, broker) for user in users[1:]]

    outcomes = race(*(attempt(user.pk, i.pk, accept) for user, i in zip(users[1:], waiting,
                                                                          strict=True)))

    assert sorted(outcomes) == ["ok", "refused"], outcomes
    winner, loser = waiting[outcomes.index("ok")], waiting[outcomes.index("refused")]
    assert Introduction.objects.get(pk=winner.pk).status == "accepted"
    lost = Introduction.objects.get(pk=loser.pk)
    assert (lost.status, lost.university_response) == ("sent", "")
    project.refresh_from_db()
    assert project.partners_confirmed == project.partners_sought == 2
    assert Introduction.objects.filter(proposal=project, status="accepted").count() == 2


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_last_acceptances_for_the_universitys_last_project_slot_exactly_one_wins():
    broker = MinistryUserFactory()
    user = UniversityUserFactory()
    colleague = UniversityUserFactory(university=user.university)
    capacity(user.university, places=100, projects=1)
    call = CallFactory()
    projects = [published(EmployerUserFactory().employer, call=call) for _ in range(2)]
    waiting = [ready_pair(project, user.university, broker) for project in projects]

    outcomes = race(attempt(user.pk, waiting[0].pk, accept),
                    attempt(colleague.pk, waiting[1].pk, accept))

    assert sorted(outcomes) == ["ok", "refused"], outcomes
    assert Introduction.objects.filter(university=user.university, status="accepted").count() == 1
    assert sorted(Proposal.objects.values_list("partners_confirmed", flat=True)) == [0, 1]


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("status", "step"), [("sent", cancel), ("proposed", send)])
def test_two_brokers_acting_on_one_introduction_at_once_exactly_one_wins(status, step, mailoutbox):
    brokers = MinistryUserFactory.create_batch(2)
    owner, user = EmployerUserFactory(), UniversityUserFactory()
    capacity(user.university)
    introduction = IntroductionFactory(proposal=published(owner.employer), university=user.university,
                                       broker=brokers[0], status=status, **fields_for(status))

    outcomes = race(*(attempt(broker.pk, introduction.pk, step) for broker in brokers))

    assert sorted(outcomes) == ["conflict", "ok"], outcomes
    assert Introduction.objects.get(pk=introduction.pk).status == TABLE[(status, step.__name__)]
    assert [e[0] for e in events(introduction)] == [step.__name__]
    assert sorted(m.to[0] for m in mailoutbox) == sorted([owner.email, user.email])


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_cancel_racing_a_send_is_never_undone():
    brokers = MinistryUserFactory.create_batch(2)
    user = UniversityUserFactory()
    capacity(user.university)
    introduction = IntroductionFactory(proposal=published(EmployerUserFactory().employer),
                                       university=user.university, broker=brokers[0],
                                       status="proposed", **fields_for("proposed"))

    outcomes = race(attempt(brokers[0].pk, introduction.pk, send),
                    attempt(brokers[1].pk, introduction.pk, cancel))

    # Cancelled first, the send is refused; sent first, the cancel still applies to a sent one.
    assert outcomes in (["conflict", "ok"], ["ok", "ok"]), outcomes
    assert Introduction.objects.get(pk=introduction.pk).status == "cancelled"
    assert [e[0] for e in events(introduction)] == (
        ["cancel"] if outcomes[0] == "conflict" else ["send", "cancel"])


def test_a_project_withdrawn_from_publication_cannot_be_sent(ministry, university, introduce):
    proposed = introduce("proposed")
    Proposal.objects.filter(pk=proposed.proposal_id).update(status="withdrawn")
    with pytest.raises(ValidationError, match="no longer published"):
        introductions.introduction_send(actor=ministry, introduction=proposed)
    assert Introduction.objects.get(pk=proposed.pk).status == "proposed"
