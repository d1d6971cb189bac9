"""The accounts HTML pages: the language switch, remembered for a signed-in user's emails."""

import pytest
from django.urls import reverse

from accounts.models import User
from tests.accounts.helpers import DASHBOARD

pytestmark = pytest.mark.django_db


# --- language -------------------------------------------------------------------------------

LANGUAGE = reverse("accounts:language")


def test_language_switch_is_remembered_for_the_users_emails(client_for, employer):
    client = client_for(employer)

    response = client.post(LANGUAGE, {"language": "en", "next": DASHBOARD})

    assert response.status_code == 302 and response.url == DASHBOARD
    assert User.objects.get(pk=employer.pk).language == "en"
    assert client.cookies["django_language"].value == "en"
    assert '<html lang="en">' in client.get(DASHBOARD).content.decode()


def test_visitor_language_switch_sets_the_cookie_only(client):
    response = client.post(LANGUAGE, {"language": "en", "next": "/"})

    assert response.status_code == 302
    assert client.cookies["django_language"].value == "en"


def test_unknown_language_changes_nothing(client_for, employer):
    client = client_for(employer)

    client.post(LANGUAGE, {"language": "xx", "next": "/"})

    assert User.objects.get(pk=employer.pk).language == "zh-hans"
    assert "django_language" not in client.cookies


def test_language_switch_to_an_external_next_stays_on_the_site(client_for, employer):
    response = client_for(employer).post(LANGUAGE, {"language": "en", "next": "https://evil.example/"})

    assert response.status_code == 302 and not response.url.startswith("https://evil")


def test_language_switch_needs_a_post(client_for, employer):
    assert client_for(employer).get(LANGUAGE, {"language": "en"}).status_code == 405
    assert User.objects.get(pk=employer.pk).language == "zh-hans"
