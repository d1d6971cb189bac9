"""How the matching pages show a stored candidate: its score against the most a score can be
under the run's weights, each component with its weight, and the areas that contribute most."""

from dataclasses import dataclass

from accounts.models import FocusArea

from ..engine.scoring import COMPONENTS
from ..models import Candidate, MatchRun
from .university import COMPONENT_LABELS, Part

FIELDS = {"area": "area_fit", "capacity": "capacity_fit", "region": "region", "interest": "interest"}


@dataclass
class Row:
    """A candidate as a page shows it; `score` and `reasons` as a Recommendation has them, so
    the recommended page's explanation template shows it too."""

    candidate: Candidate
    parts: list[Part]
    reasons: list[FocusArea]
    most: float

    @property
    def score(self) -> float:
        return self.candidate.score

    @property
    def percent(self) -> int:
        """The score as a share of the most a pair can score under the run's weights."""
        if self.most <= 0:
            return 0
        return round(min(max(self.candidate.score / self.most, 0.0), 1.0) * 100)


def run_weights(run: MatchRun) -> dict[str, float]:
    return {code: float(run.weights.get(code, 0)) for code in COMPONENTS}


def weight_rows(run: MatchRun) -> list[tuple[str, float]]:
    weights = run_weights(run)
    return [(COMPONENT_LABELS[code], weights[code]) for code in COMPONENTS]


def rows(candidates, areas: dict[str, FocusArea], run: MatchRun | None = None) -> list[Row]:
    """Rows for candidates of one run (`run`), or each of its own (candidate.run loaded)."""
    result = []
    for candidate in candidates:
        weights = run_weights(run or candidate.run)
        parts = [Part(code, COMPONENT_LABELS[code], getattr(candidate, FIELDS[code]), weights[code])
                 for code in COMPONENTS]
        reasons = [areas[code] for code in candidate.top_areas or [] if code in areas]
        result.append(Row(candidate, parts, reasons, sum(weights.values())))
    return result
