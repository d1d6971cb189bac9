"""Computing a matching run: a worker claims it once (queued → running) and computes it in
process, or fans one of several shards out over the workers with a Celery chord and reduces
their pairs into one assignment; either way the results and the succeeded status are written in
one transaction. The sweeper fails runs whose worker died and re-queues runs no worker took."""

import logging
import time
from contextlib import contextmanager
from datetime import timedelta

import numpy as np
from celery import chord
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.errors import Conflict

from ..engine.candidates import candidates, reduce_pairs, score_pairs, shard_pairs, shard_rows
from ..engine.scoring import Weights
from ..loading import load_round
from ..models import MatchRun
from ..results import run_choose
from ..tasks import fail_match_run, reduce_match_run, score_match_run_shard
from ..writing import candidates_write
from .creation import match_run_enqueue

logger = logging.getLogger(__name__)
STUCK_AFTER = timedelta(minutes=30)
# A run no worker has taken this long was not queued (the broker was down) or was lost: the
# sweeper hands it over again (a second delivery claims nothing).
QUEUED_TOO_LONG = timedelta(minutes=10)


def match_run_claim(run_id: int) -> bool:
    """queued → running, once: a duplicate delivery of the task claims nothing."""
    return bool(
        MatchRun.objects.filter(pk=run_id, status=MatchRun.Status.QUEUED).update(
            status=MatchRun.Status.RUNNING, started_at=timezone.now(), progress=1
        )
    )


def _progress(run: MatchRun, percent: int) -> None:
    MatchRun.objects.filter(pk=run.pk, status=MatchRun.Status.RUNNING).update(progress=percent)


def match_run_execute(run_id: int) -> MatchRun | None:
    """Claim the run and compute it in this process: load the call, score and choose with the
    engine, then write every candidate and the summary in one transaction that also marks the
    run succeeded — so its results appear all at once, and a failure leaves the previous run's."""
    if not match_run_claim(run_id):
        return None
    run = MatchRun.objects.select_related("call").get(pk=run_id)
    timings: dict[str, float] = {}
    with _failing(run, timings):
        loaded = _load(run, timings)
        started = time.perf_counter()
        found = candidates(
            loaded.round,
            k=run.k,
            m=run.m,
            weights=Weights(**run.weights),
            shards=run.shards,
            chunk=settings.MATCHING_CHUNK,
        )
        timings["score_and_candidates"] = time.perf_counter() - started
        _finish(run, loaded, found, timings)
    return MatchRun.objects.get(pk=run.pk)


def _round_key(run_id: int) -> str:
    return f"match-run:{run_id}:round"


def match_run_start(run_id: int, *, on_worker: bool) -> str | None:
    """What a worker does with a queued run: one of several shards fans out over the workers;
    any other, or any run computed in process (eager tasks), is computed here. Returns "fanned
    out" or the run's status, or None when it had been claimed already (a duplicate delivery)."""
    if on_worker and MatchRun.objects.filter(pk=run_id, shards__gt=1).exists():
        return "fanned out" if match_run_fan_out(run_id) else None
    run = match_run_execute(run_id)
    return run.status if run else None


def match_run_fan_out(run_id: int) -> bool:
    """Claim the run, load the call once (kept in the shared cache for the shards), and score
    its projects in shards of whole chunks on as many workers as there are, reduced into one
    assignment by a Celery chord: the same result as one process, since every project is scored
    in the same block and ties are broken by index."""
    if not match_run_claim(run_id):
        return False
    run = MatchRun.objects.select_related("call").get(pk=run_id)
    timings: dict[str, float] = {}
    with _failing(run, timings):
        loaded = _load(run, timings)
        cache.set(_round_key(run_id), loaded, STUCK_AFTER.total_seconds())
        MatchRun.objects.filter(pk=run_id).update(timings=_rounded(timings))
        bounds = [
            (int(rows[0]), int(rows[-1]) + 1)
            for rows in shard_rows(loaded.round.shape[0], run.shards, settings.MATCHING_CHUNK)
        ]
        finish = reduce_match_run.s(run_id).on_error(fail_match_run.s(run_id))
        if bounds:
            chord(score_match_run_shard.s(run_id, start, stop) for start, stop in bounds)(finish)
        else:
            finish.delay([])
    return True


def _kept_round(run_id: int):
    loaded = cache.get(_round_key(run_id))
    if loaded is None:
        raise RuntimeError("The call's data kept for this run's shards expired or was lost.")
    return loaded


def match_run_score_shard(run_id: int, start: int, stop: int) -> list:
    """One shard's share of the candidate search, as JSON-able lists for the chord."""
    run = MatchRun.objects.get(pk=run_id)
    parts = shard_pairs(
        _kept_round(run_id).round,
        np.arange(start, stop),
        k=run.k,
        m=run.m,
        weights=Weights(**run.weights),
        chunk=settings.MATCHING_CHUNK,
    )
    return [part.tolist() for part in parts]


def match_run_reduce(run_id: int, shards: list) -> MatchRun:
    """The chord's end: merge the shards' pairs, score them, choose and write the results."""
    run = MatchRun.objects.select_related("call").get(pk=run_id)
    timings = dict(run.timings)
    with _failing(run, timings):
        loaded = _kept_round(run_id)
        started = time.perf_counter()
        universities = loaded.round.shape[1]
        parts = [
            (
                np.array(p, dtype=np.int64),
                np.array(u, dtype=np.int64),
                np.array(key, dtype=np.float64).reshape(universities, -1),
                np.array(project, dtype=np.int64).reshape(universities, -1),
            )
            for p, u, key, project in shards
            if len(p) or len(key)
        ]
        pairs = reduce_pairs(loaded.round, parts, m=run.m) if parts else (np.zeros(0, np.int64),) * 2
        found = score_pairs(loaded.round, *pairs, weights=Weights(**run.weights))
        timings["score_and_candidates"] = time.perf_counter() - started
        _finish(run, loaded, found, timings)
    cache.delete(_round_key(run_id))
    return MatchRun.objects.get(pk=run.pk)


def match_run_fail(run_id: int, error: str) -> None:
    MatchRun.objects.filter(pk=run_id, status=MatchRun.Status.RUNNING).update(
        status=MatchRun.Status.FAILED, error=error[:2000], finished_at=timezone.now()
    )
    cache.delete(_round_key(run_id))


def _rounded(timings: dict) -> dict:
    return {k: round(v, 3) for k, v in timings.items()}


@contextmanager
def _failing(run: MatchRun, timings: dict):
    """Any error marks the run failed with its message; what it wrote is rolled back."""
    try:
        yield
    except Exception as exc:
        logger.exception("matching run %s failed", run.pk)
        MatchRun.objects.filter(pk=run.pk).update(
            status=MatchRun.Status.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now(),
            timings=_rounded(timings),
        )


def _load(run: MatchRun, timings: dict):
    started = time.perf_counter()
    loaded = load_round(run.call)
    timings["load"] = time.perf_counter() - started
    _progress(run, 15)
    return loaded


def _finish(run: MatchRun, loaded, found, timings: dict) -> None:
    _progress(run, 60)
    summary, best, reasons = run_choose(run, loaded, found, timings)
    _progress(run, 80)
    started = time.perf_counter()
    with transaction.atomic():
        candidates_write(run, loaded, found, best.chosen, reasons)
        timings["write"] = time.perf_counter() - started
        finished = MatchRun.objects.filter(pk=run.pk, status=MatchRun.Status.RUNNING).update(
            status=MatchRun.Status.SUCCEEDED,
            progress=100,
            summary=summary,
            bound=round(best.bound, 6),
            gap=round(best.gap, 6),
            solver=best.solver,
            timings=_rounded(timings),
            finished_at=timezone.now(),
        )
        if not finished:  # swept as stuck meanwhile: a re-run may already be current
            raise Conflict(_("The run was marked failed while it computed; its results were discarded."))


def match_runs_sweep(now=None) -> int:
    """Mark failed the runs stuck in `running` (their worker died; they can be run again), and
    queue again the runs still `queued` after QUEUED_TOO_LONG. Returns the runs it acted on."""
    now = now or timezone.now()
    failed = MatchRun.objects.filter(status=MatchRun.Status.RUNNING, started_at__lt=now - STUCK_AFTER).update(
        status=MatchRun.Status.FAILED,
        finished_at=now,
        error=_("The worker stopped before the run finished; run it again."),
    )
    waiting = MatchRun.objects.filter(status=MatchRun.Status.QUEUED, created_at__lt=now - QUEUED_TOO_LONG)
    return failed + sum(match_run_enqueue(run) for run in waiting.only("pk"))
