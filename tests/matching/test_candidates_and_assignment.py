"""The engine's candidates on random small rounds against plain Python, and the placement of
them summarised (the placement itself is tested against an exact optimum in
test_engine_placement)."""

import numpy as np
import pytest

from matching.engine import assignment, placement
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
        project_type=rng.integers(0, 3, projects),
        project_places=rng.integers(1, 60, projects),
        project_partners=rng.integers(1, 4, projects),
        project_province=rng.integers(11, 15, projects),
        project_region=rng.integers(0, 2, projects),
        strengths=np.where(rng.random((universities, 5)) < 0.5, rng.random((universities, 5)), 0).astype(
            np.float32
        ),
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
        assert found.score[i] == pytest.approx(loop_score(r, found.project[i], found.university[i]), abs=1e-5)


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
    )
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


FLOOR = 0.1


def placement_inputs(r: Round, found, floor: float = FLOOR):
    """The candidates as the run gives them to placement: every other interest pair mutual, no
    introduction yet, each project's share its places over its partners rounded up; and the
    pairs summarise counts as eligible."""
    universities = r.shape[1]
    keys = found.project.astype(np.int64) * universities + found.university
    interest = r.interest_project.astype(np.int64) * universities + r.interest_university
    pairs = placement.Pairs(
        project=found.project,
        university=found.university,
        score=found.score,
        area_fit=found.components[0],
        mutual=np.isin(keys, interest[::2]),
        introduced=np.zeros(len(found), dtype=bool),
    )
    capacity = placement.Capacity(
        partners=r.project_partners,
        share=-(-r.project_places // r.project_partners),
        slots=r.university_slots,
        places=r.university_places,
    )
    eligible = (pairs.score > 0) & (pairs.mutual | (pairs.area_fit >= floor))
    return pairs, capacity, eligible


@pytest.mark.parametrize("seed", range(6))
def test_the_placement_of_the_candidates_keeps_every_capacity_and_is_summarised(seed):
    r = random_round(seed)
    found = candidates(r, k=6, m=10)
    pairs, capacity, eligible = placement_inputs(r, found)
    best = placement.place(pairs, capacity, r.project_type, min_area_fit=FLOOR)
    simple = placement.greedy(pairs, capacity, r.project_type, min_area_fit=FLOOR)
    assert best.bound >= best.objective >= 0
    for chosen in (best.chosen, simple):
        summary = assignment.summarise(pairs, capacity, r.project_type, chosen, eligible, 15)
        share = capacity.share[found.project[chosen]]
        slot = found.university[chosen] * 3 + r.project_type[found.project[chosen]]
        served = np.bincount(found.project[chosen], minlength=40)
        assert summary.objective == pytest.approx(float(found.score[chosen].sum(dtype=np.float64)))
        assert np.all(served <= r.project_partners)
        assert np.all(np.bincount(slot, minlength=45) <= r.university_slots.ravel())
        assert np.all(np.bincount(slot, weights=share, minlength=45) <= r.university_places.ravel())
        assert summary.over_places == []
        assert summary.students_placed == share.sum()
        assert summary.projects_served == np.count_nonzero(served == r.project_partners)
        assert summary.reached.tolist() == [u in found.university[chosen] for u in range(15)]
        assert summary.universities_reached == summary.reached.sum()
        assert summary.placed.tolist() == [share[found.university[chosen] == u].sum() for u in range(15)]


def test_a_choice_beyond_the_places_is_reported_by_university():
    r = random_round(2)
    found = candidates(r, k=6, m=10)
    pairs, capacity, eligible = placement_inputs(r, found)
    summary = assignment.summarise(pairs, capacity, r.project_type, eligible, eligible, 15)
    slot = found.university * 3 + r.project_type[found.project]
    used = np.bincount(slot[eligible], weights=capacity.share[found.project[eligible]], minlength=45)
    over = sorted({int(s) // 3 for s in np.flatnonzero(used > r.university_places.ravel())})
    assert over and summary.over_places == over


def blocking_by_definition(pairs, capacity, project_type, chosen, eligible) -> int:
    """Eligible unchosen pairs that both sides would rather have, pair by pair."""
    slot = pairs.university * 3 + project_type[pairs.project]
    count = 0
    for i in np.flatnonzero(eligible & ~chosen):
        mine_p = pairs.score[chosen & (pairs.project == pairs.project[i])]
        mine_s = chosen & (slot == slot[i])
        places_left = capacity.places.ravel()[slot[i]] - capacity.share[pairs.project[mine_s]].sum()
        p_wants = len(mine_p) < capacity.partners[pairs.project[i]] or pairs.score[i] > mine_p.min()
        s_wants = (
            mine_s.sum() < capacity.slots.ravel()[slot[i]] and places_left >= capacity.share[pairs.project[i]]
        ) or (mine_s.any() and pairs.score[i] > pairs.score[mine_s].min())
        count += bool(p_wants and s_wants)
    return count


@pytest.mark.parametrize("seed", range(4))
def test_blocking_pairs_are_counted_by_definition(seed):
    r = random_round(seed)
    found = candidates(r, k=6, m=10)
    pairs, capacity, eligible = placement_inputs(r, found)
    best = placement.place(pairs, capacity, r.project_type, min_area_fit=FLOOR)
    simple = placement.greedy(pairs, capacity, r.project_type, min_area_fit=FLOOR)
    for chosen in (best.chosen, simple):
        assert assignment.blocking_pairs(
            pairs, capacity, r.project_type, chosen, eligible
        ) == blocking_by_definition(pairs, capacity, r.project_type, chosen, eligible)


@pytest.mark.parametrize("seed", range(4))
def test_greedy_leaves_no_blocking_pair_when_only_partners_and_slots_bind(seed):
    """No mutual pair, no floor and no share: best score first is then stable."""
    r = random_round(seed)
    found = candidates(r, k=6, m=10)
    pairs, capacity, _eligible = placement_inputs(r, found, floor=0.0)
    pairs.mutual[:] = False
    capacity.share = np.zeros(40, dtype=np.int64)
    simple = placement.greedy(pairs, capacity, r.project_type, min_area_fit=0.0)
    assert simple.any()
    assert assignment.blocking_pairs(pairs, capacity, r.project_type, simple, pairs.score > 0) == 0


def test_an_empty_round_gives_no_candidates_and_an_empty_placement():
    r = random_round(0, projects=0, universities=5, interests=0)
    found = candidates(r)
    assert len(found) == 0
    pairs, capacity, eligible = placement_inputs(r, found)
    best = placement.place(pairs, capacity, r.project_type, min_area_fit=FLOOR)
    assert not best.chosen.any() and best.bound == 0
    summary = assignment.summarise(pairs, capacity, r.project_type, best.chosen, eligible, 5)
    assert (summary.objective, summary.blocking_pairs, summary.students_placed) == (0, 0, 0)
    assert not summary.reached.any() and summary.over_places == []


@pytest.mark.parametrize("seed", range(4))
def test_the_candidate_search_hot_loop_scores_as_score_block_does(seed):
    r = random_round(seed)
    interest = np.zeros((40, 15), dtype=bool)
    interest[r.interest_project, r.interest_university] = True
    arrays = dict(
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
    )
    _components, totals, eligible = score_block(**arrays)
    arrays.pop("interest")
    places, slots = arrays.pop("university_places"), arrays.pop("university_slots")
    fast = totals_block(
        **arrays,
        places_by_type=places.T.astype(np.float32),
        slots_by_type=slots.T,
        interest_rows=r.interest_project,
        interest_columns=r.interest_university,
    )
    assert np.allclose(np.where(eligible, totals, -1.0), fast, atol=1e-6)
