"""An export's memory stays flat while it streams: 20,000 candidates as CSV, and an XLSX
workbook whose peak does not grow with its rows."""

import csv
import gc
import tracemalloc
import zipfile

import pytest

from accounts import tabular
from accounts.models import University
from matching import selectors
from matching.downloads import columns
from matching.models import Candidate, MatchRun
from projects.models import Proposal
from tests.factories import CallFactory, ProposalFactory, UniversityFactory

from .downloads_rows import by_title_and_rank
from .downloads_world import AUDIT_QUERIES, WEIGHTS, _english_fixture, url  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def big_run(employer):
    """A succeeded run with 20,000 candidates: 200 projects × 100 universities, bulk-created.
    The projects' titles put 2,000 candidates in group 甲, 4,000 in 乙 and 14,000 in 丙."""
    call = CallFactory()
    groups = ["甲"] * 20 + ["乙"] * 40 + ["丙"] * 140
    projects = Proposal.objects.bulk_create(
        ProposalFactory.build(
            employer=employer.employer,
            call=call,
            status="published",
            title=f"工业视觉质检就业实习基地 {group}{n:03d}",
        )
        for n, group in enumerate(groups)
    )
    universities = University.objects.bulk_create(UniversityFactory.build() for _ in range(100))
    run = MatchRun.objects.create(call=call, status="succeeded", weights=WEIGHTS)
    Candidate.objects.bulk_create(
        (
            Candidate(
                run=run,
                proposal=p,
                university=u,
                score=1 / (rank + 1),
                area_fit=0.75,
                capacity_fit=0.5,
                region=0.25,
                interest=0.0,
                rank=rank + 1,
                proposed=rank < 2,
                top_areas=["cv", "cv.industrial_inspection"],
            )
            for p in projects
            for rank, u in enumerate(universities)
        ),
        batch_size=2000,
    )
    return run


def peak_memory(work):
    """The peak of memory allocated by Python while `work` runs, and what it returned."""
    gc.collect()
    tracemalloc.start()
    try:
        result = work()
        return tracemalloc.get_traced_memory()[1], result
    finally:
        tracemalloc.stop()


def saved(response, path) -> int:
    """The response written chunk by chunk to a file, as a browser saves a download; its size."""
    assert response.status_code == 200
    size = 0
    with open(path, "wb") as file:
        for chunk in response.streaming_content:
            size += file.write(chunk)
    return size


def rows_in(path, kind: str) -> int:
    if kind == "csv":
        with open(path, encoding="utf-8-sig", newline="") as file:
            return sum(1 for _ in csv.reader(file))
    with zipfile.ZipFile(path) as archive:
        return archive.read("xl/worksheets/sheet1.xml").count(b"</row>")


def export_peak(client, run, path, kind: str, **filters) -> tuple[int, int]:
    """The peak memory of one export written to `path`, and its rows (header included)."""
    address = url("run-candidates", run)
    peak, _size = peak_memory(lambda: saved(client.get(address, {"format": kind, **filters}), path))
    return peak, rows_in(path, kind)


def test_a_large_csv_export_streams_in_flat_memory(
    client_for, ministry, big_run, tmp_path, django_assert_max_num_queries
):
    """Materialising the 20,000 rows (a list of tuples of plain values, less than a full
    response would hold) peaks at about 20 MB; streaming them must peak below a third of that
    and below 12 MB in absolute terms (about 4.5 MB measured: two chunks of 2,000 rows, as
    Django holds one while it fetches the next, and the 64 KB CSV buffer), so a 75,000-row
    export needs no more. A first,
    empty export loads what any first request loads (translations, URL patterns)."""
    client = client_for(ministry)
    queryset = by_title_and_rank(selectors.run_candidates(big_run))
    baseline, rows = peak_memory(lambda: list(tabular.table(queryset, columns.CANDIDATES)[1]))
    assert len(rows) == 20_000
    del rows
    target = tmp_path / "export.csv"
    export_peak(client, big_run, target, "csv", project="nothing like this")
    with django_assert_max_num_queries(6 + AUDIT_QUERIES):
        streaming, rows = export_peak(client, big_run, target, "csv")
    print(
        f"\ncsv: 20,000 rows streamed with a peak of {streaming / 2**20:.1f} MiB; "
        f"materialised, they peak at {baseline / 2**20:.1f} MiB"
    )
    assert rows == 20_001
    assert streaming < baseline / 3
    assert streaming < 12 * 2**20


def test_an_xlsx_export_does_not_grow_with_its_rows(
    client_for, ministry, big_run, tmp_path, monkeypatch, django_assert_max_num_queries
):
    """openpyxl runs about 7× slower under tracemalloc, so the workbook is measured at 2,000
    and 4,000 rows read in chunks of 200 rather than at 20,000 (the database's chunks are the
    CSV test's): materialising the 2,000 more rows takes about 2 MB more, writing them to the
    workbook on disk (openpyxl's write-only mode) must take less than 0.5 MB more."""
    monkeypatch.setattr(tabular, "CHUNK_SIZE", 200)
    client = client_for(ministry)
    target = tmp_path / "export.xlsx"
    export_peak(client, big_run, target, "xlsx", project="nothing like this")
    small, rows = export_peak(client, big_run, target, "xlsx", project="基地 甲")
    assert rows == 2_001
    with django_assert_max_num_queries(6 + AUDIT_QUERIES):
        large, rows = export_peak(client, big_run, target, "xlsx", project="基地 乙")
    assert rows == 4_001
    print(f"\nxlsx: a peak of {small / 2**20:.2f} MiB for 2,000 rows, {large / 2**20:.2f} MiB for 4,000")
    assert large - small < 2**19
