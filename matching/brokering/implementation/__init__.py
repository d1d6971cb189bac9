"""After both sides accept: the cooperation agreement and the implementation's milestones
(agreement.py), and the outcome report that the employer files, the university confirms and
ministry staff accept (outcome.py). Everything is importable from here."""

from .agreement import agreement_record, milestone_record
from .outcome import (
    OUTCOME_FIELDS,
    outcome_accept,
    outcome_confirm,
    outcome_return,
    outcome_submit,
)

__all__ = [
    "OUTCOME_FIELDS",
    "agreement_record",
    "milestone_record",
    "outcome_accept",
    "outcome_confirm",
    "outcome_return",
    "outcome_submit",
]
