"""What the introductions' service tests share: the state table as the design writes it, a
published project in a call of its own, the answers and times an introduction in a status
carries, each step as its usual actor takes it, and fixtures of introductions in any status
(these override the page and API tests' project and introduce of conftest.py)."""

from collections.abc import Callable
from datetime import datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from accounts.models import UniversityCapacity, User, VerificationStatus
from matching.brokering import implementation, introductions
from matching.models import Introduction
from projects.models import Proposal
from tests.factories import (
    CallFactory,
    EmployerUserFactory,
    IntroductionFactory,
    OutcomeReportFactory,
    ProposalFactory,
    UniversityUserFactory,
)

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
    return ProposalFactory(employer=employer_org, status="published", decided_at=timezone.now(), **fields)


def capacity(
    university_org, places: int = 100, projects: int = 5, project_type: str = "internship_base"
) -> UniversityCapacity:
    return UniversityCapacity.objects.update_or_create(
        university=university_org,
        project_type=project_type,
        defaults={"places": places, "projects": projects},
    )[0]


def fields_for(status: str) -> dict:
    """The answers and times an introduction in this status would carry."""
    now = timezone.now()
    sent = {"sent_at": now, "expires_at": now + timedelta(days=14)}
    both = {
        **sent,
        "employer_response": "accepted",
        "employer_responded_at": now,
        "university_response": "accepted",
        "university_responded_at": now,
        "accepted_at": now,
    }
    return {
        "proposed": {"sent_at": None, "expires_at": None},
        "sent": sent,
        "declined": {
            **sent,
            "university_response": "declined",
            "university_responded_at": now,
            "decline_reason": "timing",
        },
        "expired": {"sent_at": now - timedelta(days=15), "expires_at": now - timedelta(days=1)},
        "cancelled": sent,
        **dict.fromkeys(COUNTED, both),
    }[status]


def fresh(introduction: Introduction) -> Introduction:
    return Introduction.objects.select_related(
        "proposal", "proposal__employer", "proposal__call", "university"
    ).get(pk=introduction.pk)


def respond(actor, introduction, accept=True, **answer) -> Introduction:
    return introductions.introduction_respond(actor=actor, introduction=introduction, accept=accept, **answer)


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


@pytest.fixture(name="call")
def call_fixture(db):
    return CallFactory()


@pytest.fixture(name="project")
def project_fixture(employer, call):
    return published(employer.employer, call=call)


@pytest.fixture(name="room")
def room_fixture(university):
    return capacity(university.university)


@pytest.fixture(name="introduce")
def introduce_fixture(ministry, university, project, room):
    """An introduction in the given status (sent by default) of the project and the university,
    brokered by the ministry persona, holding its share of the places."""

    def make(status: str = "sent", *, proposal=None, to=None, **fields) -> Introduction:
        proposal = proposal or project
        return IntroductionFactory(
            proposal=proposal,
            university=to or university.university,
            broker=ministry,
            places=introductions.share_of(proposal),
            **{**fields_for(status), "status": status, **fields},
        )

    return make


@pytest.fixture(name="cast")
def cast_fixture(employer, university, ministry, project):
    return SimpleNamespace(employer=employer, university=university, ministry=ministry, project=project)


@pytest.fixture(name="unverified_employer")
def unverified_employer_fixture(employer):
    return unverified_member(employer)


@pytest.fixture(name="unverified_university")
def unverified_university_fixture(university):
    return unverified_member(university)


@pytest.fixture(name="media")
def media_fixture(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


STEPS: dict[str, Callable] = {
    "send": lambda c, i: introductions.introduction_send(actor=c.ministry, introduction=i),
    "accept": lambda c, i: respond(c.university, i),
    "decline": lambda c, i: respond(c.university, i, accept=False, reason="timing"),
    "cancel": lambda c, i: introductions.introduction_cancel(
        actor=c.ministry, introduction=i, comment="企业调整计划。"
    ),
    "sign": lambda c, i: implementation.agreement_record(
        actor=c.employer, introduction=i, signed_on=timezone.localdate(), places_agreed=20
    ),
    "start": lambda c, i: implementation.milestone_record(
        actor=c.university, introduction=i, title="第一期实训开班", happened_on=timezone.localdate()
    ),
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
