"""Choose the introductions to propose: a b-matching that maximises the total score subject
to each project's partners sought and each university's project slots per type, solved
exactly as a min-cost flow (OR-Tools); and the greedy, stable assignment beside it."""

from dataclasses import dataclass

import numpy as np

from .flow import type_optimum
from .selection import order


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
    candidate pairs; `project_type`, `partners` are per project; `slots` (U, T).

    A university's slots are per project type and a project has one type, so the flow splits
    into one independent problem per type (see flow): their optima together are the optimum.
    A pair without room on either side (no partners sought, no slots) can take no flow."""
    usable = np.flatnonzero((score > 0) & (partners[project] > 0)
                            & (slots[university, project_type[project]] > 0))
    pair_type = project_type[project[usable]]
    chosen = np.zeros(len(score), dtype=bool)
    for type_ in range(slots.shape[1]):
        pairs = usable[pair_type == type_]
        if len(pairs):
            chosen[pairs[type_optimum(project[pairs], university[pairs], score[pairs],
                                      partners.astype(np.int64), slots[:, type_].astype(np.int64))]] = True
    return chosen


def greedy(project, university, score, project_type, partners, slots) -> np.ndarray:
    """Pairs taken best score first (ties by project, then university) while both sides have
    room: stable for these symmetric preferences."""
    universities, types = slots.shape
    slot = _slot_index(university, project_type[project], types)
    ranked = order(np.zeros(len(score), dtype=np.int64), score,
                   project.astype(np.int64) * universities + university, groups=1,
                   indexes=len(partners) * universities)
    ranked = ranked[score[ranked] > 0]
    left_partners, left_slots = partners.astype(np.int64).tolist(), slots.ravel().astype(np.int64).tolist()
    taken = []
    # Plain lists, a slice at a time: the loop is sequential by nature, and list items are
    # read fastest.
    for start in range(0, len(ranked), 1 << 16):
        part = ranked[start:start + (1 << 16)]
        for i, p, s in zip(part.tolist(), project[part].tolist(), slot[part].tolist(), strict=True):
            if left_partners[p] > 0 and left_slots[s] > 0:
                taken.append(i)
                left_partners[p] -= 1
                left_slots[s] -= 1
    chosen = np.zeros(len(score), dtype=bool)
    chosen[taken] = True
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
