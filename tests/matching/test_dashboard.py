"""The ministry's dashboard, the public statistics page and the stats API.

A small round in two calls, written down below as plain specifications: every figure the
selectors, the pages and the API report is checked against what plain Python computes from
those specifications (never by repeating the selectors' queries). Then the persona matrix,
what the public pages must not show, the query bound and bad input."""

from collections import defaultdict
from datetime import timedelta
from html.parser import HTMLParser
from statistics import fmean, median
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.provinces import PROVINCES
from matching.dashboard import figures
from matching.models import Candidate, MatchRun
from projects.models import Call
from tests.factories import (
    AgreementFactory,
    CallFactory,
    EmployerFactory,
    EmployerUserFactory,
    InterestFactory,
    IntroductionFactory,
    OutcomeReportFactory,
    ProposalFactory,
    UniversityFactory,
    UniversityUserFactory,
)
from tests.matching.conftest import set_profile

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("stats:dashboard")
PUBLIC = reverse("stats:public")
API_PUBLIC = reverse("stats")
API_DASHBOARD = reverse("stats-dashboard")
LOGIN = reverse("accounts:login")
# Every query the dashboard page makes, whatever the round's size (see the bound test).
DASHBOARD_QUERIES = 23   # one of them: the staff member's second factor, looked up each request

TOP_AREAS = ["algorithms", "ml", "nlp", "cv", "robotics", "tools"]
TYPES = ["directed_training", "internship_base", "workforce_development"]
COUNTED = {"accepted", "signed", "in_progress", "completed"}
SIGNED = {"signed", "in_progress", "completed"}
LIVE = {"live", "introduced"}

# name: (employer, province)
EMPLOYERS = {
    "E1": ("深蓝视觉科技有限公司", "32"),
    "E2": ("星河语言智能有限公司", "11"),
    "E3": ("东方机器人研究院", "44"),
    "E4": ("南海数据服务有限公司", "46"),
}
# name: (university, province, status, strengths, capacity {type: (places, projects)})
UNIVERSITIES = {
    "U1": ("北京智算大学", "11", "verified", {"cv": 0.6, "cv.medical_imaging": 0.9, "ml": 0.4},
           {"internship_base": (30, 2), "directed_training": (20, 1)}),
    "U2": ("江南工学院", "32", "verified", {"nlp": 0.8, "nlp.speech": 0.5},
           {"internship_base": (40, 3)}),
    "U3": ("岭南理工大学", "44", "verified", {"robotics.industrial": 0.7, "cv.industrial_inspection": 0.3},
           {"workforce_development": (25, 2), "internship_base": (15, 1)}),
    "U4": ("蜀地科技大学", "51", "verified", {"ml.deep_learning": 0.5, "ml": 0.2, "tools": 1.0},
           {"directed_training": (60, 2)}),
    "U5": ("东北工业大学", "21", "verified", {}, {"internship_base": (10, 1)}),
    "U6": ("西域师范学院", "65", "pending", {"cv": 1.0}, {"internship_base": (500, 5)}),
    "U7": ("河西大学", "62", "verified", {"cv.video_analytics": 0.4}, {"internship_base": (12, 1)}),
}
# name: (call, employer, status, type, places, province, areas, submitted)
PROJECTS = {
    "D1": ("A", "E1", "draft", "internship_base", 40, "32", {"cv": 1}, False),
    "S1": ("A", "E2", "submitted", "directed_training", 30, "11", {"nlp": 1}, True),
    "R1": ("A", "E3", "returned", "internship_base", 20, "44", {"robotics": 1}, True),
    "X1": ("A", "E1", "rejected", "internship_base", 20, "32", {"cv": 1}, True),
    "W1": ("A", "E2", "withdrawn", "workforce_development", 10, "11", {"ml": 1}, True),
    "P1": ("A", "E1", "published", "internship_base", 40, "32", {"cv": 3, "cv.medical_imaging": 1}, True),
    "P2": ("A", "E1", "published", "directed_training", 30, "11", {"cv.medical_imaging": 1, "ml": 1}, True),
    "P3": ("A", "E2", "published", "internship_base", 25, "44", {"nlp": 1}, True),
    "P4": ("A", "E2", "published", "workforce_development", 60, "32",
           {"robotics.industrial": 2, "tools": 1, "ml.deep_learning": 1}, True),
    "P5": ("A", "E3", "published", "internship_base", 10, "51", {"robotics": 1}, True),
    "P6": ("A", "E3", "published", "directed_training", 80, "44", {"ml": 1}, True),
    "P7": ("A", "E1", "published", "internship_base", 15, "11", {"cv": 1}, True),
    "P8": ("A", "E2", "published", "workforce_development", 20, "65", {"tools.coding": 1}, True),
    "Q1": ("B", "E1", "published", "internship_base", 50, "32", {"nlp.speech": 1}, True),
    "Q2": ("B", "E3", "published", "directed_training", 20, "21", {"cv": 1, "ml": 1}, True),
    "Q3": ("B", "E2", "submitted", "internship_base", 35, "11", {"nlp": 1}, True),
    "Q4": ("B", "E4", "published", "workforce_development", 45, "46", {"tools": 1}, True),
}
# (project, university, status)
INTERESTS = [("P1", "U2", "live"), ("P1", "U5", "live"), ("P2", "U3", "introduced"),
             ("P3", "U1", "withdrawn"), ("P3", "U5", "live"), ("P8", "U4", "live"),
             ("P6", "U7", "live"), ("Q1", "U5", "introduced")]
# name: (project, university, status, sent (hours before T0, None: never sent),
#        employer answered (hours after sending), university answered, outcome report)
INTRODUCTIONS = {
    "I1": ("P1", "U1", "proposed", None, None, None, None),
    "I2": ("P1", "U2", "sent", 0, None, 10, None),
    "I3": ("P2", "U1", "sent", 0, None, None, None),
    "I4": ("P2", "U3", "accepted", 0, 5, 20, None),
    "I5": ("P3", "U2", "declined", 0, 30, None, None),
    "I6": ("P3", "U4", "expired", 360, None, None, None),
    "I7": ("P3", "U4", "accepted", 0, 2, 4, None),
    "I8": ("P4", "U1", "cancelled", None, None, None, None),
    "I9": ("P4", "U2", "signed", 0, 1, 3, None),
    "I10": ("P5", "U3", "in_progress", 0, 8, 6, ("submitted", 40, 40, 0)),
    "I11": ("P6", "U4", "completed", 0, 50, 70, ("accepted", 12, 7, 5)),
    "I12": ("P6", "U7", "proposed", None, None, None, None),
    "J1": ("Q1", "U5", "completed", 9000, 1, 1, ("accepted", 30, 0, 10)),
    "J2": ("Q2", "U1", "completed", 9000, 1, 1, ("returned", 99, 99, 1)),
    "J3": ("Q4", "U2", "declined", 9000, 3, None, None),
}
# run: (call, status, finished (hours before T0), proposed pairs)
RUNS = {
    "old": ("A", "succeeded", 48, [("P8", "U3"), ("P2", "U4")]),
    "latest": ("A", "succeeded", 24, [("P7", "U5"), ("P1", "U1"), ("P2", "U3")]),
    "failed": ("A", "failed", 1, [("P8", "U1")]),
}
CONTACT = {"person": "赵敏", "phone": "13911112222"}


def top(code: str) -> str:
    return code.split(".")[0]


@pytest.fixture(autouse=True)
def _english_pages(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def world(db):
    """The round above, in the database; returns the specifications with the objects made."""
    t0 = timezone.now() - timedelta(days=2)
    calls = {"A": CallFactory(name="2027 年人工智能领域第一批", slug="ai-2027-a"),
             "B": CallFactory(name="2026 年人工智能领域", slug="ai-2026", year=2026,
                              opens_at=t0 - timedelta(days=400), closes_at=t0 - timedelta(days=370))}
    employers = {key: EmployerFactory(name=name, province=province, email=f"{key.lower()}@corp.example.cn",
                                      contact_person=CONTACT["person"], phone=CONTACT["phone"])
                 for key, (name, province) in EMPLOYERS.items()}
    universities = {}
    for key, (name, province, status, strengths, capacity) in UNIVERSITIES.items():
        universities[key] = set_profile(
            UniversityFactory(name=name, province=province, status=status, contact_person=CONTACT["person"],
                              phone=CONTACT["phone"], email=f"{key.lower()}@campus.example.edu.cn"),
            strengths, capacity)
    projects = {}
    for key, (call, employer, status, kind, places, province, areas, submitted) in PROJECTS.items():
        projects[key] = ProposalFactory(
            call=calls[call], employer=employers[employer], status=status, project_type=kind,
            student_places=places, host_province=province, areas=areas, title=f"保密项目标题{key}",
            contact_person=CONTACT["person"], contact_phone=CONTACT["phone"],
            contact_email=f"{key.lower()}@project.example.cn",
            submitted_at=t0 - timedelta(days=30) if submitted else None)
    for project, university, status in INTERESTS:
        InterestFactory(proposal=projects[project], university=universities[university], status=status,
                        contact_email="interest@campus.example.edu.cn")
    for project, university, status, sent, employer_h, university_h, outcome in INTRODUCTIONS.values():
        sent_at = None if sent is None else t0 - timedelta(hours=sent)
        introduction = IntroductionFactory(
            proposal=projects[project], university=universities[university], status=status,
            sent_at=sent_at, expires_at=None if sent_at is None else sent_at + timedelta(days=14),
            employer_responded_at=None if employer_h is None else sent_at + timedelta(hours=employer_h),
            university_responded_at=None if university_h is None else sent_at + timedelta(hours=university_h))
        if status in SIGNED:
            AgreementFactory(introduction=introduction)
        if outcome:
            report_status, trained, hosted, hired = outcome
            OutcomeReportFactory(introduction=introduction, status=report_status, students_trained=trained,
                                 interns_hosted=hosted, graduates_hired=hired)
    for call, status, finished, pairs in RUNS.values():
        run = MatchRun.objects.create(call=calls[call], status=status, weights={}, progress=100,
                                      finished_at=t0 - timedelta(hours=finished))
        Candidate.objects.bulk_create(
            Candidate(run=run, proposal=projects[p], university=universities[u], score=0.5, area_fit=0.5,
                      capacity_fit=0.5, region=0.5, interest=0.0, rank=rank, proposed=True)
            for rank, (p, u) in enumerate(pairs, start=1))
        # A candidate not proposed never counts.
        Candidate.objects.create(run=run, proposal=projects["P3"], university=universities["U3"],
                                 score=0.1, area_fit=0, capacity_fit=0, region=0, interest=0, rank=9)
    return SimpleNamespace(calls=calls, employers=employers, universities=universities, projects=projects)


# --- the figures, worked out in plain Python from the specifications -----------------------------

def published(call: str | None) -> list[str]:
    return [key for key, spec in PROJECTS.items()
            if spec[2] == "published" and (call is None or spec[0] == call)]


def expected_funnel(call: str) -> list[tuple[str, int, int | None]]:
    mine = [key for key, spec in PROJECTS.items() if spec[0] == call]
    intros = [spec for spec in INTRODUCTIONS.values() if PROJECTS[spec[0]][0] == call]
    latest = max((r for r in RUNS.values() if r[0] == call and r[1] == "succeeded"),
                 key=lambda r: -r[2], default=None)
    run_pairs = set(latest[3]) if latest else set()
    reached = {
        "sent": [i for i in intros if i[3] is not None],
        "accepted": [i for i in intros if i[2] in COUNTED],
        "signed": [i for i in intros if i[2] in SIGNED],
        "completed": [i for i in intros if i[2] == "completed"],
    }
    live = {p for p, _u, status in INTERESTS if status in LIVE}
    proposed_pairs = run_pairs | {(i[0], i[1]) for i in intros}
    steps = [
        ("submitted", sum(PROJECTS[k][7] for k in mine), None),
        ("published", len([k for k in mine if PROJECTS[k][2] == "published"]), None),
        ("interest", len([k for k in mine if PROJECTS[k][2] == "published" and k in live]), None),
        ("proposed", len({p for p, _u in proposed_pairs}), len(proposed_pairs)),
    ]
    for step, rows in reached.items():
        steps.append((step, len({i[0] for i in rows}), len({(i[0], i[1]) for i in rows})))
    return steps


def expected_groups(call: str | None) -> dict[str, dict[str, tuple[int, int]]]:
    by = {"area": defaultdict(lambda: [0, 0]), "type": defaultdict(lambda: [0, 0]),
          "province": defaultdict(lambda: [0, 0])}
    for key in published(call):
        _c, _e, _s, kind, places, province, areas, _sub = PROJECTS[key]
        for group, codes in [("type", {kind}), ("province", {province}),
                             ("area", {top(code) for code in areas})]:
            for code in codes:
                by[group][code][0] += 1
                by[group][code][1] += places
    return {group: {code: tuple(v) for code, v in rows.items()} for group, rows in by.items()}


def verified() -> list[str]:
    return [key for key, spec in UNIVERSITIES.items() if spec[2] == "verified"]


def expected_supply_demand(call: str) -> tuple[dict, dict]:
    provinces, areas = defaultdict(lambda: [0.0, 0.0]), {code: [0.0, 0.0] for code in TOP_AREAS}
    for key in published(call):
        _c, _e, _s, _kind, places, province, weights, _sub = PROJECTS[key]
        provinces[province][0] += places
        total = sum(weights.values())
        for code, weight in weights.items():
            areas[top(code)][0] += places * weight / total
    for key in verified():
        _n, province, _s, strengths, capacity = UNIVERSITIES[key]
        places = sum(p for p, _projects in capacity.values())
        provinces[province][1] += places
        for area in TOP_AREAS:
            own = [w for code, w in strengths.items() if top(code) == area]
            areas[area][1] += places * max(own, default=0)
    return dict(provinces), areas


def expected_unintroduced(call: str) -> list[str]:
    reached = {spec[1] for spec in INTRODUCTIONS.values()
               if PROJECTS[spec[0]][0] == call and spec[2] != "proposed"}
    return sorted(UNIVERSITIES[u][0] for u in verified() if u not in reached)


def expected_response_times(call: str) -> dict[str, tuple]:
    rows = {}
    intros = [i for i in INTRODUCTIONS.values() if PROJECTS[i[0]][0] == call and i[3] is not None]
    for side, index in [("employer", 4), ("university", 5)]:
        hours = [i[index] for i in intros if i[index] is not None]
        pending = len([i for i in intros if i[2] == "sent" and i[index] is None])
        rows[side] = (len(hours), pending, round(median(hours), 1) if hours else None,
                      round(fmean(hours), 1) if hours else None)
    return rows


def expected_public() -> dict:
    counted = [i for i in INTRODUCTIONS.values() if i[2] in COUNTED]
    return {
        "employers_connected": len({PROJECTS[i[0]][1] for i in counted}),
        "universities_reached": len({i[1] for i in counted}),
        "projects": len(published(None)),
        "students_benefited": sum(i[6][1] + i[6][2] for i in INTRODUCTIONS.values()
                                  if i[6] and i[6][0] == "accepted"),
    }


# --- the selectors ------------------------------------------------------------------------------

def rows_by_code(rows) -> dict:
    return {row.code: (row.projects, row.places) for row in rows}


@pytest.mark.parametrize("call", ["A", "B"])
def test_every_dashboard_figure_matches_the_round(world, call):
    data = figures.dashboard(world.calls[call])
    assert [(s.code, s.projects, s.pairs) for s in data.funnel] == expected_funnel(call)

    groups = expected_groups(call)
    assert rows_by_code(data.by_area) == {code: groups["area"].get(code, (0, 0)) for code in TOP_AREAS}
    assert rows_by_code(data.by_type) == {code: groups["type"].get(code, (0, 0)) for code in TYPES}
    assert rows_by_code(data.by_province) == groups["province"]
    assert [row.code for row in data.by_province] == sorted(groups["province"])
    assert {row.code: row.label for row in data.by_province} == {
        code: PROVINCES[code].name_en for code in groups["province"]}

    provinces, areas = expected_supply_demand(call)
    for rows, expected in [(data.supply_demand.by_province, provinces), (data.supply_demand.by_area, areas)]:
        assert {row.code for row in rows} == set(expected)
        for row in rows:
            demand, supply = expected[row.code]
            assert (row.demand, row.supply, row.gap) == pytest.approx(
                (demand, supply, demand - supply), abs=0.11), row.code
            assert row.shortfall is (demand > supply), row.code

    assert data.unintroduced.count == len(expected_unintroduced(call))
    assert [u.name for u in data.unintroduced.universities] == expected_unintroduced(call)

    assert {r.side: (r.answered, r.pending, r.median_hours, r.mean_hours)
            for r in data.response_times} == expected_response_times(call)


def test_the_round_exercises_every_case(world):
    """The figures above would pass vacuously on an empty round: check the round has what the
    definitions distinguish."""
    steps = dict((code, (projects, pairs)) for code, projects, pairs in expected_funnel("A"))
    assert steps["proposed"][1] > steps["sent"][1] > steps["accepted"][1] > steps["completed"][1] > 0
    _provinces, areas = expected_supply_demand("A")
    assert any(d > s for d, s in areas.values()) and any(0 < d <= s for d, s in areas.values())
    assert {spec[2] for spec in INTRODUCTIONS.values()} == {
        "proposed", "sent", "accepted", "declined", "expired", "cancelled", "signed", "in_progress",
        "completed"}


def test_unintroduced_universities_carry_their_live_interests_in_the_call(world):
    rows = {u.name: u.call_interests for u in figures.universities_without_introduction(
        world.calls["A"]).universities}
    expected = {UNIVERSITIES[u][0]: len([1 for p, uu, status in INTERESTS
                                         if uu == u and status in LIVE and PROJECTS[p][0] == "A"])
                for u in verified()}
    assert rows == {name: expected[name] for name in expected_unintroduced("A")}


def test_public_figures_cover_every_call(world):
    data = figures.public_figures()
    expected = expected_public()
    assert {key: getattr(data, key) for key in expected} == expected
    groups = expected_groups(None)
    assert rows_by_code(data.by_area) == {code: groups["area"].get(code, (0, 0)) for code in TOP_AREAS}
    assert rows_by_code(data.by_type) == {code: groups["type"].get(code, (0, 0)) for code in TYPES}
    assert rows_by_code(data.by_province) == groups["province"]


def test_public_figures_are_cached_for_five_minutes(world, api_for, django_assert_num_queries):
    api = api_for(None)
    first = api.get(API_PUBLIC).json()
    ProposalFactory(status="published", call=world.calls["A"])
    with django_assert_num_queries(0):
        again = api.get(API_PUBLIC).json()
    assert again == first
    assert figures.PUBLIC_CACHE_SECONDS == 300


def test_a_call_without_a_run_or_introductions_has_an_empty_tail(db):
    call = CallFactory()
    ProposalFactory(call=call, status="published", submitted_at=timezone.now())
    steps = {s.code: (s.projects, s.pairs) for s in figures.funnel(call)}
    assert steps == {"submitted": (1, None), "published": (1, None), "interest": (0, None),
                     "proposed": (0, 0), "sent": (0, 0), "accepted": (0, 0), "signed": (0, 0),
                     "completed": (0, 0)}
    assert [(r.side, r.answered, r.median_hours) for r in figures.response_times(call)] == [
        ("employer", 0, None), ("university", 0, None)]


# --- the pages and the API show the same figures ------------------------------------------------

class Tables(HTMLParser):
    """Each table's caption and rows of cell texts."""

    def __init__(self, html: str):
        super().__init__()
        self.tables, self._cell, self._in_caption = [], None, False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append({"caption": "", "rows": []})
        elif tag == "caption":
            self._in_caption = True
        elif tag == "tr" and self.tables:
            self.tables[-1]["rows"].append([])
        elif tag in ("td", "th") and self.tables:
            self._cell = ""

    def handle_endtag(self, tag):
        if tag == "caption":
            self._in_caption = False
        elif tag in ("td", "th") and self._cell is not None:
            self.tables[-1]["rows"][-1].append(" ".join(self._cell.split()))
            self._cell = None

    def handle_data(self, data):
        if self._in_caption:
            self.tables[-1]["caption"] += data
        elif self._cell is not None:
            self._cell += data

    def rows(self, caption: str) -> list[list[str]]:
        """The body rows of the table whose caption contains `caption`."""
        table = next(t for t in self.tables if caption in t["caption"])
        return [row for row in table["rows"][1:] if row]


def test_the_dashboard_page_shows_the_call_chosen(world, client_for, ministry):
    page = client_for(ministry).get(DASHBOARD, {"call": "ai-2026"})
    assert page.status_code == 200
    tables = Tables(page.content.decode())
    funnel = tables.rows("Projects of the call reaching each step")
    assert [(int(row[1]), None if row[2] == "—" else int(row[2])) for row in funnel] == [
        (projects, pairs) for _code, projects, pairs in expected_funnel("B")]
    by_type = expected_groups("B")["type"]
    assert [row[1:] for row in tables.rows("Published projects and student places by project type")] == [
        [str(n) for n in by_type.get(code, (0, 0))] for code in TYPES]
    assert [row[0] for row in tables.rows(", by name")] == expected_unintroduced("B")


def test_the_dashboard_defaults_to_the_current_call(world, client_for, ministry):
    page = client_for(ministry).get(DASHBOARD)
    assert page.status_code == 200
    assert page.context["call"] == world.calls["A"]
    tables = Tables(page.content.decode())
    funnel = tables.rows("Projects of the call reaching each step")
    assert [int(row[1]) for row in funnel] == [projects for _c, projects, _p in expected_funnel("A")]
    provinces, _areas = expected_supply_demand("A")
    marked = {row[0] for row in tables.rows("Student places by province")
              if row[0].endswith("Demand outruns supply")}
    assert marked == {f"{PROVINCES[code].name_en} Demand outruns supply"
                      for code, (demand, supply) in provinces.items() if demand > supply}
    times = expected_response_times("A")
    assert tables.rows("Answers to sent introductions") == [
        [label, str(times[side][0]), str(times[side][1]), f"{times[side][2]:.1f}", f"{times[side][3]:.1f}"]
        for side, label in [("employer", "Employers"), ("university", "Universities")]]
    assert 'id="chart-funnel" type="application/json"' in page.content.decode()


def test_the_dashboard_speaks_chinese(world, client_for, ministry):
    page = client_for(ministry).get(DASHBOARD, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200
    assert PROVINCES["32"].name_zh in page.content.decode()


def test_the_dashboard_api_matches_the_round(world, api_for, ministry):
    body = api_for(ministry).get(API_DASHBOARD, {"call": "ai-2027-a"}).json()
    assert body["call"] == {"slug": "ai-2027-a", "name": world.calls["A"].name}
    assert [(s["code"], s["projects"], s["pairs"]) for s in body["funnel"]] == expected_funnel("A")
    groups = expected_groups("A")
    for key, group, codes in [("by_area", "area", TOP_AREAS), ("by_type", "type", TYPES),
                              ("by_province", "province", sorted(groups["province"]))]:
        assert {r["code"]: (r["projects"], r["places"]) for r in body[key]} == {
            code: groups[group].get(code, (0, 0)) for code in codes}
    provinces, areas = expected_supply_demand("A")
    for key, expected in [("by_province", provinces), ("by_area", areas)]:
        rows = body["supply_demand"][key]
        assert {r["code"]: r["shortfall"] for r in rows} == {c: d > s for c, (d, s) in expected.items()}
        for row in rows:
            assert (row["demand"], row["supply"]) == pytest.approx(expected[row["code"]], abs=0.06)
    unintroduced = body["universities_without_introduction"]
    assert unintroduced["count"] == len(expected_unintroduced("A"))
    assert [u["name"] for u in unintroduced["universities"]] == expected_unintroduced("A")
    assert {r["side"]: (r["answered"], r["pending"], r["median_hours"], r["mean_hours"])
            for r in body["response_times"]} == expected_response_times("A")


def test_the_public_page_and_api_show_the_headline_figures(world, client_for, api_for):
    expected = expected_public()
    body = api_for(None).get(API_PUBLIC).json()
    assert {key: body[key] for key in expected} == expected
    groups = expected_groups(None)
    assert {r["code"]: (r["projects"], r["places"]) for r in body["by_province"]} == groups["province"]
    assert all(set(row) == {"code", "label", "projects", "places"}
               for key in ("by_area", "by_type", "by_province") for row in body[key])
    page = client_for(None).get(PUBLIC)
    html = page.content.decode()
    for card, key in [("employers-connected", "employers_connected"),
                      ("universities-reached", "universities_reached"), ("projects", "projects"),
                      ("students-benefited", "students_benefited")]:
        assert f'id="{card}"' in html
        assert f'<p class="figure">{expected[key]}</p>' in html.split(f'id="{card}"')[1].split("</div>")[0]
    assert Tables(html).rows("Published projects and student places by focus area")[3][1:] == [
        str(n) for n in groups["area"]["cv"]]


def test_the_public_page_and_api_leak_nothing_private(world, client_for, api_for, employer, university):
    private = [name for name, *_rest in EMPLOYERS.values()] + [spec[0] for spec in UNIVERSITIES.values()]
    private += [p.title for p in world.projects.values()] + [p.contact_email for p in world.projects.values()]
    private += [e.email for e in world.employers.values()] + [u.email for u in world.universities.values()]
    private += [CONTACT["person"], CONTACT["phone"], "interest@campus.example.edu.cn"]
    private += [str(p.public_id) for p in world.projects.values()]
    private += [str(u.public_id) for u in world.universities.values()]
    for user in (None, employer, university):
        for response in (client_for(user).get(PUBLIC), api_for(user).get(API_PUBLIC)):
            assert response.status_code == 200
            body = response.content.decode()
            assert [text for text in private if text in body] == [], response.request["PATH_INFO"]


# --- who may see what ---------------------------------------------------------------------------

PERSONAS = ["anonymous", "employer", "university", "ministry"]


@pytest.mark.parametrize("persona, expected", [
    ("anonymous", 302), ("employer", 403), ("university", 403), ("ministry", 200)])
def test_only_ministry_staff_see_the_dashboard(world, client_for, request, persona, expected):
    response = client_for(request.getfixturevalue(persona)).get(DASHBOARD)
    assert response.status_code == expected
    if persona == "anonymous":
        assert response.url.startswith(LOGIN)


@pytest.mark.parametrize("persona", PERSONAS)
def test_anyone_sees_the_public_statistics(world, client_for, api_for, request, persona):
    user = request.getfixturevalue(persona)
    assert client_for(user).get(PUBLIC).status_code == 200
    assert api_for(user).get(API_PUBLIC).status_code == 200


@pytest.mark.parametrize("persona, expected", [
    ("anonymous", 401), ("employer", 403), ("university", 403), ("ministry", 200)])
def test_only_ministry_staff_get_the_dashboard_figures(world, api_for, request, persona, expected):
    response = api_for(request.getfixturevalue(persona)).get(API_DASHBOARD)
    assert response.status_code == expected
    if expected != 200:
        assert "funnel" not in response.json()


def test_a_pending_or_rejected_organisation_is_refused_too(world, client_for, api_for):
    for user in (EmployerUserFactory(employer__status="pending"),
                 UniversityUserFactory(university__status="rejected")):
        assert client_for(user).get(DASHBOARD).status_code == 403
        assert api_for(user).get(API_DASHBOARD).status_code == 403


# --- bad input and empty rounds -----------------------------------------------------------------

def test_an_unknown_call_is_explained_not_a_server_error(world, client_for, api_for, ministry):
    page = client_for(ministry).get(DASHBOARD, {"call": "no-such-round"})
    assert page.status_code == 400
    assert 'id="unknown-call"' in page.content.decode() and "no-such-round" in page.content.decode()
    assert 'name="call"' in page.content.decode()
    hostile = client_for(ministry).get(DASHBOARD, {"call": "<script>alert(1)</script>"})
    assert hostile.status_code == 400
    assert b"<script>alert(1)" not in hostile.content
    response = api_for(ministry).get(API_DASHBOARD, {"call": "no-such-round"})
    assert response.status_code == 400
    assert list(response.json()) == ["call"] and "no-such-round" in response.json()["call"][0]


def test_without_any_call_the_pages_say_so(db, client_for, api_for, ministry):
    page = client_for(ministry).get(DASHBOARD)
    assert page.status_code == 200
    assert 'id="no-call"' in page.content.decode()
    assert api_for(ministry).get(API_DASHBOARD).status_code == 404
    assert client_for(None).get(PUBLIC).status_code == 200
    body = api_for(None).get(API_PUBLIC).json()
    assert (body["projects"], body["students_benefited"], body["by_province"]) == (0, 0, [])


def test_a_page_past_the_end_shows_the_last_page(world, client_for, ministry):
    page = client_for(ministry).get(DASHBOARD, {"call": "ai-2027-a", "page": "99"})
    assert page.status_code == 200
    assert page.context["page"].number == 1


# --- query bound --------------------------------------------------------------------------------

def grow(world, n: int) -> None:
    """n more published projects in call A, each with an interest and introductions in several
    statuses, 2n more verified universities with profiles, and a newer run."""
    call = world.calls["A"]
    run = MatchRun.objects.create(call=call, status="succeeded", weights={},
                                  finished_at=timezone.now())
    for i in range(n):
        project = ProposalFactory(call=call, status="published", submitted_at=timezone.now(),
                                  host_province=["11", "31", "42"][i % 3],
                                  areas={"nlp.speech": 1, "robotics": 2})
        a, b = (set_profile(UniversityFactory(province="33"), {"nlp": 0.3, "ml.federated": 0.9},
                            {"internship_base": (5, 1)}) for _ in range(2))
        InterestFactory(proposal=project, university=a)
        IntroductionFactory(proposal=project, university=a, status=["sent", "accepted", "declined"][i % 3],
                            employer_responded_at=timezone.now())
        Candidate.objects.create(run=run, proposal=project, university=b, score=0.3, area_fit=0,
                                 capacity_fit=0, region=0, interest=0, rank=1, proposed=True)


def dashboard_queries(client, django_assert_max_num_queries) -> int:
    cache.clear()   # the figures are kept two minutes: measure their computation
    with django_assert_max_num_queries(DASHBOARD_QUERIES) as queries:
        response = client.get(DASHBOARD, {"call": "ai-2027-a"})
    assert response.status_code == 200
    return len(queries.captured_queries)


def test_the_dashboard_runs_a_fixed_number_of_queries(world, client_for, ministry,
                                                      django_assert_max_num_queries):
    client = client_for(ministry)
    small = dashboard_queries(client, django_assert_max_num_queries)
    grow(world, 60)
    assert figures.universities_without_introduction(world.calls["A"]).count > 50    # two pages
    assert dashboard_queries(client, django_assert_max_num_queries) == small
    with django_assert_max_num_queries(DASHBOARD_QUERIES):
        assert client.get(DASHBOARD, {"call": "ai-2027-a", "page": "2"}).status_code == 200


def test_the_dashboard_keeps_its_figures_two_minutes_and_says_since_when(
        world, client_for, ministry, django_assert_max_num_queries):
    client = client_for(ministry)
    computed = dashboard_queries(client, django_assert_max_num_queries)
    with CaptureQueriesContext(connection) as kept:
        response = client.get(DASHBOARD, {"call": "ai-2027-a"})
    assert len(kept.captured_queries) < computed - 5
    assert 'id="figures-as-of"' in response.content.decode()
    ProposalFactory(call=world.calls["A"], status="published", decided_at=timezone.now())
    assert response.context["data"].funnel == client.get(
        DASHBOARD, {"call": "ai-2027-a"}).context["data"].funnel
    cache.clear()   # as when the two minutes are over
    later = client.get(DASHBOARD, {"call": "ai-2027-a"}).context["data"].funnel
    assert later != response.context["data"].funnel


def test_the_apis_run_a_fixed_number_of_queries(world, api_for, ministry):
    api = api_for(ministry)

    def count() -> int:
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert api.get(API_DASHBOARD, {"call": "ai-2027-a"}).status_code == 200
        return len(queries.captured_queries)

    small = count()
    grow(world, 20)
    assert count() == small


def test_every_call_is_offered_in_the_filter(world, client_for, ministry):
    html = client_for(ministry).get(DASHBOARD).content.decode()
    assert all(f'<option value="{call.slug}"' in html for call in Call.objects.all())
