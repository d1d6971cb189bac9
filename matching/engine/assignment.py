"""Choose the introductions to propose: a b-matching that maximises the total score subject
to each project's partners sought and each university's project slots per type, solved
exactly as a min-cost flow (OR-Tools); and the greedy, stable assignment beside it."""

from dataclasses import dataclass

import numpy as np
from ortools.graph.python import min_cost_flow

SCALE = 100_000  # scores in [0, 1] become integer costs


@dataclass
class Assignment:
    chosen: np.ndarray          # (n,) bool over the candidate pairs
    objective: float            # total score of the chosen pairs
    blocking_pairs: int
    projects_served: int        # projects given all the partners they seek
    universities_reached: int   # universities given at least one introduction
    over_places: list[int]      # universities whose proposed shares exceed their places


def _slot_index(university: np.ndarray, project_type: np.ndarray, types: int) -> np.ndarray:
    return university * types + project_type


def optimal(project, university, score, project_type, partners, slots) -> np.ndarray:
    """The chosen pairs of a maximum-score b-matching. `project`, `university`, `score` are the
    candidate pairs; `project_type`, `partners` are per project; `slots` (U, T)."""
    n_projects, (n_universities, types) = len(partners), slots.shape
    usable = score > 0
    pair_index = np.flatnonzero(usable)
    source, sink = 0, 1
    project_node = 2 + np.arange(n_projects)
    slot_node = 2 + n_projects + np.arange(n_universities * types)
    pair_slot = _slot_index(university[pair_index], project_type[project[pair_index]], types)
    supply = int(partners.sum())
    starts = np.concatenate([
        np.full(n_projects, source), project_node[project[pair_index]], slot_node, [source]])
    ends = np.concatenate([
        project_node, slot_node[pair_slot], np.full(len(slot_node), sink), [sink]])
    capacities = np.concatenate([
        partners, np.ones(len(pair_index), dtype=np.int64), slots.ravel(), [supply]])
    costs = np.concatenate([
        np.zeros(n_projects, dtype=np.int64),
        -np.rint(score[pair_index] * SCALE).astype(np.int64),
        np.zeros(len(slot_node), dtype=np.int64), [0]])   # the last arc: slots left unfilled
    flow = min_cost_flow.SimpleMinCostFlow()
    arcs = flow.add_arcs_with_capacity_and_unit_cost(
        starts.astype(np.int64), ends.astype(np.int64), capacities.astype(np.int64), costs)
    flow.set_nodes_supplies(np.array([source, sink]), np.array([supply, -supply]))
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"min-cost flow did not solve: status {status}")
    pair_arcs = arcs[n_projects:n_projects + len(pair_index)]
    chosen = np.zeros(len(score), dtype=bool)
    chosen[pair_index[flow.flows(pair_arcs) > 0]] = True
    return chosen


def greedy(project, university, score, project_type, partners, slots) -> np.ndarray:
    """Pairs taken best score first (ties by project, then university) while both sides have
    room: stable for these symmetric preferences."""
    types = slots.shape[1]
    left_partners, left_slots = partners.astype(np.int64).copy(), slots.ravel().astype(np.int64).copy()
    slot = _slot_index(university, project_type[project], types)
    chosen = np.zeros(len(score), dtype=bool)
    for i in np.lexsort((university, project, -score)):
        if score[i] > 0 and left_partners[project[i]] > 0 and left_slots[slot[i]] > 0:
            chosen[i] = True
            left_partners[project[i]] -= 1
            left_slots[slot[i]] -= 1
    return chosen


def blocking_pairs(project, university, score, chosen, project_type, partners, slots) -> int:
    """Unchosen pairs that both sides prefer to what they got: the project has room or a worse
    partner, and the university's slots for that type have room or a worse project."""
    types = slots.shape[1]
    slot = _slot_index(university, project_type[project], types)
    taken_p = np.bincount(project[chosen], minlength=len(partners))
    taken_s = np.bincount(slot[chosen], minlength=slots.size)
    worst_p = np.full(len(partners), np.inf)
    np.minimum.at(worst_p, project[chosen], score[chosen])
    worst_s = np.full(slots.size, np.inf)
    np.minimum.at(worst_s, slot[chosen], score[chosen])
    project_wants = (taken_p[project] < partners[project]) | (score > worst_p[project])
    slot_wants = (taken_s[slot] < slots.ravel()[slot]) | (score > worst_s[slot])
    return int(np.count_nonzero(~chosen & (score > 0) & project_wants & slot_wants))


def summarise(project, university, score, chosen, project_type, partners, slots,
              project_places, university_places) -> Assignment:
    types = slots.shape[1]
    served = np.bincount(project[chosen], minlength=len(partners))
    share = project_places[project[chosen]] / np.maximum(partners[project[chosen]], 1)
    slot = _slot_index(university[chosen], project_type[project[chosen]], types)
    shares = np.bincount(slot, weights=share, minlength=slots.size)
    over = np.unique(np.flatnonzero(shares > university_places.ravel()) // types)
    return Assignment(
        chosen=chosen, objective=float(score[chosen].sum()),
        blocking_pairs=blocking_pairs(project, university, score, chosen, project_type, partners, slots),
        projects_served=int(np.count_nonzero((served >= partners) & (partners > 0))),
        universities_reached=len(np.unique(university[chosen])),
        over_places=[int(u) for u in over],
    )
