"""The exact maximum-score b-matching of one project type's candidate pairs, as a min-cost flow
(OR-Tools SimpleMinCostFlow): source → project (its partners) → university (its slots for the
type) → sink, pair arcs of capacity 1 and cost -score × SCALE, and a bypass arc source → sink
for the supply left unplaced.

The solver's time grows with the graph, and few pairs can be in an optimum: a university fills
its slots from its best pairs. So the flow is first solved on each university's best pairs
(PRUNE × its slots), then proved optimal for all the pairs by linear-programming duality:
node potentials (shortest-path distances in the residual graph, Bellman–Ford) under which no
residual arc has a negative reduced cost, the pairs left out included, certify that no cheaper
flow exists. Left-out pairs that break the certificate are added and the flow solved again;
after MAX_ROUNDS, or if the potentials do not settle within MAX_RELAXATIONS, the whole graph is
solved as it stands."""

import numpy as np
from ortools.graph.python import min_cost_flow

from .selection import best_per_group

SCALE = 100_000  # scores in [0, 1] become integer costs
PRUNE = 3
MAX_ROUNDS = 6
MAX_RELAXATIONS = 200
SOURCE, SINK = 0, 1


def type_optimum(project, university, score, partners, slots) -> np.ndarray:
    """Which of these pairs (all of one project type, all with room on both sides: partners
    and slots > 0) a maximum-score b-matching takes. `partners` (P,), `slots` (U,) for the type."""
    cost = -np.rint(score * SCALE).astype(np.int64)
    supply = int(min(partners[np.bincount(project, minlength=len(partners)) > 0].sum(),
                     slots[np.bincount(university, minlength=len(slots)) > 0].sum()))
    kept = np.zeros(len(project), dtype=bool)
    kept[best_per_group(university, score, np.arange(len(project)), PRUNE * slots,
                        groups=len(slots), indexes=len(project))[2]] = True
    for _ in range(MAX_ROUNDS):
        pairs = np.flatnonzero(kept)
        chosen, potentials = _solve(project[pairs], university[pairs], cost[pairs], partners,
                                    slots, supply, certify=True)
        if potentials is None:
            break
        left_out = np.flatnonzero(~kept)
        project_potential, university_potential = potentials
        reduced = (cost[left_out] + project_potential[project[left_out]]
                   - university_potential[university[left_out]])
        if (reduced >= 0).all():
            taken = np.zeros(len(project), dtype=bool)
            taken[pairs[chosen]] = True
            return taken
        kept[left_out[reduced < 0]] = True
    return _solve(project, university, cost, partners, slots, supply, certify=False)[0]


def _solve(project, university, cost, partners, slots, supply: int, *, certify: bool):
    """The flow on these pairs: which it takes, and (with `certify`) the potentials of every
    project and university, or None if they did not settle.

    A project with no more pairs here than the partners it seeks is no node: its pairs are
    arcs from the source, as its own capacity cannot bind; it gets the source's potential,
    under which its arc from the source (and back) has reduced cost 0, and its pairs are
    checked as they are. So does a project without pairs here, and a university without pairs
    here gets the sink's: its only residual arc then goes to the sink, at reduced cost 0."""
    projects, project_node = np.unique(project, return_inverse=True)
    universities, university_node = np.unique(university, return_inverse=True)
    bound = np.bincount(project_node, minlength=len(projects)) > partners[projects]
    nodes = np.cumsum(bound) - 1 + 2
    n_projects, n_universities, n_pairs = int(bound.sum()), len(universities), len(project)
    first_university = 2 + n_projects
    bounds = np.cumsum([0, n_projects, n_pairs, n_universities])
    starts = np.empty(bounds[-1] + 1, dtype=np.int64)
    ends, capacities, costs = np.empty_like(starts), np.empty_like(starts), np.zeros_like(starts)
    arcs = [slice(bounds[i], bounds[i + 1]) for i in range(3)]
    starts[arcs[0]], ends[arcs[0]] = SOURCE, 2 + np.arange(n_projects)
    capacities[arcs[0]] = partners[projects[bound]]
    starts[arcs[1]] = np.where(bound[project_node], nodes[project_node], SOURCE)
    ends[arcs[1]] = first_university + university_node
    capacities[arcs[1]], costs[arcs[1]] = 1, cost
    starts[arcs[2]], ends[arcs[2]] = first_university + np.arange(n_universities), SINK
    capacities[arcs[2]] = slots[universities]
    starts[-1], ends[-1], capacities[-1] = SOURCE, SINK, supply   # slots left unfilled
    flow = min_cost_flow.SimpleMinCostFlow()
    ids = flow.add_arcs_with_capacity_and_unit_cost(starts, ends, capacities, costs)
    flow.set_nodes_supplies(np.array([SOURCE, SINK]), np.array([supply, -supply]))
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"min-cost flow did not solve: status {status}")
    flows = flow.flows(ids)
    chosen = flows[arcs[1]] > 0
    if not certify:
        return chosen, None
    distance = _distances(starts, ends, capacities, costs, flows, first_university + n_universities)
    if distance is None:
        return chosen, None
    project_potential = np.full(len(partners), distance[SOURCE])
    project_potential[projects[bound]] = distance[2:first_university]
    university_potential = np.full(len(slots), distance[SINK])
    university_potential[universities] = distance[first_university:]
    return chosen, (project_potential, university_potential)


def _distances(starts, ends, capacities, costs, flows, nodes: int) -> np.ndarray | None:
    """Shortest distances in the residual graph from a virtual root joined to every node by
    arcs of cost 0 (Bellman–Ford, all arcs relaxed at once per pass); None if they do not
    settle within MAX_RELAXATIONS passes. An optimal flow leaves no negative cycle, so they
    exist, and c(u, v) + d(u) - d(v) ≥ 0 on every residual arc."""
    forward, backward = flows < capacities, flows > 0
    tail = np.concatenate([starts[forward], ends[backward]])
    head = np.concatenate([ends[forward], starts[backward]])
    cost = np.concatenate([costs[forward], -costs[backward]])
    distance = np.zeros(nodes, dtype=np.int64)
    for _ in range(MAX_RELAXATIONS):
        relaxed = distance.copy()
        np.minimum.at(relaxed, head, distance[tail] + cost)
        if np.array_equal(relaxed, distance):
            return distance
        distance = relaxed
    return None
