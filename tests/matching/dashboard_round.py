"""The dashboard tests' round: a small round in two calls, written down as plain
specifications (employers, universities, projects, interests, introductions and runs), the
fixture that puts it in the database, and every figure worked out from those specifications in
plain Python (never by repeating the selectors' queries)."""

from collections import defaultdict
from datetime import timedelta
from statistics import fmean, median
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from matching.models import Candidate, MatchRun
from tests.factories import (
    AgreementFactory,
    CallFactory,
    EmployerFactory,
    InterestFactory,
    IntroductionFactory,
    OutcomeReportFactory,
    ProposalFactory,
    UniversityFactory,
)
from tests.matching.conftest import set_profile

DASHBOARD = reverse("stats:dashboard")
PUBLIC = reverse("stats:public")
API_PUBLIC = reverse("dashboard-api:stats")
API_DASHBOARD = reverse("dashboard-api:stats-dashboard")
LOGIN = reverse("accounts:login")
# Every query the dashboard page makes, whatever the round's size (see the bound test).
DASHBOARD_QUERIES = 23  # one of them: the staff member's second factor, looked up each request

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
    "U1": (
        "北京智算大学",
        "11",
        "verified",
        {"cv": 0.6, "cv.medical_imaging": 0.9, "ml": 0.4},
        {"internship_base": (30, 2), "directed_training": (20, 1)},
    ),
    "U2": ("江南工学院", "32", "verified", {"nlp": 0.8, "nlp.speech": 0.5}, {"internship_base": (40, 3)}),
    "U3": (
        "岭南理工大学",
        "44",
        "verified",
        {"robotics.industrial": 0.7, "cv.industrial_inspection": 0.3},
        {"workforce_development": (25, 2), "internship_base": (15, 1)},
    ),
    "U4": (
        "蜀地科技大学",
        "51",
        "verified",
        {"ml.deep_learning": 0.5, "ml": 0.2, "tools": 1.0},
        {"directed_training": (60, 2)},
    ),
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
    "P4": (
        "A",
        "E2",
        "published",
        "workforce_development",
        60,
        "32",
        {"robotics.industrial": 2, "tools": 1, "ml.deep_learning": 1},
        True,
    ),
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
INTERESTS = [
    ("P1", "U2", "live"),
    ("P1", "U5", "live"),
    ("P2", "U3", "introduced"),
    ("P3", "U1", "withdrawn"),
    ("P3", "U5", "live"),
    ("P8", "U4", "live"),
    ("P6", "U7", "live"),
    ("Q1", "U5", "introduced"),
]
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


@pytest.fixture(autouse=True, name="_english_pages")
def _english_pages_fixture(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture(name="world")
def world_fixture(db):
    """The round above, in the database; returns the specifications with the objects made."""
    t0 = timezone.now() - timedelta(days=2)
    calls = {
        "A": CallFactory(name="2027 年人工智能领域第一批", slug="ai-2027-a"),
        "B": CallFactory(
            name="2026 年人工智能领域",
            slug="ai-2026",
            year=2026,
            opens_at=t0 - timedelta(days=400),
            closes_at=t0 - timedelta(days=370),
        ),
    }
    employers = {
        key: EmployerFactory(
            name=name,
            province=province,
            email=f"{key.lower()}@corp.example.cn",
            contact_person=CONTACT["person"],
            phone=CONTACT["phone"],
        )
        for key, (name, province) in EMPLOYERS.items()
    }
    universities = {}
    for key, (name, province, status, strengths, capacity) in UNIVERSITIES.items():
        universities[key] = set_profile(
            UniversityFactory(
                name=name,
                province=province,
                status=status,
                contact_person=CONTACT["person"],
                phone=CONTACT["phone"],
                email=f"{key.lower()}@campus.example.edu.cn",
            ),
            strengths,
            capacity,
        )
    projects = {}
    for key, (call, employer, status, kind, places, province, areas, submitted) in PROJECTS.items():
        projects[key] = ProposalFactory(
            call=calls[call],
            employer=employers[employer],
            status=status,
            project_type=kind,
            student_places=places,
            host_province=province,
            areas=areas,
            title=f"保密项目标题{key}",
            contact_person=CONTACT["person"],
            contact_phone=CONTACT["phone"],
            contact_email=f"{key.lower()}@project.example.cn",
            submitted_at=t0 - timedelta(days=30) if submitted else None,
        )
    for project, university, status in INTERESTS:
        InterestFactory(
            proposal=projects[project],
            university=universities[university],
            status=status,
            contact_email="interest@campus.example.edu.cn",
        )
    for project, university, status, sent, employer_h, university_h, outcome in INTRODUCTIONS.values():
        sent_at = None if sent is None else t0 - timedelta(hours=sent)
        introduction = IntroductionFactory(
            proposal=projects[project],
            university=universities[university],
            status=status,
            sent_at=sent_at,
            expires_at=None if sent_at is None else sent_at + timedelta(days=14),
            employer_responded_at=None if employer_h is None else sent_at + timedelta(hours=employer_h),
            university_responded_at=None if university_h is None else sent_at + timedelta(hours=university_h),
        )
        if status in SIGNED:
            AgreementFactory(introduction=introduction)
        if outcome:
            report_status, trained, hosted, hired = outcome
            OutcomeReportFactory(
                introduction=introduction,
                status=report_status,
                students_trained=trained,
                interns_hosted=hosted,
                graduates_hired=hired,
            )
    for call, status, finished, pairs in RUNS.values():
        run = MatchRun.objects.create(
            call=calls[call],
            status=status,
            weights={},
            progress=100,
            finished_at=t0 - timedelta(hours=finished),
        )
        Candidate.objects.bulk_create(
            Candidate(
                run=run,
                proposal=projects[p],
                university=universities[u],
                score=0.5,
                area_fit=0.5,
                capacity_fit=0.5,
                region=0.5,
                interest=0.0,
                rank=rank,
                proposed=True,
            )
            for rank, (p, u) in enumerate(pairs, start=1)
        )
        # A candidate not proposed never counts.
        Candidate.objects.create(
            run=run,
            proposal=projects["P3"],
            university=universities["U3"],
            score=0.1,
            area_fit=0,
            capacity_fit=0,
            region=0,
            interest=0,
            rank=9,
        )
    return SimpleNamespace(calls=calls, employers=employers, universities=universities, projects=projects)


# --- the figures, worked out in plain Python from the specifications -----------------------------


def published(call: str | None) -> list[str]:
    return [
        key for key, spec in PROJECTS.items() if spec[2] == "published" and (call is None or spec[0] == call)
    ]


def expected_funnel(call: str) -> list[tuple[str, int, int | None]]:
    mine = [key for key, spec in PROJECTS.items() if spec[0] == call]
    intros = [spec for spec in INTRODUCTIONS.values() if PROJECTS[spec[0]][0] == call]
    latest = max(
        (r for r in RUNS.values() if r[0] == call and r[1] == "succeeded"), key=lambda r: -r[2], default=None
    )
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
    by = {
        "area": defaultdict(lambda: [0, 0]),
        "type": defaultdict(lambda: [0, 0]),
        "province": defaultdict(lambda: [0, 0]),
    }
    for key in published(call):
        _c, _e, _s, kind, places, province, areas, _sub = PROJECTS[key]
        for group, codes in [
            ("type", {kind}),
            ("province", {province}),
            ("area", {top(code) for code in areas}),
        ]:
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
    reached = {
        spec[1] for spec in INTRODUCTIONS.values() if PROJECTS[spec[0]][0] == call and spec[2] != "proposed"
    }
    return sorted(UNIVERSITIES[u][0] for u in verified() if u not in reached)


def expected_response_times(call: str) -> dict[str, tuple]:
    rows = {}
    intros = [i for i in INTRODUCTIONS.values() if PROJECTS[i[0]][0] == call and i[3] is not None]
    for side, index in [("employer", 4), ("university", 5)]:
        hours = [i[index] for i in intros if i[index] is not None]
        pending = len([i for i in intros if i[2] == "sent" and i[index] is None])
        rows[side] = (
            len(hours),
            pending,
            round(median(hours), 1) if hours else None,
            round(fmean(hours), 1) if hours else None,
        )
    return rows


def expected_public() -> dict:
    counted = [i for i in INTRODUCTIONS.values() if i[2] in COUNTED]
    return {
        "employers_connected": len({PROJECTS[i[0]][1] for i in counted}),
        "universities_reached": len({i[1] for i in counted}),
        "projects": len(published(None)),
        "students_benefited": sum(
            i[6][1] + i[6][2] for i in INTRODUCTIONS.values() if i[6] and i[6][0] == "accepted"
        ),
    }
