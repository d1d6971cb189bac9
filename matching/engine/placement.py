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
   to ALL_PAIRS (its own bound then tightens the relaxation's), over the relaxation's support
   and the pairs of best reduced gain beside it on a larger one.
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

import highspy
import numpy as np
from highspy._core import _Highs
from scipy import sparse

from .selection import best_per_group, order

PRUNE = 3              # each slot's best PRUNE × (slots + 1) pairs start the relaxation
MAX_ROUNDS = 4         # of pairs added by their reduced cost
SETTLED = 1e-6         # relative distance of bound and relaxation under which no round is added
MIP_GAP = 1e-4
# A round with at most ALL_PAIRS pairs to optimise gets its integer programme over all of them
# (exact, and with a bound far tighter than the relaxation's). A larger one gets it over the
# relaxation's support and the pairs of best reduced gain outside it, up to half as many as the
# support and INTEGER_PAIRS in all: on demo-size rounds (3,000 × 300) that takes the choice from
# about 0.8 % to about 0.4 % below the exact optimum, for under a second; at national size the
# support alone is over budget, and its programme alone takes about 2 s.
ALL_PAIRS = 20_000
INTEGER_PAIRS = 10_000
SOLVER = "HiGHS: linear relaxation (bound) and integer programme"

# Why a candidate was not proposed, as the engine codes it.
PROPOSED, INTRODUCED, INELIGIBLE, BELOW_FLOOR, PROJECT_FULL, SLOTS_TAKEN, PLACES_TAKEN = range(7)
UNEXPLAINED = -1   # none applies: a pair all three capacities would still allow (never, after place)


@dataclass
class Capacity:
    """What is left to give in the run: (P,) partners and share, (U, T) slots and places."""

    partners: np.ndarray   # partner places left per project
    share: np.ndarray      # student places one partner of the project takes
    slots: np.ndarray      # project slots left per university and type
    places: np.ndarray     # student places left per university and type


@dataclass
class Pairs:
    """The candidate pairs, (n,) each."""

    project: np.ndarray
    university: np.ndarray
    score: np.ndarray
    area_fit: np.ndarray
    mutual: np.ndarray       # bool: the university asked and the employer welcomed it
    introduced: np.ndarray   # bool: the pair already has an introduction

    def __len__(self) -> int:
        return len(self.project)


@dataclass
class Placement:
    chosen: np.ndarray        # (n,) bool
    mutual: np.ndarray        # (n,) bool: chosen as a mutual-interest pair
    greedy: np.ndarray        # (n,) bool: the greedy choice (mutual pairs first, then best first)
    objective: float          # total score of the chosen pairs
    bound: float              # no choice within the capacities can total more
    gap: float                # (bound − objective) / bound, 0 when the bound is 0
    solver: str
    time_limited: bool        # the integer programme stopped at its time limit


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
        for i, p, s, need in zip(indexes.tolist(), self.project[indexes].tolist(),
                                 self.slot[indexes].tolist(), self.need[indexes].tolist(), strict=True):
            if not taken[i] and partners[p] > 0 and slots[s] > 0 and places[s] >= need:
                partners[p] -= 1
                slots[s] -= 1
                places[s] -= need
                taken[i] = True

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return np.array(self.partners), np.array(self.slots), np.array(self.places)


def best_first(pairs: Pairs, indexes: np.ndarray) -> np.ndarray:
    """`indexes` by score, best first, ties to the lower project, then university."""
    keys = pairs.project[indexes].astype(np.int64) * (int(pairs.university.max(initial=0)) + 1) \
        + pairs.university[indexes]
    return indexes[order(np.zeros(len(indexes), np.int64), pairs.score[indexes], keys, groups=1,
                         indexes=int(keys.max(initial=0)) + 1)]


def _open(pairs: Pairs) -> np.ndarray:
    return ~pairs.introduced & (pairs.score > 0)


def _mutual_first(pairs: Pairs, ledger: Ledger) -> np.ndarray:
    taken = np.zeros(len(pairs), dtype=bool)
    ledger.take(best_first(pairs, np.flatnonzero(_open(pairs) & pairs.mutual)), taken)
    return taken


def _rest(pairs: Pairs, ledger: Ledger, min_area_fit: float) -> np.ndarray:
    """The pairs left to optimise: open, not mutual, above the floor, and fitting what is left."""
    partners, slots, places = ledger.arrays()
    return np.flatnonzero(_open(pairs) & ~pairs.mutual & (pairs.area_fit >= min_area_fit)
                          & (partners[pairs.project] > 0) & (slots[ledger.slot] > 0)
                          & (places[ledger.slot] >= ledger.need))


def greedy(pairs: Pairs, capacity: Capacity, project_type: np.ndarray, *,
           min_area_fit: float) -> np.ndarray:
    """Mutual-interest pairs first, then every pair above the floor, best score first, while
    all three capacities have room: the simple choice shown beside the optimised one."""
    ledger = Ledger(pairs, capacity, project_type)
    taken = _mutual_first(pairs, ledger)
    ledger.take(best_first(pairs, _rest(pairs, ledger, min_area_fit)), taken)
    return taken


def place(pairs: Pairs, capacity: Capacity, project_type: np.ndarray, *, min_area_fit: float,
          time_limit: float = 60.0) -> Placement:
    """The chosen pairs (see the module's docstring), with their bound and gap, and the greedy
    choice; if the greedy one totals more (the integer programme saw only part of a large
    round), it is the one chosen."""
    ledger = Ledger(pairs, capacity, project_type)
    taken = _mutual_first(pairs, ledger)
    fixed = float(pairs.score[taken].sum(dtype=np.float64))
    rest = _rest(pairs, ledger, min_area_fit)
    partners, slots, places = ledger.arrays()
    problem = _Relaxation(pairs.project[rest], ledger.slot[rest], ledger.need[rest],
                          pairs.score[rest].astype(np.float64), partners, slots, places)
    support, bound, reduced = problem.solve()
    columns = _integer_columns(support, reduced)
    chosen, limited, integer_bound = problem.integer(columns, time_limit)
    if len(columns) == len(rest):   # the programme saw every pair: its own bound holds too
        bound = min(bound, integer_bound)
    mutual = taken.copy()
    ledger.take(rest[chosen], taken)
    ledger.take(best_first(pairs, _rest(pairs, ledger, min_area_fit)), taken)   # what still fits
    simple = greedy(pairs, capacity, project_type, min_area_fit=min_area_fit)
    if pairs.score[simple].sum(dtype=np.float64) > pairs.score[taken].sum(dtype=np.float64):
        taken = simple
    objective = float(pairs.score[taken].sum(dtype=np.float64))
    total_bound = max(fixed + bound, objective)
    gap = (total_bound - objective) / total_bound if total_bound > 0 else 0.0
    return Placement(chosen=taken, mutual=mutual, greedy=simple, objective=objective,
                     bound=total_bound, gap=gap, solver=SOLVER, time_limited=limited)


def _integer_columns(support: np.ndarray, reduced: np.ndarray) -> np.ndarray:
    """Every pair when they are at most ALL_PAIRS; else the support, and the pairs of best
    reduced gain outside it within INTEGER_PAIRS."""
    if len(reduced) <= ALL_PAIRS:
        return np.arange(len(reduced))
    room = max(min(len(support) // 2, INTEGER_PAIRS - len(support)), 0)
    if not room:
        return support
    outside = np.setdiff1d(np.arange(len(reduced)), support)
    extra = outside[np.argsort(-reduced[outside], kind="stable")[:room]]
    return np.sort(np.r_[support, extra])


class _Relaxation:
    """The pairs left to optimise as a linear programme over HiGHS: one column a pair, one row
    per project (partners), per slot (slots) and per slot (places)."""

    def __init__(self, project, slot, need, score, partners, slots, places):
        self.project, self.slot, self.need, self.score = project, slot, need, score
        self.partners, self.slots, self.places = partners, slots, places
        self.rows = len(partners) + 2 * len(slots)
        self.upper = np.concatenate([partners, slots, places]).astype(np.float64)

    def _columns(self, columns: np.ndarray) -> sparse.csc_matrix:
        n, projects, slots = len(columns), len(self.partners), len(self.slots)
        rows = np.stack([self.project[columns], projects + self.slot[columns],
                         projects + slots + self.slot[columns]], axis=1).ravel()
        values = np.stack([np.ones(n), np.ones(n), self.need[columns].astype(np.float64)],
                          axis=1).ravel()
        return sparse.csc_matrix((values, rows, np.arange(0, 3 * n + 1, 3)),
                                 shape=(self.rows, n))

    def _model(self, columns: np.ndarray, integer: bool = False) -> highspy.Highs:
        lp = highspy.HighsLp()
        matrix = self._columns(columns)
        lp.num_col_, lp.num_row_ = len(columns), self.rows
        lp.col_cost_ = -self.score[columns]
        lp.col_lower_, lp.col_upper_ = np.zeros(len(columns)), np.ones(len(columns))
        lp.row_lower_, lp.row_upper_ = np.full(self.rows, -highspy.kHighsInf), self.upper
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_, lp.a_matrix_.index_ = matrix.indptr, matrix.indices
        lp.a_matrix_.value_ = matrix.data
        if integer:
            lp.integrality_ = np.full(len(columns), highspy.HighsVarType.kInteger)
        # The plain solver class: highspy.Highs's constructor enables callbacks, which prints
        # HiGHS's banner on stdout before any option can silence it (run_matching's stdout is JSON).
        highs = _Highs()
        highs.setOptionValue("output_flag", False)
        highs.passModel(lp)
        return highs

    def bound(self, duals: np.ndarray) -> tuple[float, np.ndarray]:
        """The upper bound from these dual prices (clipped at 0) and every pair's reduced gain."""
        duals = np.maximum(duals, 0.0)
        projects, slots = len(self.partners), len(self.slots)
        reduced = (self.score - duals[self.project] - duals[projects + self.slot]
                   - self.need * duals[projects + slots + self.slot])
        return float(duals @ self.upper + np.maximum(reduced, 0.0).sum()), reduced

    def solve(self) -> tuple[np.ndarray, float, np.ndarray]:
        """The pairs the relaxation's optimum uses (its support), the bound, and every pair's
        reduced gain under the bound's prices."""
        if not len(self.score):
            return np.zeros(0, dtype=np.int64), 0.0, np.zeros(0)
        room = PRUNE * (self.slots + 1)
        kept = np.zeros(len(self.score), dtype=bool)
        kept[best_per_group(self.slot, self.score.astype(np.float32), np.arange(len(self.score)),
                            room, groups=len(self.slots), indexes=len(self.score))[2]] = True
        columns = np.flatnonzero(kept)
        highs = self._model(columns)
        for _ in range(MAX_ROUNDS):
            highs.run()
            solution = highs.getSolution()
            value = -highs.getInfo().objective_function_value
            bound, reduced = self.bound(-np.asarray(solution.row_dual))
            missing = np.flatnonzero(~kept & (reduced > 1e-9))
            if not len(missing) or bound - value <= SETTLED * max(bound, 1.0):
                break
            kept[missing] = True
            matrix = self._columns(missing)
            highs.addCols(len(missing), -self.score[missing], np.zeros(len(missing)),
                          np.ones(len(missing)), matrix.nnz, matrix.indptr[:-1], matrix.indices,
                          matrix.data)
            columns = np.r_[columns, missing]
        support = columns[np.asarray(solution.col_value) > 1e-6]
        return np.sort(support), bound, reduced

    def integer(self, columns: np.ndarray, time_limit: float) -> tuple[np.ndarray, bool, float]:
        """The best integer choice among these pairs; whether the time ran out (its best
        solution so far is then taken, or none); and the solver's bound on their best total."""
        chosen = np.zeros(len(self.score), dtype=bool)
        if not len(columns):
            return chosen, False, 0.0
        highs = self._model(columns, integer=True)
        highs.setOptionValue("mip_rel_gap", MIP_GAP)
        highs.setOptionValue("time_limit", float(time_limit))
        highs.run()
        limited = highs.getModelStatus() == highspy.HighsModelStatus.kTimeLimit
        info = highs.getInfo()
        if info.primal_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible:
            chosen[columns[np.asarray(highs.getSolution().col_value) > 0.5]] = True
        bound = -info.mip_dual_bound if np.isfinite(info.mip_dual_bound) else np.inf
        return chosen, limited, bound


def reasons(pairs: Pairs, capacity: Capacity, project_type: np.ndarray, chosen: np.ndarray, *,
            min_area_fit: float) -> np.ndarray:
    """Why each pair was not proposed (PROPOSED for a chosen one), the first that applies:
    an introduction exists; it scores 0; its area fit is below the floor (mutual pairs
    exempt); the project's partner places are all given; the university's slots of the type
    are all given; its places left are fewer than the project's share."""
    ledger = Ledger(pairs, capacity, project_type)
    partners, slots, places = ledger.arrays()
    partners = partners - np.bincount(pairs.project[chosen], minlength=len(partners))
    slots = slots - np.bincount(ledger.slot[chosen], minlength=len(slots))
    places = places - np.bincount(ledger.slot[chosen], weights=ledger.need[chosen],
                                  minlength=len(places)).astype(np.int64)
    conditions = [chosen, pairs.introduced, pairs.score <= 0,
                  ~pairs.mutual & (pairs.area_fit < min_area_fit), partners[pairs.project] <= 0,
                  slots[ledger.slot] <= 0, places[ledger.slot] < ledger.need]
    codes = [PROPOSED, INTRODUCED, INELIGIBLE, BELOW_FLOOR, PROJECT_FULL, SLOTS_TAKEN, PLACES_TAKEN]
    return np.select(conditions, codes, default=UNEXPLAINED).astype(np.int8)
