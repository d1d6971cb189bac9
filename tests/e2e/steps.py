"""Steps the browser journeys share."""

from django.utils import translation
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from accounts.credentials import RECOVERY
from accounts.models import User
from accounts.permissions import needs_two_factor
from tests.conftest import PASSWORD
from tests.factories import authenticator_of


def label(text, language: str) -> str:
    """A translatable text as the page shows it in that language."""
    with translation.override(language):
        return str(text)


def switch_language(page, language: str) -> None:
    page.select_option("#lang-select", language)
    page.click(".lang button")
    page.wait_for_load_state()


def give_password(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


def log_in(page, base: str, username: str) -> None:
    give_password(page, base, username)
    user = User.objects.get(username=username)
    if needs_two_factor(user):
        page.fill("#id_code", recovery_code(user))
        page.click("main form button[type=submit]")
        page.wait_for_load_state()


def recovery_code(user: User) -> str:
    """A fresh recovery code of an enrolled user, for the journeys that are not about the
    second factor (an app's code is good once per 30 seconds; a journey signs in more often)."""
    authenticator_of(user)
    device, _ = StaticDevice.objects.get_or_create(user=user, name=RECOVERY)
    return device.token_set.create(token=StaticToken.random_token()).token


def log_out(page) -> None:
    page.click("nav form.inline button")
    page.wait_for_load_state()
