"""Every write of the matching app: create, execute, sweep and publish runs."""

import io
import logging
import time
from collections.abc import Mapping
from contextlib import contextmanager
from datetime import timedelta

import numpy as np
from celery import chord
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.errors import Conflict
from accounts.models import University, User
from accounts.services import audit_record
from projects.models import Call

from .engine import assignment, placement
from .engine.candidates import candidates, reduce_pairs, score_pairs, shard_pairs, shard_rows
from .engine.scoring import COMPONENTS, Weights
from .loading import REGIONS, TYPES, LoadedRound, load_round
from .models import DEFAULT_MIN_AREA_FIT, Candidate, MatchRun
from .tasks import execute_match_run

logger = logging.getLogger(__name__)
STUCK_AFTER = timedelta(minutes=30)


def parse_weights(weights: Mapping | None) -> dict[str, float]:
    """{"area", "capacity", "region", "interest"}: numbers ≥ 0 summing to more than 0; missing
    ones take the defaults."""
    defaults = Weights().__dict__
    weights = dict(weights or {})
    unknown = set(weights) - set(defaults)
    if unknown:
        names = ", ".join(sorted(unknown))
        raise ValidationError({"weights": _("Unknown weights: %(names)s.") % {"names": names}})
    merged = {**defaults, **weights}
    if any(isinstance(v, bool) or not isinstance(v, int | float) or v < 0 for v in merged.values()):
        raise ValidationError({"weights": _("Weights must be numbers of 0 or more.")})
    if sum(merged.values()) <= 0:
        raise ValidationError({"weights": _("The weights must not all be 0.")})
    return {name: float(value) for name, value in merged.items()}


def parse_min_area_fit(value) -> float:
    """The AI-fit floor: a number from 0 to 1."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ValidationError({"min_area_fit": _("The AI-fit floor must be a number from 0 to 1.")})
    return float(value)


def match_run_create(*, actor: User, call: Call, weights: Mapping | None = None, k: int = 20,
                     m: int = 50, shards: int = 1,
                     min_area_fit: float = DEFAULT_MIN_AREA_FIT) -> MatchRun:
    """Ministry staff start a matching run of a call; a worker runs it once this commits."""
    if not permissions.is_ministry(actor):
        raise PermissionDenied(_("Only ministry staff run matching."))
    run = MatchRun(call=call, created_by=actor, weights=parse_weights(weights), k=k, m=m,
                   shards=shards, min_area_fit=parse_min_area_fit(min_area_fit))
    run.full_clean(exclude=["created_by"])
    with transaction.atomic():
        run.save()
        audit_record(actor=actor, target=run, action="match_run_created")
        transaction.on_commit(lambda: execute_match_run.delay(run.pk))
    return run


def match_run_claim(run_id: int) -> bool:
    """queued → running, once: a duplicate delivery of the task claims nothing."""
    return bool(MatchRun.objects.filter(pk=run_id, status=MatchRun.Status.QUEUED).update(
        status=MatchRun.Status.RUNNING, started_at=timezone.now(), progress=1))


def _progress(run: MatchRun, percent: int) -> None:
    MatchRun.objects.filter(pk=run.pk, status=MatchRun.Status.RUNNING).update(progress=percent)


def _write_candidates(run: MatchRun, loaded, found, chosen: np.ndarray, reasons: np.ndarray) -> None:
    project_ids = loaded.project_ids[found.project]
    university_ids = loaded.university_ids[found.university]
    codes = np.array([area.code for area in loaded.areas] + [""])
    first, second = codes[found.top_areas[:, 0]], codes[found.top_areas[:, 1]]  # -1 picks ""
    if connection.vendor == "postgresql":
        _copy_candidates(run, project_ids, university_ids, found, chosen, reasons, first, second)
        return
    Candidate.objects.bulk_create((
        Candidate(run=run, proposal_id=int(project_ids[i]), university_id=int(university_ids[i]),
                  score=round(float(found.score[i]), 6),
                  area_fit=round(float(found.components[0, i]), 6),
                  capacity_fit=round(float(found.components[1, i]), 6),
                  region=round(float(found.components[2, i]), 6),
                  interest=round(float(found.components[3, i]), 6), rank=int(found.rank[i]),
                  proposed=bool(chosen[i]), reason=int(reasons[i]),
                  top_areas=[c for c in (first[i], second[i]) if c])
        for i in range(len(found))), batch_size=5000)


COPY_ROWS = 100_000


def _copy_candidates(run, project_ids, university_ids, found, chosen, reasons, first, second) -> None:
    """PostgreSQL's COPY (a 75,000-project round has about 1.5 million candidates), its text
    built column by column a block of rows at a time, so memory stays flat."""

    def text(values) -> np.ndarray:
        return np.round(values.astype(np.float64), 6).astype(str)

    with connection.cursor() as cursor:
        for start in range(0, len(found), COPY_ROWS):
            rows = slice(start, start + COPY_ROWS)
            one, two = first[rows], second[rows]
            quoted = np.char.add(np.char.add('"', one), '"')
            top = np.where(two != "", np.char.add(np.char.add(np.char.add("[", quoted), ',"'),
                                                  np.char.add(two, '"]')),
                           np.where(one != "", np.char.add(np.char.add("[", quoted), "]"), "[]"))
            columns = [np.full(len(top), str(run.pk)), project_ids[rows].astype(str),
                       university_ids[rows].astype(str), text(found.score[rows]),
                       *(text(found.components[c, rows]) for c in range(4)),
                       found.rank[rows].astype(str), np.where(chosen[rows], "t", "f"),
                       reasons[rows].astype(str), top]
            cursor.copy_expert(
                "COPY matching_candidate (run_id, proposal_id, university_id, score, area_fit, "
                "capacity_fit, region, interest, rank, proposed, reason, top_areas) FROM STDIN",
                io.StringIO("\n".join(map("\t".join, zip(*columns, strict=True)))))


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
        found = candidates(loaded.round, k=run.k, m=run.m, weights=Weights(**run.weights),
                           shards=run.shards, chunk=settings.MATCHING_CHUNK)
        timings["score_and_candidates"] = time.perf_counter() - started
        _finish(run, loaded, found, timings)
    return MatchRun.objects.get(pk=run.pk)


def _round_key(run_id: int) -> str:
    return f"match-run:{run_id}:round"


def match_run_fan_out(run_id: int, shard_task, reduce_task, fail_task) -> bool:
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
        bounds = [(int(rows[0]), int(rows[-1]) + 1)
                  for rows in shard_rows(loaded.round.shape[0], run.shards, settings.MATCHING_CHUNK)]
        finish = reduce_task.s(run_id).on_error(fail_task.s(run_id))
        if bounds:
            chord(shard_task.s(run_id, start, stop) for start, stop in bounds)(finish)
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
    parts = shard_pairs(_kept_round(run_id).round, np.arange(start, stop), k=run.k, m=run.m,
                        weights=Weights(**run.weights), chunk=settings.MATCHING_CHUNK)
    return [part.tolist() for part in parts]


def match_run_reduce(run_id: int, shards: list) -> MatchRun:
    """The chord's end: merge the shards' pairs, score them, choose and write the results."""
    run = MatchRun.objects.select_related("call").get(pk=run_id)
    timings = dict(run.timings)
    with _failing(run, timings):
        loaded = _kept_round(run_id)
        started = time.perf_counter()
        universities = loaded.round.shape[1]
        parts = [(np.array(p, dtype=np.int64), np.array(u, dtype=np.int64),
                  np.array(key, dtype=np.float64).reshape(universities, -1),
                  np.array(project, dtype=np.int64).reshape(universities, -1))
                 for p, u, key, project in shards if len(p) or len(key)]
        pairs = reduce_pairs(loaded.round, parts, m=run.m) if parts else (np.zeros(0, np.int64),) * 2
        found = score_pairs(loaded.round, *pairs, weights=Weights(**run.weights))
        timings["score_and_candidates"] = time.perf_counter() - started
        _finish(run, loaded, found, timings)
    cache.delete(_round_key(run_id))
    return MatchRun.objects.get(pk=run.pk)


def match_run_fail(run_id: int, error: str) -> None:
    MatchRun.objects.filter(pk=run_id, status=MatchRun.Status.RUNNING).update(
        status=MatchRun.Status.FAILED, error=error[:2000], finished_at=timezone.now())
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
            status=MatchRun.Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now(), timings=_rounded(timings))


def _load(run: MatchRun, timings: dict):
    started = time.perf_counter()
    loaded = load_round(run.call)
    timings["load"] = time.perf_counter() - started
    _progress(run, 15)
    return loaded


def _finish(run: MatchRun, loaded, found, timings: dict) -> None:
    _progress(run, 60)
    summary, best, reasons = _choose(run, loaded, found, timings)
    _progress(run, 80)
    started = time.perf_counter()
    with transaction.atomic():
        _write_candidates(run, loaded, found, best.chosen, reasons)
        timings["write"] = time.perf_counter() - started
        finished = MatchRun.objects.filter(pk=run.pk, status=MatchRun.Status.RUNNING).update(
            status=MatchRun.Status.SUCCEEDED, progress=100, summary=summary,
            bound=round(best.bound, 6), gap=round(best.gap, 6), solver=best.solver,
            timings=_rounded(timings), finished_at=timezone.now())
        if not finished:  # swept as stuck meanwhile: a re-run may already be current
            raise Conflict(_("The run was marked failed while it computed; its results "
                             "were discarded."))


def _choose(run: MatchRun, loaded: LoadedRound, found, timings: dict):
    """The proposed pairs (placement), the greedy choice beside them, why each other candidate
    was not proposed, and the run's summary figures."""
    r = loaded.round
    keys = loaded.keys(found.project, found.university)
    pairs = placement.Pairs(project=found.project, university=found.university, score=found.score,
                            area_fit=found.components[0], mutual=np.isin(keys, loaded.mutual),
                            introduced=np.isin(keys, loaded.introduced))
    capacity = placement.Capacity(partners=loaded.partners_left, share=loaded.share,
                                  slots=r.university_slots, places=r.university_places)
    floor = run.min_area_fit
    started = time.perf_counter()
    best = placement.place(pairs, capacity, r.project_type, min_area_fit=floor,
                           time_limit=settings.MATCHING_TIME_LIMIT)
    timings["assign"] = time.perf_counter() - started
    simple = placement.greedy(pairs, capacity, r.project_type, min_area_fit=floor)
    reasons = placement.reasons(pairs, capacity, r.project_type, best.chosen, min_area_fit=floor)
    eligible = ~pairs.introduced & (pairs.score > 0) & (pairs.mutual | (pairs.area_fit >= floor))
    figures = [assignment.summarise(pairs, capacity, r.project_type, chosen, eligible, r.shape[1])
               for chosen in (best.chosen, simple)]
    return _summary(loaded, pairs, best, reasons, *figures), best, reasons


def _summary(loaded: LoadedRound, pairs, best, reasons, optimal, greedy) -> dict:
    r = loaded.round
    projects, universities = r.shape
    mutual = pairs.mutual & ~pairs.introduced
    missed = mutual & (reasons == placement.UNEXPLAINED)
    return {
        "projects": projects, "universities": universities, "interests": len(r.interest_project),
        "candidates": len(pairs), "proposed": int(best.chosen.sum()),
        "objective": round(optimal.objective, 4), "greedy_objective": round(greedy.objective, 4),
        "bound": round(best.bound, 4), "gap": round(best.gap, 6), "solver": best.solver,
        "time_limited": best.time_limited,
        "blocking_pairs": optimal.blocking_pairs, "greedy_blocking_pairs": greedy.blocking_pairs,
        "projects_served": optimal.projects_served,
        "greedy_projects_served": greedy.projects_served,
        "universities_reached": optimal.universities_reached,
        "greedy_universities_reached": greedy.universities_reached,
        "students_placed": optimal.students_placed, "greedy_students_placed": greedy.students_placed,
        "over_places": _public_ids(loaded, optimal.over_places),
        "mutual": {"pairs": int(mutual.sum()), "proposed": int(best.mutual.sum()),
                   "missed": int(missed.sum()),
                   "not_proposed": _counts(reasons[mutual & ~best.chosen])},
        "reasons": _counts(reasons[~best.chosen]),
        "held": _held(loaded),
        "empty_because": _empty_because(loaded, pairs, best),
        "coverage": _coverage(loaded, optimal, greedy),
        "components": list(COMPONENTS),
    }


def _empty_because(loaded: LoadedRound, pairs, best) -> str:
    """Why a run proposed nothing, as a code the run page words; "" when it proposed some."""
    r = loaded.round
    if best.chosen.any():
        return ""
    if not len(pairs):
        return "no_candidates"
    if not (loaded.partners_left > 0).any() or not (
            (r.university_places > 0) & (r.university_slots > 0)).any():
        return "all_held"
    if not (pairs.score > 0).any():
        return "no_scores"
    return "nothing_fits"


def _public_ids(loaded: LoadedRound, indexes: list[int]) -> list[str]:
    return [str(public_id) for public_id in University.objects.filter(
        pk__in=loaded.university_ids[indexes].tolist()).values_list("public_id", flat=True)]


def _counts(reasons: np.ndarray) -> dict[str, int]:
    """How many candidates each reason applies to, by the reason's name."""
    counts = np.bincount(reasons[reasons >= 0].astype(np.int64), minlength=len(Candidate.Reason))
    return {Candidate.Reason(code).name.lower(): int(n) for code, n in enumerate(counts)
            if code and n}


def _held(loaded: LoadedRound) -> dict:
    """What existing introductions held of each university's capacity when the run started, by
    public id and type (only universities that held something)."""
    r = loaded.round
    places, slots = loaded.places_total - r.university_places, loaded.slots_total - r.university_slots
    rows = np.flatnonzero((places > 0).any(axis=1) | (slots > 0).any(axis=1))
    public = dict(University.objects.filter(pk__in=loaded.university_ids[rows].tolist())
                  .values_list("pk", "public_id"))
    return {str(public[int(loaded.university_ids[u])]): {
        TYPES[t]: {"places": int(places[u, t]), "projects": int(slots[u, t])}
        for t in range(len(TYPES)) if places[u, t] or slots[u, t]} for u in rows}


def _coverage(loaded: LoadedRound, optimal, greedy) -> dict:
    """Universities reached and students placed by region and by tier, for the proposed and the
    greedy choice."""
    region = np.array([REGIONS[i] if i >= 0 else "" for i in loaded.round.university_region])

    def rows(groups: np.ndarray, codes: list[str]) -> list[dict]:
        return [{"code": code, "universities": int((groups == code).sum()),
                 "reached": int(optimal.reached[groups == code].sum()),
                 "placed": int(optimal.placed[groups == code].sum()),
                 "greedy_reached": int(greedy.reached[groups == code].sum()),
                 "greedy_placed": int(greedy.placed[groups == code].sum())} for code in codes]

    tiers = sorted({str(t) for t in loaded.university_tier})
    return {"regions": rows(region, REGIONS), "tiers": rows(loaded.university_tier.astype(str), tiers)}


def match_runs_sweep(now=None) -> int:
    """Mark failed the runs stuck in `running` (their worker died); they can be run again."""
    now = now or timezone.now()
    return MatchRun.objects.filter(status=MatchRun.Status.RUNNING,
                                   started_at__lt=now - STUCK_AFTER).update(
        status=MatchRun.Status.FAILED, finished_at=now,
        error=_("The worker stopped before the run finished; run it again."))


def match_run_publish(*, actor: User, run: MatchRun) -> MatchRun:
    """Ministry staff publish a succeeded run: employers and universities then see its proposed
    counterparts for their own projects and institution."""
    if not permissions.is_ministry(actor):
        raise PermissionDenied(_("Only ministry staff publish matching results."))
    with transaction.atomic():
        changed = MatchRun.objects.filter(pk=run.pk, status=MatchRun.Status.SUCCEEDED,
                                          published_at__isnull=True).update(published_at=timezone.now())
        if not changed:
            raise Conflict(_("Only a succeeded run that is not yet published can be published."))
        audit_record(actor=actor, target=run, action="match_run_published")
    run.refresh_from_db()
    return run
