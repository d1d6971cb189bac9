"""CSV and XLSX exports: every row compared with the database, the pages' filters, the persona
matrix, formula injection defused, a bounded number of queries, and memory that stays flat
while a 20,000-row export streams."""

import csv
import gc
import io
import tracemalloc
import zipfile
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts import tabular
from accounts.models import University
from accounts.provinces import PROVINCES
from matching import selectors
from matching.downloads import columns
from matching.models import Candidate, Introduction, MatchRun, OutcomeReport
from projects.models import Interest, Proposal
from tests.factories import (
    CallFactory,
    InterestFactory,
    IntroductionFactory,
    OutcomeReportFactory,
    ProposalFactory,
    UniversityFactory,
)

pytestmark = pytest.mark.django_db

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


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def url(name, run=None):
    return reverse(f"downloads:{name}", args=[run.public_id] if run else [])


@pytest.fixture
def world(employer, other_employer, university, other_university):
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


# --- reading the files and the rows the database says they hold --------------------------------


def body(response) -> bytes:
    """The whole response; the test client closes it once read (closing it again would fire
    request_finished a second time and close the test's database connection)."""
    return b"".join(response.streaming_content)


def read(response, kind: str) -> list[list]:
    assert response.status_code == 200, response.content
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert f".{kind}" in response["Content-Disposition"]
    if kind == "csv":
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        text = body(response).decode("utf-8")
        assert text.startswith("\ufeff")
        return list(csv.reader(io.StringIO(text[1:])))
    sheet = load_workbook(io.BytesIO(body(response))).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def cell(value, kind: str):
    """What the database value looks like once written to a CSV or XLSX cell."""
    if value is None or value == "":
        return "" if kind == "csv" else None
    if isinstance(value, bool):
        return ("TRUE" if value else "FALSE") if kind == "csv" else value
    if isinstance(value, float):
        return repr(value) if kind == "csv" else pytest.approx(value)
    if isinstance(value, int):
        return str(value) if kind == "csv" else value
    if kind == "csv" and value.startswith(("=", "+", "-", "@")):
        return "'" + value
    return value


def when(moment):
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


def province(code):
    return PROVINCES[code].name_en if code else ""


def proposal_row(p: Proposal) -> list:
    return [
        str(p.public_id),
        p.title,
        str(p.employer.public_id),
        p.employer.name,
        p.call.slug,
        p.call.name,
        p.project_type,
        p.get_project_type_display(),
        p.status,
        p.get_status_display(),
        p.host_province,
        province(p.host_province),
        p.host_city,
        p.student_places,
        p.partners_sought,
        p.partners_confirmed,
        p.duration_months,
        p.funding_cny,
        when(p.submitted_at),
        when(p.decided_at),
        when(p.updated_at),
    ]


def interest_row(i: Interest) -> list:
    return [
        str(i.public_id),
        str(i.proposal.public_id),
        i.proposal.title,
        i.proposal.call.slug,
        i.proposal.employer.name,
        str(i.university.public_id),
        i.university.name,
        i.students_offered,
        i.status,
        i.get_status_display(),
        i.response,
        i.get_response_display(),
        when(i.responded_at),
        i.contact_person,
        i.contact_phone,
        i.contact_email,
        i.statement,
        when(i.created_at),
    ]


def candidate_row(c: Candidate) -> list:
    p, u = c.proposal, c.university
    return [
        str(p.public_id),
        p.title,
        p.employer.name,
        p.host_province,
        province(p.host_province),
        str(u.public_id),
        u.name,
        u.province,
        province(u.province),
        c.rank,
        c.score,
        c.area_fit,
        c.capacity_fit,
        c.region,
        c.interest,
        c.proposed,
        c.get_reason_display() if c.reason else "",
        "; ".join(c.top_areas),
    ]


def introduction_row(i: Introduction) -> list:
    p = i.proposal
    return [
        str(i.public_id),
        str(p.public_id),
        p.title,
        p.call.slug,
        str(p.employer.public_id),
        p.employer.name,
        str(i.university.public_id),
        i.university.name,
        i.status,
        i.get_status_display(),
        i.places,
        i.employer_response,
        i.get_employer_response_display(),
        i.university_response,
        i.get_university_response_display(),
        i.decline_reason,
        i.get_decline_reason_display(),
        when(i.sent_at),
        when(i.expires_at),
        when(i.accepted_at),
        when(i.created_at),
    ]


def outcome_row(r: OutcomeReport) -> list:
    i = r.introduction
    return [
        str(i.public_id),
        str(i.proposal.public_id),
        i.proposal.title,
        i.proposal.call.slug,
        i.proposal.employer.name,
        str(i.university.public_id),
        i.university.name,
        r.status,
        r.get_status_display(),
        r.students_trained,
        r.interns_hosted,
        r.graduates_hired,
        r.funding_delivered_cny,
        r.narrative,
        r.comment,
        when(r.submitted_at),
        when(r.confirmed_at),
        when(r.decided_at),
    ]


def expected(header_columns, row, objects, kind: str) -> list[list]:
    return [
        [str(c.header) for c in header_columns],
        *([cell(value, kind) for value in row(obj)] for obj in objects),
    ]


def proposals(*items):
    return Proposal.objects.filter(pk__in=[p.pk for p in items]).order_by("submitted_at", "pk")


def newest_first(model, *items):
    return model.objects.filter(pk__in=[i.pk for i in items]).order_by("-created_at", "-pk")


def by_title_and_rank(queryset):
    return queryset.order_by("proposal__title", "proposal_id", "rank", "pk")


# --- each export compared, row by row, with the database ---------------------------------------


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_ministry_proposals_follow_the_review_queue(client_for, ministry, world, kind):
    client = client_for(ministry)
    w = world
    rows = read(client.get(url("proposals"), {"format": kind}), kind)
    assert rows == expected(
        columns.PROPOSALS, proposal_row, proposals(w.mine.submitted, w.theirs.submitted), kind
    )
    everything = read(client.get(url("proposals"), {"format": kind, "status": "all"}), kind)
    assert everything == expected(
        columns.PROPOSALS, proposal_row, proposals(*vars(w.mine).values(), *vars(w.theirs).values()), kind
    )


def test_proposal_filters_are_the_review_queues(client_for, ministry, world):
    client, w = client_for(ministry), world

    def ids(**params):
        return {row[0] for row in read(client.get(url("proposals"), params), "csv")[1:]}

    assert ids(status="published") == {
        str(w.mine.published.public_id),
        str(w.mine.running.public_id),
        str(w.theirs.published.public_id),
    }
    assert ids(status="published", call="ai-2027-b") == {str(w.mine.published.public_id)}
    assert ids(status="all", project_type="directed_training") == {str(w.mine.published.public_id)}
    assert ids(status="all", province="44") == {str(w.theirs.published.public_id)}
    assert ids(status="all", area="nlp") == {str(w.mine.running.public_id)}
    assert ids(q="机器人") == {str(w.theirs.submitted.public_id)}


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_an_employer_exports_only_its_own_proposals(client_for, employer, world, kind):
    rows = read(client_for(employer).get(url("proposals"), {"format": kind}), kind)
    assert rows == expected(columns.PROPOSALS, proposal_row, proposals(*vars(world.mine).values()), kind)
    drafts = read(client_for(employer).get(url("proposals"), {"status": "draft"}), "csv")
    assert [row[0] for row in drafts[1:]] == [str(world.mine.draft.public_id)]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_interests_are_each_sides_own(
    client_for, ministry, employer, other_employer, university, other_university, world, kind
):
    i = world.interests
    for user, items in [
        (ministry, [i.mine, i.other, i.theirs]),
        (employer, [i.mine, i.other]),
        (other_employer, [i.theirs]),
        (university, [i.mine, i.theirs]),
        (other_university, [i.other]),
    ]:
        rows = read(client_for(user).get(url("interests"), {"format": kind}), kind)
        assert rows == expected(columns.INTERESTS, interest_row, newest_first(Interest, *items), kind)


def test_interest_filters(client_for, ministry, world):
    client, i = client_for(ministry), world.interests

    def ids(**params):
        return {row[0] for row in read(client.get(url("interests"), params), "csv")[1:]}

    assert ids(project=world.mine.published.public_id) == {str(i.mine.public_id), str(i.other.public_id)}
    assert ids(call="ai-2027-a") == {str(i.theirs.public_id)}
    assert ids(status="introduced") == {str(i.other.public_id)}


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_run_candidates_and_proposed_introductions(client_for, ministry, world, kind):
    client, run = client_for(ministry), world.run
    rows = read(client.get(url("run-candidates", run), {"format": kind}), kind)
    assert rows == expected(
        columns.CANDIDATES, candidate_row, by_title_and_rank(Candidate.objects.filter(run=run)), kind
    )
    rows = read(client.get(url("run-proposed", run), {"format": kind}), kind)
    proposed = Candidate.objects.filter(run=run, proposed=True).order_by(
        "proposal__title", "proposal_id", "-score", "pk"
    )
    assert rows == expected(columns.CANDIDATES, candidate_row, proposed, kind)


def test_candidate_filters_are_the_run_pages(client_for, ministry, world):
    client, run, w = client_for(ministry), world.run, world

    def pairs(name="run-candidates", **params):
        return {(row[1], row[6]) for row in read(client.get(url(name, run), params), "csv")[1:]}

    vision, service = w.theirs.published.title, w.mine.running.title
    assert pairs(project="导航") == {(vision, SEU), (vision, BUAA)}
    assert pairs(university="东南") == {(vision, SEU), (service, SEU)}
    assert pairs(province="11") == {(vision, BUAA), (service, BUAA)}
    assert pairs(area="nlp") == {(service, BUAA), (service, SEU)}
    assert pairs(proposed="1") == {(vision, SEU), (service, BUAA)}
    assert pairs(name="run-proposed", university="北京") == {(service, BUAA)}


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_introductions_are_each_sides_own_once_sent(
    client_for, ministry, employer, other_employer, university, other_university, world, kind
):
    i, r = world.intros, world.reports
    visible = {
        ministry: [i.sent, i.accepted, i.draft, r.theirs.introduction, r.mine.introduction],
        employer: [i.sent, r.mine.introduction],
        other_employer: [i.accepted, r.theirs.introduction],
        university: [i.sent, r.theirs.introduction],
        other_university: [i.accepted, r.mine.introduction],
    }
    for user, items in visible.items():
        rows = read(client_for(user).get(url("introductions"), {"format": kind}), kind)
        assert rows == expected(
            columns.INTRODUCTIONS, introduction_row, newest_first(Introduction, *items), kind
        )


def test_introduction_filters(client_for, ministry, employer, world):
    i, r = world.intros, world.reports

    def ids(user=ministry, **params):
        return {row[0] for row in read(client_for(user).get(url("introductions"), params), "csv")[1:]}

    assert ids(status="accepted") == {str(i.accepted.public_id)}
    assert ids(call="ai-2027-b") == {str(i.sent.public_id), str(i.draft.public_id)}
    assert ids(q=BUAA) == {
        str(i.accepted.public_id),
        str(i.draft.public_id),
        str(r.mine.introduction.public_id),
    }
    assert ids(province="44") == {str(i.accepted.public_id), str(r.theirs.introduction.public_id)}
    assert ids(employer, q=BUAA) == {str(r.mine.introduction.public_id)}


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_outcome_reports_are_each_sides_own(
    client_for, ministry, employer, other_employer, university, other_university, world, kind
):
    r = world.reports
    for user, items in [
        (ministry, [r.theirs, r.mine]),
        (employer, [r.mine]),
        (other_employer, [r.theirs]),
        (university, [r.theirs]),
        (other_university, [r.mine]),
    ]:
        rows = read(client_for(user).get(url("outcomes"), {"format": kind}), kind)
        assert rows == expected(columns.OUTCOMES, outcome_row, newest_first(OutcomeReport, *items), kind)
    client = client_for(ministry)
    confirmed = read(client.get(url("outcomes"), {"status": "confirmed"}), "csv")
    assert [row[0] for row in confirmed[1:]] == [str(r.theirs.introduction.public_id)]
    assert len(read(client.get(url("outcomes"), {"call": "ai-2027-b"}), "csv")) == 1


# --- who may export what ---------------------------------------------------------------------------


def every_export(world):
    return [
        url("proposals"),
        url("interests"),
        url("run-candidates", world.run),
        url("run-proposed", world.run),
        url("introductions"),
        url("outcomes"),
    ]


def test_anonymous_users_are_sent_to_the_login_page(client_for, world):
    for address in every_export(world):
        response = client_for(None).get(address)
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN)


@pytest.mark.parametrize(
    "persona, forbidden",
    [
        ("employer", {"run-candidates", "run-proposed"}),
        ("university", {"proposals", "run-candidates", "run-proposed"}),
        (
            "pending_employer",
            {"proposals", "interests", "introductions", "outcomes", "run-candidates", "run-proposed"},
        ),
        ("ministry", set()),
    ],
)
def test_each_persona_gets_its_exports_and_403_for_the_others(request, client_for, world, persona, forbidden):
    client = client_for(request.getfixturevalue(persona))
    for name in ["proposals", "interests", "introductions", "outcomes"]:
        assert client.get(url(name)).status_code == (403 if name in forbidden else 200), name
    for name in ["run-candidates", "run-proposed"]:
        assert client.get(url(name, world.run)).status_code == (403 if name in forbidden else 200), name


def test_another_organisations_data_never_appears(client_for, employer, university, world):
    employer_text = body(client_for(employer).get(url("proposals"), {"status": "all"})).decode()
    assert world.theirs.published.title not in employer_text
    assert world.theirs.submitted.title[1:] not in employer_text
    university_text = body(client_for(university).get(url("introductions"))).decode()
    assert str(world.intros.accepted.public_id) not in university_text
    assert str(world.intros.draft.public_id) not in university_text


def test_bad_input_is_refused_with_a_page_that_says_why(client_for, ministry, world):
    client = client_for(ministry)
    response = client.get(url("proposals"), {"format": "pdf"})
    assert response.status_code == 400
    assert "csv or xlsx" in response.content.decode()
    response = client.get(url("introductions"), {"status": "bogus"})
    assert response.status_code == 400
    assert "status" in response.content.decode()
    assert client.get(url("run-candidates", world.run), {"province": "99"}).status_code == 400
    assert client.get(url("run-candidates", world.queued)).status_code == 400
    missing = SimpleNamespace(public_id="6f1c1f54-0000-4000-8000-000000000000")
    assert client.get(url("run-candidates", missing)).status_code == 404


# --- what is written ---------------------------------------------------------------------------------


def test_formulas_are_written_as_text(client_for, ministry, world):
    client = client_for(ministry)
    rows = read(client.get(url("proposals"), {"status": "all"}), "csv")
    titles = {row[1] for row in rows[1:]}
    assert {"'" + title for title in FORMULAS[:4]} <= titles
    assert not any(title.startswith(("=", "+", "-", "@")) for title in titles)
    sheet = load_workbook(
        io.BytesIO(body(client.get(url("proposals"), {"status": "all", "format": "xlsx"})))
    ).active
    cells = [row[1] for row in sheet.iter_rows(min_row=2)]
    assert {c.value for c in cells} >= set(FORMULAS[:4])
    assert {c.data_type for c in cells} == {"s"}
    statements = load_workbook(io.BytesIO(body(client.get(url("interests"), {"format": "xlsx"})))).active
    assert {row[16].data_type for row in statements.iter_rows(min_row=2)} == {"s"}


def test_control_characters_and_error_codes_stay_text_in_xlsx():
    rows = [("#N/A", "a\x00b\x1fc", "=1+1", -5, None)]
    response = tabular.stream_xlsx("测试 export.xlsx", ["甲", "乙", "丙", "丁", "戊"], iter(rows))
    sheet = load_workbook(io.BytesIO(body(response))).active
    values = [[(c.value, c.data_type) for c in row] for row in sheet.iter_rows()]
    assert values[1] == [("#N/A", "s"), ("abc", "s"), ("=1+1", "s"), (-5, "n"), (None, "n")]
    assert response["Content-Disposition"] == (
        "attachment; filename=\"__ export.xlsx\"; filename*=UTF-8''%E6%B5%8B%E8%AF%95%20export.xlsx"
    )


def test_labels_and_headers_follow_the_request_language(client_for, ministry, world):
    client = client_for(ministry)
    rows = read(client.get(url("run-candidates", world.run), HTTP_ACCEPT_LANGUAGE="zh-hans"), "csv")
    assert {row[4] for row in rows[1:]} == {"江苏省", "广东省"}
    assert rows[0][16] == "未推荐原因"
    assert {row[16] for row in rows[1:]} == {"", "该项目的合作高校名额已由其他高校占用"}
    rows = read(client.get(url("run-candidates", world.run)), "csv")
    assert rows[0][:2] == ["Project ID", "Project"]
    assert {row[4] for row in rows[1:]} == {"Jiangsu", "Guangdong"}
    assert rows[0][16] == "Why not proposed"
    assert {row[16] for row in rows[1:]} == {"", "The project's partner places went to other universities"}


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_no_export_runs_a_query_per_row(client_for, ministry, world, django_assert_max_num_queries, kind):
    client = client_for(ministry)
    for address in every_export(world):
        with django_assert_max_num_queries(6 + AUDIT_QUERIES):
            rows = read(
                client.get(
                    address, {"format": kind, "status": "all"} if "proposals" in address else {"format": kind}
                ),
                kind,
            )
        assert len(rows) > 2, address


# --- memory ------------------------------------------------------------------------------------------


@pytest.fixture
def big_run(employer):
    """A succeeded run with 20,000 candidates: 200 projects × 100 universities, bulk-created.
    The projects' titles put 2,000 candidates in group 甲, 4,000 in 乙 and 14,000 in 丙."""
    call = CallFactory()
    groups = ["甲"] * 20 + ["乙"] * 40 + ["丙"] * 140
    projects = Proposal.objects.bulk_create(
        ProposalFactory.build(
            employer=employer.employer,
            call=call,
            status="published",
            title=f"工业视觉质检就业实习基地 {group}{n:03d}",
        )
        for n, group in enumerate(groups)
    )
    universities = University.objects.bulk_create(UniversityFactory.build() for _ in range(100))
    run = MatchRun.objects.create(call=call, status="succeeded", weights=WEIGHTS)
    Candidate.objects.bulk_create(
        (
            Candidate(
                run=run,
                proposal=p,
                university=u,
                score=1 / (rank + 1),
                area_fit=0.75,
                capacity_fit=0.5,
                region=0.25,
                interest=0.0,
                rank=rank + 1,
                proposed=rank < 2,
                top_areas=["cv", "cv.industrial_inspection"],
            )
            for p in projects
            for rank, u in enumerate(universities)
        ),
        batch_size=2000,
    )
    return run


def peak_memory(work):
    """The peak of memory allocated by Python while `work` runs, and what it returned."""
    gc.collect()
    tracemalloc.start()
    try:
        result = work()
        return tracemalloc.get_traced_memory()[1], result
    finally:
        tracemalloc.stop()


def saved(response, path) -> int:
    """The response written chunk by chunk to a file, as a browser saves a download; its size."""
    assert response.status_code == 200
    size = 0
    with open(path, "wb") as file:
        for chunk in response.streaming_content:
            size += file.write(chunk)
    return size


def rows_in(path, kind: str) -> int:
    if kind == "csv":
        with open(path, encoding="utf-8-sig", newline="") as file:
            return sum(1 for _ in csv.reader(file))
    with zipfile.ZipFile(path) as archive:
        return archive.read("xl/worksheets/sheet1.xml").count(b"</row>")


def export_peak(client, run, path, kind: str, **filters) -> tuple[int, int]:
    """The peak memory of one export written to `path`, and its rows (header included)."""
    address = url("run-candidates", run)
    peak, _size = peak_memory(lambda: saved(client.get(address, {"format": kind, **filters}), path))
    return peak, rows_in(path, kind)


def test_a_large_csv_export_streams_in_flat_memory(
    client_for, ministry, big_run, tmp_path, django_assert_max_num_queries
):
    """Materialising the 20,000 rows (a list of tuples of plain values, less than a full
    response would hold) peaks at about 20 MB; streaming them must peak below a third of that
    and below 12 MB in absolute terms (about 4.5 MB measured: two chunks of 2,000 rows, as
    Django holds one while it fetches the next, and the 64 KB CSV buffer), so a 75,000-row
    export needs no more. A first,
    empty export loads what any first request loads (translations, URL patterns)."""
    client = client_for(ministry)
    queryset = by_title_and_rank(selectors.run_candidates(big_run))
    baseline, rows = peak_memory(lambda: list(tabular.table(queryset, columns.CANDIDATES)[1]))
    assert len(rows) == 20_000
    del rows
    target = tmp_path / "export.csv"
    export_peak(client, big_run, target, "csv", project="nothing like this")
    with django_assert_max_num_queries(6 + AUDIT_QUERIES):
        streaming, rows = export_peak(client, big_run, target, "csv")
    print(
        f"\ncsv: 20,000 rows streamed with a peak of {streaming / 2**20:.1f} MiB; "
        f"materialised, they peak at {baseline / 2**20:.1f} MiB"
    )
    assert rows == 20_001
    assert streaming < baseline / 3
    assert streaming < 12 * 2**20


def test_an_xlsx_export_does_not_grow_with_its_rows(
    client_for, ministry, big_run, tmp_path, monkeypatch, django_assert_max_num_queries
):
    """openpyxl runs about 7× slower under tracemalloc, so the workbook is measured at 2,000
    and 4,000 rows read in chunks of 200 rather than at 20,000 (the database's chunks are the
    CSV test's): materialising the 2,000 more rows takes about 2 MB more, writing them to the
    workbook on disk (openpyxl's write-only mode) must take less than 0.5 MB more."""
    monkeypatch.setattr(tabular, "CHUNK_SIZE", 200)
    client = client_for(ministry)
    target = tmp_path / "export.xlsx"
    export_peak(client, big_run, target, "xlsx", project="nothing like this")
    small, rows = export_peak(client, big_run, target, "xlsx", project="基地 甲")
    assert rows == 2_001
    with django_assert_max_num_queries(6 + AUDIT_QUERIES):
        large, rows = export_peak(client, big_run, target, "xlsx", project="基地 乙")
    assert rows == 4_001
    print(f"\nxlsx: a peak of {small / 2**20:.2f} MiB for 2,000 rows, {large / 2**20:.2f} MiB for 4,000")
    assert large - small < 2**19
