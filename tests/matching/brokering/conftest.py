"""What the introductions' page and API tests share: uploads in a folder of the test's own, a
published project of the employer persona, and a factory of its introductions in any status."""

import pytest

from matching.models import Introduction
from tests.factories import AgreementFactory, IntroductionFactory, OutcomeReportFactory

from .common import VISION, answers, published, room


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def project(employer):
    return published(employer.employer, title=VISION)


@pytest.fixture
def introduce(ministry, university, project):
    """An introduction of the project and the university in the given status (with its agreement
    once signed, and an outcome report in the given status)."""
    room(university.university)

    def make(
        status: str = "sent", *, report: str | None = None, proposal=None, to=None, **fields
    ) -> Introduction:
        introduction = IntroductionFactory(
            proposal=proposal or project,
            university=to or university.university,
            broker=ministry,
            places=20,
            status=status,
            **{**answers(status), **fields},
        )
        if status in {"signed", "in_progress", "completed"}:
            AgreementFactory(introduction=introduction)
        if report:
            OutcomeReportFactory(introduction=introduction, status=report)
        return introduction

    return make
