"""The choice's solver work (see placement): the pairs left to optimise as a linear programme
over HiGHS, its relaxation widened by reduced gain and bounded by its dual prices, and the
integer programme on the pairs worth giving it."""

import highspy
import numpy as np
from highspy._core import _Highs
from scipy import sparse

from .selection import best_per_group

PRUNE = 3  # each slot's best PRUNE × (slots + 1) pairs start the relaxation
MAX_ROUNDS = 4  # of pairs added by their reduced cost
SETTLED = 1e-6  # relative distance of bound and relaxation under which no round is added
MIP_GAP = 1e-4
# A round with at most ALL_PAIRS pairs to optimise gets its integer programme over all of them
# (exact, and with a bound far tighter than the relaxation's). A larger one gets it over the
# relaxation's support and the pairs of best reduced gain outside it, up to half as many as the
# support and INTEGER_PAIRS in all: on demo-size rounds (3,000 × 300) that takes the choice from
# about 0.8 % to about 0.4 % below the exact optimum, for under a second; at national size the
# support alone is over budget, and its programme alone takes about 2 s.
ALL_PAIRS = 20_000
INTEGER_PAIRS = 10_000


def integer_columns(support: np.ndarray, reduced: np.ndarray) -> np.ndarray:
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


class Relaxation:
    """The pairs left to optimise as a linear programme over HiGHS: one column a pair, one row
    per project (partners), per slot (slots) and per slot (places)."""

    def __init__(self, project, slot, need, score, partners, slots, places):
        self.project, self.slot, self.need, self.score = project, slot, need, score
        self.partners, self.slots, self.places = partners, slots, places
        self.rows = len(partners) + 2 * len(slots)
        self.upper = np.concatenate([partners, slots, places]).astype(np.float64)

    def _columns(self, columns: np.ndarray) -> sparse.csc_matrix:
        n, projects, slots = len(columns), len(self.partners), len(self.slots)
        rows = np.stack(
            [self.project[columns], projects + self.slot[columns], projects + slots + self.slot[columns]],
            axis=1,
        ).ravel()
        values = np.stack([np.ones(n), np.ones(n), self.need[columns].astype(np.float64)], axis=1).ravel()
        return sparse.csc_matrix((values, rows, np.arange(0, 3 * n + 1, 3)), shape=(self.rows, n))

    def _model(self, columns: np.ndarray, integer: bool = False) -> _Highs:
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
            lp.integrality_ = [highspy.HighsVarType.kInteger] * len(columns)
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
        reduced = (
            self.score
            - duals[self.project]
            - duals[projects + self.slot]
            - self.need * duals[projects + slots + self.slot]
        )
        return float(duals @ self.upper + np.maximum(reduced, 0.0).sum()), reduced

    def solve(self) -> tuple[np.ndarray, float, np.ndarray]:
        """The pairs the relaxation's optimum uses (its support), the bound, and every pair's
        reduced gain under the bound's prices."""
        if not len(self.score):
            return np.zeros(0, dtype=np.int64), 0.0, np.zeros(0)
        room = PRUNE * (self.slots + 1)
        kept = np.zeros(len(self.score), dtype=bool)
        kept[
            best_per_group(
                self.slot,
                self.score.astype(np.float32),
                np.arange(len(self.score)),
                room,
                groups=len(self.slots),
                indexes=len(self.score),
            )[2]
        ] = True
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
            highs.addCols(
                len(missing),
                -self.score[missing],
                np.zeros(len(missing)),
                np.ones(len(missing)),
                matrix.nnz,
                matrix.indptr[:-1],
                matrix.indices,
                matrix.data,
            )
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
