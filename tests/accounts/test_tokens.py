"""API tokens (django-rest-knox): issued for a username and password (and a second-factor code for
ministry staff), stored only as a hash, expiring after REST_KNOX["TOKEN_TTL"] (seven days by
default), revoked one at a time, all at once, by a new password or on the security page. Every
issue and revocation is audited."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from knox.crypto import hash_token
from knox.models import AuthToken
from knox.settings import CONSTANTS
from rest_framework.test import APIClient

from accounts import credentials
from accounts.models import AuditEvent
from tests.accounts.test_two_factor import wrong_code
from tests.conftest import PASSWORD
from tests.factories import authenticator_of, code_of, log_in

pytestmark = pytest.mark.django_db

START = timezone.make_aware(datetime(2027, 3, 1, 9, 0))
TOKEN, LOGOUT, LOGOUT_ALL = "/api/v1/auth/token/", "/api/v1/auth/logout/", "/api/v1/auth/logoutall/"
ME, SECURITY = "/api/v1/me/", "/accounts/security/"


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def ask(user, **extra):
    """POST the user's username and password (and extra fields, such as otp) for a token."""
    return APIClient().post(
        TOKEN,
        {"username": user.username, "password": PASSWORD, **extra},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )


def key_for(user) -> str:
    """A key of the user's, as an earlier sign-in would have left it."""
    return AuthToken.objects.create(user=user)[1]


def signed(key: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


def works(key: str) -> bool:
    """Whether the key signs an API request (as opposed to being refused as unknown)."""
    response = signed(key).get(ME)
    assert response.status_code in {200, 401}
    return response.status_code == 200


def token_key(key: str) -> str:
    """The start of a key that the token's row keeps to find it (and the security page shows)."""
    return key[: CONSTANTS.TOKEN_KEY_LENGTH]


def audited(user, action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(actor=user, action=action).order_by("pk"))


def otp_refused(response) -> list[str]:
    assert response.status_code == 400 and "token" not in response.json()
    return response.json()["otp"]


# --- Issuing ---------------------------------------------------------------------------------------


def test_an_employer_gets_a_token_for_seven_days_stored_only_as_a_hash(employer, clock):
    response = ask(employer)
    assert response.status_code == 200
    key = response.json()["token"]
    assert parse_datetime(response.json()["expiry"]) == START + timedelta(days=7)
    [row] = AuthToken.objects.filter(user=employer).values()
    assert row["digest"] == hash_token(key) and key not in row.values()
    assert not AuthToken.objects.filter(digest=key).exists()
    [issued] = audited(employer, "token_issued")
    assert issued.comment == token_key(key) and issued.target == employer


def test_the_key_signs_api_requests_as_its_user(employer):
    key = ask(employer).json()["token"]
    assert signed(key).get(ME).json()["username"] == employer.username
    tampered = key[:-1] + ("1" if key[-1] == "0" else "0")
    assert signed(tampered).get(ME).status_code == 401


def test_a_token_stops_working_when_it_expires(employer, clock):
    key = ask(employer).json()["token"]
    clock.shift(timedelta(days=7) - timedelta(minutes=1))
    assert works(key)
    clock.shift(timedelta(minutes=2))
    assert not works(key)
    assert not AuthToken.objects.filter(user=employer).exists()  # and knox has removed it


def test_the_lifetime_is_rest_knox_s_token_ttl(settings, employer, clock):
    settings.REST_KNOX = {**settings.REST_KNOX, "TOKEN_TTL": timedelta(hours=1)}
    response = ask(employer)
    assert parse_datetime(response.json()["expiry"]) == START + timedelta(hours=1)
    clock.shift(timedelta(minutes=59))
    assert works(response.json()["token"])
    clock.shift(timedelta(minutes=2))
    assert not works(response.json()["token"])


def test_a_wrong_password_gets_no_token_even_with_a_good_code(ministry, clock):
    response = APIClient().post(
        TOKEN,
        {"username": ministry.username, "password": "wrong", "otp": code_of(authenticator_of(ministry))},
        format="json",
    )
    assert response.status_code == 400 and not AuthToken.objects.exists()


# --- Ministry staff give a second factor ------------------------------------------------------------


def test_staff_without_a_code_get_no_token(ministry):
    authenticator_of(ministry)
    assert otp_refused(ask(ministry))
    assert not AuthToken.objects.exists() and not audited(ministry, "token_issued")


def test_staff_with_a_wrong_code_get_no_token_and_the_failure_is_audited(ministry, clock):
    assert otp_refused(ask(ministry, otp=wrong_code(authenticator_of(ministry))))
    assert not AuthToken.objects.exists()
    assert len(audited(ministry, "two_factor_failed")) == 1


def test_staff_with_the_code_of_their_app_get_a_token_once(ministry, clock):
    code = code_of(authenticator_of(ministry))
    response = ask(ministry, otp=code)
    assert response.status_code == 200 and works(response.json()["token"])
    assert len(audited(ministry, "token_issued")) == 1
    assert otp_refused(ask(ministry, otp=code))  # a replay
    assert AuthToken.objects.filter(user=ministry).count() == 1


def test_staff_with_a_recovery_code_get_a_token_once(ministry, clock):
    authenticator_of(ministry)
    code = credentials.recovery_codes_renew(user=ministry)[0]
    response = ask(ministry, otp=code)
    assert response.status_code == 200 and works(response.json()["token"])
    assert len(audited(ministry, "recovery_code_used")) == 1
    clock.shift(timedelta(minutes=1))
    assert otp_refused(ask(ministry, otp=code))
    assert AuthToken.objects.filter(user=ministry).count() == 1


@pytest.mark.parametrize("otp", ["123456", "abcd2345", ""])
def test_staff_without_an_authenticator_are_told_to_enrol(ministry, otp):
    [message] = otp_refused(ask(ministry, otp=otp))
    assert "enrol" in message
    assert not AuthToken.objects.exists()


# --- Revoking ----------------------------------------------------------------------------------------


def test_logout_revokes_only_the_token_it_is_signed_with(employer):
    used, other = key_for(employer), key_for(employer)
    assert signed(used).post(LOGOUT).status_code == 204
    assert not works(used) and works(other)
    [revoked] = audited(employer, "token_revoked")
    assert revoked.comment == token_key(used)


def test_logoutall_revokes_every_token_of_the_user_and_no_one_else_s(employer, university):
    keys, theirs = [key_for(employer) for _ in range(3)], key_for(university)
    assert signed(keys[0]).post(LOGOUT_ALL).status_code == 204
    assert not any(works(key) for key in keys) and works(theirs)
    [revoked] = audited(employer, "token_revoked")
    assert set(revoked.comment.split()) == {token_key(key) for key in keys}


@pytest.mark.parametrize("path", [LOGOUT, LOGOUT_ALL])
@pytest.mark.parametrize("persona", [None, "employer", "ministry"])
def test_logging_out_without_a_token_is_refused_not_an_error(client, request, path, persona):
    """Anonymous, or signed in by a session (ministry staff with their second factor): the
    endpoints revoke the token a request is signed with, and there is none."""
    user = request.getfixturevalue(persona) if persona else None
    key = key_for(user) if user else None
    if user:
        log_in(client, user)
    assert client.post(path).status_code in {401, 403}
    assert key is None or works(key)
    assert not AuditEvent.objects.filter(action="token_revoked").exists()


def test_a_new_password_revokes_every_token(client, employer):
    keys = [key_for(employer), key_for(employer)]
    log_in(client, employer)
    response = client.post(
        "/accounts/password/change/",
        {"old_password": PASSWORD, "new_password1": "Another-Horse-77", "new_password2": "Another-Horse-77"},
    )
    assert response.status_code == 302
    assert not any(works(key) for key in keys)
    [revoked] = audited(employer, "token_revoked")
    assert revoked.target == employer
    assert set(revoked.comment.split()) == {token_key(key) for key in keys}
    [changed] = audited(employer, "password_changed")
    assert revoked.pk < changed.pk  # one transaction: the revocation, then the password's record


def test_a_new_password_that_is_rolled_back_keeps_the_tokens_and_records_nothing(employer):
    key = key_for(employer)
    with pytest.raises(RuntimeError), transaction.atomic():
        employer.set_password("Another-Horse-77")
        employer.save()
        raise RuntimeError("the password change fails after the save")
    assert works(key)
    assert not AuditEvent.objects.filter(action="token_revoked").exists()


def test_a_new_password_without_tokens_records_no_revocation(employer):
    employer.set_password("Another-Horse-77")
    employer.save()
    assert not AuditEvent.objects.filter(action="token_revoked").exists()


def test_a_save_that_keeps_the_password_keeps_the_tokens(employer):
    key = key_for(employer)
    employer.first_name = "伟"
    employer.save()
    assert works(key)
    assert not AuditEvent.objects.filter(action="token_revoked").exists()


# --- The security page ------------------------------------------------------------------------------


@pytest.fixture
def keys(employer, other_employer):
    """Two tokens of the employer, and one of another employer's."""
    return {"mine": [key_for(employer), key_for(employer)], "theirs": key_for(other_employer)}


def security(client, user, **post):
    log_in(client, user)
    return client.post(SECURITY, post) if post else client.get(SECURITY)


def test_the_security_page_lists_the_user_s_own_live_tokens_only(client, employer, keys):
    expired = AuthToken.objects.create(user=employer, expiry=timedelta(minutes=-1))[1]
    html = security(client, employer).content.decode()
    for key in keys["mine"]:
        assert f'value="{token_key(key)}"' in html
    for key in (keys["theirs"], expired):
        assert token_key(key)[:8] not in html


def test_the_security_page_revokes_one_token(client, employer, keys):
    first, second = keys["mine"]
    response = security(client, employer, action="revoke", token=token_key(first))
    assert response.status_code == 302
    assert not works(first) and works(second) and works(keys["theirs"])
    assert audited(employer, "token_revoked")[0].comment == token_key(first)
    assert token_key(first) not in client.get(SECURITY).content.decode()


def test_the_security_page_revokes_all_the_user_s_tokens(client, employer, keys):
    assert security(client, employer, action="revoke-all").status_code == 302
    assert not any(works(key) for key in keys["mine"]) and works(keys["theirs"])
    assert 'id="api-tokens"' not in client.get(SECURITY).content.decode()


def test_another_user_s_token_cannot_be_revoked_on_the_security_page(client, employer, keys):
    response = security(client, employer, action="revoke", token=token_key(keys["theirs"]))
    assert response.status_code == 302
    assert works(keys["theirs"]) and all(works(key) for key in keys["mine"])
    assert not AuditEvent.objects.filter(action="token_revoked").exists()
