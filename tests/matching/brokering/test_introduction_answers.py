"""Introductions, both sides' answers: accepting (one side, then both), declining with a
reason, what each side and the broker are told, and expiry on a frozen clock."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError

from accounts.errors import Conflict
from accounts.models import AuditEvent, Notification
from matching.brokering import introductions
from matching.models import Introduction
from projects.models import Proposal
from tests.factories import EmployerUserFactory

from .common import events, inbox, world
from .introduction_services import (  # noqa: F401
    COUNTED,
    T0,
    call_fixture,
    capacity,
    cast_fixture,
    fresh,
    introduce_fixture,
    media_fixture,
    project_fixture,
    published,
    respond,
    room_fixture,
    unverified_employer_fixture,
    unverified_university_fixture,
)

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
        "accepted",
        "accepted",
        "accepted",
    )
    assert stored.accepted_at is not None and stored.accepted_at == stored.university_responded_at
    project = Proposal.objects.get(pk=introduction.proposal_id)
    assert (project.partners_confirmed, project.stage) == (1, "matched")
    accepted = "matching/email/introduction_accepted"
    assert inbox(employer) == [accepted] and inbox(ministry) == [accepted]
    assert inbox(university) == ["matching/email/introduction_half_accepted", accepted]
    assert sorted(m.to[0] for m in mailoutbox) == sorted([employer.email, university.email, ministry.email])
    assert events(stored) == [
        ("employer_accepted", "sent", "sent"),
        ("university_accepted", "sent", "accepted"),
    ]


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
    assert (stored.status, stored.employer_response, stored.university_response) == ("sent", "accepted", "")


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


@pytest.mark.parametrize(("declining", "other"), [("employer", "university"), ("university", "employer")])
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
    event = AuditEvent.objects.filter(object_id=introduction.pk, action=f"{declining}_declined").get()
    assert (event.from_status, event.to_status, event.reason, event.comment, event.actor) == (
        "sent",
        "declined",
        "other",
        "今年名额已满。",
        actor,
    )


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
    with (
        time_machine.travel(DEADLINE + timedelta(hours=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert introductions.introductions_expire() == 1
        assert introductions.introductions_expire() == 0
    stored = Introduction.objects.get(pk=sent_at_t0.pk)
    assert stored.status == "expired"
    expired = "matching/email/introduction_expired"
    assert inbox(employer) == inbox(university) == inbox(ministry) == [expired]
    assert sorted(m.to[0] for m in mailoutbox) == sorted([employer.email, university.email, ministry.email])
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
    again = introductions.introduction_create(
        actor=ministry, proposal=sent_at_t0.proposal, university=university.university
    )
    introductions.introduction_send(actor=ministry, introduction=again)
    assert Introduction.objects.get(pk=again.pk).status == "sent"
