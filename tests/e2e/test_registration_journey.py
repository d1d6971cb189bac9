"""An employer registers, ministry staff verify it, and the employer sees the verified status."""

import pytest

from accounts.models import Employer, VerificationStatus
from accounts.validators import credit_code_check_char
from tests.conftest import PASSWORD
from tests.e2e.steps import label, log_in, log_out, switch_language
from tests.factories import MinistryUserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_employer_registers_is_verified_and_sees_it(page, live_server, language):
    base = live_server.url
    MinistryUserFactory(username="reviewer", password=PASSWORD)
    first17 = "91320100MA1XYW0AB"
    credit_code = first17 + credit_code_check_char(first17)

    page.goto(base + "/")
    switch_language(page, language)
    assert page.locator("html").get_attribute("lang") == language
    page.click("a[href='/accounts/register/employer/'] >> nth=0")
    page.fill("#id_name", "南京星河智能科技有限公司")
    page.fill("#id_credit_code", credit_code.lower())
    page.select_option("#id_kind", "enterprise")
    page.fill("#id_industry", "软件和信息技术服务业")
    page.select_option("#id_province", "32")
    page.fill("#id_city", "南京")
    page.fill("#id_contact_person", "张敏")
    page.fill("#id_phone", "13912345678")
    page.fill("#id_email", "zhangmin@xinghe.example.cn")
    page.fill("#id_username", "xinghe")
    page.fill("#id_password", PASSWORD)
    page.fill("#id_password_confirm", PASSWORD)
    page.click("main form button[type=submit]")

    badge = page.locator("#verification-status .badge")
    assert badge.inner_text() == label(VerificationStatus.PENDING.label, language)
    employer = Employer.objects.get(credit_code=credit_code)
    assert employer.status == VerificationStatus.PENDING
    log_out(page)

    log_in(page, base, "reviewer")
    page.goto(f"{base}/accounts/organisations/?kind=employer")
    page.click("text=南京星河智能科技有限公司")
    page.click("form:has(input[value=verify]) button")
    assert page.locator(".badge").first.inner_text() == label(VerificationStatus.VERIFIED.label, language)
    log_out(page)

    log_in(page, base, "xinghe")
    verified = label(VerificationStatus.VERIFIED.label, language)
    assert page.locator("#verification-status .badge").inner_text() == verified
    if language == "zh-hans":
        assert verified != label(VerificationStatus.VERIFIED.label, "en")
    employer.refresh_from_db()
    assert employer.status == VerificationStatus.VERIFIED


def test_a_form_sent_back_with_errors_puts_the_focus_on_its_error_summary(page, live_server):
    page.goto(f"{live_server.url}/accounts/register/employer/")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
