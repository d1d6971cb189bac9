"""The service tests' fixtures: an open call, the 2027 round with its Beijing-time deadline, a
draft of the employer's, and uploads in a scratch folder."""

import pytest

from tests.factories import CallFactory, ProposalFactory

from .helpers import beijing


@pytest.fixture
def call(db):
    return CallFactory()


@pytest.fixture
def april_call(db):
    """The 2027 round: opens 1 March, closes at the last second of 30 April, Beijing time."""
    return CallFactory(opens_at=beijing(2027, 3, 1), closes_at=beijing(2027, 4, 30, 23, 59, 59))


@pytest.fixture
def draft(employer, call):
    return ProposalFactory(employer=employer.employer, call=call)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path
