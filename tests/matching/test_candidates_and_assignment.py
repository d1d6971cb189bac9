"""The engine's candidates and assignment on random small rounds, against plain Python and an
LP solved by scipy."""

import numpy as np
import pytest
from scipy.optimize import linprog

from matching.engine import assignment
from matching.engine.candidates import Round, candidates
from matching.engine.scoring import (
    DEFAULT_WEIGHTS,
    Weights,
    effective_strengths,
    score_block,
    totals_block,
)

PARENT = np.array([-1, -1, 0, 0, 1])  # two top-level areas; 2 and 3 under 0, 4 under 1


def random_round(seed: int, projects: int = 40, universities: int = 15, interests: int = 12) -> Round:
    rng = np.random.default_rng(seed)
    areas = np.where(rng.random((projects, 5)) < 0.4, rng.random((projects, 5)), 0)
    areas[areas.sum(axis=1) == 0, 0] = 1.0
    return Round(
        project_areas=(areas / areas.sum(axis=1, keepdims=True)).astype(np.float32),
        project_type=rng.integers(0, 3, projects), project_places=rng.integers(1, 60, projects),
        project_partners=rng.integers(1, 4, projects),
        project_province=rng.integers(11, 15, projects), project_region=rng.integers(0, 2, projects),
        strengths=np.where(rng.random((universities, 5)) < 0.5, rng.random((universities, 5)),
                           0).astype(np.float32),
        area_parent=PARENT,
        university_places=rng.integers(0, 40, (universities, 3)),
        university_slots=rng.integers(0, 4, (universities, 3)),
        university_province=rng.integers(11, 15, universities),
        university_region=rng.integers(0, 2, universities),
        interest_project=rng.integers(0, projects, interests),
        interest_university=rng.integers(0, universities, interests),
    )


def loop_score(r: Round, p: int, u: int, w: Weights = DEFAULT_WEIGHTS) -> float:
    """The score formula written out pair by pair, as the issue states it."""
    t = r.project_type[p]
    places, slots = r.university_places[u, t], r.university_slots[u, t]
    if places <= 0 or slots <= 0:
        return 0.0
    strength = []
    for a in range(5):
        own = r.strengths[u, a]
        children = [r.strengths[u, c] for c in range(5) if PARENT[c] == a]
        strength.append(max([own, *children]) if PARENT[a] < 0 else own)
    area = sum(float(r.project_areas[p, a]) * float(strength[a]) for a in range(5))
    capacity = min(1.0, places / (r.project_places[p] / r.project_partners[p]))
    if r.project_province[p] == r.university_province[u]:
        region = 1.0
    elif r.project_region[p] == r.university_region[u]:
        region = 0.5
    else:
        region = 0.0
    pairs = set(zip(r.interest_project.tolist(), r.interest_university.tolist(), strict=True))
    interest = 1.0 if (p, u) in pairs else 0.0
    return w.area * area + w.capacity * capacity + w.region * region + w.interest * interest


@pytest.mark.parametrize("seed", range(5))
def test_vectorised_scores_equal_the_pair_by_pair_loop(seed):
    r = random_round(seed)
    found = candidates(r, k=15, m=40)  # every eligible pair is a candidate at these sizes
    eligible = {(p, u) for p in range(40) for u in range(15) if loop_score(r, p, u) > 0}
    interest = set(zip(r.interest_project.tolist(), r.interest_university.tolist(), strict=True))
    assert set(zip(found.project.tolist(), found.university.tolist(), strict=True)) == eligible | interest
    for i in range(len(found)):
        assert found.score[i] == pytest.approx(loop_score(r, found.project[i], found.university[i]),
                                               abs=1e-5)


@pytest.mark.parametrize("seed", range(5))
def test_candidates_hold_top_k_top_m_and_every_interest_pair(seed):
    r = random_round(seed)
    k, m = 3, 4
    found = candidates(r, k=k, m=m)
    pairs = set(zip(found.project.tolist(), found.university.tolist(), strict=True))
    # The engine's own float32 scores: near-ties must be ordered as the engine orders them.
    interest = np.zeros((40, 15), dtype=bool)
    interest[r.interest_project, r.interest_university] = True
    _components, full, _eligible = score_block(
        project_areas=r.project_areas, project_type=r.project_type,
        project_places=r.project_places, project_partners=r.project_partners,
        project_province=r.project_province, project_region=r.project_region,
        effective=effective_strengths(r.strengths, PARENT), university_places=r.university_places,
        university_slots=r.university_slots, university_province=r.university_province,
        university_region=r.university_region, interest=interest)
    for p in range(40):
        eligible = [u for u in range(15) if full[p, u] > 0]
        best = sorted(eligible, key=lambda u: (-full[p, u], u))[:k]
        assert {(p, u) for u in best} <= pairs
    for u in range(15):
        eligible = [p for p in range(40) if full[p, u] > 0]
        best = sorted(eligible, key=lambda p: (-full[p, u], p))[:m]
        assert {(p, u) for p in best} <= pairs
    assert set(zip(r.interest_project.tolist(), r.interest_university.tolist(), strict=True)) <= pairs


@pytest.mark.parametrize("seed", range(3))
def test_a_sharded_search_equals_an_unsharded_one(seed):
    r = random_round(seed, projects=230, universities=30)
    one = candidates(r, k=5, m=8, chunk=20)
    many = candidates(r, k=5, m=8, chunk=20, shards=4)
    assert np.array_equal(one.project, many.project)
    assert np.array_equal(one.university, many.university)
    assert np.array_equal(one.score, many.score) and np.array_equal(one.rank, many.rank)


def test_ranks_count_from_one_within_each_project():
    found = candidates(random_round(1), k=4, m=4)
    for p in np.unique(found.project):
        ranks = found.rank[found.project == p]
        scores = found.score[found.project == p][np.argsort(ranks)]
        assert sorted(ranks.tolist()) == list(range(1, len(ranks) + 1))
        assert np.all(np.diff(scores) <= 0)


def lp_optimum(found, r: Round) -> float:
    """The b-matching as an LP (its constraint matrix is totally unimodular: the optimum is
    integral), solved by scipy's HiGHS."""
    n = len(found)
    usable = found.score > 0
    rows, bounds = [], []
    for p in range(len(r.project_type)):
        rows.append((found.project == p).astype(float))
        bounds.append(r.project_partners[p])
    slot = found.university * 3 + r.project_type[found.project]
    for s in range(r.university_slots.size):
        rows.append((slot == s).astype(float))
        bounds.append(r.university_slots.ravel()[s])
    result = linprog(-found.score.astype(float), A_ub=np.array(rows), b_ub=np.array(bounds),
                     bounds=[(0, 1 if usable[i] else 0) for i in range(n)], method="highs")
    return -result.fun


@pytest.mark.parametrize("seed", range(6))
def test_the_assignment_is_optimal_and_respects_every_capacity(seed):
    r = random_round(seed)
    found = candidates(r, k=6, m=10)
    args = (found.project, found.university, found.score, r.project_type, r.project_partners,
            r.university_slots)
    chosen = assignment.optimal(*args)
    assert float(found.score[chosen].sum()) == pytest.approx(lp_optimum(found, r), abs=1e-3)
    assert np.all(np.bincount(found.project[chosen], minlength=40) <= r.project_partners)
    slot = found.university[chosen] * 3 + r.project_type[found.project[chosen]]
    assert np.all(np.bincount(slot, minlength=45) <= r.university_slots.ravel())
    assert np.all(found.score[chosen] > 0)
    greedy = assignment.greedy(*args)
    assert found.score[greedy].sum() <= found.score[chosen].sum() + 1e-6


@pytest.mark.parametrize("seed", range(4))
def test_greedy_is_stable_and_blocking_pairs_are_counted_by_definition(seed):
    r = random_round(seed)
    found = candidates(r, k=6, m=10)
    args = (found.project, found.university, found.score, r.project_type, r.project_partners,
            r.university_slots)
    greedy = assignment.greedy(*args)
    assert assignment.blocking_pairs(*args[:3], greedy, *args[3:]) == 0
    chosen = assignment.optimal(*args)
    slot = found.university * 3 + r.project_type[found.project]
    count = 0
    for i in range(len(found)):
        if chosen[i] or found.score[i] <= 0:
            continue
        mine_p = found.score[chosen & (found.project == found.project[i])]
        mine_s = found.score[chosen & (slot == slot[i])]
        p_wants = len(mine_p) < r.project_partners[found.project[i]] or found.score[i] > mine_p.min()
        s_wants = len(mine_s) < r.university_slots.ravel()[slot[i]] or found.score[i] > mine_s.min()
        count += bool(p_wants and s_wants)
    assert assignment.blocking_pairs(*args[:3], chosen, *args[3:]) == count


def test_an_empty_round_gives_no_candidates_and_an_empty_assignment():
    r = random_round(0, projects=0, universities=5, interests=0)
    found = candidates(r)
    assert len(found) == 0
    chosen = assignment.optimal(found.project, found.university, found.score, r.project_type,
                                r.project_partners, r.university_slots)
    assert not chosen.any()


@pytest.mark.parametrize("seed", range(4))
def test_the_candidate_search_hot_loop_scores_as_score_block_does(seed):
    r = random_round(seed)
    interest = np.zeros((40, 15), dtype=bool)
    interest[r.interest_project, r.interest_university] = True
    arrays = dict(
        project_areas=r.project_areas, project_type=r.project_type, project_places=r.project_places,
        project_partners=r.project_partners, project_province=r.project_province,
        project_region=r.project_region, effective=effective_strengths(r.strengths, PARENT),
        university_places=r.university_places, university_slots=r.university_slots,
        university_province=r.university_province, university_region=r.university_region,
        interest=interest)
    _components, totals, eligible = score_block(**arrays)
    arrays.pop("interest")
    places, slots = arrays.pop("university_places"), arrays.pop("university_slots")
    fast = totals_block(**arrays, places_by_type=places.T.astype(np.float32), slots_by_type=slots.T,
                        interest_rows=r.interest_project, interest_columns=r.interest_university)
    assert np.allclose(np.where(eligible, totals, -1.0), fast, atol=1e-6)
