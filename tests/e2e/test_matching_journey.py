"""Ministry staff start a matching run, watch its progress bar reach 100 %, read the explained
results (by project, by university, the proposed introductions, filtered) and publish them; the
employer then finds the universities proposed for its project. A second journey watches the
progress bar move while a run works, driven by static/js/run-progress.js."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import FocusArea, UniversityCapacity, UniversityStrength
from matching.models import Candidate, MatchRun
from matching.services import parse_weights
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.steps import log_in, log_out, switch_language
from tests.factories import (
    CallFactory,
    EmployerFactory,
    EmployerUserFactory,
    MinistryUserFactory,
    ProposalFactory,
    UniversityUserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VISION = "工业视觉质检就业实习基地"
LANGUAGE = "智能客服对话实习基地"
ROBOTS = "视觉导航机器人实习基地"


def university(username: str, name: str, province: str, strengths: dict[str, float]):
    user = UniversityUserFactory(username=username, university__name=name, university__province=province)
    areas = {a.code: a for a in FocusArea.objects.filter(code__in=strengths)}
    UniversityStrength.objects.bulk_create(
        UniversityStrength(university=user.university, area=areas[code], weight=weight)
        for code, weight in strengths.items()
    )
    UniversityCapacity.objects.create(
        university=user.university, project_type="internship_base", places=40, projects=2
    )
    return user


def seed():
    MinistryUserFactory(username="moe")
    call = CallFactory(name="2027 年人工智能领域批次")
    yuntu = EmployerUserFactory(username="yuntu", employer__name="南京云图智能科技有限公司")
    others = EmployerFactory(name="广州视界科技有限公司")
    for title, employer, areas, province in [
        (VISION, yuntu.employer, {"cv.industrial_inspection": 3, "ml": 1}, "32"),
        (LANGUAGE, others, {"nlp": 1}, "11"),
        (ROBOTS, others, {"robotics": 1}, "44"),
    ]:
        ProposalFactory(
            call=call,
            employer=employer,
            title=title,
            areas=areas,
            host_province=province,
            status="published",
            decided_at=timezone.now(),
        )
    university("seu", "东南大学", "32", {"cv": 0.9, "ml": 0.6})
    university("buaa", "北京航空航天大学", "11", {"nlp": 0.8, "robotics": 0.7})
    university("scut", "华南理工大学", "44", {"robotics": 0.6, "cv": 0.4})
    return call


PLAIN = {
    "zh-hans": {"gap": "与理论最优的差距", "over": "学生名额超额的高校", "why": "未推荐原因"},
    "en": {
        "gap": "Quality of this choice",
        "over": "Universities over their student places",
        "why": "Proposed, or why not",
    },
}


def read_the_plain_language_summary(page, run: MatchRun, language: str) -> None:
    """The run page says in plain words how good the choice is, that no university is over
    its places, who it reaches, and why each candidate not proposed was not."""
    words, text = PLAIN[language], page.locator("main").inner_text()
    assert words["gap"] in page.locator("#run-gap").inner_text()
    assert words["over"] in page.locator("#over-places").inner_text()
    assert page.locator("#over-places-count").inner_text() == "0"
    assert page.locator("#coverage-regions tbody tr").count() >= 7
    assert page.locator("#coverage-tiers tbody tr").count() >= 1
    assert "OR-Tools" not in text and "min-cost flow" not in text
    assert words["why"] in page.locator("#run-results").inner_text()
    # Three projects and three universities: every candidate is on the first page.
    not_proposed = Candidate.objects.filter(run=run, proposed=False).count()
    assert page.locator("#run-results td.why .reason").count() == not_proposed > 0


def shot(page, request, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{request.node.name}-{name}.png", full_page=True)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_staff_run_matching_watch_it_finish_read_the_results_and_publish(
    page, live_server, language, request
):
    base = live_server.url
    call = seed()
    page.goto(base + "/")
    switch_language(page, language)
    log_in(page, base, "moe")

    page.click("nav a[href='/matching/']")
    page.wait_for_load_state()
    assert page.locator("#id_call").input_value() == call.slug
    assert page.locator("#id_area").input_value() == "0.6"
    page.fill("#id_k", "10")
    page.click("#start-run-button")
    page.wait_for_load_state()

    run = MatchRun.objects.get()
    assert page.url == f"{base}/matching/runs/{run.public_id}/"
    # Celery runs eagerly here: the run finished while the form was posted.
    assert page.locator("#run-progress-bar").get_attribute("value") == "100"
    assert page.locator("#run-status-badge").get_attribute("class") == "badge badge-run-succeeded"
    state = page.request.get(f"{base}/matching/runs/{run.public_id}/progress.json").json()
    assert state == {"status": "succeeded", "progress": 100, "error": ""}
    run.refresh_from_db()
    assert page.locator("#figure-proposed").inner_text() == str(run.summary["proposed"])
    assert page.locator("#figure-candidates").inner_text() == str(run.summary["candidates"])
    read_the_plain_language_summary(page, run, language)
    shot(page, request, "run")

    groups = page.locator("#run-results section.result-group h3 a")
    assert sorted(groups.all_inner_texts()) == sorted([VISION, LANGUAGE, ROBOTS])
    vision = page.locator("section.result-group", has=page.locator(f"h3 a:has-text('{VISION}')"))
    assert vision.locator("tbody tr").first.locator("td").nth(1).inner_text().startswith("东南大学")
    assert vision.locator(".badge-proposed").count() >= 1

    page.click("#tab-universities")
    page.wait_for_load_state()
    assert "view=universities" in page.url
    assert page.locator("#run-results section.result-group").count() == 3
    page.click("#tab-proposed")
    page.wait_for_load_state()
    assert page.locator("#proposed-list tbody tr.proposed").count() == run.summary["proposed"]

    page.click("#tab-projects")
    page.wait_for_load_state()
    page.fill("#id_project", "视觉")
    page.select_option("#id_area", "cv")
    page.click("#apply-result-filters")
    page.wait_for_load_state()
    assert "project=" in page.url and "area=cv" in page.url
    assert page.locator("#run-results section.result-group h3 a").all_inner_texts() == [VISION]
    shot(page, request, "results")

    page.click("#publish-run")
    page.wait_for_load_state()
    run.refresh_from_db()
    assert run.published_at is not None
    assert page.locator("#publish-run").count() == 0
    assert page.locator("#publish .notice").count() == 1
    page.click("nav a[href='/matching/']")
    page.wait_for_load_state()
    row = page.locator("#run-history tbody tr").first
    assert row.locator(".badge-run-succeeded").count() == 1 and row.locator(".badge-published").count() == 1
    assert row.locator("progress").get_attribute("value") == "100"
    shot(page, request, "history")
    log_out(page)

    log_in(page, base, "yuntu")
    page.click("nav a[href='/matching/my-projects/']")
    page.wait_for_load_state()
    proposed = Candidate.objects.filter(run=run, proposed=True, proposal__title=VISION).select_related(
        "university"
    )
    section = page.locator("section.result-group", has=page.locator(f"h2 a:has-text('{VISION}')"))
    for candidate in proposed:
        assert candidate.university.name in section.inner_text()
    section.locator(f"h2 a:has-text('{VISION}')").click()
    page.wait_for_load_state()
    assert page.locator("#proposed-universities li.recommendation").count() == proposed.count()
    shot(page, request, "employer")
    log_out(page)

    log_in(page, base, "seu")
    page.click("nav a[href='/matching/my-proposals/']")
    page.wait_for_load_state()
    mine = Candidate.objects.filter(run=run, proposed=True, university__name="东南大学")
    assert page.locator("#proposed-projects li.recommendation").count() == mine.count() > 0
    assert VISION in page.locator("#proposed-projects").inner_text()
    shot(page, request, "university")


def test_the_progress_bar_follows_a_running_run_and_the_page_shows_the_results_when_it_ends(
    page, live_server, request
):
    base = live_server.url
    call = seed()
    run = MatchRun.objects.create(call=call, weights=parse_weights(None), status="running", progress=15)
    log_in(page, base, "moe")
    page.goto(f"{base}/matching/runs/{run.public_id}/")
    bar = page.locator("#run-progress-bar")
    assert bar.get_attribute("value") == "15"
    assert page.locator("#reload-hint").is_hidden()  # the script polls instead

    MatchRun.objects.filter(pk=run.pk).update(progress=60)
    # Polled from here: the page's CSP forbids the eval that wait_for_function would use.
    expect(bar).to_have_attribute("value", "60", timeout=10_000)
    assert page.locator("#run-status-text [data-percent]").inner_text() == "60"
    shot(page, request, "running")

    MatchRun.objects.filter(pk=run.pk).update(
        status="succeeded",
        progress=100,
        finished_at=timezone.now(),
        summary={
            "projects": 3,
            "universities": 3,
            "interests": 0,
            "candidates": 0,
            "proposed": 0,
            "objective": 0,
            "greedy_objective": 0,
            "over_places": [],
        },
        timings={"load": 0.01},
    )
    page.wait_for_selector("#run-summary")  # the page reloaded itself
    assert page.locator("#run-progress-bar").get_attribute("value") == "100"
    assert page.locator("#publish-run").count() == 1
