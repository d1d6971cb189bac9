"""bench/matching.py's baseline: the engine's score formula pair by pair in plain Python, on a
sample of projects, timed and checked against the engine's own scores."""

import time

import numpy as np

from matching.engine import blocks
from matching.engine import candidates as search
from matching.engine.scoring import DEFAULT_WEIGHTS, effective_strengths


def loop_scores(round_: search.Round, sample: np.ndarray) -> tuple[float, list[list[float]]]:
    """The score formula pair by pair in plain Python (ineligible pairs -1, as the engine's
    search has them), its inputs turned into lists first, outside the timing."""
    w = DEFAULT_WEIGHTS
    universities = round_.shape[1]
    effective = effective_strengths(round_.strengths, round_.area_parent).tolist()
    u_places, u_slots = round_.university_places.tolist(), round_.university_slots.tolist()
    u_province, u_region = round_.university_province.tolist(), round_.university_region.tolist()
    interest = set(zip(round_.interest_project.tolist(), round_.interest_university.tolist(), strict=True))
    projects = [
        (
            int(p),
            [(int(a), float(round_.project_areas[p, a])) for a in np.flatnonzero(round_.project_areas[p])],
            int(round_.project_type[p]),
            float(round_.project_places[p]) / max(int(round_.project_partners[p]), 1),
            int(round_.project_province[p]),
            int(round_.project_region[p]),
        )
        for p in sample
    ]
    rows = []
    started = time.perf_counter()
    for p, areas, t, per_partner, province, region in projects:
        row = []
        for u in range(universities):
            places = u_places[u][t]
            if places <= 0 or u_slots[u][t] <= 0:
                row.append(-1.0)
                continue
            strength = effective[u]
            area = 0.0
            for a, weight in areas:
                area += weight * strength[a]
            capacity = min(1.0, places / per_partner)
            if u_province[u] == province:
                near = 1.0
            elif u_region[u] == region:
                near = 0.5
            else:
                near = 0.0
            shown = 1.0 if (p, u) in interest else 0.0
            row.append(w.area * area + w.capacity * capacity + w.region * near + w.interest * shown)
        rows.append(row)
    return time.perf_counter() - started, rows


def loop_baseline(round_: search.Round, sample_size: int, seed: int, repeat: int) -> dict:
    projects, _ = round_.shape
    sample = np.sort(
        np.random.default_rng(seed + 1).choice(projects, min(sample_size, projects), replace=False)
    )
    runs = [loop_scores(round_, sample) for _ in range(max(repeat, 1))]
    seconds, rows = min(runs, key=lambda run: run[0])
    engine_rows = blocks.Scorer(round_, DEFAULT_WEIGHTS).score(sample)
    return {
        "loop_sample_projects": len(sample),
        "loop_sample_seconds": round(seconds, 3),
        "loop_seconds_scaled": round(seconds * projects / max(len(sample), 1), 2),
        "loop_max_abs_difference": float(np.abs(np.array(rows) - engine_rows).max()),
    }
