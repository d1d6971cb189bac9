"""Ministry staff enrol an authenticator app at their first sign-in (scanning the QR code the page
shows), keep the recovery codes, and sign in again with one of them; then the admin opens."""

import pytest
from django.utils.translation import gettext_lazy
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import credentials
from tests.e2e.steps import give_password, label, log_out, switch_language
from tests.factories import MinistryUserFactory, code_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def qr_code_shown(page) -> bool:
    return page.locator("#two-factor-qr").evaluate("img => img.complete && img.naturalWidth > 0")


def give_code(page, code: str) -> None:
    page.fill("#id_code", code)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_staff_enrol_an_authenticator_and_sign_in_again_with_a_recovery_code(page, live_server, language):
    base = live_server.url
    staff = MinistryUserFactory(username="moe")
    page.goto(base + "/")
    switch_language(page, language)

    give_password(page, base, "moe")
    assert page.url.startswith(f"{base}/accounts/two-factor/?next=")
    assert page.locator("h1").inner_text() == label(gettext_lazy("Two-factor sign-in"), language)
    assert qr_code_shown(page)
    device = TOTPDevice.objects.get(user=staff, confirmed=False)
    give_code(page, code_of(device))

    codes = page.locator("#recovery-codes code").all_inner_texts()
    assert len(set(codes)) == 10 and credentials.recovery_codes_left(staff) == 10
    page.click("main a.button")
    page.wait_for_load_state()
    assert page.url == f"{base}/workbench/"
    log_out(page)

    give_password(page, base, "moe")
    assert page.url.startswith(f"{base}/accounts/two-factor/")
    assert page.locator("#two-factor-qr").count() == 0  # enrolled: no new QR code
    give_code(page, codes[3])
    assert page.url == f"{base}/workbench/"
    response = page.goto(f"{base}/admin/")
    assert response.status == 200 and page.url == f"{base}/admin/"
    assert page.locator("#site-name").count() == 1
    assert credentials.recovery_codes_left(staff) == 9
