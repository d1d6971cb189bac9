"""What the service tests after both sides accept share: a published project in a call of its
own, an agreement, a milestone and an outcome report as each side records them, and fixtures
of an accepted, a running, a submitted and a confirmed cooperation (these override the page
and API tests' project and introduce of conftest.py)."""

from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from matching.brokering import implementation, introductions
from matching.models import Agreement, Introduction, Milestone, OutcomeReport
from tests.factories import (
    AgreementFactory,
    IntroductionFactory,
)

from .introduction_services import (  # noqa: F401  (fixtures)
    call_fixture,
    capacity,
    fresh,
    project_fixture,
    published,
    unverified_employer_fixture,
    unverified_member,
    unverified_university_fixture,
)

SH = ZoneInfo("Asia/Shanghai")
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64
FIGURES = {
    "students_trained": 18,
    "interns_hosted": 10,
    "graduates_hired": 6,
    "funding_delivered_cny": 100_000,
    "narrative": "完成两期工业视觉质检实训，6 名毕业生入职。",
}


# Helpers (those the introductions' services tests share are theirs, imported here)


def png_named_pdf(name: str = "scan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="application/pdf")


def report_of(introduction: Introduction) -> OutcomeReport:
    return OutcomeReport.objects.select_related(
        "introduction",
        "introduction__proposal",
        "introduction__proposal__employer",
        "introduction__university",
    ).get(introduction=introduction)


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
