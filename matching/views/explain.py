"""How the matching pages show a stored candidate: its score against the most a score can be
under the run's weights, each component with its weight, the areas that contribute most and,
when it was not proposed, why and which proposals took the capacity it needed."""

from collections import defaultdict
from dataclasses import dataclass, field

from accounts.models import FocusArea

from ..engine.scoring import COMPONENTS
from ..models import Candidate, MatchRun
from .university import COMPONENT_LABELS, Part

FIELDS = {"area": "area_fit", "capacity": "capacity_fit", "region": "region", "interest": "interest"}
# A university's slots or places of a type went to its proposed projects of that type; a
# project's partner places went to its proposed universities.
UNIVERSITY_FULL = {Candidate.Reason.SLOTS_TAKEN, Candidate.Reason.PLACES_TAKEN}
TAKERS_SHOWN = 5


@dataclass
class Row:
    """A candidate as a page shows it; `score` and `reasons` as a Recommendation has them, so
    the recommended page's explanation template shows it too."""

    candidate: Candidate
    parts: list[Part]
    reasons: list[FocusArea]
    most: float
    taken_by: list[Candidate] = field(default_factory=list)  # the proposals that took it
    taken_more: int = 0

    @property
    def taken_by_universities(self) -> bool:
        """The takers are other universities (the project was full), not other projects."""
        return self.candidate.reason == Candidate.Reason.PROJECT_FULL

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
        parts = [
            Part(code, COMPONENT_LABELS[code], getattr(candidate, FIELDS[code]), weights[code])
            for code in COMPONENTS
        ]
        reasons = [areas[code] for code in candidate.top_areas or [] if code in areas]
        result.append(Row(candidate, parts, reasons, sum(weights.values())))
    return result


def takers_wanted(rows: list[Row]) -> tuple[set[int], set[int]]:
    """The universities and the projects whose proposals these rows' reasons point to."""
    universities = {row.candidate.university_id for row in rows if row.candidate.reason in UNIVERSITY_FULL}
    projects = {
        row.candidate.proposal_id for row in rows if row.candidate.reason == Candidate.Reason.PROJECT_FULL
    }
    return universities, projects


def name_takers(rows: list[Row], proposed: list[Candidate]) -> None:
    """Give each row whose capacity went elsewhere the proposals that took it: the proposed
    projects of the same type at its university, or its project's proposed universities."""
    by_slot, by_project = defaultdict(list), defaultdict(list)
    for candidate in proposed:
        by_slot[candidate.university_id, candidate.proposal.project_type].append(candidate)
        by_project[candidate.proposal_id].append(candidate)
    for row in rows:
        candidate = row.candidate
        if candidate.reason in UNIVERSITY_FULL:
            takers = by_slot[candidate.university_id, candidate.proposal.project_type]
        elif candidate.reason == Candidate.Reason.PROJECT_FULL:
            takers = by_project[candidate.proposal_id]
        else:
            continue
        row.taken_by, row.taken_more = takers[:TAKERS_SHOWN], max(len(takers) - TAKERS_SHOWN, 0)
