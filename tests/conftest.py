"""Shared fixtures: personas, fast hashing, eager Celery by default, and the rule that tests
needing the real services fail in CI when those are missing (and skip elsewhere)."""

import os

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import AnonymousUser
from rest_framework.test import APIClient

from portal.celery import app as celery_app
from tests.factories import EmployerUserFactory, MinistryUserFactory, UniversityUserFactory

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


@pytest.fixture(autouse=True)
def _fast_and_eager(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
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
            client.force_login(user)
        return client

    return make


@pytest.fixture
def api_for():
    """A DRF test client authenticated as the given persona (or anonymous for None)."""

    def make(user):
        api = APIClient()
        if user is not None and user.is_authenticated:
            api.force_authenticate(user)
        return api

    return make
