"""Figures that describe a choice of pairs (see placement for how it is made): its total, its
blocking pairs, who it reaches, and whether it keeps within every capacity."""

from dataclasses import dataclass

import numpy as np

from .placement import Capacity, Ledger, Pairs


@dataclass
class Assignment:
    chosen: np.ndarray  # (n,) bool over the candidate pairs
    objective: float  # total score of the chosen pairs
    blocking_pairs: int
    projects_served: int  # projects given all the partner places left to them
    universities_reached: int  # universities given at least one introduction
    students_placed: int  # the chosen pairs' shares of student places
    over_places: list[int]  # universities whose chosen shares exceed the places left
    reached: np.ndarray  # (U,) bool
    placed: np.ndarray  # (U,) students placed per university


def blocking_pairs(
    pairs: Pairs, capacity: Capacity, project_type: np.ndarray, chosen: np.ndarray, eligible: np.ndarray
) -> int:
    """Eligible unchosen pairs that both sides would rather have: the project has a partner
    place free or a lower-scoring partner, and the university has a slot and the places free
    for it, or a lower-scoring project of that type."""
    ledger = Ledger(pairs, capacity, project_type)
    partners, slots, places = ledger.left_after(chosen)
    slot, score = ledger.slot, pairs.score
    worst_p = np.full(len(partners), np.inf)
    np.minimum.at(worst_p, pairs.project[chosen], score[chosen])
    worst_s = np.full(len(slots), np.inf)
    np.minimum.at(worst_s, slot[chosen], score[chosen])
    project_wants = (partners[pairs.project] > 0) | (score > worst_p[pairs.project])
    slot_wants = ((slots[slot] > 0) & (places[slot] >= ledger.need)) | (score > worst_s[slot])
    return int(np.count_nonzero(eligible & ~chosen & project_wants & slot_wants))


def summarise(
    pairs: Pairs,
    capacity: Capacity,
    project_type: np.ndarray,
    chosen: np.ndarray,
    eligible: np.ndarray,
    universities: int,
) -> Assignment:
    types = capacity.slots.shape[1]
    project, university = pairs.project[chosen], pairs.university[chosen]
    served = np.bincount(project, minlength=len(capacity.partners))
    need = capacity.share[project]
    places_left = Ledger(pairs, capacity, project_type).left_after(chosen)[2]
    placed = np.bincount(university, weights=need, minlength=universities).astype(np.int64)
    return Assignment(
        chosen=chosen,
        objective=float(pairs.score[chosen].sum(dtype=np.float64)),
        blocking_pairs=blocking_pairs(pairs, capacity, project_type, chosen, eligible),
        projects_served=int(np.count_nonzero((served >= capacity.partners) & (capacity.partners > 0))),
        universities_reached=len(np.unique(university)),
        students_placed=int(need.sum()),
        over_places=[int(u) for u in np.unique(np.flatnonzero(places_left < 0) // types)],
        reached=np.bincount(university, minlength=universities) > 0,
        placed=placed,
    )
