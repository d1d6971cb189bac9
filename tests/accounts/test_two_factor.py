"""Two-factor sign-in for ministry staff (django-otp): at the first sign-in they enrol an
authenticator app from a QR code and are shown ten recovery codes; after that each sign-in takes
a code from the app or a recovery code, each good once. Until then every page and the admin send
them to the two-factor page and the session API refuses them. Employers and universities are
never asked."""

import re
import time
from base64 import b32encode
from datetime import datetime, timedelta
from urllib.parse import quote

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import credentials
from accounts.models import AuditEvent
from tests.conftest import PASSWORD
from tests.factories import authenticator_of, code_of, log_in
from tests.pages import field_errors

pytestmark = pytest.mark.django_db

START = timezone.make_aware(datetime(2027, 3, 1, 9, 0))
TWO_FACTOR, QR = "/accounts/two-factor/", "/accounts/two-factor/qr.svg"
DASHBOARD, STAFF_PAGE, ME = "/workbench/", "/accounts/organisations/", "/api/v1/me/"


@pytest.fixture
def clock():
    """A stopped clock: an app's code depends on the time, and a wrong code delays the next try."""
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def app(ministry):
    """The ministry user's enrolled authenticator app."""
    return authenticator_of(ministry)


def password_given(client, user):
    """A session that has given the password and nothing more."""
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def give(client, code: str, next_url: str = DASHBOARD):
    return client.post(TWO_FACTOR, {"code": code, "next": next_url})


def wrong_code(device: TOTPDevice) -> str:
    """Six digits the device refuses now (it accepts its code a step either side too)."""
    accepted = {code_of(device, at=time.time() + seconds) for seconds in (-30, 0, 30)}
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in accepted)


def pending(user) -> TOTPDevice:
    return TOTPDevice.objects.get(user=user, confirmed=False)


def shown_codes(response) -> list[str]:
    """The recovery codes listed on the page."""
    listed = re.search(r'<ol[^>]*id="recovery-codes">(.*?)</ol>', response.content.decode(), re.S)
    return re.findall(r"<code>([^<]+)</code>", listed.group(1))


def audited(user, action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(actor=user, action=action).order_by("pk"))


def is_asked(response, next_url: str) -> bool:
    return response.status_code == 302 and response.url == f"{TWO_FACTOR}?next={quote(next_url, safe='/')}"


# --- Enrolment ---------------------------------------------------------------------------------


def test_the_first_sign_in_shows_the_qr_code_and_the_key_of_a_new_authenticator(client, ministry):
    response = client.post("/accounts/login/", {"username": ministry.username, "password": PASSWORD})
    assert is_asked(client.get(response.url), DASHBOARD)
    page = client.get(TWO_FACTOR)
    html = page.content.decode()
    assert page.status_code == 200 and f'src="{QR}"' in html
    secret = re.search(r'<code id="two-factor-secret">([A-Z2-7 ]+)</code>', html).group(1)
    assert secret.replace(" ", "") == b32encode(pending(ministry).bin_key).decode()
    assert secret in client.get(TWO_FACTOR).content.decode()  # the same key on a reload
    assert TOTPDevice.objects.filter(user=ministry).count() == 1


def test_the_qr_code_is_an_uncached_svg_image(client, ministry):
    password_given(client, ministry).get(TWO_FACTOR)
    response = client.get(QR)
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    assert response["Cache-Control"] == "no-store"
    assert response.content.lstrip().startswith((b"<?xml", b"<svg"))


def test_the_qr_code_is_a_valid_standalone_svg_document(client, ministry):
    """A browser shows an SVG served as image/svg+xml only if it names the SVG namespace."""
    password_given(client, ministry).get(TWO_FACTOR)
    svg = re.search(rb"<svg[^>]*>", client.get(QR).content).group(0)
    assert b'xmlns="http://www.w3.org/2000/svg"' in svg


def test_the_two_factor_page_speaks_chinese(client, ministry):
    password_given(client, ministry)

    def heading(language):
        html = client.get(TWO_FACTOR, HTTP_ACCEPT_LANGUAGE=language).content.decode()
        return re.search(r"<h1>(.*?)</h1>", html).group(1)

    assert heading("zh-hans") != heading("en")


def test_a_wrong_code_does_not_enrol_and_is_audited(client, ministry, clock):
    password_given(client, ministry).get(TWO_FACTOR)
    response = give(client, wrong_code(pending(ministry)))
    assert response.status_code == 400 and field_errors(response)["code"]
    assert not pending(ministry).confirmed and credentials.authenticator(ministry) is None
    assert not StaticToken.objects.filter(device__user=ministry).exists()
    assert len(audited(ministry, "two_factor_failed")) == 1 and not audited(ministry, "two_factor_enrolled")
    assert is_asked(client.get(STAFF_PAGE), STAFF_PAGE)


def test_the_app_s_code_enrols_it_shows_ten_recovery_codes_and_opens_the_staff_pages(client, ministry, clock):
    password_given(client, ministry).get(TWO_FACTOR)
    device = pending(ministry)
    response = give(client, code_of(device), next_url=STAFF_PAGE)
    assert response.status_code == 200
    codes = shown_codes(response)
    assert len(set(codes)) == 10
    stored = StaticToken.objects.filter(device__user=ministry).values_list("token", flat=True)
    assert set(codes) == set(stored)
    assert f'href="{STAFF_PAGE}"' in response.content.decode()  # on to where the user was going
    assert credentials.authenticator(ministry) == device
    assert len(audited(ministry, "two_factor_enrolled")) == 1
    for page in (STAFF_PAGE, DASHBOARD, "/admin/", ME):
        assert client.get(page).status_code == 200, page


# --- Signing in with an enrolled app -------------------------------------------------------------


def test_an_enrolled_user_gives_the_code_of_their_app(client, ministry, app, clock):
    page = password_given(client, ministry).get(TWO_FACTOR)
    assert page.status_code == 200 and "two-factor-qr" not in page.content.decode()
    assert not TOTPDevice.objects.filter(user=ministry, confirmed=False).exists()
    response = give(client, code_of(app), next_url="/admin/")
    assert response.status_code == 302 and response.url == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert client.get(TWO_FACTOR).url == DASHBOARD  # given already: sent on


def test_a_wrong_code_is_refused_audited_and_delays_the_next_try(client, ministry, app, clock):
    password_given(client, ministry)
    response = give(client, wrong_code(app))
    assert response.status_code == 400 and field_errors(response)["code"]
    assert len(audited(ministry, "two_factor_failed")) == 1
    assert is_asked(client.get(STAFF_PAGE), STAFF_PAGE)
    assert give(client, code_of(app)).status_code == 400  # straight after a failure: too soon
    clock.shift(timedelta(seconds=2))
    assert give(client, code_of(app)).status_code == 302
    assert client.get(STAFF_PAGE).status_code == 200


def test_a_code_is_good_once(client, ministry, app, clock):
    code = code_of(app)
    assert give(password_given(client, ministry), code).status_code == 302
    other = password_given(Client(), ministry)
    replayed = give(other, code)
    assert replayed.status_code == 400 and field_errors(replayed)["code"]
    assert is_asked(other.get(STAFF_PAGE), STAFF_PAGE)
    assert len(audited(ministry, "two_factor_failed")) == 1
    clock.shift(timedelta(seconds=30))
    assert give(other, code_of(app)).status_code == 302  # the app's next code


def test_a_recovery_code_signs_in_once(client, ministry, app, clock):
    codes = credentials.recovery_codes_renew(user=ministry)
    response = give(password_given(client, ministry), codes[0].upper())  # as typed from paper
    assert response.status_code == 302 and client.get(STAFF_PAGE).status_code == 200
    [used] = audited(ministry, "recovery_code_used")
    assert used.comment == "9" and credentials.recovery_codes_left(ministry) == 9
    client.post("/accounts/logout/")
    clock.shift(timedelta(minutes=1))
    again = give(password_given(client, ministry), codes[0])
    assert again.status_code == 400 and field_errors(again)["code"]
    assert is_asked(client.get(STAFF_PAGE), STAFF_PAGE)
    assert len(audited(ministry, "two_factor_failed")) == 1


def test_a_recovery_code_of_digits_only_works(client, ministry, app):
    """Recovery codes are eight of a-z and 2-7: about one in 650,000 is digits only."""
    StaticDevice.objects.create(user=ministry, name=credentials.RECOVERY).token_set.create(token="23456723")
    assert give(password_given(client, ministry), "23456723").status_code == 302


def test_new_recovery_codes_replace_the_old_ones(client, ministry, app, clock):
    old = credentials.recovery_codes_renew(user=ministry)
    log_in(client, ministry)
    response = client.post("/accounts/security/", {"action": "recovery-codes"})
    assert response.status_code == 200
    new = shown_codes(response)
    assert len(new) == 10 and not set(new) & set(old)
    assert len(audited(ministry, "recovery_codes_made")) == 2
    other = password_given(Client(), ministry)
    assert give(other, old[0]).status_code == 400
    clock.shift(timedelta(minutes=1))
    assert give(other, new[0]).status_code == 302


# --- Who is asked, and where ----------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["ministry", "admin_user"])
@pytest.mark.parametrize(
    "path",
    ["/admin/", "/admin/accounts/user/", STAFF_PAGE, DASHBOARD, "/accounts/security/", "/projects/?q=ai"],
)
def test_a_password_only_staff_session_is_sent_to_the_two_factor_page(client, request, persona, path):
    client.force_login(request.getfixturevalue(persona))
    assert is_asked(client.get(path), path)


@pytest.mark.parametrize("enrolled", [False, True])
def test_a_password_only_staff_session_is_refused_by_the_api(client, ministry, enrolled):
    if enrolled:
        authenticator_of(ministry)
    response = password_given(client, ministry).get(ME)
    assert response.status_code == 403 and response.json()["detail"]
    assert client.post("/api/v1/auth/logoutall/").status_code == 403


@pytest.mark.parametrize("persona", ["employer", "university"])
def test_employers_and_universities_are_never_asked(client, request, persona):
    user = request.getfixturevalue(persona)
    assert password_given(client, user).get(DASHBOARD).status_code == 200
    assert client.get("/accounts/security/").status_code == 200
    assert client.get(ME).status_code == 200
    assert client.get(TWO_FACTOR).status_code == 404 and client.get(QR).status_code == 404
    assert give(client, "123456").status_code == 404
    assert not TOTPDevice.objects.filter(user=user).exists()


@pytest.mark.parametrize("target", ["https://evil.example/admin/", "//evil.example/", "/\\evil.example/"])
def test_a_next_address_on_another_host_is_not_followed(client, ministry, app, clock, target):
    response = give(password_given(client, ministry), code_of(app), next_url=target)
    assert response.status_code == 302 and response.url == DASHBOARD
    assert client.get(TWO_FACTOR, {"next": target}).url == DASHBOARD


def test_a_next_address_on_another_host_is_not_offered_after_enrolment(client, ministry, clock):
    password_given(client, ministry).get(TWO_FACTOR)
    response = give(client, code_of(pending(ministry)), next_url="https://evil.example/")
    assert response.status_code == 200 and "evil.example" not in response.content.decode()
    assert f'href="{DASHBOARD}"' in response.content.decode()
