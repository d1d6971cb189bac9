"""A run's candidates written in bulk: on PostgreSQL one binary COPY built with numpy while it
is sent, with the ids of each university's candidates packed beside them; through the ORM
elsewhere."""

import struct
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from itertools import chain

import numpy as np
from django.db import connection

from .loading import LoadedRound
from .models import Candidate, MatchRun, UniversityCandidates, pack_ids


def candidates_write(
    run: MatchRun, loaded: LoadedRound, found, chosen: np.ndarray, reasons: np.ndarray
) -> None:
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
            for university, group in zip(
                *_by_university(ids, found.score, chosen, university_ids), strict=True
            )
        )
        return
    # PostgreSQL inserts the rows in its own process: the threads build the next block of
    # rows and sort the universities' packs meanwhile (numpy and psycopg2's sending let go of
    # the GIL), so the write takes little more than the server's own part of it.
    with ThreadPoolExecutor(max_workers=2) as pool, connection.cursor() as cursor:
        ids = _reserve_ids(cursor, len(found))
        packs = pool.submit(_by_university, ids, found.score, chosen, university_ids)
        blocks = _candidate_blocks(run, ids, project_ids, university_ids, found, chosen, reasons, codes)
        _copy(cursor, "matching_candidate", CANDIDATE_COLUMNS, _built_ahead(pool, blocks))
        _copy(
            cursor,
            "matching_universitycandidates",
            ("run_id", "university_id", "ids"),
            [_pack_rows(run, *packs.result())],
        )


def _create_candidates(run, project_ids, university_ids, found, chosen, reasons, codes) -> np.ndarray:
    """The rows through the ORM (SQLite): their ids, in order."""
    made = Candidate.objects.bulk_create(
        (
            Candidate(
                run=run,
                proposal_id=int(project_ids[i]),
                university_id=int(university_ids[i]),
                score=round(float(found.score[i]), 6),
                area_fit=round(float(found.components[0, i]), 6),
                capacity_fit=round(float(found.components[1, i]), 6),
                region=round(float(found.components[2, i]), 6),
                interest=round(float(found.components[3, i]), 6),
                rank=int(found.rank[i]),
                proposed=bool(chosen[i]),
                reason=int(reasons[i]),
                top_areas=[codes[a] for a in found.top_areas[i] if a >= 0],
            )
            for i in range(len(found))
        ),
        batch_size=5000,
    )
    return np.array([candidate.pk for candidate in made], dtype=np.int64)


def _by_university(
    ids: np.ndarray, score: np.ndarray, chosen: np.ndarray, university_ids: np.ndarray
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Each university with its candidates' ids in the order the results show them: proposed
    first, then score, then id."""
    order = np.lexsort((ids, -np.round(score, 6), ~chosen, university_ids))
    universities, starts = np.unique(university_ids[order], return_index=True)
    return universities, np.split(ids[order], starts[1:])


COPY_ROWS = 100_000
COPY_READ = 1 << 20  # bytes psycopg2 sends at a time
CANDIDATE_COLUMNS = (
    "id",
    "run_id",
    "proposal_id",
    "university_id",
    "score",
    "area_fit",
    "capacity_fit",
    "region",
    "interest",
    "rank",
    "proposed",
    "reason",
    "top_area_codes",
)
BINARY_HEADER = b"PGCOPY\n\xff\r\n\x00" + bytes(8)  # signature, flags, no header extension
BINARY_TRAILER = b"\xff\xff"


def _reserve_ids(cursor, n: int) -> np.ndarray:
    """A block of n ids of the candidates' sequence, in order, for rows copied in with them."""
    # Nobody else adds candidates until this transaction ends, so the block is theirs.
    cursor.execute("LOCK TABLE matching_candidate IN EXCLUSIVE MODE")
    cursor.execute(
        "SELECT setval(pg_get_serial_sequence('matching_candidate', 'id'), "
        "nextval(pg_get_serial_sequence('matching_candidate', 'id')) + %s - 1)",
        [n],
    )
    return np.arange(n, dtype=np.int64) + (cursor.fetchone()[0] - n + 1)


def _candidate_blocks(
    run, ids, project_ids, university_ids, found, chosen, reasons, codes
) -> Iterator[bytes]:
    """The candidates in COPY's binary format (a 75,000-project round has about 1.5 million),
    built with numpy a block of rows at a time, so memory stays flat and no value is turned to
    text."""
    top_areas = _top_area_texts(codes)
    for start in range(0, len(ids), COPY_ROWS):
        rows = slice(start, start + COPY_ROWS)
        values = [
            ids[rows].astype(">i8"),
            np.full(len(ids[rows]), run.pk, ">i8"),
            project_ids[rows].astype(">i8"),
            university_ids[rows].astype(">i8"),
            _rounded_floats(found.score[rows]),
            *(_rounded_floats(found.components[c, rows]) for c in range(4)),
            found.rank[rows].astype(">i4"),
            chosen[rows].astype("u1"),
            reasons[rows].astype(">i2"),
        ]
        text = top_areas[found.top_areas[rows, 0] + 1, found.top_areas[rows, 1] + 1]
        yield _binary_rows(values, text.view(np.uint8).reshape(len(text), -1), np.char.str_len(text))


def _pack_rows(run, universities: np.ndarray, groups: list[np.ndarray]) -> bytes:
    """The ids of each university's candidates, one row per university, in COPY's binary
    format (a few thousand rows of very different lengths: built one by one)."""
    return b"".join(
        struct.pack(">hiqiqi", 3, 8, run.pk, 8, int(university), 8 * len(group)) + pack_ids(group)
        for university, group in zip(universities, groups, strict=True)
    )


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
                self.failed = exc  # psycopg2 reports it only as a cancelled COPY
                raise
            if block is None:
                return b""
            self._left = memoryview(block)
        part, self._left = self._left[:size], self._left[size:]
        return bytes(part)


def _copy(cursor, table: str, columns: tuple[str, ...], blocks: Iterable[bytes]) -> None:
    reader = _Reader(blocks)
    try:
        cursor.copy_expert(
            f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT binary)", reader, COPY_READ
        )  # Django's debug cursor takes no keyword
    except Exception:  # psycopg2's own error, which Django does not wrap here
        if reader.failed is not None:
            raise reader.failed from None
        raise


def _rounded_floats(values: np.ndarray) -> np.ndarray:
    return np.round(values.astype(np.float64), 6).astype(">f8")


def _top_area_texts(codes: list[str]) -> np.ndarray:
    """Every (first, second) pair of top areas as the column's text, indexed by area index + 1
    (0: none): built once, then gathered per row."""
    names = ["", *codes]
    return np.array(
        [" ".join(name for name in (first, second) if name).encode() for first in names for second in names],
        dtype=np.bytes_,
    ).reshape(len(names), len(names))


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
