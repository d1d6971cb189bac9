"""The matching app's models, one module per feature: runs.py (a run, its candidates and each
university's packed candidate ids) and brokering.py (introductions, agreements, milestones and
outcome reports). Everything is importable from here, as Django expects of an app's models."""

from .brokering import OUTCOME_MAX, Agreement, Answer, Introduction, Milestone, OutcomeReport
from .runs import (
    ALGORITHM_VERSION,
    DEFAULT_MIN_AREA_FIT,
    Candidate,
    MatchRun,
    UniversityCandidates,
    pack_ids,
    unpack_ids,
)

__all__ = [
    "ALGORITHM_VERSION",
    "DEFAULT_MIN_AREA_FIT",
    "OUTCOME_MAX",
    "Agreement",
    "Answer",
    "Candidate",
    "Introduction",
    "MatchRun",
    "Milestone",
    "OutcomeReport",
    "UniversityCandidates",
    "pack_ids",
    "unpack_ids",
]
