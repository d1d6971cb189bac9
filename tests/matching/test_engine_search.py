"""The candidate search's fast paths (blocks, selections with exact ties, threads, pair
scoring in blocks) against brute force, on rounds built so that many totals tie exactly."""

import numpy as np
import pytest

from matching.engine import blocks, selection
from matching.engine import candidates as search
from matching.engine.candidates import Round, candidates, reduce_pairs, shard_pairs, shard_rows
from matching.engine.scoring import Weights, effective_strengths, score_block, totals_block

PARENT = np.array([-1, -1, 0, 0, 1])
# Dyadic weights, strengths, area shares and capacity ratios: every total is exact in float32
# whatever the order of the arithmetic, so ties are exact ties everywhere.
DYADIC = Weights(area=0.5, capacity=0.25, region=0.125, interest=0.125)


def tied_round(seed: int, projects: int = 90, universities: int = 17, interests: int = 25) -> Round:
    rng = np.random.default_rng(seed)
    areas = np.zeros((projects, 5), dtype=np.float32)
    first, second = rng.integers(0, 5, projects), rng.integers(0, 5, projects)
    areas[np.arange(projects), first] += 0.5
    areas[np.arange(projects), second] += 0.5
    return Round(
        project_areas=areas,
        project_type=rng.integers(0, 2, projects),
        project_places=np.full(projects, 20),
        project_partners=rng.integers(1, 3, projects),
        project_province=rng.choice([11, 12, -1], projects),
        project_region=rng.integers(0, 2, projects),
        strengths=rng.choice(np.float32([0, 0.5, 1]), (universities, 5)),
        area_parent=PARENT,
        university_places=rng.choice([0, 5, 10, 20], (universities, 2)),
        university_slots=rng.integers(0, 3, (universities, 2)),
        university_province=rng.choice([11, 12], universities),
        university_region=rng.integers(0, 2, universities),
        interest_project=rng.integers(0, projects, interests),
        interest_university=rng.integers(0, universities, interests),
    )


def full_totals(r: Round, weights: Weights) -> np.ndarray:
    """Every pair's total by score_block (ineligible -1), in one block."""
    interest = np.zeros(r.shape, dtype=bool)
    interest[r.interest_project, r.interest_university] = True
    _components, totals, eligible = score_block(
        project_areas=r.project_areas,
        project_type=r.project_type,
        project_places=r.project_places,
        project_partners=r.project_partners,
        project_province=r.project_province,
        project_region=r.project_region,
        effective=effective_strengths(r.strengths, PARENT),
        university_places=r.university_places,
        university_slots=r.university_slots,
        university_province=r.university_province,
        university_region=r.university_region,
        interest=interest,
        weights=weights,
    )
    return np.where(eligible, totals, -1.0)


def brute_force_pairs(r: Round, k: int, m: int, weights: Weights) -> set[tuple[int, int]]:
    totals = full_totals(r, weights)
    projects, universities = r.shape
    pairs = set(zip(r.interest_project.tolist(), r.interest_university.tolist(), strict=True))
    for p in range(projects):
        eligible = [u for u in range(universities) if totals[p, u] >= 0]
        pairs |= {(p, u) for u in sorted(eligible, key=lambda u: (-totals[p, u], u))[:k]}
    for u in range(universities):
        eligible = [p for p in range(projects) if totals[p, u] >= 0]
        pairs |= {(p, u) for p in sorted(eligible, key=lambda p: (-totals[p, u], p))[:m]}
    return pairs


def test_the_tied_rounds_do_tie():
    totals = full_totals(tied_round(0), DYADIC)
    eligible = totals[totals >= 0]
    assert len(np.unique(eligible)) < len(eligible) / 10


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize(("k", "m"), [(3, 4), (1, 1), (5, 30), (40, 200)])
@pytest.mark.parametrize("universities", [17, 150])
def test_candidates_with_many_exact_ties_equal_brute_force(seed, k, m, universities, monkeypatch):
    r = tied_round(seed, universities=universities)
    # Merge each university's best so far after every block: its threshold then cuts.
    monkeypatch.setattr(selection, "FLUSH_AT_LEAST", 0)
    found = candidates(r, k=k, m=m, weights=DYADIC, chunk=16)
    pairs = set(zip(found.project.tolist(), found.university.tolist(), strict=True))
    assert pairs == brute_force_pairs(r, k, m, DYADIC)


@pytest.mark.parametrize("seed", range(3))
def test_sharded_threaded_and_blocked_searches_are_bit_identical(seed, monkeypatch):
    r = tied_round(seed, projects=230, universities=23)
    one = candidates(r, k=3, m=5, weights=DYADIC, chunk=20)
    for shards in (2, 3, 12):
        many = candidates(r, k=3, m=5, weights=DYADIC, chunk=20, shards=shards)
        for field in ("project", "university", "score", "rank", "components", "top_areas"):
            assert np.array_equal(getattr(one, field), getattr(many, field))
    rows = np.arange(230)
    single = shard_pairs(r, rows, k=3, m=5, weights=DYADIC, chunk=20, threads=1)
    for threads in (2, 5):
        threaded = shard_pairs(r, rows, k=3, m=5, weights=DYADIC, chunk=20, threads=threads)
        assert all(np.array_equal(a, b) for a, b in zip(single, threaded, strict=True))
    # Blocks of 3 projects (and a remainder) within each chunk select the same pairs.
    monkeypatch.setattr(blocks, "BLOCK_BYTES", 3 * 4 * 23)
    small = shard_pairs(r, rows, k=3, m=5, weights=DYADIC, chunk=20, threads=1)
    assert all(np.array_equal(a, b) for a, b in zip(single, small, strict=True))


def test_a_reduce_of_shards_that_went_through_json_equals_the_direct_one():
    """The chord's shards come back as lists of floats; the keys are float32 values."""
    r = tied_round(5, projects=120, universities=19)
    parts = [shard_pairs(r, rows, k=2, m=6, weights=DYADIC, chunk=16) for rows in shard_rows(120, 4, 16)]
    direct = reduce_pairs(r, parts, m=6)
    through_json = [
        (
            np.array(p.tolist()),
            np.array(u.tolist()),
            np.array(key.tolist(), dtype=np.float64).reshape(19, -1),
            np.array(project.tolist()).reshape(19, -1),
        )
        for p, u, key, project in parts
    ]
    assert all(np.array_equal(a, b) for a, b in zip(direct, reduce_pairs(r, through_json, m=6), strict=True))


def test_the_block_scorer_scores_as_totals_block_does():
    r = tied_round(3)
    rng = np.random.default_rng(3)
    r.strengths = rng.random(r.strengths.shape).astype(np.float32)  # no longer dyadic
    r.project_places = rng.integers(1, 60, r.shape[0])
    weights = Weights()
    scorer = blocks.Scorer(r, weights)
    rows = np.arange(r.shape[0])
    mask = np.isin(r.interest_project, rows)
    expected = totals_block(
        project_areas=r.project_areas,
        project_type=r.project_type,
        project_places=r.project_places,
        project_partners=r.project_partners,
        project_province=r.project_province,
        project_region=r.project_region,
        effective=effective_strengths(r.strengths, PARENT),
        places_by_type=r.university_places.T.astype(np.float32),
        slots_by_type=r.university_slots.T,
        university_province=r.university_province,
        university_region=r.university_region,
        interest_rows=r.interest_project[mask],
        interest_columns=r.interest_university[mask],
        weights=weights,
    )
    scored = scorer.score(rows)
    assert np.array_equal(scored == -1, expected == -1)
    assert np.allclose(scored, expected, atol=1e-6)


def test_pair_scores_do_not_depend_on_the_pair_blocks_or_the_pairs_order(monkeypatch):
    r = tied_round(7, projects=60, universities=11)
    everything = np.arange(60 * 11)
    p, u = everything // 11, everything % 11
    whole = search.score_pairs(r, p, u, weights=Weights())
    monkeypatch.setattr(search, "PAIR_BLOCK", 7)
    blocked = search.score_pairs(r, p, u, weights=Weights())
    shuffled = np.random.default_rng(0).permutation(len(p))
    mixed = search.score_pairs(r, p[shuffled], u[shuffled], weights=Weights())
    for field in ("score", "rank", "components", "eligible", "top_areas"):
        assert np.array_equal(getattr(whole, field), getattr(blocked, field))
        pair_axis = 0 if field == "top_areas" else -1
        assert np.array_equal(np.take(getattr(whole, field), shuffled, axis=pair_axis), getattr(mixed, field))


# --- the selections -----------------------------------------------------------------------------


def tied_matrix(seed: int, rows: int, columns: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.choice(np.float32([-np.inf, -1, 0, 0.25, 0.5, 0.5, 0.75, 1]), (rows, columns))


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("k", [1, 3, 20, 64, 500])
def test_row_best_takes_each_rows_best_with_ties_to_the_lower_column(seed, k):
    totals = tied_matrix(seed, 17, 301)
    row, column = selection.row_best(totals, k)
    expected = [
        (r, c)
        for r in range(17)
        for c in sorted(np.flatnonzero(totals[r] >= 0), key=lambda c: (-totals[r, c], c))[:k]
    ]
    assert list(zip(row.tolist(), column.tolist(), strict=True)) == expected


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize(("m", "block"), [(1, 5), (4, 3), (10, 40), (50, 7)])
def test_column_best_over_blocks_keeps_each_columns_best_with_ties_to_the_lower_index(seed, m, block):
    totals = tied_matrix(seed, 120, 9)
    index = np.arange(1000, 1120)
    split = selection.ColumnBest(9, m, indexes=2000)
    split.flush_at = 10  # merge often: the thresholds then cut most entries
    whole = selection.ColumnBest(9, m, indexes=2000)
    for start in range(0, 120, block):
        split.add(totals[start : start + block], index[start : start + block])
    whole.add(totals, index)
    keys, projects = selection.merge_columns([split.entries()], m, columns=9, indexes=2000)
    for c in range(9):
        best = sorted(np.flatnonzero(totals[:, c] > -1), key=lambda r: (-totals[r, c], r))[:m]
        assert projects[c, : len(best)].tolist() == (index[best]).tolist()
        assert keys[c, : len(best)].tolist() == totals[best, c].tolist()
        assert (keys[c, len(best) :] == -1).all()
    assert all(np.array_equal(a, b) for a, b in zip(split.entries(), whole.entries(), strict=True))


def test_merging_column_bests_of_consecutive_runs_equals_one_run():
    totals = tied_matrix(11, 200, 13)
    index = np.arange(200)
    parts = []
    for start, stop in ((0, 70), (70, 71), (71, 200)):
        best = selection.ColumnBest(13, 6, indexes=200)
        best.add(totals[start:stop], index[start:stop])
        parts.append(best.entries())
    one = selection.ColumnBest(13, 6, indexes=200)
    one.add(totals, index)
    merged = selection.merge_columns(parts, 6, columns=13, indexes=200)
    direct = selection.merge_columns([one.entries()], 6, columns=13, indexes=200)
    assert all(np.array_equal(a, b) for a, b in zip(merged, direct, strict=True))


def test_packed_ordering_equals_the_lexsort_it_replaces():
    rng = np.random.default_rng(2)
    n = 5000
    group, index = rng.integers(0, 40, n), rng.permutation(n)
    key = rng.choice(np.float32([-3.5, -1, -0.0, 0, 1e-30, 0.5, 2, np.inf, -np.inf]), n)
    expected = np.lexsort((index, -key, group))
    assert np.array_equal(selection.order(group, key, index, groups=40, indexes=n), expected)
    # Sizes beyond 63 bits fall back to the lexsort.
    assert np.array_equal(selection.order(group, key, index, groups=2**40, indexes=n), expected)
    packed = selection.best_per_group(group, key, index, 3, groups=40, indexes=n)
    fallback = selection.best_per_group(group, key, index, 3, groups=2**40, indexes=n)
    assert all(np.array_equal(a, b) for a, b in zip(packed, fallback, strict=True))
    assert np.array_equal(selection._unsortable(selection.sortable(key)), key + np.float32(0))
