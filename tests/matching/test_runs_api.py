"""The match-runs API: the persona matrix for every endpoint (ministry staff only; other users
403, anonymous 401), bad input 400 with a message, 202 on create, 409 on a second publish,
and the candidates' pagination and filters."""

import uuid

import pytest
from django.utils import translation

from matching import services
from matching.models import Candidate, MatchRun
from matching.services import execution
from tests.factories import CallFactory
from tests.matching.rounds import EXPECTED, tiny_round

pytestmark = pytest.mark.django_db

LIST = "/api/v1/match-runs/"
RUN_FIELDS = {
    "id",
    "call",
    "status",
    "progress",
    "weights",
    "k",
    "m",
    "shards",
    "min_area_fit",
    "algorithm_version",
    "solver",
    "bound",
    "gap",
    "summary",
    "timings",
    "error",
    "created_at",
    "started_at",
    "finished_at",
    "published_at",
}
CANDIDATE_FIELDS = {
    "id",
    "project",
    "university",
    "score",
    "components",
    "rank",
    "proposed",
    "reason",
    "reason_text",
    "top_areas",
}
# Under the three hard capacities: U1 has 10 internship places, fewer than P1's share of 20, so
# the tiny round proposes P1–U2 and P2–U1 (objective .595 + .63); why each other pair is not.
PROPOSED = {("P1", "U2"), ("P2", "U1")}
REASONS = {
    ("P1", "U1"): Candidate.Reason.PLACES_TAKEN,
    ("P1", "U3"): Candidate.Reason.BELOW_FLOOR,
    ("P2", "U3"): Candidate.Reason.BELOW_FLOOR,
    ("P2", "U2"): Candidate.Reason.INELIGIBLE,
}
OBJECTIVE = 0.595 + 0.63
OTHERS = [("employer", 403), ("university", 403), ("pending_employer", 403), ("anonymous", 401)]


def url(run, action: str = "") -> str:
    return f"{LIST}{run.public_id}/" + (f"{action}/" if action else "")


@pytest.fixture
def api_for(api_for):
    """Messages in English, for the assertions on them."""

    def make(user):
        api = api_for(user)
        api.credentials(HTTP_ACCEPT_LANGUAGE="en")
        return api

    return make


@pytest.fixture
def tiny(db):
    return tiny_round()


@pytest.fixture
def run(ministry, tiny):
    created = services.match_run_create(actor=ministry, call=tiny.call)
    return services.match_run_execute(created.pk)


# --- starting a run ----------------------------------------------------------------------------


def test_ministry_staff_start_a_run_and_get_202_with_the_queued_run(
    api_for, ministry, tiny, django_capture_on_commit_callbacks
):
    body = {"call": tiny.call.slug, "weights": {"area": 0.7, "interest": 0.05}, "k": 5, "m": 10}
    with django_capture_on_commit_callbacks() as callbacks:
        response = api_for(ministry).post(LIST, body, format="json")
    assert response.status_code == 202, response.json()
    data = response.json()
    assert set(data) == RUN_FIELDS
    assert (data["call"], data["status"], data["progress"], data["k"], data["m"]) == (
        tiny.call.slug,
        "queued",
        0,
        5,
        10,
    )
    assert data["weights"] == {"area": 0.7, "capacity": 0.15, "region": 0.15, "interest": 0.05}
    assert len(callbacks) == 1  # the worker's task, sent once the run is committed
    callbacks[0]()
    detail = api_for(ministry).get(f"{LIST}{data['id']}/").json()
    assert detail["status"] == "succeeded" and detail["progress"] == 100
    assert detail["summary"]["candidates"] == 6 and set(detail["timings"]) >= {"load", "write"}


def test_defaults_apply_when_only_the_call_is_given(api_for, ministry, tiny):
    response = api_for(ministry).post(LIST, {"call": tiny.call.slug}, format="json")
    assert response.status_code == 202
    run = MatchRun.objects.get(public_id=response.json()["id"])
    assert (run.k, run.m, run.min_area_fit, run.created_by) == (20, 50, 0.10, ministry)
    assert run.weights == {"area": 0.6, "capacity": 0.15, "region": 0.15, "interest": 0.1}
    assert response.json()["min_area_fit"] == 0.10
    assert (response.json()["bound"], response.json()["gap"], response.json()["solver"]) == (None, None, "")


@pytest.mark.parametrize("floor", [0, 0.35, 1])
def test_staff_set_the_ai_fit_floor(api_for, ministry, tiny, floor):
    response = api_for(ministry).post(LIST, {"call": tiny.call.slug, "min_area_fit": floor}, format="json")
    assert response.status_code == 202, response.json()
    assert response.json()["min_area_fit"] == floor
    assert MatchRun.objects.get().min_area_fit == floor


@pytest.mark.parametrize(("persona", "expected"), OTHERS)
def test_only_ministry_staff_start_a_run(request, api_for, tiny, persona, expected):
    user = request.getfixturevalue(persona)
    response = api_for(user).post(LIST, {"call": tiny.call.slug}, format="json")
    assert response.status_code == expected
    if expected == 403:
        assert response.json()["detail"] == "Only ministry staff may see or do this."
    assert not MatchRun.objects.exists()


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"weights": {"area": -1}}, "weights", "0 or more"),
        ({"weights": {"area": 0, "capacity": 0, "region": 0, "interest": 0}}, "weights", "not all be 0"),
        ({"weights": {"fame": 1}}, "weights", "Unknown weights: fame"),
        ({"weights": {"area": "high"}}, "weights", "0 or more"),
        ({"weights": [0.6, 0.15]}, "weights", ""),
        ({"k": 0}, "k", "greater than or equal to 1"),
        ({"k": 201}, "k", "less than or equal to 200"),
        ({"k": "twenty"}, "k", ""),
        ({"m": 0}, "m", "greater than or equal to 1"),
        ({"m": 501}, "m", "less than or equal to 500"),
        ({"min_area_fit": -0.01}, "min_area_fit", "from 0 to 1"),
        ({"min_area_fit": 1.5}, "min_area_fit", "from 0 to 1"),
        ({"min_area_fit": "high"}, "min_area_fit", "valid number"),
        ({"min_area_fit": "NaN"}, "min_area_fit", ""),
        ({"call": "no-such-round"}, "call", "No call round"),
        ({"call": None}, "call", ""),
    ],
)
def test_bad_input_is_a_400_with_a_message_and_starts_nothing(api_for, ministry, tiny, body, field, message):
    data = {key: value for key, value in {"call": tiny.call.slug, **body}.items() if value is not None}
    response = api_for(ministry).post(LIST, data, format="json")
    assert response.status_code == 400, response.content
    errors = response.json()
    assert field in errors
    assert message in " ".join(map(str, errors[field]))
    assert not MatchRun.objects.exists()


def test_a_call_with_no_published_projects_gives_an_empty_succeeded_run(
    api_for, ministry, tiny, django_capture_on_commit_callbacks
):
    empty = CallFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = api_for(ministry).post(LIST, {"call": empty.slug}, format="json")
    assert response.status_code == 202
    detail = api_for(ministry).get(f"{LIST}{response.json()['id']}/").json()
    assert detail["status"] == "succeeded", detail["error"]
    assert detail["summary"]["projects"] == detail["summary"]["candidates"] == 0


# --- reading runs ------------------------------------------------------------------------------


def test_ministry_staff_list_runs_newest_first_and_filter_them(api_for, ministry, tiny, run):
    other = services.match_run_create(actor=ministry, call=CallFactory())
    data = api_for(ministry).get(LIST).json()
    assert data["count"] == 2
    assert [r["id"] for r in data["results"]] == [str(other.public_id), str(run.public_id)]
    by_call = api_for(ministry).get(LIST, {"call": tiny.call.slug}).json()
    assert [r["id"] for r in by_call["results"]] == [str(run.public_id)]
    queued = api_for(ministry).get(LIST, {"status": "queued"}).json()
    assert [r["id"] for r in queued["results"]] == [str(other.public_id)]
    assert api_for(ministry).get(LIST, {"status": "lost"}).status_code == 400


def test_a_run_shows_its_status_progress_parameters_summary_and_timings(api_for, ministry, run):
    data = api_for(ministry).get(url(run)).json()
    assert set(data) == RUN_FIELDS
    assert (data["status"], data["progress"], data["error"], data["published_at"]) == (
        "succeeded",
        100,
        "",
        None,
    )
    assert (data["k"], data["m"], data["shards"], data["min_area_fit"]) == (20, 50, 1, 0.10)
    assert data["summary"]["proposed"] == 2
    assert data["summary"]["objective"] == pytest.approx(OBJECTIVE)
    assert set(data["timings"]) == {"load", "score_and_candidates", "assign", "write"}


def test_a_run_carries_its_bound_gap_and_solver(api_for, ministry, run):
    data = api_for(ministry).get(url(run)).json()
    # The tiny round's optimum is proven: the bound is the objective itself, the gap 0.
    assert data["bound"] == pytest.approx(OBJECTIVE, abs=1e-6) and data["gap"] == 0
    assert data["bound"] >= data["summary"]["objective"] - 1e-9
    assert data["solver"].startswith("HiGHS")
    assert data["summary"]["reasons"] == {"ineligible": 1, "below_floor": 2, "places_taken": 1}


def test_a_failed_run_shows_its_error(api_for, ministry, tiny, monkeypatch):
    def broken(*args):
        raise MemoryError("out of memory")

    monkeypatch.setattr(execution, "run_choose", broken)
    failed = services.match_run_execute(services.match_run_create(actor=ministry, call=tiny.call).pk)
    data = api_for(ministry).get(url(failed)).json()
    assert (data["status"], data["error"]) == ("failed", "MemoryError: out of memory")


def test_an_unknown_run_is_a_404(api_for, ministry):
    assert api_for(ministry).get(f"{LIST}{uuid.uuid4()}/").status_code == 404
    assert api_for(ministry).get(f"{LIST}{uuid.uuid4()}/candidates/").status_code == 404
    assert api_for(ministry).post(f"{LIST}{uuid.uuid4()}/publish/").status_code == 404
    assert api_for(ministry).get(f"{LIST}not-a-uuid/").status_code == 404


@pytest.mark.parametrize("endpoint", ["list", "detail", "candidates"])
@pytest.mark.parametrize(("persona", "expected"), OTHERS)
def test_others_may_not_read_runs(request, api_for, run, endpoint, persona, expected):
    path = {"list": LIST, "detail": url(run), "candidates": url(run, "candidates")}[endpoint]
    response = api_for(request.getfixturevalue(persona)).get(path)
    assert response.status_code == expected
    assert "results" not in response.json() and "status" not in response.json()


# --- candidates --------------------------------------------------------------------------------


def test_candidates_carry_ids_score_components_rank_reason_and_top_areas(api_for, ministry, tiny, run):
    data = api_for(ministry).get(url(run, "candidates")).json()
    assert data["count"] == 6 and data["next"] is None
    ids = {str(p.public_id): name for name, p in tiny.projects.items()}
    ids |= {str(u.public_id): name for name, u in tiny.universities.items()}
    rows = data["results"]
    assert all(set(row) == CANDIDATE_FIELDS for row in rows)
    # By project, then rank.
    assert [(ids[r["project"]], r["rank"]) for r in rows] == [
        ("P1", 1),
        ("P1", 2),
        ("P1", 3),
        ("P2", 1),
        ("P2", 2),
        ("P2", 3),
    ]
    for row in rows:
        pair = ids[row["project"]], ids[row["university"]]
        area, capacity, region, interest, score, rank, _proposed, top = EXPECTED[pair]
        assert row["components"] == pytest.approx(
            {"area_fit": area, "capacity_fit": capacity, "region": region, "interest": interest}, abs=1e-5
        )
        assert row["score"] == pytest.approx(score, abs=1e-5)
        assert (row["rank"], row["proposed"], row["top_areas"]) == (rank, pair in PROPOSED, top)
        reason = REASONS.get(pair)
        with translation.override("en"):
            expected = (reason.name.lower(), str(reason.label)) if reason else (None, None)
        assert (row["reason"], row["reason_text"]) == expected


def test_a_candidates_reason_is_in_the_requests_language(api_for, ministry, tiny, run):
    api = api_for(ministry)
    api.credentials(HTTP_ACCEPT_LANGUAGE="zh-hans")
    rows = api.get(url(run, "candidates"), {"proposed": "false"}).json()["results"]
    texts = {row["reason"]: row["reason_text"] for row in rows}
    assert texts["below_floor"] == "AI 领域匹配度低于本次运行设定的下限"
    assert texts["places_taken"] == "该高校此类型剩余学生名额少于本项目每所合作高校所需名额"


def test_candidates_are_filtered_by_project_university_and_proposed(api_for, ministry, tiny, run):
    api = api_for(ministry)
    p1, u2 = tiny.projects["P1"], tiny.universities["U2"]

    def pairs(**params) -> list[tuple[str, str]]:
        response = api.get(url(run, "candidates"), params)
        assert response.status_code == 200, response.content
        return [(r["project"], r["university"]) for r in response.json()["results"]]

    p, u = str(p1.public_id), str(u2.public_id)
    assert len(pairs(project=p)) == 3 and {pair[0] for pair in pairs(project=p)} == {p}
    assert {pair[1] for pair in pairs(university=u)} == {u} and len(pairs(university=u)) == 2
    assert pairs(project=p, university=u) == [(p, u)]
    assert len(pairs(proposed="true")) == 2 and len(pairs(proposed="false")) == 4
    assert pairs(project=str(tiny.projects["P2"].public_id), university=u, proposed="true") == []
    assert pairs(project=str(uuid.uuid4())) == []


@pytest.mark.parametrize(
    "params", [{"project": "P1"}, {"university": "42"}, {"page": 9}, {"page": "last-but-one"}]
)
def test_bad_candidate_filters_are_a_400(api_for, ministry, run, params):
    response = api_for(ministry).get(url(run, "candidates"), params)
    assert response.status_code == 400
    assert set(response.json()) == set(params)


def test_candidates_are_paginated_in_few_queries(api_for, ministry, run, django_assert_max_num_queries):
    api = api_for(ministry)
    with django_assert_max_num_queries(3):  # the run, the count, the page
        first = api.get(url(run, "candidates"), {"page_size": 4}).json()
    assert first["count"] == 6 and len(first["results"]) == 4
    assert first["next"].endswith("page=2&page_size=4") and first["previous"] is None
    second = api.get(first["next"]).json()
    assert len(second["results"]) == 2 and second["next"] is None
    seen = [(r["project"], r["university"]) for r in first["results"] + second["results"]]
    assert len(set(seen)) == 6
    whole = api.get(url(run, "candidates"), {"page_size": 5000}).json()
    assert len(whole["results"]) == 6  # capped at 1,000 a page, and this run has 6


# --- publishing --------------------------------------------------------------------------------


def test_ministry_staff_publish_a_succeeded_run_once(api_for, ministry, run):
    response = api_for(ministry).post(url(run, "publish"))
    assert response.status_code == 200
    assert response.json()["published_at"] is not None
    again = api_for(ministry).post(url(run, "publish"))
    assert again.status_code == 409
    assert "not yet published" in again.json()["detail"]


def test_publishing_a_run_that_has_not_succeeded_is_a_409(api_for, ministry, tiny):
    queued = services.match_run_create(actor=ministry, call=tiny.call)
    response = api_for(ministry).post(url(queued, "publish"))
    assert response.status_code == 409
    queued.refresh_from_db()
    assert queued.published_at is None


@pytest.mark.parametrize(("persona", "expected"), OTHERS)
def test_only_ministry_staff_publish(request, api_for, run, persona, expected):
    response = api_for(request.getfixturevalue(persona)).post(url(run, "publish"))
    assert response.status_code == expected
    run.refresh_from_db()
    assert run.published_at is None
