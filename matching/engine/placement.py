"""Choose the introductions to propose under three hard capacities at once — each project's
partner places, each university's project slots per type, each university's student places per
type (a pair takes the project's share) — with a certificate of how good the choice is.

The rules, in order:
1. A pair that already has an introduction, or scores 0, is never proposed.
2. Mutual-interest pairs (the university asked, the employer welcomed) are taken first, best
   score first, whenever the three capacities allow; they are exempt from the AI-fit floor.
3. The rest, above the floor, are chosen to maximise the total score within what is left: the
   linear relaxation is solved with HiGHS (on each slot's best pairs first, then with every pair
   its dual prices show could improve it), its dual prices give an upper bound on the best total
   possible, and the integer programme is solved with HiGHS: over every pair on a round of up
   to relaxation.ALL_PAIRS (its own bound then tightens the relaxation's), over the relaxation's
   support and the pairs of best reduced gain beside it on a larger one (see relaxation).
4. A final pass takes, best score first, every pair that still fits, so no pair is left out that
   all three capacities would allow. Should the greedy choice (rule 2, then best score first)
   total more, it is kept instead.

Any non-negative dual prices y (projects), z (slots), w (places) bound the best total from
above: Σ partners·y + Σ slots·z + Σ places·w + Σ_pairs max(0, score − y − z − share·w) (weak
duality of the relaxation, whose optimum is at least the integer optimum). The bound is computed
that way over every pair, not only those given to the solver, so it holds whatever the solver
returned.
"""

from dataclasses import dataclass

import numpy as np

from .relaxation import Relaxation, integer_columns
from .selection import order

SOLVER = "HiGHS: linear relaxation (bound) and integer programme"

# Why a candidate was not proposed, as the engine codes it.
PROPOSED, INTRODUCED, INELIGIBLE, BELOW_FLOOR, PROJECT_FULL, SLOTS_TAKEN, PLACES_TAKEN = range(7)
UNEXPLAINED = -1  # none applies: a pair all three capacities would still allow (never, after place)


@dataclass
class Capacity:
    """What is left to give in the run: (P,) partners and share, (U, T) slots and places."""

    partners: np.ndarray  # partner places left per project
    share: np.ndarray  # student places one partner of the project takes
    slots: np.ndarray  # project slots left per university and type
    places: np.ndarray  # student places left per university and type


@dataclass
class Pairs:
    """The candidate pairs, (n,) each."""

    project: np.ndarray
    university: np.ndarray
    score: np.ndarray
    area_fit: np.ndarray
    mutual: np.ndarray  # bool: the university asked and the employer welcomed it
    introduced: np.ndarray  # bool: the pair already has an introduction

    def __len__(self) -> int:
        return len(self.project)


@dataclass
class Placement:
    chosen: np.ndarray  # (n,) bool
    mutual: np.ndarray  # (n,) bool: chosen as a mutual-interest pair
    greedy: np.ndarray  # (n,) bool: the greedy choice (mutual pairs first, then best first)
    objective: float  # total score of the chosen pairs
    bound: float  # no choice within the capacities can total more
    gap: float  # (bound − objective) / bound, 0 when the bound is 0
    solver: str
    time_limited: bool  # the integer programme stopped at its time limit


class Ledger:
    """The capacities left, taken pair by pair (plain lists: the loop is sequential by nature)."""

    def __init__(self, pairs: Pairs, capacity: Capacity, project_type: np.ndarray):
        types = capacity.slots.shape[1]
        self.slot = pairs.university * types + project_type[pairs.project]
        self.need = capacity.share[pairs.project]
        self.partners = capacity.partners.astype(np.int64).tolist()
        self.slots = capacity.slots.ravel().astype(np.int64).tolist()
        self.places = capacity.places.ravel().astype(np.int64).tolist()
        self.project = pairs.project

    def take(self, indexes: np.ndarray, taken: np.ndarray) -> None:
        """Take each pair of `indexes`, in order, that fits what is left; mark it in `taken`."""
        partners, slots, places = self.partners, self.slots, self.places
        for i, p, s, need in zip(
            indexes.tolist(),
            self.project[indexes].tolist(),
            self.slot[indexes].tolist(),
            self.need[indexes].tolist(),
            strict=True,
        ):
            if not taken[i] and partners[p] > 0 and slots[s] > 0 and places[s] >= need:
                partners[p] -= 1
                slots[s] -= 1
                places[s] -= need
                taken[i] = True

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return np.array(self.partners), np.array(self.slots), np.array(self.places)

    def left_after(self, chosen: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Partner places, slots and places (flat over university × type) left once the chosen
        pairs take theirs from what this ledger holds; negative where they take too much."""
        partners, slots, places = self.arrays()
        return (
            partners - np.bincount(self.project[chosen], minlength=len(partners)),
            slots - np.bincount(self.slot[chosen], minlength=len(slots)),
            places
            - np.bincount(self.slot[chosen], weights=self.need[chosen], minlength=len(places)).astype(
                np.int64
            ),
        )


def best_first(pairs: Pairs, indexes: np.ndarray) -> np.ndarray:
    """`indexes` by score, best first, ties to the lower project, then university."""
    keys = (
        pairs.project[indexes].astype(np.int64) * (int(pairs.university.max(initial=0)) + 1)
        + pairs.university[indexes]
    )
    return indexes[
        order(
            np.zeros(len(indexes), np.int64),
            pairs.score[indexes],
            keys,
            groups=1,
            indexes=int(keys.max(initial=0)) + 1,
        )
    ]


def _open(pairs: Pairs) -> np.ndarray:
    return ~pairs.introduced & (pairs.score > 0)


def proposable(pairs: Pairs, min_area_fit: float) -> np.ndarray:
    """Rules 1 and 2's floor: the pairs that may be proposed if the capacities allow."""
    return _open(pairs) & (pairs.mutual | (pairs.area_fit >= min_area_fit))


def _mutual_first(pairs: Pairs, ledger: Ledger) -> np.ndarray:
    taken = np.zeros(len(pairs), dtype=bool)
    ledger.take(best_first(pairs, np.flatnonzero(_open(pairs) & pairs.mutual)), taken)
    return taken


def _rest(pairs: Pairs, ledger: Ledger, min_area_fit: float) -> np.ndarray:
    """The pairs left to optimise: proposable, not mutual, and fitting what is left."""
    partners, slots, places = ledger.arrays()
    return np.flatnonzero(
        proposable(pairs, min_area_fit)
        & ~pairs.mutual
        & (partners[pairs.project] > 0)
        & (slots[ledger.slot] > 0)
        & (places[ledger.slot] >= ledger.need)
    )


def greedy(pairs: Pairs, capacity: Capacity, project_type: np.ndarray, *, min_area_fit: float) -> np.ndarray:
    """Mutual-interest pairs first, then every pair above the floor, best score first, while
    all three capacities have room: the simple choice shown beside the optimised one."""
    ledger = Ledger(pairs, capacity, project_type)
    taken = _mutual_first(pairs, ledger)
    ledger.take(best_first(pairs, _rest(pairs, ledger, min_area_fit)), taken)
    return taken


def place(
    pairs: Pairs,
    capacity: Capacity,
    project_type: np.ndarray,
    *,
    min_area_fit: float,
    time_limit: float = 60.0,
) -> Placement:
    """The chosen pairs (see the module's docstring), with their bound and gap, and the greedy
    choice; if the greedy one totals more (the integer programme saw only part of a large
    round), it is the one chosen."""
    ledger = Ledger(pairs, capacity, project_type)
    taken = _mutual_first(pairs, ledger)
    fixed = float(pairs.score[taken].sum(dtype=np.float64))
    rest = _rest(pairs, ledger, min_area_fit)
    partners, slots, places = ledger.arrays()
    problem = Relaxation(
        pairs.project[rest],
        ledger.slot[rest],
        ledger.need[rest],
        pairs.score[rest].astype(np.float64),
        partners,
        slots,
        places,
    )
    support, bound, reduced = problem.solve()
    columns = integer_columns(support, reduced)
    chosen, limited, integer_bound = problem.integer(columns, time_limit)
    if len(columns) == len(rest):  # the programme saw every pair: its own bound holds too
        bound = min(bound, integer_bound)
    mutual = taken.copy()
    ledger.take(rest[chosen], taken)
    ledger.take(best_first(pairs, _rest(pairs, ledger, min_area_fit)), taken)  # what still fits
    simple = greedy(pairs, capacity, project_type, min_area_fit=min_area_fit)
    if pairs.score[simple].sum(dtype=np.float64) > pairs.score[taken].sum(dtype=np.float64):
        taken = simple
    objective = float(pairs.score[taken].sum(dtype=np.float64))
    total_bound = max(fixed + bound, objective)
    gap = (total_bound - objective) / total_bound if total_bound > 0 else 0.0
    return Placement(
        chosen=taken,
        mutual=mutual,
        greedy=simple,
        objective=objective,
        bound=total_bound,
        gap=gap,
        solver=SOLVER,
        time_limited=limited,
    )


def reasons(
    pairs: Pairs, capacity: Capacity, project_type: np.ndarray, chosen: np.ndarray, *, min_area_fit: float
) -> np.ndarray:
    """Why each pair was not proposed (PROPOSED for a chosen one), the first that applies:
    an introduction exists; it scores 0; its area fit is below the floor (mutual pairs
    exempt); the project's partner places are all given; the university's slots of the type
    are all given; its places left are fewer than the project's share."""
    ledger = Ledger(pairs, capacity, project_type)
    partners, slots, places = ledger.left_after(chosen)
    conditions = [
        chosen,
        pairs.introduced,
        pairs.score <= 0,
        ~pairs.mutual & (pairs.area_fit < min_area_fit),
        partners[pairs.project] <= 0,
        slots[ledger.slot] <= 0,
        places[ledger.slot] < ledger.need,
    ]
    codes = [PROPOSED, INTRODUCED, INELIGIBLE, BELOW_FLOOR, PROJECT_FULL, SLOTS_TAKEN, PLACES_TAKEN]
    return np.select(conditions, codes, default=UNEXPLAINED).astype(np.int8)
