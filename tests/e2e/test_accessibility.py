"""WCAG 2.1 AA, as GB/T 37668-2019 asks of public websites: axe-core (vendored, injected only
here) finds no serious or critical violation on the pages of each role's journeys, in both
languages, at a desktop width and on a phone; no page scrolls sideways on the phone; and the
Chinese pages show no English word left untranslated (codes and the test's own data aside)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from accounts.models import UniversityCapacity
from projects.models import ShortlistEntry
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.steps import log_in
from tests.factories import (
    CallFactory,
    EmployerUserFactory,
    InterestFactory,
    IntroductionFactory,
    MinistryUserFactory,
    ProposalFactory,
    UniversityUserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.BASE_DIR) / "static" / "vendor" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SIZES = {"desktop": (1366, 900), "phone": (390, 844)}


def seed() -> dict[str, str]:
    """A round with a published project, a submitted proposal, an interest and an introduction:
    enough for every page below to show its content, not only its empty state."""
    MinistryUserFactory(username="moe")
    employer = EmployerUserFactory(username="yuntu")
    university = UniversityUserFactory(username="seu")
    call = CallFactory()
    project = ProposalFactory(
        call=call,
        employer=employer.employer,
        status="published",
        decided_at=timezone.now(),
        funding_cny=500000,
    )
    other = ProposalFactory(call=call, status="published", decided_at=timezone.now())
    submitted = ProposalFactory(
        call=call, employer=employer.employer, status="submitted", submitted_at=timezone.now()
    )
    UniversityCapacity.objects.create(
        university=university.university, project_type=project.project_type, places=50, projects=5
    )
    InterestFactory(proposal=project, university=university.university)
    introduction = IntroductionFactory(proposal=project, university=university.university)
    ShortlistEntry.objects.create(university=university.university, proposal=project)
    return {
        "project": str(project.public_id),
        "other": str(other.public_id),
        "submitted": str(submitted.public_id),
        "intro": str(introduction.public_id),
    }


def seeded_latin_words() -> set[str]:
    """Latin words in the data the test made (usernames, email addresses, factory text)."""
    from accounts.models import Employer, University, User
    from projects.models import Proposal

    texts = [*User.objects.values_list("username", "email"), *Employer.objects.values_list("name", "email")]
    texts += [*University.objects.values_list("name", "email")]
    texts += [
        *Proposal.objects.values_list("title", "summary", "description", "contact_email", "in_kind_support")
    ]
    return set(re.findall(LATIN_WORD, " ".join(str(v) for row in texts for v in row)))


def pages(ids: dict[str, str]) -> dict[str | None, list[str]]:
    return {
        None: [
            "/",
            "/projects/",
            f"/projects/{ids['project']}/",
            "/statistics/",
            "/accounts/login/",
            "/accounts/register/employer/",
            "/help/",
        ],
        "yuntu": [
            "/workbench/",
            "/proposals/",
            "/proposals/new/",
            f"/proposals/{ids['submitted']}/",
            f"/proposals/{ids['project']}/interests/",
            "/introductions/",
            f"/introductions/{ids['intro']}/",
            "/accounts/organisation/",
            "/accounts/inbox/",
        ],
        "seu": [
            "/workbench/",
            "/university/",
            "/recommended/",
            f"/projects/{ids['project']}/",
            "/projects/shortlist/",
            f"/projects/compare/?ids={ids['project']}&ids={ids['other']}",
            "/accounts/organisation/profile/",
            f"/introductions/{ids['intro']}/",
        ],
        "moe": [
            "/workbench/",
            "/review/",
            f"/review/{ids['submitted']}/",
            "/calls/",
            "/calls/new/",
            "/matching/",
            "/introductions/",
            "/dashboard/",
            "/accounts/organisations/",
        ],
    }


def serious(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_AA,
    )
    return [
        f"{v['id']} ({v['impact']}): {', '.join(str(n['target']) for n in v['nodes'][:3])}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


# What a Chinese page may show in Latin letters: codes, names and formats, not words to translate.
LATIN_ALLOWED = {
    "AI",
    "API",
    "PDF",
    "CSV",
    "Excel",
    "GPU",
    "CNY",
    "UTC",
    "QR",
    "ID",
    "English",
    "ai-",
}  # ai-: a call's short name
LATIN_WORD = r"[A-Za-z][A-Za-z'’-]{2,}"
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def english_words(page, allowed: set[str]) -> list[str]:
    """The Latin words of the page's visible text, less codes, names and the user's own data."""
    text = re.sub(UUID, " ", page.evaluate("document.body.innerText"))  # project numbers
    words = set(re.findall(LATIN_WORD, text))
    return sorted(words - LATIN_ALLOWED - allowed)


def overflow(page) -> int:
    """How far the page scrolls sideways, in CSS pixels (0: it fits the screen)."""
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


WIDEST = """() => {
  const edge = document.documentElement.clientWidth;
  return [...document.querySelectorAll("main *")]
    .filter(e => e.getBoundingClientRect().right > edge + 1 && !e.closest(".table"))
    .slice(-3).map(e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + "." + e.className);
}"""


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_journey_page_passes_axe_in_both_languages(browser, live_server, language, size):
    ids = seed()
    data_words = seeded_latin_words()
    found: dict[str, list[str]] = {}
    for username, paths in pages(ids).items():
        width, height = SIZES[size]
        context = browser.new_context(
            locale="zh-CN" if language == "zh-hans" else "en-US",
            viewport={"width": width, "height": height},
            bypass_csp=True,  # axe is injected by the test; the portal's own CSP forbids it
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.set_extra_http_headers({"Accept-Language": language})
        if username:
            log_in(page, live_server.url, username)
        for path in paths:
            response = page.goto(live_server.url + path)
            assert response.status == 200, f"{path} as {username}: {response.status}"
            problems = serious(page)
            if language == "zh-hans" and (words := english_words(page, data_words)):
                problems.append(f"untranslated: {words}")
            if size == "phone" and (wide := overflow(page)) > 0:
                problems.append(f"scrolls sideways by {wide}px: {page.evaluate(WIDEST)}")
            if problems:
                found[f"{username or 'anonymous'} {path}"] = problems
                ARTIFACTS.mkdir(exist_ok=True)
                page.screenshot(
                    path=ARTIFACTS
                    / f"a11y-{language}-{size}-{path.strip('/').replace('/', '_') or 'home'}.png"
                )
        context.close()
    assert found == {}
