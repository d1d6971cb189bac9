"""A run's results: the engine's choice under the three capacities, the reason each other
candidate was not proposed, the summary figures the run page shows, and the candidates written
in bulk (PostgreSQL's binary COPY)."""

import struct
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from itertools import chain

import numpy as np
from django.conf import settings
from django.db import connection

from accounts.models import University

from .engine import assignment, placement
from .engine.scoring import COMPONENTS
from .loading import REGIONS, TYPES, LoadedRound
from .models import Candidate, MatchRun, UniversityCandidates, pack_ids


def run_choose(run: MatchRun, loaded: LoadedRound, found, timings: dict):
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
    reasons = placement.reasons(pairs, capacity, r.project_type, best.chosen, min_area_fit=floor)
    eligible = placement.proposable(pairs, floor)
    figures = [assignment.summarise(pairs, capacity, r.project_type, chosen, eligible, r.shape[1])
               for chosen in (best.chosen, best.greedy)]
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
    nothing_left = not (loaded.partners_left > 0).any() or not (
        (r.university_places > 0) & (r.university_slots > 0)).any()
    held = ((loaded.partners_left < r.project_partners).any()
            or (r.university_places < loaded.places_total).any()
            or (r.university_slots < loaded.slots_total).any())
    if nothing_left and held:
        return "all_held"
    if not len(pairs):
        return "no_candidates"
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


def candidates_write(run: MatchRun, loaded: LoadedRound, found, chosen: np.ndarray,
                     reasons: np.ndarray) -> None:
    """Every candidate of the run, with whether it was proposed and why not, then the ids of
    each university's candidates."""
    if not len(found):
        return
    project_ids = loaded.project_ids[found.project]
    university_ids = loaded.university_ids[found.university]
    codes = [area.code for area in loaded.areas]
    if connection.vendor != "postgresql":
        ids = _create_candidates(run, project_ids, university_ids, found, chosen, reasons, codes)
        UniversityCandidates.objects.bulk_create(
            UniversityCandidates(run=run, university_id=int(university), ids=pack_ids(group))
            for university, group in zip(*_by_university(ids, found.score, chosen, university_ids),
                                         strict=True))
        return
    # PostgreSQL inserts the rows in its own process: the threads build the next block of
    # rows and sort the universities' packs meanwhile (numpy and psycopg2's sending let go of
    # the GIL), so the write takes little more than the server's own part of it.
    with ThreadPoolExecutor(max_workers=2) as pool, connection.cursor() as cursor:
        ids = _reserve_ids(cursor, len(found))
        packs = pool.submit(_by_university, ids, found.score, chosen, university_ids)
        blocks = _candidate_blocks(run, ids, project_ids, university_ids, found, chosen, reasons,
                                   codes)
        _copy(cursor, "matching_candidate", CANDIDATE_COLUMNS, _built_ahead(pool, blocks))
        _copy(cursor, "matching_universitycandidates", ("run_id", "university_id", "ids"),
              [_pack_rows(run, *packs.result())])


def _create_candidates(run, project_ids, university_ids, found, chosen, reasons, codes) -> np.ndarray:
    """The rows through the ORM (SQLite): their ids, in order."""
    made = Candidate.objects.bulk_create((
        Candidate(run=run, proposal_id=int(project_ids[i]), university_id=int(university_ids[i]),
                  score=round(float(found.score[i]), 6),
                  area_fit=round(float(found.components[0, i]), 6),
                  capacity_fit=round(float(found.components[1, i]), 6),
                  region=round(float(found.components[2, i]), 6),
                  interest=round(float(found.components[3, i]), 6), rank=int(found.rank[i]),
                  proposed=bool(chosen[i]), reason=int(reasons[i]),
                  top_areas=[codes[a] for a in found.top_areas[i] if a >= 0])
        for i in range(len(found))), batch_size=5000)
    return np.array([candidate.pk for candidate in made], dtype=np.int64)


def _by_university(ids: np.ndarray, score: np.ndarray, chosen: np.ndarray,
                   university_ids: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
    """Each university with its candidates' ids in the order the results show them: proposed
    first, then score, then id."""
    order = np.lexsort((ids, -np.round(score, 6), ~chosen, university_ids))
    universities, starts = np.unique(university_ids[order], return_index=True)
    return universities, np.split(ids[order], starts[1:])


COPY_ROWS = 100_000
COPY_READ = 1 << 20   # bytes psycopg2 sends at a time
CANDIDATE_COLUMNS = ("id", "run_id", "proposal_id", "university_id", "score", "area_fit",
                     "capacity_fit", "region", "interest", "rank", "proposed", "reason",
                     "top_area_codes")
BINARY_HEADER = b"PGCOPY\n\xff\r\n\x00" + bytes(8)   # signature, flags, no header extension
BINARY_TRAILER = b"\xff\xff"


def _reserve_ids(cursor, n: int) -> np.ndarray:
    """A block of n ids of the candidates' sequence, in order, for rows copied in with them."""
    # Nobody else adds candidates until this transaction ends, so the block is theirs.
    cursor.execute("LOCK TABLE matching_candidate IN EXCLUSIVE MODE")
    cursor.execute("SELECT setval(pg_get_serial_sequence('matching_candidate', 'id'), "
                   "nextval(pg_get_serial_sequence('matching_candidate', 'id')) + %s - 1)", [n])
    return np.arange(n, dtype=np.int64) + (cursor.fetchone()[0] - n + 1)


def _candidate_blocks(run, ids, project_ids, university_ids, found, chosen, reasons,
                      codes) -> Iterator[bytes]:
    """The candidates in COPY's binary format (a 75,000-project round has about 1.5 million),
    built with numpy a block of rows at a time, so memory stays flat and no value is turned to
    text."""
    top_areas = _top_area_texts(codes)
    for start in range(0, len(ids), COPY_ROWS):
        rows = slice(start, start + COPY_ROWS)
        values = [ids[rows].astype(">i8"), np.full(len(ids[rows]), run.pk, ">i8"),
                  project_ids[rows].astype(">i8"), university_ids[rows].astype(">i8"),
                  _rounded_floats(found.score[rows]),
                  *(_rounded_floats(found.components[c, rows]) for c in range(4)),
                  found.rank[rows].astype(">i4"), chosen[rows].astype("u1"),
                  reasons[rows].astype(">i2")]
        text = top_areas[found.top_areas[rows, 0] + 1, found.top_areas[rows, 1] + 1]
        yield _binary_rows(values, text.view(np.uint8).reshape(len(text), -1), np.char.str_len(text))


def _pack_rows(run, universities: np.ndarray, groups: list[np.ndarray]) -> bytes:
    """The ids of each university's candidates, one row per university, in COPY's binary
    format (a few thousand rows of very different lengths: built one by one)."""
    return b"".join(struct.pack(">hiqiqi", 3, 8, run.pk, 8, int(university), 8 * len(group))
                    + pack_ids(group) for university, group in zip(universities, groups, strict=True))


def _built_ahead(pool: ThreadPoolExecutor, blocks: Iterator[bytes]) -> Iterator[bytes]:
    """The same blocks, each built in the pool while the one before it is used."""
    pending = pool.submit(next, blocks, None)
    while (block := pending.result()) is not None:
        pending = pool.submit(next, blocks, None)
        yield block


class _Reader:
    """What COPY reads from: the header, the blocks one after another, the trailer."""

    def __init__(self, blocks: Iterable[bytes]):
        self._blocks = chain([BINARY_HEADER], blocks, [BINARY_TRAILER])
        self._left = memoryview(b"")
        self.failed: BaseException | None = None

    def read(self, size: int) -> bytes:
        while not self._left:
            try:
                block = next(self._blocks, None)
            except BaseException as exc:
                self.failed = exc   # psycopg2 reports it only as a cancelled COPY
                raise
            if block is None:
                return b""
            self._left = memoryview(block)
        part, self._left = self._left[:size], self._left[size:]
        return bytes(part)


def _copy(cursor, table: str, columns: tuple[str, ...], blocks: Iterable[bytes]) -> None:
    reader = _Reader(blocks)
    try:
        cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT binary)",
                           reader, COPY_READ)   # Django's debug cursor takes no keyword
    except Exception:   # psycopg2's own error, which Django does not wrap here
        if reader.failed is not None:
            raise reader.failed from None
        raise


def _rounded_floats(values: np.ndarray) -> np.ndarray:
    return np.round(values.astype(np.float64), 6).astype(">f8")


def _top_area_texts(codes: list[str]) -> np.ndarray:
    """Every (first, second) pair of top areas as the column's text, indexed by area index + 1
    (0: none): built once, then gathered per row."""
    names = ["", *codes]
    return np.array([" ".join(name for name in (first, second) if name).encode()
                     for first in names for second in names],
                    dtype=np.bytes_).reshape(len(names), len(names))


def _binary_rows(values: list[np.ndarray], last: np.ndarray, lengths: np.ndarray) -> bytes:
    """Rows of COPY's binary format: each row is its field count, then each field's byte length
    and bytes. The fields are equal-length arrays already of their wire types, then one of
    varying length (text), given as a (rows, width) byte array and each row's length: the rows
    are laid out at the full width, then what is past each length is cut out."""
    layout = [("fields", ">i2")]
    for i, column in enumerate(values):
        layout += [(f"length{i}", ">i4"), (f"value{i}", column.dtype)]
    layout += [("last_length", ">i4"), ("last", np.uint8, (last.shape[1],))]
    rows = np.empty(len(last), dtype=layout)
    rows["fields"] = len(values) + 1
    for i, column in enumerate(values):
        rows[f"length{i}"] = column.dtype.itemsize
        rows[f"value{i}"] = column
    rows["last_length"] = lengths
    rows["last"] = last
    width, fixed = rows.dtype.itemsize, rows.dtype.itemsize - last.shape[1]
    keep = np.ones((len(rows), width), dtype=bool)
    keep[:, fixed:] = np.arange(last.shape[1]) < lengths[:, None]
    return rows.view(np.uint8).reshape(len(rows), width)[keep].tobytes()
