"""bench/matching.py's round: a national-size call generated with numpy in the shape of the
seeded taxonomy, the provinces' weights and the capacities universities offer."""

import csv
from pathlib import Path

import numpy as np

from matching.engine import candidates as search

ROOT = Path(__file__).resolve().parent.parent
TYPES = 3
SUB_AREAS = 4  # six top-level areas with four sub-areas each, as the seeded taxonomy
TOP_AREAS = 6
PLACES = np.array([10, 20, 30, 40, 60, 80, 120, 200])
UNIVERSITY_PLACES = np.array([10, 20, 30, 50, 80, 120, 200])


# --- a generated round -------------------------------------------------------------------------


def provinces() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Province codes, region indexes and weights (universities per province)."""
    with open(ROOT / "accounts" / "data" / "provinces.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    regions = sorted({row["region"] for row in rows})
    codes = np.array([int(row["code"]) for row in rows])
    region = np.array([regions.index(row["region"]) for row in rows])
    weight = np.array([int(row["universities_weight"]) for row in rows], dtype=float)
    return codes, region, weight / weight.sum()


def generate(universities: int, projects: int, seed: int, interests_per_university: int) -> search.Round:
    rng = np.random.default_rng(seed)
    areas = TOP_AREAS * (1 + SUB_AREAS)
    parent = np.full(areas, -1)
    for top in range(TOP_AREAS):
        first = top * (1 + SUB_AREAS)
        parent[first + 1 : first + 1 + SUB_AREAS] = first
    codes, region, weight = provinces()

    chosen = np.argsort(rng.random((projects, areas)), axis=1)[:, :3]
    keep = np.arange(3)[None, :] < rng.integers(1, 4, projects)[:, None]  # 1–3 areas
    project_areas = np.zeros((projects, areas), dtype=np.float32)
    rows = np.repeat(np.arange(projects), 3).reshape(projects, 3)
    project_areas[rows[keep], chosen[keep]] = rng.integers(1, 6, keep.sum())
    project_areas /= project_areas.sum(axis=1, keepdims=True)
    places = rng.choice(PLACES, projects)
    project_province = rng.choice(len(codes), projects, p=weight)

    strengths = np.where(
        rng.random((universities, areas)) < 0.2, np.clip(rng.beta(2, 3, (universities, areas)), 0.05, 1.0), 0
    ).astype(np.float32)
    offers = rng.random((universities, TYPES))
    university_places = np.where(offers < 0.15, 0, rng.choice(UNIVERSITY_PLACES, (universities, TYPES)))
    university_slots = np.where(offers < 0.15, 0, rng.integers(1, 9, (universities, TYPES)))
    university_slots[offers > 0.95] = 0  # places, but no room for another project this round
    university_province = rng.choice(len(codes), universities, p=weight)

    n_interests = min(universities * interests_per_university, universities * projects)
    keys = rng.choice(universities * projects, n_interests, replace=False)
    return search.Round(
        project_areas=project_areas,
        project_type=rng.integers(0, TYPES, projects),
        project_places=places,
        project_partners=rng.integers(1, 6, projects),
        project_province=codes[project_province],
        project_region=region[project_province],
        strengths=strengths,
        area_parent=parent,
        university_places=university_places,
        university_slots=university_slots,
        university_province=codes[university_province],
        university_region=region[university_province],
        interest_project=keys // universities,
        interest_university=keys % universities,
    )
