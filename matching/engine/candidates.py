"""Candidate pairs: the top k universities of each project ∪ the top m projects of each
university ∪ every pair with expressed interest, scored in chunks of projects so that the
whole score matrix never exists at once."""

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from . import selection
from .blocks import Scorer, scan, workers
from .scoring import DEFAULT_WEIGHTS, Weights, effective_strengths
from .selection import ColumnBest, merge_columns, row_best

# Ties are broken by index (the lower project or university first, see selection), so that any
# split of the projects into chunks or shards selects exactly the same pairs.
CHUNK = 2000
PAIR_BLOCK = 8192


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
    interest_project: np.ndarray  # (I,) project index of each live interest
    interest_university: np.ndarray  # (I,) university index

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.project_type), len(self.university_province)


@dataclass
class Candidates:
    project: np.ndarray  # (n,) project index
    university: np.ndarray  # (n,) university index
    components: np.ndarray  # (4, n) float32
    score: np.ndarray  # (n,) float32; 0 for an ineligible pair
    eligible: np.ndarray  # (n,) bool
    rank: np.ndarray  # (n,) 1-based rank within its project
    top_areas: np.ndarray  # (n, 2) the areas contributing most to the area fit, -1 for none

    def __len__(self) -> int:
        return len(self.project)


def shard_pairs(
    round_: Round,
    rows: np.ndarray,
    *,
    k: int,
    m: int,
    weights: Weights,
    chunk: int = CHUNK,
    threads: int | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """For the projects `rows` (sorted indexes): the top-k pairs of each project, and each
    university's best m (key, project) among these projects — what a shard contributes.
    Keys (float32 totals, -1 for none) and projects of the latter are (U, m), best first."""
    projects, universities = round_.shape
    scorer, threads = Scorer(round_, weights), threads or workers()
    top: list[list[tuple[np.ndarray, np.ndarray]]] = [[] for _ in range(threads)]
    best = [ColumnBest(universities, m, indexes=projects) for _ in range(threads)]

    def visit(worker: int, block_rows: np.ndarray, totals: np.ndarray) -> None:
        row, university = row_best(totals, k)
        top[worker].append((block_rows[row], university))
        best[worker].add(totals, block_rows)

    used = scan(scorer, rows, chunk, visit, threads)
    pairs = [pair for worker in top[:used] for pair in worker]
    pairs_p = np.concatenate([p for p, _u in pairs]) if pairs else np.zeros(0, dtype=np.int64)
    pairs_u = np.concatenate([u for _p, u in pairs]) if pairs else np.zeros(0, dtype=np.int64)
    best_key, best_project = merge_columns(
        [b.entries() for b in best[:used]], m, columns=universities, indexes=projects
    )
    return pairs_p, pairs_u, best_key, best_project


def reduce_pairs(round_: Round, shards: list, *, m: int) -> tuple[np.ndarray, np.ndarray]:
    """Merge shards' results: their top-k pairs, the overall top m projects per university,
    and every interest pair — unique (project, university) pairs, sorted."""
    projects, universities = round_.shape
    columns = [
        (
            np.broadcast_to(np.arange(universities)[:, None], s[2].shape).ravel(),
            np.asarray(s[2], dtype=np.float32).ravel(),
            np.asarray(s[3]).ravel(),
        )
        for s in shards
    ]
    key, project = merge_columns(columns, m, columns=universities, indexes=projects)
    keep = key >= 0
    pairs_p = [*(s[0] for s in shards), round_.interest_project, project[keep]]
    pairs_u = [
        *(s[1] for s in shards),
        round_.interest_university,
        np.broadcast_to(np.arange(universities)[:, None], key.shape)[keep],
    ]
    keys = np.sort(
        np.concatenate(pairs_p).astype(np.int64) * universities + np.concatenate(pairs_u).astype(np.int64)
    )
    keys = keys[np.r_[True, keys[1:] != keys[:-1]]] if len(keys) else keys
    return keys // universities, keys % universities


def score_pairs(
    round_: Round, project: np.ndarray, university: np.ndarray, *, weights: Weights
) -> Candidates:
    """Score the given pairs (vectorised over pairs) and rank them within each project: in
    blocks of pairs that start at a project's first pair (pairs come grouped by project),
    one thread per core."""
    n = len(project)
    found = Candidates(
        project=project,
        university=university,
        components=np.empty((4, n), dtype=np.float32),
        score=np.empty(n, dtype=np.float32),
        eligible=np.empty(n, dtype=bool),
        rank=np.empty(n, dtype=np.int64),
        top_areas=np.empty((n, 2), dtype=np.int64),
    )
    pairs = _Pairs(round_, weights, found)
    grouped = n < 2 or bool((project[1:] >= project[:-1]).all())
    starts = np.unique(np.searchsorted(project, project[::PAIR_BLOCK])) if grouped else np.zeros(1, int)
    bounds = list(zip(starts.tolist(), [*starts[1:].tolist(), n], strict=True)) if n else []
    with ThreadPoolExecutor(workers()) as pool:
        list(pool.map(lambda bound: pairs.score(*bound), bounds))
    return found


class _Pairs:
    """score_pairs' per-round arrays, and the scoring of one block of pairs into `found`."""

    def __init__(self, round_: Round, weights: Weights, found: Candidates):
        self.round, self.found = round_, found
        self.effective = effective_strengths(round_.strengths, round_.area_parent)
        self.areas = _AreaList(round_.project_areas)
        self.weights = weights.as_array().astype(np.float64)
        self.interest = np.sort(
            round_.interest_project.astype(np.int64) * round_.shape[1] + round_.interest_university
        )

    def score(self, start: int, stop: int) -> None:
        r, found, rows = self.round, self.found, slice(start, stop)
        p, u = found.project[rows], found.university[rows]
        t = r.project_type[p]
        places = r.university_places[u, t].astype(np.float32)
        per_partner = r.project_places[p].astype(np.float32) / np.maximum(r.project_partners[p], 1)
        same_province = (r.project_province[p] == r.university_province[u]) & (r.project_province[p] >= 0)
        same_region = r.project_region[p] == r.university_region[u]
        keys = p.astype(np.int64) * r.shape[1] + u
        position = np.minimum(np.searchsorted(self.interest, keys), max(len(self.interest) - 1, 0))
        components = found.components[:, rows]
        components[0], found.top_areas[rows] = self.areas.fit(self.effective, p, u)
        components[1] = np.minimum(1.0, places / np.maximum(per_partner, 1e-6))
        components[2] = np.where(same_province, 1.0, np.where(same_region, 0.5, 0.0))
        components[3] = self.interest[position] == keys if len(self.interest) else False
        eligible = found.eligible[rows] = (places > 0) & (r.university_slots[u, t] > 0)
        # Summed in float64 and rounded once, without BLAS: the same score however the pairs
        # are split into blocks.
        total = np.zeros(stop - start)
        for weight, component in zip(self.weights, components, strict=True):
            total += weight * component.astype(np.float64)
        found.score[rows] = total * eligible
        score = found.score[rows]
        order = selection.order(p, score, u, groups=r.shape[0], indexes=r.shape[1])
        found.rank[start + order] = selection.rank_in_group(p[order]) + 1


class _AreaList:
    """Each project's areas of non-zero weight (few: a project names one to three), in
    increasing index, padded with weight 0, so that a pair's area fit reads only those."""

    def __init__(self, project_areas: np.ndarray):
        named = project_areas != 0
        width = max(int(named.sum(axis=1).max(initial=0)), 1)
        self.index = np.argsort(~named, axis=1, kind="stable")[:, :width]
        self.weight = np.take_along_axis(project_areas, self.index, axis=1).astype(np.float32)

    def fit(self, effective, p, u, n_top: int = 2) -> tuple[np.ndarray, np.ndarray]:
        """Per pair, the area fit, and the indexes of the areas contributing most to it, best
        first (ties to the lower index; -1 for none)."""
        index = self.index[p]
        contribution = self.weight[p] * effective[u[:, None], index]
        area = contribution[:, 0].copy()
        for column in range(1, contribution.shape[1]):
            area += contribution[:, column]
        top = np.full((len(p), n_top), -1, dtype=np.int64)
        for rank in range(min(n_top, contribution.shape[1])):
            best = contribution.argmax(axis=1)[:, None]
            positive = np.take_along_axis(contribution, best, axis=1)[:, 0] > 0
            top[:, rank] = np.where(positive, np.take_along_axis(index, best, axis=1)[:, 0], -1)
            np.put_along_axis(contribution, best, -np.inf, axis=1)
        return area, top


def shard_rows(projects: int, shards: int, chunk: int = CHUNK) -> list[np.ndarray]:
    """Split the projects into shards of whole chunks: every project is then scored in the same
    block whatever the number of shards, and BLAS gives it bit-identical scores."""
    starts = np.arange(0, projects, chunk)
    return [
        np.arange(group[0], min(group[-1] + chunk, projects))
        for group in np.array_split(starts, max(min(shards, len(starts)), 1))
        if len(group)
    ]


def candidates(
    round_: Round,
    *,
    k: int = 20,
    m: int = 50,
    weights: Weights = DEFAULT_WEIGHTS,
    shards: int = 1,
    chunk: int = CHUNK,
) -> Candidates:
    """All of it in one process; `shards` splits the projects as the Celery chord does."""
    projects, _ = round_.shape
    parts = [
        shard_pairs(round_, rows, k=k, m=m, weights=weights, chunk=chunk)
        for rows in shard_rows(projects, shards, chunk)
    ]
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return score_pairs(round_, empty, empty, weights=weights)
    p, u = reduce_pairs(round_, parts, m=m)
    return score_pairs(round_, p, u, weights=weights)
