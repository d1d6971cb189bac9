"""The optimal assignment's pruned solve and its certificate: whichever path it takes (pruned
and proved, pruned with rounds of added pairs, or the whole graph), the optimum is the LP's."""

import numpy as np
import pytest
from scipy.optimize import linprog
from scipy.sparse import csr_matrix, vstack

from matching.engine import assignment, flow

TYPES = 2


def instance(seed: int, projects: int = 300, universities: int = 40, density: float = 0.25,
             tied: bool = False):
    rng = np.random.default_rng(seed)
    project, university = np.nonzero(rng.random((projects, universities)) < density)
    score = (rng.choice(np.float32([0, 0.25, 0.5, 0.75, 1]), len(project)) if tied
             else rng.random(len(project)).astype(np.float32))
    project_type = rng.integers(0, TYPES, projects)
    partners = rng.integers(0, 5, projects)
    slots = rng.integers(0, 4, (universities, TYPES))
    return project, university, score, project_type, partners, slots


def cost_of(chosen, score) -> int:
    return int(np.rint(score[chosen] * np.float32(flow.SCALE)).astype(np.int64).sum())


def lp_cost(project, university, score, project_type, partners, slots) -> int:
    """The b-matching as an LP over the integer costs (its matrix is totally unimodular)."""
    n = len(project)
    gain = np.rint(score * np.float32(flow.SCALE)).astype(float)
    columns = np.arange(n)
    slot = university * TYPES + project_type[project]
    rows = vstack([csr_matrix((np.ones(n), (project, columns)), shape=(len(partners), n)),
                   csr_matrix((np.ones(n), (slot, columns)), shape=(slots.size, n))])
    bounds = np.r_[partners, slots.ravel()]
    result = linprog(-gain, A_ub=rows, b_ub=bounds, bounds=(0, 1), method="highs")
    return round(-result.fun)


def check(args, chosen) -> None:
    project, university, score, project_type, partners, slots = args
    assert np.all(np.bincount(project[chosen], minlength=len(partners)) <= partners)
    slot = university[chosen] * TYPES + project_type[project[chosen]]
    assert np.all(np.bincount(slot, minlength=slots.size) <= slots.ravel())
    assert np.all(score[chosen] > 0)
    assert cost_of(chosen, score) == lp_cost(*args)


@pytest.fixture
def solves(monkeypatch):
    """The sizes of the graphs solved, in order."""
    sizes = []
    solve = flow._solve

    def spy(project, *args, **kwargs):
        sizes.append(len(project))
        return solve(project, *args, **kwargs)

    monkeypatch.setattr(flow, "_solve", spy)
    return sizes


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("tied", [False, True])
def test_the_pruned_solve_is_proved_optimal(seed, tied, solves):
    args = instance(seed, tied=tied)
    chosen = assignment.optimal(*args)
    check(args, chosen)
    usable = np.count_nonzero(args[2] > 0)
    assert max(solves) < usable / TYPES   # each type's graph was pruned


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("prune", [0, 0.3])
def test_pairs_that_break_the_certificate_are_added_until_it_holds(seed, prune, solves, monkeypatch):
    # A university starts from none of its pairs, or a third of a pair per slot.
    monkeypatch.setattr(flow, "PRUNE", prune)
    args = instance(seed, density=0.4)
    check(args, assignment.optimal(*args))
    assert len(solves) > TYPES


@pytest.mark.parametrize(("rounds", "relaxations"), [(0, 200), (1, 200), (6, 0), (6, 1)])
def test_the_whole_graph_is_solved_when_the_certificate_is_not_reached(rounds, relaxations,
                                                                        monkeypatch):
    monkeypatch.setattr(flow, "PRUNE", 0.3)
    monkeypatch.setattr(flow, "MAX_ROUNDS", rounds)
    monkeypatch.setattr(flow, "MAX_RELAXATIONS", relaxations)
    for seed in range(3):
        args = instance(seed, density=0.4)
        check(args, assignment.optimal(*args))


def test_pairs_without_room_on_a_side_are_never_chosen():
    project, university, score, project_type, partners, slots = instance(9)
    partners[::3] = 0
    slots[::4] = 0
    args = (project, university, score, project_type, partners, slots)
    chosen = assignment.optimal(*args)
    check(args, chosen)
    assert not np.isin(project[chosen], np.flatnonzero(partners == 0)).any()
