"""Introductions, ministry staff's part: proposing one by hand or from a succeeded run's
proposed pairs, sending it (one or several) and cancelling it, and a page loaded before someone
else acted never acting on the status it saw."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.errors import Conflict
from accounts.models import AuditEvent, VerificationStatus
from matching.brokering import implementation, introductions
from matching.models import Agreement, Candidate, Introduction, MatchRun
from projects.models import Proposal
from tests.factories import (
    MinistryUserFactory,
    ProposalFactory,
    UniversityFactory,
)

from .common import events, inbox
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

# Creating and sending


def test_ministry_staff_propose_an_introduction_holding_the_projects_share(ministry, project, university):
    introduction = introductions.introduction_create(
        actor=ministry, proposal=project, university=university.university, message="请尽快对接。"
    )
    stored = Introduction.objects.get(pk=introduction.pk)
    assert (stored.status, stored.places, stored.broker, stored.message) == (
        "proposed",
        20,
        ministry,
        "请尽快对接。",
    )
    assert stored.sent_at is None and stored.candidate is None
    assert events(stored) == [("created", "", "proposed")]


@pytest.mark.parametrize("status", ["proposed", "sent", *COUNTED])
def test_a_second_open_introduction_of_the_same_pair_is_refused(ministry, university, introduce, status):
    existing = introduce(status)
    with pytest.raises(ValidationError):
        introductions.introduction_create(
            actor=ministry, proposal=existing.proposal, university=university.university
        )
    assert Introduction.objects.count() == 1


@pytest.mark.parametrize("status", ["declined", "expired", "cancelled"])
def test_a_pair_whose_introduction_ended_may_be_introduced_again(ministry, university, introduce, status):
    ended = introduce(status)
    again = introductions.introduction_create(
        actor=ministry, proposal=ended.proposal, university=university.university
    )
    assert again.pk != ended.pk and again.status == "proposed"


@pytest.mark.parametrize("status", ["draft", "submitted", "returned", "rejected", "withdrawn"])
def test_only_published_projects_are_introduced(ministry, employer, university, status):
    proposal = ProposalFactory(employer=employer.employer, status=status)
    with pytest.raises(ValidationError):
        introductions.introduction_create(actor=ministry, proposal=proposal, university=university.university)
    assert not Introduction.objects.exists()


def test_only_verified_universities_are_introduced(ministry, project):
    pending = UniversityFactory(status=VerificationStatus.PENDING)
    with pytest.raises(ValidationError):
        introductions.introduction_create(actor=ministry, proposal=project, university=pending)
    assert not Introduction.objects.exists()


@pytest.mark.parametrize("persona", ["employer", "university", "other_employer", "anonymous"])
def test_only_ministry_staff_propose_introductions(request, project, university, persona):
    with pytest.raises(PermissionDenied):
        introductions.introduction_create(
            actor=request.getfixturevalue(persona), proposal=project, university=university.university
        )
    assert not Introduction.objects.exists()


def test_sending_opens_the_response_window_and_tells_both_sides(
    ministry, employer, university, introduce, django_capture_on_commit_callbacks, mailoutbox
):
    introduction = introduce("proposed")
    introduction.proposal.call.response_days = 10
    introduction.proposal.call.save()
    other_broker = MinistryUserFactory()
    with time_machine.travel(T0, tick=False), django_capture_on_commit_callbacks(execute=True):
        introductions.introduction_send(
            actor=other_broker, introduction=fresh(introduction), message="请在十天内答复。"
        )
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
    already = introduce("sent", to=other_university.university, proposal=published(ready.proposal.employer))
    sent, problems = introductions.introductions_send(
        actor=ministry, introductions=[fresh(ready), fresh(already)]
    )
    assert sent == 1 and len(problems) == 1
    assert str(already) in problems[0]
    assert Introduction.objects.get(pk=ready.pk).status == "sent"


# From a run's proposals


def make_run(call, pairs, status=MatchRun.Status.SUCCEEDED, proposed=True) -> MatchRun:
    run = MatchRun.objects.create(
        call=call, status=status, weights={"area": 0.6, "capacity": 0.15, "region": 0.15, "interest": 0.1}
    )
    Candidate.objects.bulk_create(
        Candidate(
            run=run,
            proposal=proposal,
            university=university,
            score=0.5,
            area_fit=0.5,
            capacity_fit=0.5,
            region=0.5,
            interest=0.0,
            rank=rank,
            proposed=proposed,
        )
        for rank, (proposal, university) in enumerate(pairs, start=1)
    )
    return run


@pytest.fixture
def pairs(employer, university, other_university, project):
    second = published(employer.employer, call=project.call, student_places=30, partners_sought=1)
    return [
        (project, university.university),
        (project, other_university.university),
        (second, university.university),
    ]


def test_a_succeeded_runs_proposed_pairs_become_proposed_introductions(ministry, project, pairs):
    run = make_run(project.call, pairs)
    make_run(project.call, [(pairs[2][0], UniversityFactory())], proposed=False)
    Candidate.objects.create(
        run=run,
        proposal=project,
        university=UniversityFactory(),
        score=0.1,
        area_fit=0,
        capacity_fit=0,
        region=0,
        interest=0,
        rank=9,
    )
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
def test_pairs_a_side_declined_or_let_expire_are_not_proposed_again(
    ministry, project, pairs, introduce, status, made
):
    introduce(status)
    assert introductions.introductions_from_run(actor=ministry, run=make_run(project.call, pairs)) == made


def test_projects_no_longer_published_and_universities_no_longer_verified_are_skipped(
    ministry, project, pairs, other_university
):
    run = make_run(project.call, pairs)
    Proposal.objects.filter(pk=pairs[2][0].pk).update(status="withdrawn")
    type(other_university.university).objects.filter(pk=other_university.university_id).update(
        status=VerificationStatus.PENDING
    )
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
        implementation.agreement_record(
            actor=employer, introduction=stale, signed_on=timezone.localdate(), places_agreed=20
        )
    assert Introduction.objects.get(pk=stale.pk).status == "cancelled"
    assert not Agreement.objects.exists()


def test_a_project_withdrawn_from_publication_cannot_be_sent(ministry, university, introduce):
    proposed = introduce("proposed")
    Proposal.objects.filter(pk=proposed.proposal_id).update(status="withdrawn")
    with pytest.raises(ValidationError, match="no longer published"):
        introductions.introduction_send(actor=ministry, introduction=proposed)
    assert Introduction.objects.get(pk=proposed.pk).status == "proposed"
