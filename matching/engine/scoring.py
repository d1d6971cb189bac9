"""Score university–project pairs from named components, each in [0, 1].

Arrays, for P projects, U universities, A focus areas and T project types:
- project_areas (P, A): each project's area weights, rows summing to 1;
- project_type (P,): the type's index; project_places, project_partners (P,);
- project_province, project_region (P,): integer codes (-1 for none);
- strengths (U, A): each university's own strength per area, 0 where none;
- area_parent (A,): the parent area's index, -1 for a top-level area;
- university_places, university_slots (U, T); university_province, university_region (U,);
- interest (P, U) bool: a live expression of interest.
"""

from dataclasses import dataclass

import numpy as np

COMPONENTS = ("area", "capacity", "region", "interest")


@dataclass(frozen=True)
class Weights:
    area: float = 0.60
    capacity: float = 0.15
    region: float = 0.15
    interest: float = 0.10

    def as_array(self) -> np.ndarray:
        return np.array([self.area, self.capacity, self.region, self.interest], dtype=np.float32)


DEFAULT_WEIGHTS = Weights()


def effective_strengths(strengths: np.ndarray, area_parent: np.ndarray) -> np.ndarray:
    """A sub-area's strength is the university's own; a top-level area's is the largest of its
    own and its sub-areas'."""
    effective = strengths.astype(np.float32, copy=True)
    children = np.flatnonzero(area_parent >= 0)
    # Unbuffered maximum: several sub-areas may share one parent.
    np.maximum.at(effective.T, area_parent[children], strengths.T[children])
    return effective


def score_block(
    *,
    project_areas,
    project_type,
    project_places,
    project_partners,
    project_province,
    project_region,
    effective,
    university_places,
    university_slots,
    university_province,
    university_region,
    interest,
    weights: Weights = DEFAULT_WEIGHTS,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Components (4, P, U), totals (P, U) and the eligibility mask (P, U) of a block of
    projects against every university. Ineligible pairs (no places or no project slots for
    the project's type) score 0."""
    area = project_areas.astype(np.float32) @ effective.T
    places = university_places[:, project_type].T.astype(np.float32)  # (P, U)
    slots = university_slots[:, project_type].T
    per_partner = project_places.astype(np.float32) / np.maximum(project_partners, 1)
    capacity = np.minimum(1.0, places / np.maximum(per_partner, 1e-6)[:, None])
    same_province = project_province[:, None] == university_province[None, :]
    same_region = project_region[:, None] == university_region[None, :]
    region = np.where(same_province, 1.0, np.where(same_region, 0.5, 0.0)).astype(np.float32)
    region[project_province < 0] = 0.0
    components = np.stack([area, capacity, region, interest.astype(np.float32)])
    eligible = (places > 0) & (slots > 0)
    totals = np.tensordot(weights.as_array(), components, axes=1) * eligible
    return components, totals.astype(np.float32), eligible


def totals_block(
    *,
    project_areas,
    project_type,
    project_places,
    project_partners,
    project_province,
    project_region,
    effective,
    places_by_type,
    slots_by_type,
    university_province,
    university_region,
    interest_rows,
    interest_columns,
    weights: Weights = DEFAULT_WEIGHTS,
) -> np.ndarray:
    """score_block's totals alone (P, U), ineligible pairs -1: the candidate search's hot loop,
    written to make few temporary matrices, all float32. `places_by_type`/`slots_by_type` are
    the universities' tables transposed (T, U); interests come as positions in the block."""
    totals = project_areas.astype(np.float32) @ (np.float32(weights.area) * effective.T)
    places = places_by_type[project_type]  # (P, U) float32
    per_partner = project_places.astype(np.float32) / np.maximum(project_partners, 1)
    capacity = places / np.maximum(per_partner, np.float32(1e-6))[:, None]
    np.minimum(capacity, np.float32(1.0), out=capacity)
    capacity *= np.float32(weights.capacity)
    totals += capacity
    region = (project_region[:, None] == university_region[None, :]).astype(np.float32)
    region *= np.float32(0.5)
    np.maximum(region, project_province[:, None] == university_province[None, :], out=region)
    region[project_province < 0] = 0.0
    region *= np.float32(weights.region)
    totals += region
    totals[interest_rows, interest_columns] += np.float32(weights.interest)
    totals[(places <= 0) | (slots_by_type[project_type] <= 0)] = -1.0
    return totals


def top_areas(project_areas_row: np.ndarray, effective_row: np.ndarray, k: int = 2) -> list[int]:
    """The indexes of the areas that contribute most to one pair's area fit."""
    contribution = project_areas_row * effective_row
    order = np.argsort(-contribution, kind="stable")[:k]
    return [int(i) for i in order if contribution[i] > 0]
