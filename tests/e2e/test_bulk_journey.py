"""Bulk sending clicked through: from 我的工作台, staff open the drafted introductions, tick the
page with the select-all box, then take all that match the filters, confirm the count, and see
every one sent."""

import pytest

from accounts.models import UniversityCapacity
from matching.models import Introduction
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.steps import log_in
from tests.factories import IntroductionFactory, MinistryUserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DRAFTED = 30  # more than the list's page of 25


def test_staff_send_every_drafted_introduction_from_the_workbench_in_three_clicks(page, live_server):
    base = live_server.url
    MinistryUserFactory(username="moe")
    for introduction in IntroductionFactory.create_batch(
        DRAFTED, status="proposed", sent_at=None, expires_at=None
    ):
        UniversityCapacity.objects.create(
            university=introduction.university,
            project_type=introduction.proposal.project_type,
            places=100,
            projects=5,
        )
    log_in(page, base, "moe")
    assert page.url == f"{base}/workbench/"
    assert page.locator("#task-introductions-to-send .figure").inner_text() == str(DRAFTED)

    page.click("#task-introductions-to-send a.work-head")  # 1
    page.wait_for_load_state()
    page.check("input[data-select-all]")  # the page's 25, ticked at once
    assert page.locator("input[name=ids]:checked").count() == 25
    assert page.locator("#bulk-selected [data-selected-count]").inner_text() == "25"

    page.click("#bulk-all")  # 2: all that match, not only this page
    page.wait_for_load_state()
    assert f"{DRAFTED}" in page.locator("#bulk-summary").inner_text()
    page.click("#bulk-go")  # 3
    page.wait_for_load_state()
    assert f"{DRAFTED}" in page.locator("#bulk-counts").inner_text()
    assert Introduction.objects.filter(status="sent").count() == DRAFTED
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "bulk-sent.png", full_page=True)


def test_staff_introduce_by_hand_choosing_the_project_and_university_as_they_type(page, live_server):
    from django.utils import timezone

    from projects import search
    from tests.factories import ProposalFactory, UniversityFactory

    base = live_server.url
    MinistryUserFactory(username="moe")
    project = ProposalFactory(status="published", decided_at=timezone.now(), title="工业视觉质检就业实习基地")
    project.search_document = search.document(project.title)  # as approval builds it
    project.save(update_fields=["search_document"])
    university = UniversityFactory(name="东南智能大学")
    log_in(page, base, "moe")
    page.goto(f"{base}/projects/{project.public_id}/")
    assert page.locator("#project-number").inner_text() == str(project.public_id)
    page.goto(f"{base}/introductions/")
    page.fill("#id_project", "视觉质检")
    page.locator("#project-options option").first.wait_for(state="attached")
    assert page.locator("#project-options option").first.get_attribute("value") == str(project.public_id)
    page.fill("#id_institution_code", "东南")
    page.locator("#university-options option").first.wait_for(state="attached")
    assert (
        page.locator("#university-options option").first.get_attribute("value") == university.institution_code
    )
