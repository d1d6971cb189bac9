"""Shared fixtures: personas, fast hashing, eager Celery by default, and the rule that tests
needing the real services fail in CI when those are missing (and skip elsewhere)."""

import importlib
import os
import uuid

import pytest
from django.apps import apps as django_apps
from django.conf import settings as django_settings
from django.contrib.auth.models import AnonymousUser
from django.utils import translation
from rest_framework.test import APIClient

from portal.celery import app as celery_app
from tests.factories import EmployerUserFactory, MinistryUserFactory, UniversityUserFactory, log_in

PASSWORD = "Correct-Horse-9"


def services_missing() -> str:
    if not django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return "DATABASE_URL does not point at PostgreSQL"
    if not django_settings.REDIS_URL:
        return "REDIS_URL is not set"
    return ""


def pytest_runtest_setup(item):
    if item.get_closest_marker("services") and (reason := services_missing()):
        if os.environ.get("CI"):
            pytest.fail(f"CI must run this test on the real services: {reason}")
        pytest.skip(reason)


SEEDING_MIGRATIONS = ["accounts.migrations.0002_focus_areas", "projects.migrations.0002_compliance_phrases"]


@pytest.fixture(autouse=True)
def _migration_data(request):
    """Transactional tests (browser, worker, concurrency) end by flushing every table, taking
    the rows that data migrations seeded with them: put those back for the next test."""
    marker = request.node.get_closest_marker("django_db")
    if not (marker and marker.kwargs.get("transaction")) and "live_server" not in request.fixturenames:
        return
    request.getfixturevalue("transactional_db")
    from accounts.models import FocusArea

    if not FocusArea.objects.exists():
        for module in SEEDING_MIGRATIONS:
            importlib.import_module(module).seed(django_apps, None)


@pytest.fixture(autouse=True)
def _fast_and_eager(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # A cache of its own per test: nothing one test renders (the catalogue, recommendations)
    # is served to the next, and Redis, Celery's broker in CI, is left alone.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"test-{uuid.uuid4().hex}",
        }
    }
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    # Services called outside a request speak English here, as their msgids do; pages pick
    # their language per request (the tests of Chinese pages ask for it).
    with translation.override("en"):
        yield
    celery_app.conf.task_always_eager = eager


@pytest.fixture
def employer(db):
    return EmployerUserFactory(username="employer")


@pytest.fixture
def other_employer(db):
    return EmployerUserFactory(username="other_employer")


@pytest.fixture
def pending_employer(db):
    return EmployerUserFactory(username="pending_employer", employer__status="pending")


@pytest.fixture
def university(db):
    return UniversityUserFactory(username="university")


@pytest.fixture
def other_university(db):
    return UniversityUserFactory(username="other_university")


@pytest.fixture
def ministry(db):
    return MinistryUserFactory(username="ministry")


@pytest.fixture
def anonymous():
    return AnonymousUser()


@pytest.fixture
def client_for(client):
    """A Django test client logged in as the given persona (or anonymous for None)."""

    def make(user):
        client.logout()
        if user is not None and user.is_authenticated:
            log_in(client, user)
        return client

    return make


@pytest.fixture
def committing(django_capture_on_commit_callbacks):
    """A block whose after-commit work (the outbox's emails) runs at its end, as a commit would
    run it: a test's transaction never commits."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def admin_client(client, admin_user):
    """pytest-django's, having given the second factor the admin asks of staff."""
    log_in(client, admin_user)
    return client


@pytest.fixture
def api_for():
    """A DRF test client authenticated as the given persona (or anonymous for None)."""

    def make(user):
        api = APIClient()
        if user is not None and user.is_authenticated:
            api.force_authenticate(user)
        return api

    return make
