"""Candidate pairs: the top k universities of each project ∪ the top m projects of each
university ∪ every pair with expressed interest, scored in chunks of projects so that the
whole score matrix never exists at once."""

from dataclasses import dataclass

import numpy as np

from .scoring import DEFAULT_WEIGHTS, Weights, effective_strengths, totals_block

# Ties are broken by index (the lower project or university first), so that any split of the
# projects into chunks or shards selects exactly the same pairs: a tiny float64 offset, far
# below the float32 scores' resolution.
TIE = 1e-9
CHUNK = 2000


@dataclass
class Round:
    """A call's arrays (see scoring's module docstring for the shapes)."""

    project_areas: np.ndarray
    project_type: np.ndarray
    project_places: np.ndarray
    project_partners: np.ndarray
    project_province: np.ndarray
    project_region: np.ndarray
    strengths: np.ndarray
    area_parent: np.ndarray
    university_places: np.ndarray
    university_slots: np.ndarray
    university_province: np.ndarray
    university_region: np.ndarray
    interest_project: np.ndarray      # (I,) project index of each live interest
    interest_university: np.ndarray   # (I,) university index

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.project_type), len(self.university_province)


@dataclass
class Candidates:
    project: np.ndarray       # (n,) project index
    university: np.ndarray    # (n,) university index
    components: np.ndarray    # (4, n) float32
    score: np.ndarray         # (n,) float32; 0 for an ineligible pair
    eligible: np.ndarray      # (n,) bool
    rank: np.ndarray          # (n,) 1-based rank within its project
    top_areas: np.ndarray     # (n, 2) the areas contributing most to the area fit, -1 for none

    def __len__(self) -> int:
        return len(self.project)


def _block(round_: Round, effective: np.ndarray, rows: np.ndarray, weights: Weights,
           tables: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """The totals of a block of projects (sorted indexes) against every university."""
    mask = np.isin(round_.interest_project, rows)
    return totals_block(
        project_areas=round_.project_areas[rows], project_type=round_.project_type[rows],
        project_places=round_.project_places[rows], project_partners=round_.project_partners[rows],
        project_province=round_.project_province[rows], project_region=round_.project_region[rows],
        effective=effective, places_by_type=tables[0], slots_by_type=tables[1],
        university_province=round_.university_province,
        university_region=round_.university_region,
        interest_rows=np.searchsorted(rows, round_.interest_project[mask]),
        interest_columns=round_.interest_university[mask], weights=weights)


def _tables(round_: Round) -> tuple[np.ndarray, np.ndarray]:
    """The universities' places and slots per type, one contiguous row per type."""
    return (np.ascontiguousarray(round_.university_places.T, dtype=np.float32),
            np.ascontiguousarray(round_.university_slots.T))


def shard_pairs(round_: Round, rows: np.ndarray, *, k: int, m: int, weights: Weights,
                chunk: int = CHUNK) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """For the projects `rows` (sorted indexes): the top-k pairs of each project, and each
    university's best m (key, project) among these projects — what a shard contributes.
    Keys and projects of the latter are (U, ≤m·chunks), one row per university."""
    projects, universities = round_.shape
    effective = effective_strengths(round_.strengths, round_.area_parent)
    tables = _tables(round_)
    university_tie = TIE * (universities - np.arange(universities)) / universities
    top_p, top_u, best_key, best_project = [], [], [], []
    for start in range(0, len(rows), chunk):
        block_rows = rows[start:start + chunk]
        totals = _block(round_, effective, block_rows, weights, tables)
        kk = min(k, universities)
        if kk:
            idx = np.argpartition(-(totals + university_tie), kk - 1, axis=1)[:, :kk]
            keep = (np.take_along_axis(totals, idx, axis=1) >= 0).ravel()
            top_p.append(np.repeat(block_rows, kk)[keep])
            top_u.append(idx.ravel()[keep])
        # One row per university, contiguous, so the partition runs along memory.
        key = np.ascontiguousarray(totals.T) + TIE * (projects - block_rows) / projects
        key, project = _top(key, np.broadcast_to(block_rows, key.shape), m)
        best_key.append(key)
        best_project.append(project)
    pairs_p = np.concatenate(top_p) if top_p else np.zeros(0, dtype=np.int64)
    pairs_u = np.concatenate(top_u) if top_u else np.zeros(0, dtype=np.int64)
    best_key, best_project = _top(np.concatenate(best_key, axis=1),
                                  np.concatenate(best_project, axis=1), m)
    return pairs_p, pairs_u, best_key, best_project


def _top(key: np.ndarray, project: np.ndarray, m: int) -> tuple[np.ndarray, np.ndarray]:
    """Each row's m largest keys and their projects."""
    mm = min(m, key.shape[1])
    if not mm:
        return key[:, :0], project[:, :0]
    idx = np.argpartition(-key, mm - 1, axis=1)[:, :mm]
    return np.take_along_axis(key, idx, axis=1), np.take_along_axis(project, idx, axis=1)


def reduce_pairs(round_: Round, shards: list, *, m: int) -> tuple[np.ndarray, np.ndarray]:
    """Merge shards' results: their top-k pairs, the overall top m projects per university,
    and every interest pair — unique (project, university) pairs, sorted."""
    universities = round_.shape[1]
    key, project = _top(np.concatenate([s[2] for s in shards], axis=1),
                        np.concatenate([s[3] for s in shards], axis=1), m)
    keep = key >= 0
    pairs_p = [*(s[0] for s in shards), round_.interest_project, project[keep]]
    pairs_u = [*(s[1] for s in shards), round_.interest_university,
               np.broadcast_to(np.arange(universities)[:, None], key.shape)[keep]]
    keys = np.sort(np.concatenate(pairs_p).astype(np.int64) * universities
                   + np.concatenate(pairs_u).astype(np.int64))
    keys = keys[np.r_[True, keys[1:] != keys[:-1]]] if len(keys) else keys
    return keys // universities, keys % universities


def score_pairs(round_: Round, project: np.ndarray, university: np.ndarray, *,
                weights: Weights) -> Candidates:
    """Score the given pairs (vectorised over pairs) and rank them within each project."""
    effective = effective_strengths(round_.strengths, round_.area_parent)
    p, u = project, university
    t = round_.project_type[p]
    places = round_.university_places[u, t].astype(np.float32)
    slots = round_.university_slots[u, t]
    area = np.einsum("na,na->n", round_.project_areas[p].astype(np.float32), effective[u])
    if len(p) == 0:
        area = np.zeros(0, dtype=np.float32)
    per_partner = round_.project_places[p].astype(np.float32) / np.maximum(round_.project_partners[p], 1)
    capacity = np.minimum(1.0, places / np.maximum(per_partner, 1e-6))
    same_province = (round_.project_province[p] == round_.university_province[u]) & (
        round_.project_province[p] >= 0)
    same_region = round_.project_region[p] == round_.university_region[u]
    region = np.where(same_province, 1.0, np.where(same_region, 0.5, 0.0))
    interest_keys = np.sort(round_.interest_project.astype(np.int64) * round_.shape[1]
                            + round_.interest_university)
    keys = p.astype(np.int64) * round_.shape[1] + u
    interest = np.zeros(len(keys), dtype=bool)
    if len(interest_keys):
        interest = interest_keys[np.minimum(np.searchsorted(interest_keys, keys),
                                            len(interest_keys) - 1)] == keys
    components = np.stack([area, capacity, region, interest]).astype(np.float32)
    eligible = (places > 0) & (slots > 0)
    score = (weights.as_array() @ components) * eligible
    top = _top_areas(round_.project_areas, effective, p, u)
    order = np.lexsort((u, -score, p))
    rank = np.empty(len(p), dtype=np.int64)
    starts = np.r_[0, np.flatnonzero(np.diff(p[order])) + 1]
    counts = np.diff(np.r_[starts, len(p)])
    rank[order] = np.arange(len(p)) - np.repeat(starts, counts) + 1
    return Candidates(project=p, university=u, components=components,
                      score=score.astype(np.float32), eligible=eligible, rank=rank, top_areas=top)


def _top_areas(project_areas, effective, p, u, n_top: int = 2, block: int = 100_000) -> np.ndarray:
    """Per pair, the indexes of the areas contributing most to its area fit (-1 for none)."""
    top = np.full((len(p), n_top), -1, dtype=np.int64)
    for start in range(0, len(p), block):
        rows = slice(start, start + block)
        contribution = project_areas[p[rows]] * effective[u[rows]]
        order = np.argsort(-contribution, axis=1, kind="stable")[:, :n_top]
        positive = np.take_along_axis(contribution, order, axis=1) > 0
        top[rows] = np.where(positive, order, -1)
    return top


def shard_rows(projects: int, shards: int, chunk: int = CHUNK) -> list[np.ndarray]:
    """Split the projects into shards of whole chunks: every project is then scored in the same
    block whatever the number of shards, and BLAS gives it bit-identical scores."""
    starts = np.arange(0, projects, chunk)
    return [np.arange(group[0], min(group[-1] + chunk, projects))
            for group in np.array_split(starts, max(min(shards, len(starts)), 1)) if len(group)]


def candidates(round_: Round, *, k: int = 20, m: int = 50, weights: Weights = DEFAULT_WEIGHTS,
               shards: int = 1, chunk: int = CHUNK) -> Candidates:
    """All of it in one process; `shards` splits the projects as the Celery chord does."""
    projects, _ = round_.shape
    parts = [shard_pairs(round_, rows, k=k, m=m, weights=weights, chunk=chunk)
             for rows in shard_rows(projects, shards, chunk)]
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return score_pairs(round_, empty, empty, weights=weights)
    p, u = reduce_pairs(round_, parts, m=m)
    return score_pairs(round_, p, u, weights=weights)
