"""A run's results: the engine's choice under the three capacities, the reason each other
candidate was not proposed, and the summary figures the run page shows (matching/writing.py
writes the candidates)."""

import time

import numpy as np
from django.conf import settings

from accounts.models import University

from .engine import assignment, placement
from .engine.scoring import COMPONENTS
from .loading import REGIONS, TYPES, LoadedRound
from .models import Candidate, MatchRun


def run_choose(run: MatchRun, loaded: LoadedRound, found, timings: dict):
    """The proposed pairs (placement), the greedy choice beside them, why each other candidate
    was not proposed, and the run's summary figures."""
    r = loaded.round
    keys = loaded.keys(found.project, found.university)
    pairs = placement.Pairs(
        project=found.project,
        university=found.university,
        score=found.score,
        area_fit=found.components[0],
        mutual=np.isin(keys, loaded.mutual),
        introduced=np.isin(keys, loaded.introduced),
    )
    capacity = placement.Capacity(
        partners=loaded.partners_left,
        share=loaded.share,
        slots=r.university_slots,
        places=r.university_places,
    )
    floor = run.min_area_fit
    started = time.perf_counter()
    best = placement.place(
        pairs, capacity, r.project_type, min_area_fit=floor, time_limit=settings.MATCHING_TIME_LIMIT
    )
    timings["assign"] = time.perf_counter() - started
    reasons = placement.reasons(pairs, capacity, r.project_type, best.chosen, min_area_fit=floor)
    eligible = placement.proposable(pairs, floor)
    figures = [
        assignment.summarise(pairs, capacity, r.project_type, chosen, eligible, r.shape[1])
        for chosen in (best.chosen, best.greedy)
    ]
    return _summary(loaded, pairs, best, reasons, *figures), best, reasons


def _summary(loaded: LoadedRound, pairs, best, reasons, optimal, greedy) -> dict:
    r = loaded.round
    projects, universities = r.shape
    mutual = pairs.mutual & ~pairs.introduced
    missed = mutual & (reasons == placement.UNEXPLAINED)
    return {
        "projects": projects,
        "universities": universities,
        "interests": len(r.interest_project),
        "candidates": len(pairs),
        "proposed": int(best.chosen.sum()),
        "objective": round(optimal.objective, 4),
        "greedy_objective": round(greedy.objective, 4),
        "time_limited": best.time_limited,
        "blocking_pairs": optimal.blocking_pairs,
        "greedy_blocking_pairs": greedy.blocking_pairs,
        "projects_served": optimal.projects_served,
        "greedy_projects_served": greedy.projects_served,
        "universities_reached": optimal.universities_reached,
        "greedy_universities_reached": greedy.universities_reached,
        "students_placed": optimal.students_placed,
        "greedy_students_placed": greedy.students_placed,
        "over_places": _public_ids(loaded, optimal.over_places),
        "mutual": {
            "pairs": int(mutual.sum()),
            "proposed": int(best.mutual.sum()),
            "missed": int(missed.sum()),
            "not_proposed": _counts(reasons[mutual & ~best.chosen]),
        },
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
    nothing_left = (
        not (loaded.partners_left > 0).any()
        or not ((r.university_places > 0) & (r.university_slots > 0)).any()
    )
    held = (
        (loaded.partners_left < r.project_partners).any()
        or (r.university_places < loaded.places_total).any()
        or (r.university_slots < loaded.slots_total).any()
    )
    if nothing_left and held:
        return "all_held"
    if not len(pairs):
        return "no_candidates"
    if not (pairs.score > 0).any():
        return "no_scores"
    return "nothing_fits"


def _public_ids(loaded: LoadedRound, indexes: list[int]) -> list[str]:
    return [
        str(public_id)
        for public_id in University.objects.filter(
            pk__in=loaded.university_ids[indexes].tolist()
        ).values_list("public_id", flat=True)
    ]


def _counts(reasons: np.ndarray) -> dict[str, int]:
    """How many candidates each reason applies to, by the reason's name."""
    counts = np.bincount(reasons[reasons >= 0].astype(np.int64), minlength=len(Candidate.Reason))
    return {Candidate.Reason(code).name.lower(): int(n) for code, n in enumerate(counts) if code and n}


def _held(loaded: LoadedRound) -> dict:
    """What existing introductions held of each university's capacity when the run started, by
    public id and type (only universities that held something)."""
    r = loaded.round
    places, slots = loaded.places_total - r.university_places, loaded.slots_total - r.university_slots
    rows = np.flatnonzero((places > 0).any(axis=1) | (slots > 0).any(axis=1))
    public = dict(
        University.objects.filter(pk__in=loaded.university_ids[rows].tolist()).values_list("pk", "public_id")
    )
    return {
        str(public[int(loaded.university_ids[u])]): {
            TYPES[t]: {"places": int(places[u, t]), "projects": int(slots[u, t])}
            for t in range(len(TYPES))
            if places[u, t] or slots[u, t]
        }
        for u in rows
    }


def _coverage(loaded: LoadedRound, optimal, greedy) -> dict:
    """Universities reached and students placed by region and by tier, for the proposed and the
    greedy choice."""
    region = np.array([REGIONS[i] if i >= 0 else "" for i in loaded.round.university_region])

    def rows(groups: np.ndarray, codes: list[str]) -> list[dict]:
        return [
            {
                "code": code,
                "universities": int((groups == code).sum()),
                "reached": int(optimal.reached[groups == code].sum()),
                "placed": int(optimal.placed[groups == code].sum()),
                "greedy_reached": int(greedy.reached[groups == code].sum()),
                "greedy_placed": int(greedy.placed[groups == code].sum()),
            }
            for code in codes
        ]

    tiers = sorted({str(t) for t in loaded.university_tier})
    return {"regions": rows(region, REGIONS), "tiers": rows(loaded.university_tier.astype(str), tiers)}
