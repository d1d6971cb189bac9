"""A university searches the catalogue, filters it by focus area and province, opens a project
and expresses interest, then finds the interest on its dashboard; the employer sees it on its
project's interests page and marks it welcome."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import UniversityCapacity
from projects import search
from projects.models import Interest
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.steps import log_in, log_out, switch_language
from tests.factories import EmployerFactory, EmployerUserFactory, ProposalFactory, UniversityUserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "工业视觉质检就业实习基地"
STATEMENT = "我校人工智能学院在工业视觉检测方向有稳定的科研团队，可派出 6 名研究生参与。"


def publish(**kwargs):
    proposal = ProposalFactory(status="published", decided_at=timezone.now() - timedelta(days=1), **kwargs)
    proposal.search_document = search.document(
        proposal.title, proposal.summary, proposal.description, proposal.employer.name
    )
    proposal.save(update_fields=["search_document"])
    return proposal


def seed():
    employer = EmployerUserFactory(username="yuntu", employer__name="南京云图智能科技有限公司")
    project = publish(
        employer=employer.employer,
        title=TITLE,
        host_province="32",
        areas={"cv.industrial_inspection": 3, "ml": 1},
        partners_sought=2,
    )
    others = EmployerFactory(name="广州视界科技有限公司")
    publish(
        employer=others, title="医学影像视觉分析实习基地", host_province="44", areas={"cv.medical_imaging": 1}
    )
    publish(employer=others, title="视觉导航机器人实习基地", host_province="32", areas={"robotics": 1})
    publish(employer=others, title="智能客服对话实习基地", host_province="32", areas={"nlp": 1})
    university = UniversityUserFactory(username="seu", university__name="东南大学", university__province="32")
    UniversityCapacity.objects.create(
        university=university.university, project_type="internship_base", places=20, projects=3
    )
    return project


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_university_finds_a_project_and_expresses_interest_and_is_welcomed(
    page, live_server, language, request
):
    base = live_server.url
    project = seed()
    page.goto(base + "/")
    switch_language(page, language)

    log_in(page, base, "seu")
    page.click("nav a[href='/projects/']")
    page.wait_for_load_state()
    page.fill("#id_search", "视觉")
    page.select_option("#id_area", "cv")
    page.select_option("#id_province", "32")
    page.click("#apply-filters")
    page.wait_for_load_state()
    assert "search=" in page.url and "area=cv" in page.url and "province=32" in page.url
    shown = page.locator("#results a.project-title").all_inner_texts()
    assert shown == [TITLE]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{request.node.name}-catalogue.png", full_page=True)

    page.click(f"#results a:has-text('{TITLE}')")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == TITLE
    page.fill("#id_students_offered", "6")
    page.fill("#id_statement", STATEMENT)
    page.click("#express-interest")
    page.wait_for_load_state()
    assert STATEMENT in page.locator("#my-interest").inner_text()
    assert page.locator("#interest-count").inner_text() == "1"
    page.screenshot(path=ARTIFACTS / f"{request.node.name}-project.png", full_page=True)
    interest = Interest.objects.get(proposal=project)
    assert (interest.students_offered, interest.status) == (6, "live")

    page.goto(f"{base}/university/")
    assert TITLE in page.locator("#interests").inner_text()
    log_out(page)

    log_in(page, base, "yuntu")
    page.goto(f"{base}/proposals/{project.public_id}/")
    page.click("#interests-link")
    page.wait_for_load_state()
    card = page.locator(f"#interest-{interest.public_id}")
    assert "东南大学" in card.inner_text() and STATEMENT in card.inner_text()
    card.locator("button[value=welcome]").click()
    page.wait_for_load_state()
    interest.refresh_from_db()
    assert interest.response == "welcome"
    assert page.locator(f"#interest-{interest.public_id} [data-response=welcome]").count() == 1
    assert page.locator(f"#interest-{interest.public_id} form.respond-form").count() == 1
