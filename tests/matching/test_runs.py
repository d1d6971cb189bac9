"""Matching runs through the database: the score formula on a hand-computed round, interest
pairs, idempotent execution, a failed run keeping the previous results, the stuck-run sweeper,
publishing, bad parameters, empty calls and sharding."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.errors import Conflict
from accounts.models import AuditEvent, UniversityCapacity
from matching import selectors, services, writing
from matching.engine import candidates as engine_candidates
from matching.models import Candidate, MatchRun, UniversityCandidates, unpack_ids
from matching.services import execution
from matching.tasks import execute_match_run
from tests.factories import CallFactory, ProposalFactory, UniversityFactory
from tests.matching.rounds import EXPECTED, OBJECTIVE, REASONS, published, tiny_round

pytestmark = pytest.mark.django_db

ROW = ["area_fit", "capacity_fit", "region", "interest", "score", "rank", "proposed", "top_area_codes"]


def run_now(actor, call, **parameters) -> MatchRun:
    """Create and execute a run in this process (a worker would, once the create commits)."""
    run = services.match_run_create(actor=actor, call=call, **parameters)
    return services.match_run_execute(run.pk)


def stored(run: MatchRun, names: dict | None = None) -> dict:
    """The run's candidates as {(project, university): (components..., score, rank, ...)}."""
    rows = Candidate.objects.filter(run=run).values_list("proposal_id", "university_id", *ROW)
    return {(names or {}).get((p, u), (p, u)): (*rest, codes.split()) for p, u, *rest, codes in rows}


def stored_reasons(run: MatchRun, names: dict) -> dict:
    return {
        names[p, u]: reason
        for p, u, reason in Candidate.objects.filter(run=run).values_list(
            "proposal_id", "university_id", "reason"
        )
    }


def current_results(call) -> MatchRun | None:
    """The call's current results: those of its latest succeeded run."""
    return (
        MatchRun.objects.filter(call=call, status=MatchRun.Status.SUCCEEDED)
        .order_by("-finished_at", "-pk")
        .first()
    )


@pytest.fixture
def tiny(db):
    return tiny_round()


# --- the score formula, hand-computed ---------------------------------------------------------


def test_stored_candidates_carry_the_hand_computed_components_scores_ranks_and_proposals(ministry, tiny):
    run = run_now(ministry, tiny.call)
    assert run.status == MatchRun.Status.SUCCEEDED and run.progress == 100 and not run.error
    found = stored(run, tiny.names())
    assert set(found) == set(EXPECTED)
    for pair, expected in EXPECTED.items():
        *numbers, rank, proposed, top = found[pair]
        assert numbers == pytest.approx(list(expected[:5]), abs=1e-5), pair
        assert (rank, proposed, top) == expected[5:], pair
    reasons = {names: reason for names, reason in stored_reasons(run, tiny.names()).items() if reason}
    assert reasons == {pair: Candidate.Reason(code) for pair, code in REASONS.items()}


def test_each_university_s_packed_candidates_are_exactly_its_candidates_of_the_run(ministry, tiny):
    """What the results by university read in place of an index: one pack per university with
    candidates, holding their ids in the order shown, proposed first, then by score (written by
    COPY on PostgreSQL, by bulk_create elsewhere); an earlier run's candidates stay out of a
    later run's packs."""
    for each in (run_now(ministry, tiny.call), run_now(ministry, tiny.call)):
        expected = {}
        for university, pk in (
            Candidate.objects.filter(run=each)
            .order_by("university_id", "-proposed", "-score", "pk")
            .values_list("university_id", "pk")
        ):
            expected.setdefault(university, []).append(pk)
        packed = {
            pack.university_id: unpack_ids(pack.ids) for pack in UniversityCandidates.objects.filter(run=each)
        }
        assert packed == expected and len(packed) == 3


def test_candidates_copied_in_blocks_of_two_are_exactly_those_copied_in_one(ministry, tiny, monkeypatch):
    """On PostgreSQL the next block of rows is built in a thread while the one before is sent:
    several blocks store the same rows, ids in order, and the same packs, as one does."""
    one = run_now(ministry, tiny.call)
    monkeypatch.setattr(writing, "COPY_ROWS", 2)
    monkeypatch.setattr(writing, "COPY_READ", 7)  # reads that cut rows in the middle
    three = run_now(ministry, tiny.call)
    assert stored(three) == stored(one)

    def layout(run):  # each pair's place in the run's block of ids
        rows = list(Candidate.objects.filter(run=run).values_list("pk", "proposal_id", "university_id"))
        first = min(pk for pk, *_ in rows)
        assert sorted(pk for pk, *_ in rows) == list(range(first, first + len(rows)))
        return {(p, u): pk - first for pk, p, u in rows}

    def packs(run):
        first = Candidate.objects.filter(run=run).order_by("pk").values_list("pk", flat=True)[0]
        return {
            pack.university_id: [pk - first for pk in unpack_ids(pack.ids)]
            for pack in UniversityCandidates.objects.filter(run=run)
        }

    assert layout(three) == layout(one) and packs(three) == packs(one)


@pytest.mark.services  # blocks of rows are PostgreSQL's COPY
def test_a_block_of_rows_failing_in_its_thread_fails_the_run_and_writes_nothing(ministry, tiny, monkeypatch):
    first = run_now(ministry, tiny.call)
    monkeypatch.setattr(writing, "COPY_ROWS", 2)
    build = writing._binary_rows
    built = []

    def second_block_fails(*args):
        built.append(1)
        if len(built) == 2:
            raise MemoryError("no room for the block")
        return build(*args)

    monkeypatch.setattr(writing, "_binary_rows", second_block_fails)
    second = run_now(ministry, tiny.call)
    assert second.status == MatchRun.Status.FAILED and second.error == "MemoryError: no room for the block"
    assert not second.candidates.exists()
    assert not UniversityCandidates.objects.filter(run=second).exists()
    assert current_results(tiny.call) == first


def test_the_summary_reports_counts_objectives_bound_and_no_university_over_its_places(ministry, tiny):
    run = run_now(ministry, tiny.call)
    summary = run.summary
    assert {
        key: summary[key] for key in ("projects", "universities", "interests", "candidates", "proposed")
    } == {"projects": 2, "universities": 3, "interests": 2, "candidates": 6, "proposed": 2}
    assert summary["objective"] == pytest.approx(OBJECTIVE, abs=1e-4)
    assert summary["greedy_objective"] == pytest.approx(OBJECTIVE, abs=1e-4)
    assert summary["blocking_pairs"] == summary["greedy_blocking_pairs"] == 0
    assert summary["projects_served"] == 1 and summary["universities_reached"] == 2
    assert summary["students_placed"] == 20 + 30
    # U1's 10 internship places cannot take P1's 20 students per partner: never proposed.
    assert summary["over_places"] == []
    assert summary["reasons"] == {"places_taken": 1, "below_floor": 2, "ineligible": 1}
    assert run.bound == pytest.approx(OBJECTIVE, abs=1e-4) and run.gap == pytest.approx(0, abs=1e-4)
    assert run.min_area_fit == 0.10 and "HiGHS" in run.solver
    assert set(run.timings) == {"load", "score_and_candidates", "assign", "write"}
    assert run.started_at <= run.finished_at


def test_the_weights_stored_on_the_run_make_the_score(ministry, tiny):
    run = run_now(ministry, tiny.call, weights={"area": 1, "capacity": 1, "region": 1, "interest": 1})
    assert run.weights == {"area": 1.0, "capacity": 1.0, "region": 1.0, "interest": 1.0}
    found = stored(run, tiny.names())
    for pair, (area, capacity, region, interest, score, *_rest) in EXPECTED.items():
        eligible = score > 0
        expected = (area + capacity + region + interest) if eligible else 0.0
        assert found[pair][4] == pytest.approx(expected, abs=1e-5), pair


def test_an_interest_pair_is_a_candidate_however_low_it_scores(ministry, tiny):
    """k = m = 1 keeps each project's best university (U1 for both) and each university's best
    project (P1 for U1 and U2, P2 for U3); U2's interest in P2, for which it is not even
    eligible, is kept too. P1–U3 is nobody's best and no interest: it goes."""
    run = run_now(ministry, tiny.call, k=1, m=1)
    assert set(stored(run, tiny.names())) == {
        ("P1", "U1"),
        ("P2", "U1"),
        ("P1", "U2"),
        ("P2", "U3"),
        ("P2", "U2"),
    }


def test_a_withdrawn_interest_counts_for_nothing(ministry, tiny):
    run = run_now(ministry, tiny.call)
    assert stored(run, tiny.names())[("P1", "U3")][3] == 0.0  # U3 withdrew its interest in P1


# --- idempotency -------------------------------------------------------------------------------


def test_executing_a_run_again_does_nothing(ministry, tiny):
    run = run_now(ministry, tiny.call)
    before = (stored(run), run.summary, run.finished_at)
    assert services.match_run_execute(run.pk) is None
    run.refresh_from_db()
    assert (stored(run), run.summary, run.finished_at) == before


def test_a_run_claimed_by_one_worker_is_not_claimed_by_another(ministry, tiny):
    run = services.match_run_create(actor=ministry, call=tiny.call)
    assert services.match_run_claim(run.pk) is True
    assert services.match_run_claim(run.pk) is False
    assert services.match_run_execute(run.pk) is None  # the other worker's delivery
    run.refresh_from_db()
    assert run.status == MatchRun.Status.RUNNING and not run.candidates.exists()


def test_the_run_is_enqueued_on_commit_and_a_duplicate_delivery_does_nothing(
    ministry, tiny, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        run = services.match_run_create(actor=ministry, call=tiny.call)
    assert len(callbacks) == 1  # the task goes out only once the run is committed
    run.refresh_from_db()
    assert run.status == MatchRun.Status.SUCCEEDED
    count = run.candidates.count()
    assert execute_match_run.delay(run.pk).get() is None
    assert execute_match_run(run.pk) is None
    assert run.candidates.count() == count == 6


def test_a_run_created_in_a_transaction_that_rolls_back_is_never_enqueued(
    ministry, tiny, django_capture_on_commit_callbacks
):
    from django.db import transaction

    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuntimeError), transaction.atomic():
        services.match_run_create(actor=ministry, call=tiny.call)
        raise RuntimeError("the surrounding request failed")
    assert callbacks == [] and not MatchRun.objects.exists()


# --- failures keep the previous results --------------------------------------------------------


def test_a_failed_run_leaves_the_previous_results_current(ministry, tiny, monkeypatch):
    first = run_now(ministry, tiny.call)
    results = stored(first)

    def broken(run, loaded, found, timings):
        raise RuntimeError("the solver ran out of memory")

    monkeypatch.setattr(execution, "run_choose", broken)
    second = run_now(ministry, tiny.call)
    assert second.status == MatchRun.Status.FAILED
    assert second.error == "RuntimeError: the solver ran out of memory"
    assert second.finished_at is not None and not second.candidates.exists()
    assert current_results(tiny.call) == first and stored(first) == results


def test_a_run_failing_while_writing_its_results_writes_none(ministry, tiny, monkeypatch):
    """The candidates and the succeeded status commit together or not at all."""
    first = run_now(ministry, tiny.call)
    write = execution.candidates_write

    def write_then_fail(*args):
        write(*args)
        assert Candidate.objects.filter(run=args[0]).count() == 6  # written, not yet committed
        raise OSError("connection lost")

    monkeypatch.setattr(execution, "candidates_write", write_then_fail)
    second = run_now(ministry, tiny.call)
    assert second.status == MatchRun.Status.FAILED and second.error == "OSError: connection lost"
    assert not second.candidates.exists()
    assert second.summary == {} and second.progress < 100
    assert current_results(tiny.call) == first


# --- the sweeper -------------------------------------------------------------------------------


def test_the_sweeper_fails_a_run_stuck_in_running_and_a_rerun_completes(ministry, tiny):
    stuck = services.match_run_create(actor=ministry, call=tiny.call)
    services.match_run_claim(stuck.pk)  # then the worker died
    stuck.refresh_from_db()
    just_in_time = stuck.started_at + services.STUCK_AFTER - timedelta(seconds=1)
    assert services.match_runs_sweep(now=just_in_time) == 0
    assert services.match_runs_sweep(now=stuck.started_at + services.STUCK_AFTER + timedelta(seconds=1)) == 1
    stuck.refresh_from_db()
    assert stuck.status == MatchRun.Status.FAILED and "run it again" in stuck.error
    assert services.match_run_execute(stuck.pk) is None  # a late delivery finds it failed
    rerun = run_now(ministry, tiny.call)
    assert rerun.status == MatchRun.Status.SUCCEEDED and rerun.candidates.count() == 6
    assert current_results(tiny.call) == rerun


def test_the_sweeper_hands_a_run_queued_too_long_to_a_worker_again(ministry, tiny):
    waiting = services.match_run_create(actor=ministry, call=tiny.call)  # its task never came
    overdue = waiting.created_at + services.QUEUED_TOO_LONG
    assert services.match_runs_sweep(now=overdue - timedelta(seconds=1)) == 0
    waiting.refresh_from_db()
    assert waiting.status == MatchRun.Status.QUEUED  # waiting is not stuck: not failed
    assert services.match_runs_sweep(now=overdue + timedelta(seconds=1)) == 1
    waiting.refresh_from_db()
    assert waiting.status == MatchRun.Status.SUCCEEDED  # queued again, and run (eagerly, here)


def test_a_run_swept_while_it_was_still_computing_discards_its_results(ministry, tiny, monkeypatch):
    """The worker was slow, not dead: once swept, its late results must not become current."""
    choose = execution.run_choose

    def slow(run, loaded, found, timings):
        services.match_runs_sweep(now=timezone.now() + services.STUCK_AFTER * 2)
        return choose(run, loaded, found, timings)

    monkeypatch.setattr(execution, "run_choose", slow)
    run = run_now(ministry, tiny.call)
    assert run.status == MatchRun.Status.FAILED and "discarded" in run.error
    assert not run.candidates.exists() and current_results(tiny.call) is None


# --- publishing --------------------------------------------------------------------------------


def audit_actions(run: MatchRun) -> list[tuple]:
    return list(
        AuditEvent.objects.filter(object_id=run.pk, action__startswith="match_run")
        .order_by("pk")
        .values_list("action", "actor__username")
    )


def test_a_succeeded_run_is_published_once_and_audited(ministry, tiny):
    run = run_now(ministry, tiny.call)
    published_run = services.match_run_publish(actor=ministry, run=run)
    assert published_run.published_at is not None
    with pytest.raises(Conflict):
        services.match_run_publish(actor=ministry, run=run)
    assert audit_actions(run) == [("match_run_created", "ministry"), ("match_run_published", "ministry")]


@pytest.mark.parametrize("state", ["queued", "running", "failed"])
def test_only_a_succeeded_run_can_be_published(ministry, tiny, state):
    run = services.match_run_create(actor=ministry, call=tiny.call)
    MatchRun.objects.filter(pk=run.pk).update(status=state)
    with pytest.raises(Conflict):
        services.match_run_publish(actor=ministry, run=run)
    run.refresh_from_db()
    assert run.published_at is None


@pytest.mark.parametrize("persona", ["employer", "university"])
def test_only_ministry_staff_publish(request, ministry, tiny, persona):
    run = run_now(ministry, tiny.call)
    with pytest.raises(PermissionDenied):
        services.match_run_publish(actor=request.getfixturevalue(persona), run=run)
    run.refresh_from_db()
    assert run.published_at is None


# --- bad parameters ----------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["employer", "university"])
def test_only_ministry_staff_start_a_run(request, tiny, persona):
    with pytest.raises(PermissionDenied):
        services.match_run_create(actor=request.getfixturevalue(persona), call=tiny.call)
    assert not MatchRun.objects.exists()


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ({"area": -0.1}, "0 or more"),
        ({"area": 0, "capacity": 0, "region": 0, "interest": 0}, "must not all be 0"),
        ({"popularity": 0.5}, "Unknown weights: popularity"),
        ({"area": "0.6"}, "0 or more"),
        ({"interest": True}, "0 or more"),
        ({"region": None}, "0 or more"),
    ],
)
def test_bad_weights_are_refused(ministry, tiny, weights, message):
    with pytest.raises(ValidationError) as refused:
        services.match_run_create(actor=ministry, call=tiny.call, weights=weights)
    assert message in " ".join(refused.value.message_dict["weights"])
    assert not MatchRun.objects.exists()


def test_missing_weights_take_the_defaults(ministry, tiny):
    run = services.match_run_create(actor=ministry, call=tiny.call, weights={"area": 0.8})
    assert run.weights == {"area": 0.8, "capacity": 0.15, "region": 0.15, "interest": 0.1}


@pytest.mark.parametrize(("field", "value"), [("k", 0), ("k", 201), ("k", -3), ("m", 0), ("m", 501)])
def test_k_or_m_out_of_range_is_refused(ministry, tiny, field, value):
    with pytest.raises(ValidationError) as refused:
        services.match_run_create(actor=ministry, call=tiny.call, **{field: value})
    assert field in refused.value.message_dict
    assert not MatchRun.objects.exists()


@pytest.mark.parametrize(("field", "value"), [("k", 1), ("k", 200), ("m", 1), ("m", 500)])
def test_k_and_m_at_their_bounds_are_accepted(ministry, tiny, field, value):
    run = run_now(ministry, tiny.call, **{field: value})
    assert run.status == MatchRun.Status.SUCCEEDED and getattr(run, field) == value


# --- empty calls -------------------------------------------------------------------------------


def assert_empty(run: MatchRun, projects: int, universities: int) -> None:
    assert run.status == MatchRun.Status.SUCCEEDED, run.error
    assert run.progress == 100 and not run.candidates.exists()
    summary = run.summary
    assert (summary["projects"], summary["universities"]) == (projects, universities)
    assert summary["candidates"] == summary["proposed"] == summary["interests"] == 0
    assert summary["objective"] == summary["greedy_objective"] == 0
    assert summary["projects_served"] == summary["universities_reached"] == 0


def test_a_call_without_published_projects_gives_an_empty_succeeded_run(ministry, tiny):
    call = CallFactory()
    ProposalFactory(call=call, status="submitted")
    assert_empty(run_now(ministry, call), projects=0, universities=3)


def test_a_call_without_eligible_universities_gives_an_empty_succeeded_run(ministry):
    call = CallFactory()
    published(call)
    published(call, project_type="workforce_development", areas={"nlp": 1})
    UniversityFactory(status="pending")
    assert_empty(run_now(ministry, call), projects=2, universities=0)


def test_universities_without_capacity_for_the_types_sought_give_an_empty_run(ministry):
    call = CallFactory()
    published(call, project_type="internship_base")
    university = UniversityFactory()
    UniversityCapacity.objects.create(
        university=university, project_type="directed_training", places=50, projects=3
    )
    UniversityCapacity.objects.create(
        university=university, project_type="internship_base", places=50, projects=0
    )  # places but no project slots
    assert_empty(run_now(ministry, call), projects=1, universities=1)


# --- sharding ----------------------------------------------------------------------------------


def test_a_sharded_run_stores_exactly_what_an_unsharded_one_does(ministry, monkeypatch, settings):
    """Shards are whole chunks of projects; chunks of 4 split these 22 projects into 3 shards."""
    call = CallFactory()
    round_ = tiny_round(call)
    for i in range(20):
        published(
            call,
            project_type=["internship_base", "directed_training"][i % 2],
            student_places=10 + 7 * i,
            partners_sought=1 + i % 3,
            host_province=["32", "33", "11", "44"][i % 4],
            areas={["cv", "ml", "nlp", "cv.medical_imaging"][i % 4]: 2, "ml": 1},
        )
    for province in ("32", "44", "11"):
        UniversityFactory.create(province=province)  # no capacity: never eligible
    shards_seen = []
    shard_pairs = engine_candidates.shard_pairs

    def spy(round_, rows, **kwargs):
        shards_seen.append(len(rows))
        return shard_pairs(round_, rows, **kwargs)

    settings.MATCHING_CHUNK = 4
    monkeypatch.setattr(engine_candidates, "shard_pairs", spy)
    one = run_now(ministry, call, k=2, m=3)
    assert shards_seen == [22]
    shards_seen.clear()
    three = run_now(ministry, call, k=2, m=3, shards=3)
    assert three.shards == 3 and len(shards_seen) == 3 and sum(shards_seen) == 22
    assert stored(one) == stored(three) and len(stored(one)) > 22
    assert one.summary == three.summary
    assert set(round_.universities.values()) >= {c.university for c in three.candidates.all()}


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"proposed": True},
        {"province": "32"},
        {"province": "44"},
        {"province": "33"},
        {"province": "44", "proposed": True},
        {"area": "ml"},
        {"area": "cv"},
        {"university": "UNIVERSITY"},
        {"project": "PROJECT"},
        {"project": "PROJECT", "province": "11"},
    ],
)
def test_the_results_by_university_are_those_of_the_pairs_passing_the_filters(ministry, tiny, fields):
    """run_universities and candidates_by_university read the packed ids (or, for a filter on the
    projects, the pairs): either way they list exactly what the filtered pairs say."""
    run = run_now(ministry, tiny.call)
    u1 = tiny.universities["U1"]
    fields = {
        key: (
            u1.name if value == "UNIVERSITY" else tiny.projects["P2"].title if value == "PROJECT" else value
        )
        for key, value in fields.items()
    }
    filters = selectors.CandidateFilters(**fields)
    pairs = list(selectors.run_candidates(run, filters))
    universities = list(selectors.run_universities(run, filters))
    assert {u.pk for u in universities} == {c.university_id for c in pairs}
    grouped = selectors.candidates_by_university(run, filters, universities, limit=10)
    assert {pk: {c.pk for c in rows} for pk, rows in grouped.items()} == {
        u.pk: {c.pk for c in pairs if c.university_id == u.pk} for u in universities
    }


@pytest.mark.parametrize("fields", [{}, {"province": "32"}])
def test_a_university_s_first_candidates_are_its_proposed_ones_then_the_best_scores(ministry, tiny, fields):
    """U1 ranks P1 (0.66) above P2 (0.63) but is proposed for P2: with room for one, P2 is shown,
    from the packed order without a filter, from the query with one (U1 is in province 32, so
    the filter keeps both of its candidates)."""
    run = run_now(ministry, tiny.call)
    u1 = tiny.universities["U1"]
    for limit, expected in [(1, ["P2"]), (2, ["P1", "P2"])]:
        rows = selectors.candidates_by_university(run, selectors.CandidateFilters(**fields), [u1], limit)[
            u1.pk
        ]
        names = {p.pk: name for name, p in tiny.projects.items()}
        assert [names[row.proposal_id] for row in rows] == expected
        assert {row.group_size for row in rows} == {2}
