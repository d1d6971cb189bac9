"""Exact best-of selections over float32 scores, ties broken by index (the lower index first),
so that any split of the work selects exactly the same entries.

Entries are ordered by (group ascending, key descending, index ascending). Where the three fit
in 63 bits (groups × indexes ≤ 2^31, as for 2,000 universities × 75,000 projects) they are
packed into one int64 and sorted as numbers, which is several times faster than a three-key
lexsort; otherwise the lexsort is used."""

import numpy as np

KEY_BITS = 32
FLUSH_AT_LEAST = 1 << 16  # ColumnBest merges once this many entries (or columns × m) pend
KEY_MASK = (1 << KEY_BITS) - 1


def sortable(key: np.ndarray) -> np.ndarray:
    """float32 keys as int64 in [0, 2^32) with the same order (-0.0 taken as 0.0)."""
    bits = (np.asarray(key, dtype=np.float32) + np.float32(0.0)).view(np.int32).astype(np.int64)
    # Negative floats order backwards as integers: flip their magnitude bits.
    return np.where(bits < 0, bits ^ 0x7FFFFFFF, bits) + 2**31


def _unsortable(value: np.ndarray) -> np.ndarray:
    bits = value - 2**31
    return np.where(bits < 0, bits ^ 0x7FFFFFFF, bits).astype(np.int32).view(np.float32)


def _packed(group, key, index, groups: int, indexes: int) -> tuple[np.ndarray, int] | None:
    """(group, -key, index) packed in one int64 that sorts as they do, and the index bits;
    None when they do not fit."""
    index_bits = max(int(indexes - 1).bit_length(), 1)
    if index_bits + KEY_BITS + max(int(groups - 1).bit_length(), 1) > 63:
        return None
    return (
        (group.astype(np.int64) << (KEY_BITS + index_bits))
        | ((KEY_MASK - sortable(key)) << index_bits)
        | index
    ), index_bits


def order(group: np.ndarray, key: np.ndarray, index: np.ndarray, *, groups: int, indexes: int) -> np.ndarray:
    """The permutation that sorts entries by (group, -key, index)."""
    packed = _packed(group, key, index, groups, indexes)
    if packed is None:
        return np.lexsort((index, -np.asarray(key, dtype=np.float32), group))
    return np.argsort(packed[0])


def rank_in_group(sorted_group: np.ndarray) -> np.ndarray:
    """0, 1, 2 ... within each run of equal values of a sorted array."""
    n = len(sorted_group)
    starts = np.flatnonzero(np.r_[True, sorted_group[1:] != sorted_group[:-1]]) if n else sorted_group[:0]
    return np.arange(n) - np.repeat(starts, np.diff(np.r_[starts, n]))


def best_per_group(group, key, index, count, *, groups: int, indexes: int):
    """Each group's `count` (a number, or one per group) best entries by (-key, index), sorted
    by (group, -key, index)."""
    packed = _packed(group, key, index, groups, indexes)
    if packed is None:
        permutation = order(group, key, index, groups=groups, indexes=indexes)
        group, key, index = group[permutation], key[permutation], index[permutation]
    else:
        values, index_bits = np.sort(packed[0]), packed[1]
        group, index = values >> (KEY_BITS + index_bits), values & ((1 << index_bits) - 1)
        key = _unsortable(KEY_MASK - ((values >> index_bits) & KEY_MASK))
    keep = rank_in_group(group) < (count[group] if isinstance(count, np.ndarray) else count)
    return group[keep], key[keep], index[keep]


def group_maxima(totals: np.ndarray, groups: int) -> np.ndarray:
    """The maxima of disjoint groups of each row's entries, at least `groups` of them: the row
    folded in halves (elementwise maxima of contiguous halves, fast) while that leaves enough."""
    folded = totals
    while folded.shape[1] >= 2 * groups:
        half, odd = folded.shape[1] // 2, folded.shape[1] % 2
        new = np.maximum(folded[:, :half], folded[:, half : 2 * half])
        if odd:
            np.maximum(new[:, :1], folded[:, -1:], out=new[:, :1])
        folded = new
    return folded


def row_best(totals: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(row, column) of each row's k best entries with totals ≥ 0, ties to the lower column,
    sorted by row. A lower bound of each row's k-th best (the k-th best of the maxima of
    disjoint column groups: the k groups whose maxima reach it hold k entries that do) leaves
    few entries to sort."""
    rows, columns = totals.shape
    k = min(k, columns)
    if not k or not rows:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    maxima = group_maxima(totals, max(2 * k, 64))
    groups = maxima.shape[1]
    bound = np.partition(maxima, groups - k, axis=1)[:, groups - k]
    np.maximum(bound, 0, out=bound)
    flat = np.flatnonzero(totals >= bound[:, None])
    row, column = np.divmod(flat, columns)
    row, _key, column = best_per_group(row, totals.ravel()[flat], column, k, groups=rows, indexes=columns)
    return row, column


class ColumnBest:
    """Each column's m best entries (key, index) over blocks of rows fed in increasing index
    order; ties go to the lower index. A running threshold per column (its m-th best key so
    far) lets a block's entries through only where they beat it: after the first blocks, few
    do. A key of -1 or less (an ineligible pair: -1, or -inf in the search) is never kept."""

    def __init__(self, columns: int, m: int, *, indexes: int):
        self.columns, self.m, self.indexes = columns, m, indexes
        self.threshold = np.full(columns, -1.0, dtype=np.float32)
        empty = (np.zeros(0, np.int64), np.zeros(0, np.float32), np.zeros(0, np.int64))
        self.kept = empty
        self.pending: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.pending_size = 0
        self.flush_at = max(columns * m, FLUSH_AT_LEAST)

    def add(self, totals: np.ndarray, index: np.ndarray) -> None:
        if not self.m:
            return
        flat = np.flatnonzero(totals > self.threshold)
        if not len(flat):
            return
        row, column = np.divmod(flat, self.columns)
        self.pending.append((column, totals.ravel()[flat], index[row]))
        self.pending_size += len(flat)
        if self.pending_size >= self.flush_at:
            self._merge()

    def _merge(self) -> None:
        if not self.pending:
            return
        parts = [self.kept, *self.pending]
        column, key, index = (np.concatenate([part[i] for part in parts]) for i in range(3))
        self.pending, self.pending_size = [], 0
        self.kept = best_per_group(column, key, index, self.m, groups=self.columns, indexes=self.indexes)
        column, key = self.kept[0], self.kept[1]
        full = rank_in_group(column) == self.m - 1
        self.threshold[column[full]] = key[full]

    def entries(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(column, key, index) of the kept entries, sorted by (column, -key, index)."""
        self._merge()
        return self.kept


def merge_columns(
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]], m: int, *, columns: int, indexes: int
) -> tuple[np.ndarray, np.ndarray]:
    """Several ColumnBest's entries merged into each column's m best, as (columns, m) arrays
    of keys and indexes, best first, padded with key -1 and index 0."""
    column, key, index = (
        np.concatenate([part[i] for part in parts]) if parts else np.zeros(0, dtype)
        for i, dtype in enumerate((np.int64, np.float32, np.int64))
    )
    column, key, index = best_per_group(column, key, index, m, groups=columns, indexes=indexes)
    keys = np.full((columns, m), -1.0, dtype=np.float32)
    projects = np.zeros((columns, m), dtype=np.int64)
    position = rank_in_group(column)
    keys[column, position], projects[column, position] = key, index
    return keys, projects
