"""Session timeouts: ministry staff after 30 minutes idle, others after 2 hours, everyone 12
hours after signing in; a new password ends the other sessions and revokes API tokens."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.utils import timezone
from knox.models import AuthToken

from tests.factories import authenticator_of, code_of

pytestmark = pytest.mark.django_db

PASSWORD = "Correct-Horse-9"
START = timezone.make_aware(datetime(2027, 3, 1, 9, 0))
PAGE = "/workbench/"


def signed_in(client, user):
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    if user.is_ministry:
        response = client.post("/accounts/two-factor/", {"code": code_of(authenticator_of(user))})
        assert response.status_code == 302
    return client


def at(moment):
    return time_machine.travel(moment, tick=False)


@pytest.mark.parametrize(("persona", "idle"), [("ministry", 30), ("employer", 120), ("university", 120)])
def test_an_idle_session_ends_after_its_role_s_limit(client, request, persona, idle):
    user = request.getfixturevalue(persona)
    with at(START):
        signed_in(client, user)
    with at(START + timedelta(minutes=idle - 1)):
        assert client.get(PAGE).status_code == 200
    with at(START + timedelta(minutes=2 * idle - 2)):  # idle - 1 since the last request
        assert client.get(PAGE).status_code == 200
    with at(START + timedelta(minutes=3 * idle)):
        response = client.get(PAGE)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
        assert client.get(PAGE).status_code == 302  # signed out for good


def test_every_session_ends_twelve_hours_after_signing_in_however_busy(client, employer):
    with at(START):
        signed_in(client, employer)
    for minutes in range(60, 12 * 60, 60):
        with at(START + timedelta(minutes=minutes)):
            assert client.get(PAGE).status_code == 200
    with at(START + timedelta(hours=12, minutes=1)):
        assert client.get(PAGE).status_code == 302


def test_a_new_password_ends_the_other_sessions_and_revokes_the_tokens(client, django_user_model, employer):
    from django.test import Client

    other = Client()
    signed_in(other, employer)
    token, _key = AuthToken.objects.create(user=employer)
    signed_in(client, employer)
    response = client.post(
        "/accounts/password/change/",
        {"old_password": PASSWORD, "new_password1": "Another-Horse-77", "new_password2": "Another-Horse-77"},
    )
    assert response.status_code == 302
    assert client.get(PAGE).status_code == 200  # this session goes on
    assert other.get(PAGE).status_code == 302  # the other one has ended
    assert not AuthToken.objects.filter(pk=token.pk).exists()
