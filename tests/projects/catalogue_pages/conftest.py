"""The catalogue page tests' fixtures: pages asked for in English, a published project, and a
university still waiting for verification."""

import pytest

from tests.factories import UniversityUserFactory

from .helpers import publish


@pytest.fixture(autouse=True)
def _english_pages(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def project():
    return publish(title="工业视觉质检就业实习基地", partners_sought=2)


@pytest.fixture
def pending_university(db):
    return UniversityUserFactory(username="pending_university", university__status="pending")
