"""The candidate search's hot loop: the totals (as scoring's totals_block) of small blocks of
projects against every university, written into buffers reused from block to block, in one
thread per core.

A chunk of projects is cut into blocks at fixed offsets from the chunk's start, so a project is
scored in the same block whatever the number of shards, and BLAS gives it bit-identical scores.
The capacity and region fits take few distinct rows within a chunk (one per project type and
places per partner, one per province): they are computed once per chunk as tables, and a
block gathers its rows from them. An ineligible pair's capacity is -inf, so is its total: the
selections take only totals ≥ 0 (top k) or > -1 (top m), as they did with -1.
"""

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from .scoring import Weights, effective_strengths

# One block's totals. Smaller blocks stay in the L2 cache, but their numpy calls cost more:
# 1 to 4 MiB measured best.
BLOCK_BYTES = 1 << 21
# OpenBLAS hands a matrix product of 2^19 multiply-adds or more to its own threads; on a busy
# machine that hand-off can cost a hundred times the product, and the search's threads already
# use every core. The area fit is therefore computed a few rows per call, below that size.
BLAS_SINGLE_THREAD = (1 << 19) - 1


MAX_WORKERS = 8  # each thread has its own buffers and selections: no more than this


def workers() -> int:
    """Threads for the search, one per core: numpy releases the GIL in the arithmetic."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_WORKERS))


@dataclass
class Tables:
    """A chunk's distinct capacity and region rows (n, U), and each project's row in them."""

    capacity: np.ndarray
    capacity_row: np.ndarray
    region: np.ndarray
    region_row: np.ndarray

    def rows(self, start: int, stop: int) -> "Tables":
        return Tables(self.capacity, self.capacity_row[start:stop], self.region, self.region_row[start:stop])


class Scorer:
    """A round's per-university tables, prepared once; `totals` scores one block."""

    def __init__(self, round_, weights: Weights):
        effective = effective_strengths(round_.strengths, round_.area_parent)
        self.universities = len(round_.university_province)
        self.areas = round_.project_areas.astype(np.float32, copy=False)
        self.area_weights = np.ascontiguousarray(np.float32(weights.area) * effective.T)
        self.matmul_rows = max(1, BLAS_SINGLE_THREAD // max(self.area_weights.size, 1))
        self.places = np.ascontiguousarray(round_.university_places.T, dtype=np.float32)
        self.ineligible = np.ascontiguousarray(
            (round_.university_places.T <= 0) | (round_.university_slots.T <= 0)
        )
        per_partner = (
            round_.project_places.astype(np.float32) / np.maximum(round_.project_partners, 1)
        ).astype(np.float32)
        self.per_partner = np.maximum(per_partner, np.float32(1e-6))
        self.project_type = round_.project_type
        self.province, self.region = round_.project_province, round_.project_region
        self.university_province = round_.university_province
        self.university_region = round_.university_region
        order = np.argsort(round_.interest_project, kind="stable")
        self.interest_project = round_.interest_project[order]
        self.interest_university = round_.interest_university[order]
        self.weights = weights

    def block_rows(self, chunk: int) -> int:
        return max(1, min(chunk, BLOCK_BYTES // (4 * max(self.universities, 1))))

    def tables(self, rows: np.ndarray) -> Tables:
        """The capacity and region tables of the projects `rows` (a chunk)."""
        per_partner = self.per_partner[rows]
        first, capacity_row = _distinct(self.project_type[rows], per_partner)
        types = self.project_type[rows[first]]
        capacity = self.places[types] / per_partner[first][:, None]
        np.minimum(capacity, np.float32(1.0), out=capacity)
        capacity *= np.float32(self.weights.capacity)
        capacity[self.ineligible[types]] = -np.inf
        first, region_row = _distinct(self.province[rows], self.region[rows])
        province, region = self.province[rows[first]][:, None], self.region[rows[first]][:, None]
        fit = (region == self.university_region[None, :]).astype(np.float32)
        fit *= np.float32(0.5)
        np.maximum(fit, province == self.university_province[None, :], out=fit)
        fit[province[:, 0] < 0] = 0.0
        fit *= np.float32(self.weights.region)
        return Tables(capacity, capacity_row, fit, region_row)

    def totals(self, rows: np.ndarray, tables: Tables, out: np.ndarray, scratch: np.ndarray) -> np.ndarray:
        """The totals of the projects `rows` (sorted) into `out` (len(rows), U), -inf for an
        ineligible pair; `tables` are their chunk's, cut to their rows."""
        areas = self.areas[rows]
        for start in range(0, len(rows), self.matmul_rows):
            stop = start + self.matmul_rows
            np.matmul(areas[start:stop], self.area_weights, out=out[start:stop])
        np.take(tables.capacity, tables.capacity_row, axis=0, out=scratch)
        out += scratch
        np.take(tables.region, tables.region_row, axis=0, out=scratch)
        out += scratch
        first = np.searchsorted(self.interest_project, rows[0], side="left")
        last = np.searchsorted(self.interest_project, rows[-1], side="right")
        if last > first:
            projects = self.interest_project[first:last]
            position = np.searchsorted(rows, projects)
            hit = rows[position] == projects
            out[position[hit], self.interest_university[first:last][hit]] += np.float32(self.weights.interest)
        return out

    def score(self, rows: np.ndarray) -> np.ndarray:
        """The totals of the projects `rows` (sorted) as one block, in new arrays, ineligible
        pairs -1 as in totals_block."""
        out = np.empty((len(rows), self.universities), dtype=np.float32)
        return np.maximum(
            self.totals(rows, self.tables(rows), out, np.empty_like(out)), np.float32(-1.0), out=out
        )


def _distinct(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct (a, b) pairs as the position of one occurrence of each, and each entry's
    pair number."""
    order = np.lexsort((b, a))
    a, b = a[order], b[order]
    new = np.r_[True, (a[1:] != a[:-1]) | (b[1:] != b[:-1])][: len(order)]
    number = np.empty(len(order), dtype=np.int64)
    number[order] = np.cumsum(new) - 1
    return order[new], number


def scan(
    scorer: Scorer,
    rows: np.ndarray,
    chunk: int,
    visit: Callable[[int, np.ndarray, np.ndarray], None],
    threads: int | None = None,
) -> int:
    """Score the projects `rows` (sorted) chunk by chunk, block by block, and call
    visit(worker, block_rows, totals) on each block; the totals buffer is reused at once.
    Each worker thread takes a run of consecutive chunks, so it visits its blocks in increasing
    project order. Returns the number of workers."""
    starts = list(range(0, len(rows), chunk))
    threads = max(1, min(threads or workers(), len(starts)))
    groups = np.array_split(np.arange(len(starts)), threads)
    size = scorer.block_rows(chunk)

    def work(worker: int) -> None:
        out = np.empty((size, scorer.universities), dtype=np.float32)
        scratch = np.empty_like(out)
        for index in groups[worker]:
            chunk_rows = rows[starts[index] : starts[index] + chunk]
            tables = scorer.tables(chunk_rows)
            for start in range(0, len(chunk_rows), size):
                block = chunk_rows[start : start + size]
                n = len(block)
                visit(
                    worker, block, scorer.totals(block, tables.rows(start, start + n), out[:n], scratch[:n])
                )

    if threads == 1:
        work(0)
    else:
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(work, range(threads)))
    return threads
