"""The downloads tests' shared world: two calls, two employers' proposals at every stage, two
universities, interests, introductions in every visibility case, outcome reports and a
succeeded run; the constants the tests compare with, and each export's address."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.models import University
from matching.models import Candidate, MatchRun
from tests.factories import (
    CallFactory,
    InterestFactory,
    IntroductionFactory,
    OutcomeReportFactory,
    ProposalFactory,
)

LOGIN = reverse("accounts:login")
WEIGHTS = {"area": 0.5, "capacity": 0.2, "region": 0.1, "interest": 0.2}
FORMULAS = [
    '=HYPERLINK("http://evil.example","点我")',
    "+86 智能客服实习",
    "-工业视觉质检",
    "@SUM(1+1) 机器人",
    "=cmd|' /C calc'!A0",
]
SEU, BUAA = "东南大学", "北京航空航天大学"
# Each export's audit record: the chain lock (PostgreSQL only), the last hash, the insert.
AUDIT_QUERIES = 3 if connection.vendor == "postgresql" else 2


@pytest.fixture(autouse=True, name="_english")
def _english_fixture(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def url(name, run=None):
    return reverse(f"downloads:{name}", args=[run.public_id] if run else [])


@pytest.fixture(name="world")
def world_fixture(employer, other_employer, university, other_university):
    """Two calls; `employer` has four proposals (one of each stage), `other_employer` two; the
    universities Southeast (Jiangsu) and Beihang (Beijing); interests, introductions in every
    visibility case, two outcome reports, a succeeded run with four candidates and a queued run."""
    now = timezone.now()
    call = CallFactory(slug="ai-2027-a", name="2027 第一批")
    other_call = CallFactory(slug="ai-2027-b", name="2027 第二批")
    University.objects.filter(pk=university.university_id).update(name=SEU, province="32")
    University.objects.filter(pk=other_university.university_id).update(name=BUAA, province="11")
    me, them = employer.employer, other_employer.employer
    mine = SimpleNamespace(
        submitted=ProposalFactory(
            employer=me,
            call=call,
            status="submitted",
            title=FORMULAS[0],
            submitted_at=now - timedelta(days=2),
        ),
        draft=ProposalFactory(employer=me, call=call, status="draft", title=FORMULAS[1]),
        published=ProposalFactory(
            employer=me,
            call=other_call,
            status="published",
            title=FORMULAS[2],
            project_type="directed_training",
            host_province="11",
            submitted_at=now - timedelta(days=9),
            decided_at=now,
        ),
        running=ProposalFactory(
            employer=me,
            call=call,
            status="published",
            title="智能客服对话实习基地",
            areas={"nlp": 1},
            submitted_at=now - timedelta(days=8),
            decided_at=now,
        ),
    )
    theirs = SimpleNamespace(
        submitted=ProposalFactory(
            employer=them,
            call=call,
            status="submitted",
            title=FORMULAS[3],
            submitted_at=now - timedelta(days=1),
        ),
        published=ProposalFactory(
            employer=them,
            call=call,
            status="published",
            title="视觉导航机器人",
            host_province="44",
            submitted_at=now - timedelta(days=9),
            decided_at=now,
        ),
    )
    u, ou = university.university, other_university.university
    interests = SimpleNamespace(
        mine=InterestFactory(proposal=mine.published, university=u, statement=FORMULAS[4]),
        other=InterestFactory(proposal=mine.published, university=ou, status="introduced"),
        theirs=InterestFactory(proposal=theirs.published, university=u, response="welcome", responded_at=now),
    )
    intros = SimpleNamespace(
        sent=IntroductionFactory(proposal=mine.published, university=u),
        accepted=IntroductionFactory(
            proposal=theirs.published,
            university=ou,
            status="accepted",
            employer_response="accepted",
            university_response="accepted",
            accepted_at=now,
        ),
        draft=IntroductionFactory(
            proposal=mine.published, university=ou, status="proposed", sent_at=None, expires_at=None
        ),
    )
    reports = SimpleNamespace(
        theirs=OutcomeReportFactory(
            status="confirmed",
            confirmed_at=now,
            introduction=IntroductionFactory(proposal=theirs.published, university=u, status="in_progress"),
        ),
        mine=OutcomeReportFactory(
            introduction=IntroductionFactory(proposal=mine.running, university=ou, status="in_progress")
        ),
    )
    run = MatchRun.objects.create(call=call, status="succeeded", weights=WEIGHTS, finished_at=now)
    pairs = [
        (theirs.published, u, 1, True),
        (theirs.published, ou, 2, False),
        (mine.running, ou, 1, True),
        (mine.running, u, 2, False),
    ]
    Candidate.objects.bulk_create(
        Candidate(
            run=run,
            proposal=p,
            university=uni,
            score=0.9 / rank,
            area_fit=0.8,
            capacity_fit=0.5,
            region=1.0 if p.host_province == uni.province else 0.0,
            interest=0.0,
            rank=rank,
            proposed=proposed,
            top_areas=["cv", "ml"],
            reason=Candidate.Reason.NONE if proposed else Candidate.Reason.PROJECT_FULL,
        )
        for p, uni, rank, proposed in pairs
    )
    queued = MatchRun.objects.create(call=call, weights=WEIGHTS)
    return SimpleNamespace(
        call=call,
        other_call=other_call,
        mine=mine,
        theirs=theirs,
        run=run,
        queued=queued,
        interests=interests,
        intros=intros,
        reports=reports,
    )


def every_export(world):
    return [
        url("proposals"),
        url("interests"),
        url("run-candidates", world.run),
        url("run-proposed", world.run),
        url("introductions"),
        url("outcomes"),
    ]
