"""What the service tests after both sides accept share: a published project in a call of its
own, an agreement, a milestone and an outcome report as each side records them, and fixtures
of an accepted, a running, a submitted and a confirmed cooperation (these override the page
and API tests' project and introduce of conftest.py)."""

from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import UniversityCapacity, User, VerificationStatus
from matching.brokering import implementation, introductions
from matching.models import Agreement, Introduction, Milestone, OutcomeReport
from projects.models import Proposal
from tests.factories import (
    AgreementFactory,
    CallFactory,
    EmployerUserFactory,
    IntroductionFactory,
    ProposalFactory,
    UniversityUserFactory,
    plain_pdf,
)

SH = ZoneInfo("Asia/Shanghai")
PDF = plain_pdf()
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64
FIGURES = {
    "students_trained": 18,
    "interns_hosted": 10,
    "graduates_hired": 6,
    "funding_delivered_cny": 100_000,
    "narrative": "完成两期工业视觉质检实训，6 名毕业生入职。",
}


# Helpers


def published(employer_org, **fields) -> Proposal:
    """40 student places over 2 partners (a share of 20) unless told otherwise."""
    return ProposalFactory(employer=employer_org, status="published", decided_at=timezone.now(), **fields)


def capacity(university_org, places: int = 100, projects: int = 5) -> UniversityCapacity:
    return UniversityCapacity.objects.update_or_create(
        university=university_org,
        project_type="internship_base",
        defaults={"places": places, "projects": projects},
    )[0]


def pdf(name: str = "协议.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def png_named_pdf(name: str = "scan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="application/pdf")


def fresh(introduction: Introduction) -> Introduction:
    return Introduction.objects.select_related(
        "proposal", "proposal__employer", "proposal__call", "university"
    ).get(pk=introduction.pk)


def report_of(introduction: Introduction) -> OutcomeReport:
    return OutcomeReport.objects.select_related(
        "introduction",
        "introduction__proposal",
        "introduction__proposal__employer",
        "introduction__university",
    ).get(introduction=introduction)


def unverified_member(member) -> User:
    """A colleague of the member, once their organisation is no longer verified."""
    organisation = member.organisation
    if member.employer_id:
        colleague = EmployerUserFactory(employer=organisation)
    else:
        colleague = UniversityUserFactory(university=organisation)
    type(organisation).objects.filter(pk=organisation.pk).update(status=VerificationStatus.PENDING)
    return User.objects.select_related("employer", "university").get(pk=colleague.pk)


def record(actor, introduction, **fields) -> Agreement:
    fields = {"signed_on": timezone.localdate(), "places_agreed": 20, **fields}
    return implementation.agreement_record(actor=actor, introduction=introduction, **fields)


def milestone(actor, introduction, **fields) -> Milestone:
    fields = {"title": "第一期实训开班", "happened_on": timezone.localdate(), **fields}
    return implementation.milestone_record(actor=actor, introduction=introduction, **fields)


def file(actor, introduction, evidence=None, **figures) -> OutcomeReport:
    return implementation.outcome_submit(
        actor=actor, introduction=introduction, fields={**FIGURES, **figures}, evidence=evidence
    )


# Fixtures


@pytest.fixture(autouse=True, name="media")
def media_fixture(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture(name="call")
def call_fixture(db):
    return CallFactory()


@pytest.fixture(name="project")
def project_fixture(employer, call):
    return published(employer.employer, call=call)


@pytest.fixture(name="introduce")
def introduce_fixture(ministry, university, project):
    """An introduction of the project and the university in the given status (accepted by
    default), both sides having accepted, brokered by the ministry persona."""
    capacity(university.university)

    def make(status: str = "accepted", *, proposal=None, to=None, **fields) -> Introduction:
        proposal = proposal or project
        now = timezone.now()
        introduction = IntroductionFactory(
            proposal=proposal,
            university=to or university.university,
            broker=ministry,
            places=introductions.share_of(proposal),
            status=status,
            employer_response="accepted",
            university_response="accepted",
            employer_responded_at=now,
            university_responded_at=now,
            accepted_at=now,
            **fields,
        )
        introductions.project_refresh(proposal)
        return fresh(introduction)

    return make


@pytest.fixture(name="accepted")
def accepted_fixture(introduce):
    return introduce()


@pytest.fixture(name="running")
def running_fixture(introduce):
    """In progress under a signed agreement for its 20 places."""
    introduction = introduce("in_progress")
    AgreementFactory(introduction=introduction, places_agreed=20)
    return introduction


@pytest.fixture(name="submitted")
def submitted_fixture(employer, running):
    file(employer, running)
    return report_of(running)


@pytest.fixture(name="confirmed")
def confirmed_fixture(university, submitted):
    return implementation.outcome_confirm(actor=university, report=submitted)


@pytest.fixture(name="unverified_employer")
def unverified_employer_fixture(employer):
    return unverified_member(employer)


@pytest.fixture(name="unverified_university")
def unverified_university_fixture(university):
    return unverified_member(university)
