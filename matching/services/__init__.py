"""Every write of the matching app. Ministry staff create a run (its parameters checked) and
publish it once it succeeded (creation.py); workers claim, compute, fan out, reduce and sweep
runs (execution.py). Everything is importable from here; patch a name where it is used, in its
module, not here."""

from .creation import (
    QUEUE_UNAVAILABLE,
    match_run_create,
    match_run_enqueue,
    match_run_publish,
    parse_min_area_fit,
    parse_weights,
)
from .execution import (
    QUEUED_TOO_LONG,
    STUCK_AFTER,
    match_run_claim,
    match_run_execute,
    match_run_fail,
    match_run_fan_out,
    match_run_reduce,
    match_run_score_shard,
    match_run_start,
    match_runs_sweep,
)

__all__ = [
    "QUEUED_TOO_LONG",
    "QUEUE_UNAVAILABLE",
    "STUCK_AFTER",
    "match_run_claim",
    "match_run_create",
    "match_run_enqueue",
    "match_run_execute",
    "match_run_fail",
    "match_run_fan_out",
    "match_run_publish",
    "match_run_reduce",
    "match_run_score_shard",
    "match_run_start",
    "match_runs_sweep",
    "parse_min_area_fit",
    "parse_weights",
]
