"""The program cycle after matching, clicked through in both languages: staff propose
introductions from a run and send them; the university (arriving from its inbox) and the
employer accept; they record the cooperation agreement and a milestone; the employer reports the
outcomes, the university confirms them, staff accept them; the dashboard and the public
statistics show the change. Screenshots of each stage, the dashboard's among them, are kept."""

import pytest
from django.utils import timezone

from accounts.models import FocusArea, UniversityCapacity, UniversityStrength
from matching.models import Introduction, MatchRun, OutcomeReport
from matching.services import match_run_execute
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.steps import log_in, log_out, switch_language
from tests.factories import (
    CallFactory,
    EmployerUserFactory,
    MinistryUserFactory,
    ProposalFactory,
    UniversityUserFactory,
    plain_pdf,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VISION = "工业视觉质检就业实习基地"
PDF = plain_pdf()


def seed() -> MatchRun:
    staff = MinistryUserFactory(username="moe")
    call = CallFactory(name="2027 年人工智能领域批次")
    yuntu = EmployerUserFactory(username="yuntu", employer__name="南京云图智能科技有限公司")
    ProposalFactory(
        call=call,
        employer=yuntu.employer,
        title=VISION,
        student_places=40,
        partners_sought=1,
        areas={"cv.industrial_inspection": 3, "ml": 1},
        status="published",
        decided_at=timezone.now(),
    )
    seu = UniversityUserFactory(username="seu", university__name="东南大学", university__province="32")
    UniversityStrength.objects.bulk_create(
        UniversityStrength(university=seu.university, area=FocusArea.objects.get(code=code), weight=weight)
        for code, weight in (("cv", 0.9), ("ml", 0.6))
    )  # an area fit above the run's floor
    UniversityCapacity.objects.create(
        university=seu.university, project_type="internship_base", places=60, projects=2
    )
    run = MatchRun.objects.create(
        call=call, created_by=staff, weights={"area": 0.6, "capacity": 0.15, "region": 0.15, "interest": 0.1}
    )
    match_run_execute(run.pk)
    run.refresh_from_db()
    assert run.status == "succeeded" and run.summary["proposed"] == 1
    return run


def shot(page, request, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{request.node.name}-{name}.png", full_page=True)


def open_introduction(page, base: str) -> None:
    page.click("nav a[href='/introductions/']")
    page.wait_for_load_state()
    page.click(f"table.introductions a:has-text('{VISION}')")
    page.wait_for_load_state()


def submit(page, selector: str) -> None:
    page.click(selector)
    page.wait_for_load_state()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_staff_broker_an_introduction_and_follow_it_to_closure(page, live_server, language, request):
    base = live_server.url
    run = seed()
    page.goto(base + "/")
    switch_language(page, language)

    # Staff turn the run's proposed pair into an introduction and send it.
    log_in(page, base, "moe")
    page.goto(f"{base}/matching/runs/{run.public_id}/")
    submit(page, "#introduce-proposed")
    assert "status=proposed" in page.url
    page.check("table.introductions input[name=ids]")
    submit(page, "#bulk-selected")  # the confirmation states the count and the action
    assert page.locator("#bulk-summary").count() == 1
    page.fill("#id_message", "贵校与该项目方向契合，请双方于两周内答复。")
    submit(page, "#bulk-go")
    assert "/accounts/bulk/" in page.url and page.locator("#bulk-counts").count() == 1
    introduction = Introduction.objects.get()
    assert introduction.status == "sent" and introduction.candidate is not None
    shot(page, request, "sent")
    log_out(page)

    # The university finds it in its inbox and accepts: the employer's answer is still awaited.
    log_in(page, base, "seu")
    assert page.locator("#inbox-link .badge-count").inner_text() == "1"
    submit(page, "#inbox-link")
    submit(page, "main table a[href*='/inbox/']")
    assert page.url == f"{base}/introductions/{introduction.public_id}/"
    submit(page, "#accept-introduction")
    introduction.refresh_from_db()
    assert introduction.status == "sent" and introduction.university_response == "accepted"
    assert page.locator("#accept-introduction").count() == 0
    log_out(page)

    # The employer accepts too, records the signed agreement and a milestone, then the outcomes.
    log_in(page, base, "yuntu")
    open_introduction(page, base)
    submit(page, "#accept-introduction")
    introduction.refresh_from_db()
    assert introduction.status == "accepted"
    page.fill("#id_signed_on", timezone.localdate().isoformat())
    page.fill("#id_places_agreed", "30")
    page.fill("#id_funding_agreed_cny", "200000")
    page.set_input_files(
        "#id_document", files=[{"name": "合作协议.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    submit(page, "#record-agreement")
    introduction.refresh_from_db()
    assert introduction.status == "signed" and introduction.agreement.places_agreed == 30
    assert page.locator("#agreement a[href$='/agreement/document/']").count() == 1
    page.fill("#id_title", "首批 15 名学生进入产线实习")
    page.fill("#id_happened_on", timezone.localdate().isoformat())
    submit(page, "#record-milestone")
    introduction.refresh_from_db()
    assert introduction.status == "in_progress"

    page.fill("#id_students_trained", "28")
    page.fill("#id_interns_hosted", "15")
    page.fill("#id_graduates_hired", "50")
    page.fill("#id_narrative", "完成两期工业视觉质检实训。")
    submit(page, "#submit-outcome")
    assert page.locator("#id_graduates_hired ~ .field-error").count() == 1
    assert not OutcomeReport.objects.exists()
    page.fill("#id_graduates_hired", "9")
    submit(page, "#submit-outcome")
    report = OutcomeReport.objects.get()
    assert report.status == "submitted"
    log_out(page)

    log_in(page, base, "seu")
    open_introduction(page, base)
    submit(page, "#confirm-outcome")
    report.refresh_from_db()
    assert report.status == "confirmed"
    log_out(page)

    # Staff accept the report: the cooperation is closed and the figures count.
    log_in(page, base, "moe")
    page.goto(f"{base}/introductions/{introduction.public_id}/")
    submit(page, "#accept-outcome")
    introduction.refresh_from_db()
    assert introduction.status == "completed"
    introduction.proposal.refresh_from_db()
    assert introduction.proposal.stage == "completed"
    shot(page, request, "closed")

    # The dashboard's funnel reaches "completed"; its charts draw from the vendored Chart.js.
    page.click("nav a[href='/dashboard/']")
    page.wait_for_load_state()
    for step in ("published", "proposed", "sent", "accepted", "signed", "completed"):
        assert page.locator(f"#funnel-{step} td").first.inner_text() == "1", step
    page.wait_for_selector("figure[data-chart='chart-funnel']:not([hidden]) canvas")
    shot(page, request, "dashboard")

    # The public statistics, seen by anyone, count the students the cooperation benefited.
    log_out(page)
    page.click("nav a[href='/statistics/']")
    page.wait_for_load_state()
    assert page.locator("#employers-connected .figure").inner_text() == "1"
    assert page.locator("#universities-reached .figure").inner_text() == "1"
    assert page.locator("#students-benefited .figure").inner_text() == str(28 + 15)
    assert "南京云图" not in page.content() and VISION not in page.content()
    shot(page, request, "statistics")
