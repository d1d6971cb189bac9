"""run_matching prints one JSON summary; export_matches writes everything needed to check a run
independently — checked here by recomputing every score from the export alone."""

import csv
import io
import json
import math
import uuid

import pytest
from django.core.management import CommandError, call_command

from accounts.provinces import PROVINCES
from matching import services
from matching.models import MatchRun
from tests.factories import IntroductionFactory, MinistryUserFactory
from tests.matching.rounds import EXPECTED, tiny_round

pytestmark = pytest.mark.django_db

SUMMARY_KEYS = {
    "run",
    "call",
    "status",
    "weights",
    "k",
    "m",
    "min_area_fit",
    "projects",
    "universities",
    "interests",
    "candidates",
    "proposed",
    "objective",
    "greedy_objective",
    "bound",
    "gap",
    "solver",
    "time_limited",
    "blocking_pairs",
    "greedy_blocking_pairs",
    "projects_served",
    "greedy_projects_served",
    "universities_reached",
    "greedy_universities_reached",
    "students_placed",
    "greedy_students_placed",
    "over_places",
    "mutual",
    "reasons",
    "held",
    "empty_because",
    "coverage",
    "components",
    "seconds",
    "error",
}
# Under the three hard capacities the tiny round proposes P1–U2 and P2–U1 (U1's 10 internship
# places are fewer than P1's share of 20); why each other pair is not proposed.
PROPOSED = {("P1", "U2"), ("P2", "U1")}
REASONS = {
    ("P1", "U1"): "places_taken",
    ("P1", "U3"): "below_floor",
    ("P2", "U3"): "below_floor",
    ("P2", "U2"): "ineligible",
}
OBJECTIVE = 0.595 + 0.63


@pytest.fixture
def superuser(db):
    return MinistryUserFactory(username="moe_admin", is_superuser=True)


@pytest.fixture
def tiny(db):
    return tiny_round()


def command(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


# --- run_matching ------------------------------------------------------------------------------


def test_run_matching_inline_prints_one_json_summary(superuser, tiny):
    output = command("run_matching", "--call", tiny.call.slug, "--inline")
    assert output.count("\n") == 1
    summary = json.loads(output)
    assert set(summary) == SUMMARY_KEYS
    run = MatchRun.objects.get()
    assert (summary["run"], summary["call"], summary["status"], summary["error"]) == (
        str(run.public_id),
        tiny.call.slug,
        "succeeded",
        None,
    )
    assert (summary["candidates"], summary["proposed"], summary["blocking_pairs"]) == (6, 2, 0)
    assert summary["objective"] == pytest.approx(OBJECTIVE, abs=1e-4)
    assert summary["greedy_objective"] == pytest.approx(OBJECTIVE, abs=1e-4)
    assert set(summary["seconds"]) == {"load", "score_and_candidates", "assign", "write"}
    assert all(seconds >= 0 for seconds in summary["seconds"].values())
    assert run.created_by == superuser


def test_run_matching_takes_k_m_weights_and_shards(superuser, tiny):
    summary = json.loads(
        command(
            "run_matching",
            "--call",
            tiny.call.slug,
            "--inline",
            "--k",
            "1",
            "--m",
            "1",
            "--weights",
            '{"interest": 0.5}',
            "--shards",
            "2",
        )
    )
    assert (summary["k"], summary["m"], summary["weights"]["interest"]) == (1, 1, 0.5)
    assert summary["candidates"] == 5 and MatchRun.objects.get().shards == 2


def test_run_matching_takes_the_ai_fit_floor(superuser, tiny):
    summary = json.loads(
        command("run_matching", "--call", tiny.call.slug, "--inline", "--min-area-fit", "0.5")
    )
    # P1–U2 (area fit .45) falls below the floor; P2–U1 (.8) stays.
    assert (summary["min_area_fit"], summary["proposed"]) == (0.5, 1)
    assert summary["reasons"]["below_floor"] == 3 and MatchRun.objects.get().min_area_fit == 0.5


def test_run_matching_without_inline_leaves_the_run_to_a_worker(
    superuser, tiny, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        summary = json.loads(command("run_matching", "--call", tiny.call.slug))
    assert summary["status"] == "queued" and len(callbacks) == 1
    callbacks[0]()
    assert MatchRun.objects.get().status == MatchRun.Status.SUCCEEDED


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--call", "no-such-round"], "No call round has the short name 'no-such-round'"),
        (["--weights", '{"area": -1}'], "0 or more"),
        (["--weights", "{area: 1}"], "Expecting property name"),
        (["--k", "0"], "'k'"),
        (["--m", "1000"], "'m'"),
        (["--min-area-fit", "1.5"], "from 0 to 1"),
    ],
)
def test_run_matching_refuses_bad_input(superuser, tiny, args, message, settings):
    settings.LANGUAGE_CODE = "en"  # commands speak the site's default language
    arguments = ["--call", tiny.call.slug, "--inline", *args]
    with pytest.raises(CommandError, match=message):
        command("run_matching", *arguments)
    assert not MatchRun.objects.exists()


def test_run_matching_needs_a_superuser_to_act_for(tiny):
    with pytest.raises(CommandError, match="superuser"):
        command("run_matching", "--call", tiny.call.slug, "--inline")


# --- export_matches ----------------------------------------------------------------------------


@pytest.fixture
def run(superuser, tiny):
    return services.match_run_execute(services.match_run_create(actor=superuser, call=tiny.call).pk)


def test_export_json_has_the_run_its_inputs_and_every_candidate(run, tiny):
    data = json.loads(command("export_matches", "--run", str(run.public_id), "--format", "json"))
    assert set(data) == {"run", "focus_areas", "projects", "universities", "interests", "candidates"}
    assert {
        "id",
        "call",
        "weights",
        "k",
        "m",
        "objective",
        "greedy_objective",
        "blocking_pairs",
        "candidates",
        "proposed",
        "min_area_fit",
        "bound",
        "gap",
        "solver",
        "held",
        "reasons",
    } <= set(data["run"])
    assert (data["run"]["id"], data["run"]["call"]) == (str(run.public_id), tiny.call.slug)
    assert (data["run"]["min_area_fit"], data["run"]["gap"]) == (0.10, 0)
    assert data["run"]["bound"] == pytest.approx(OBJECTIVE, abs=1e-6)
    assert data["run"]["solver"] == run.solver and run.solver.startswith("HiGHS")
    assert {"code": "cv.medical_imaging", "parent": "cv"} in data["focus_areas"]
    assert {"code": "cv", "parent": None} in data["focus_areas"]
    p1, u1 = tiny.projects["P1"], tiny.universities["U1"]
    project = next(p for p in data["projects"] if p["id"] == str(p1.public_id))
    assert project == {
        "id": str(p1.public_id),
        "type": "internship_base",
        "areas": {"cv": 0.75, "ml": 0.25},
        "partners_sought": 2,
        "student_places": 40,
        "province": "32",
    }
    assert len(data["projects"]) == 2  # published in this call only
    university = next(u for u in data["universities"] if u["id"] == str(u1.public_id))
    capacity = {
        "internship_base": {"places": 10, "projects": 2},
        "directed_training": {"places": 60, "projects": 1},
    }
    assert university == {
        "id": str(u1.public_id),
        "province": "32",
        "strengths": {"cv.medical_imaging": 0.8, "ml": 0.5},
        "capacity": capacity,
        "capacity_total": capacity,
    }  # nothing held
    assert len(data["universities"]) == 3  # verified only
    u2 = str(tiny.universities["U2"].public_id)
    assert sorted(data["interests"], key=lambda i: i["project"]) == sorted(
        [{"project": str(p.public_id), "university": u2, "response": None} for p in tiny.projects.values()],
        key=lambda i: i["project"],
    )
    assert len(data["candidates"]) == 6
    assert {"project", "university", "score", "components", "rank", "proposed", "reason"} <= set(
        data["candidates"][0]
    )
    assert set(data["candidates"][0]["components"]) == {"area_fit", "capacity_fit", "region", "interest"}
    names = {str(p.public_id): n for n, p in tiny.projects.items()}
    names |= {str(u.public_id): n for n, u in tiny.universities.items()}
    for candidate in data["candidates"]:
        pair = names[candidate["project"]], names[candidate["university"]]
        assert (candidate["proposed"], candidate["reason"]) == (pair in PROPOSED, REASONS.get(pair))


def test_export_json_gives_the_capacity_the_run_used_and_the_employers_answers(superuser, tiny):
    """An introduction of P1 sent to U2 earlier holds 20 of U2's internship places and its one
    internship slot: the run used U2's capacity less that, and the export says so beside the
    full figures; the employer's welcome is there, and the pair is not proposed again."""
    p1, p2, u2 = tiny.projects["P1"], tiny.projects["P2"], tiny.universities["U2"]
    IntroductionFactory(proposal=p1, university=u2, places=20)
    u2.interests.filter(proposal=p1).update(response="welcome")
    run = services.match_run_execute(services.match_run_create(actor=superuser, call=tiny.call).pk)
    data = json.loads(command("export_matches", "--run", str(run.public_id), "--format", "json"))
    university = next(u for u in data["universities"] if u["id"] == str(u2.public_id))
    assert university["capacity_total"] == {"internship_base": {"places": 40, "projects": 1}}
    assert university["capacity"] == {"internship_base": {"places": 20, "projects": 0}}
    assert data["run"]["held"] == {str(u2.public_id): {"internship_base": {"places": 20, "projects": 1}}}
    responses = {i["project"]: i["response"] for i in data["interests"]}
    assert responses == {str(p1.public_id): "welcome", str(p2.public_id): None}
    pair = next(
        c
        for c in data["candidates"]
        if (c["project"], c["university"]) == (str(p1.public_id), str(u2.public_id))
    )
    assert (pair["proposed"], pair["reason"]) == (False, "introduced")


def recompute(data: dict) -> dict[tuple[str, str], float]:
    """Every candidate's score from the export alone, the formula written out as the issue
    states it: what an independent check of a run does."""
    parent = {a["code"]: a["parent"] for a in data["focus_areas"]}
    projects = {p["id"]: p for p in data["projects"]}
    universities = {u["id"]: u for u in data["universities"]}
    interests = {(i["project"], i["university"]) for i in data["interests"]}
    weights = data["run"]["weights"]
    scores = {}
    for candidate in data["candidates"]:
        p, u = projects[candidate["project"]], universities[candidate["university"]]

        def strength(code, u=u):
            own = u["strengths"].get(code, 0.0)
            if parent[code] is not None:
                return own
            return max([own, *(w for c, w in u["strengths"].items() if parent[c] == code)])

        capacity = u["capacity"].get(p["type"], {"places": 0, "projects": 0})
        if capacity["places"] <= 0 or capacity["projects"] <= 0:
            scores[candidate["project"], candidate["university"]] = 0.0
            continue
        area = sum(weight * strength(code) for code, weight in p["areas"].items())
        fit = min(1.0, capacity["places"] / (p["student_places"] / p["partners_sought"]))
        if p["province"] == u["province"]:
            region = 1.0
        elif PROVINCES[p["province"]].region == PROVINCES[u["province"]].region:
            region = 0.5
        else:
            region = 0.0
        interest = 1.0 if (p["id"], u["id"]) in interests else 0.0
        scores[candidate["project"], candidate["university"]] = (
            weights["area"] * area
            + weights["capacity"] * fit
            + weights["region"] * region
            + weights["interest"] * interest
        )
    return scores


def test_the_export_is_enough_to_check_every_score_and_every_capacity(run):
    data = json.loads(command("export_matches", "--run", str(run.public_id)))
    expected = recompute(data)
    for candidate in data["candidates"]:
        pair = candidate["project"], candidate["university"]
        assert candidate["score"] == pytest.approx(expected[pair], abs=1e-5), pair
    proposed = [c for c in data["candidates"] if c["proposed"]]
    projects = {p["id"]: p for p in data["projects"]}
    universities = {u["id"]: u for u in data["universities"]}
    for project in projects.values():
        assert sum(c["project"] == project["id"] for c in proposed) <= project["partners_sought"]
    for university in universities.values():
        for kind, capacity in university["capacity"].items():
            taken = [
                projects[c["project"]]
                for c in proposed
                if c["university"] == university["id"] and projects[c["project"]]["type"] == kind
            ]
            assert len(taken) <= capacity["projects"]
            assert (
                sum(math.ceil(p["student_places"] / p["partners_sought"]) for p in taken)
                <= capacity["places"]
            )
    assert sum(c["score"] for c in proposed) == pytest.approx(data["run"]["objective"], abs=1e-4)
    assert data["run"]["objective"] <= data["run"]["bound"] + 1e-4
    assert all(c["reason"] is None for c in proposed)
    assert all(c["reason"] for c in data["candidates"] if not c["proposed"])


def test_export_csv_has_a_header_and_one_row_per_candidate(run, tiny):
    output = command("export_matches", "--run", str(run.public_id), "--format", "csv")
    comment, *lines = output.splitlines()
    assert comment.startswith(f"# run={run.public_id} call={tiny.call.slug}")
    rows = list(csv.reader(lines))
    assert rows[0] == [
        "project",
        "university",
        "score",
        "area_fit",
        "capacity_fit",
        "region",
        "interest",
        "rank",
        "proposed",
    ]
    assert len(rows) == 1 + len(EXPECTED)
    names = {str(p.public_id): n for n, p in tiny.projects.items()}
    names |= {str(u.public_id): n for n, u in tiny.universities.items()}
    for project, university, score, area, capacity, region, interest, rank, proposed in rows[1:]:
        expected = EXPECTED[names[project], names[university]]
        assert [float(area), float(capacity), float(region), float(interest), float(score)] == pytest.approx(
            list(expected[:5]), abs=1e-5
        )
        assert (int(rank), proposed == "True") == (
            expected[5],
            (names[project], names[university]) in PROPOSED,
        )


@pytest.mark.parametrize("run_id", [str(uuid.uuid4()), "42", "not-a-run"])
def test_export_of_an_unknown_run_is_refused(run, run_id):
    with pytest.raises(CommandError, match="No matching run"):
        command("export_matches", "--run", run_id)
