"""An employer drafts and submits a proposal, ministry staff return it with a comment, the
employer fixes and resubmits it, ministry staff approve it, and it shows as published."""

import pytest

from projects.models import Proposal
from projects.workflow import Status
from tests.e2e.steps import label, log_in, log_out, switch_language
from tests.factories import CallFactory, EmployerUserFactory, MinistryUserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "工业视觉质检就业实习基地"
COMMENT = "请补充实习期间的安全保障与导师安排。"


def draft_proposal(page, base: str) -> None:
    page.goto(f"{base}/proposals/")
    page.click("#new-proposal")
    page.select_option("#id_project_type", "internship_base")
    page.fill("#id_title", TITLE)
    page.fill("#id_summary", "面向智能制造企业的工业视觉质检实习岗位。")
    page.fill("#id_description", "学生在真实产线上参与缺陷检测模型的数据标注、训练与部署。")
    page.fill("input[name='area:cv']", "3")
    page.fill("input[name='area:cv.industrial_inspection']", "2")
    page.fill("#id_student_places", "40")
    page.fill("#id_partners_sought", "2")
    page.select_option("#id_host_province", "32")
    page.fill("#id_host_city", "苏州")
    page.fill("#id_duration_months", "12")
    page.fill("#id_funding_cny", "200000")
    page.fill("#id_in_kind_support", "GPU 服务器与企业导师")
    page.fill("#id_internship_places_per_year", "20")
    page.fill("#id_contact_person", "王伟")
    page.fill("#id_contact_phone", "13800138000")
    page.fill("#id_contact_email", "hr@yuntu.example.cn")
    page.click("#save")
    page.wait_for_load_state()


def open_in_queue(page, base: str) -> None:
    page.goto(f"{base}/review/")
    page.click(f"table.queue a:has-text('{TITLE}')")
    page.wait_for_load_state()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_proposal_is_drafted_returned_fixed_resubmitted_and_published(page, live_server, language):
    base = live_server.url
    MinistryUserFactory(username="reviewer")
    EmployerUserFactory(username="yuntu", employer__name="南京云图智能科技有限公司")
    CallFactory(name="2027 年人工智能领域批次")

    page.goto(base + "/")
    switch_language(page, language)
    log_in(page, base, "yuntu")
    draft_proposal(page, base)
    proposal = Proposal.objects.get(title=TITLE)
    assert proposal.status == Status.DRAFT
    assert page.locator("#proposal-status").inner_text() == label(Status.DRAFT.label, language)
    page.click("#submit")
    page.wait_for_load_state()
    assert page.locator("#proposal-status").inner_text() == label(Status.SUBMITTED.label, language)
    log_out(page)

    log_in(page, base, "reviewer")
    open_in_queue(page, base)
    page.fill("#id_return-comment", COMMENT)
    page.click("#return-form button[type=submit]")
    page.wait_for_load_state()
    proposal.refresh_from_db()
    assert proposal.status == Status.RETURNED
    log_out(page)

    log_in(page, base, "yuntu")
    page.goto(f"{base}/proposals/")
    page.click(f"#attention a:has-text('{TITLE}')")
    page.wait_for_load_state()
    assert COMMENT in page.locator("#review-comment").inner_text()
    assert COMMENT in page.locator("#history").inner_text()
    page.click("#edit")
    page.fill(
        "#id_description",
        "学生在真实产线上参与缺陷检测模型的训练与部署；企业导师一对一指导，实习期间购买意外伤害保险。",
    )
    page.click("#save")
    page.wait_for_load_state()
    page.click("#submit")
    page.wait_for_load_state()
    assert page.locator("#proposal-status").inner_text() == label(Status.SUBMITTED.label, language)
    log_out(page)

    log_in(page, base, "reviewer")
    open_in_queue(page, base)
    page.fill("#id_approve-comment", "同意发布。")
    page.click("#approve-form button[type=submit]")
    page.wait_for_load_state()
    proposal.refresh_from_db()
    assert proposal.status == Status.PUBLISHED
    log_out(page)

    page.goto(f"{base}/proposals/{proposal.public_id}/")
    assert page.locator("h1").inner_text() == TITLE
    assert page.locator("#proposal-status").inner_text() == label(Status.PUBLISHED.label, language)
    assert page.locator("#history").count() == 0
