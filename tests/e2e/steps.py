"""Steps the browser journeys share."""

from django.utils import translation

from tests.conftest import PASSWORD


def label(text, language: str) -> str:
    """A translatable text as the page shows it in that language."""
    with translation.override(language):
        return str(text)


def switch_language(page, language: str) -> None:
    page.select_option("#lang-select", language)
    page.click(".lang button")
    page.wait_for_load_state()


def log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


def log_out(page) -> None:
    page.click("nav form.inline button")
    page.wait_for_load_state()
