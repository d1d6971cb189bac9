"""Spreadsheet downloads whose memory stays flat however many rows they hold.

Plumbing only, no business rule: callers choose the columns and the queryset (through the
selector that decides visibility); this module reads the queryset in chunks and writes CSV row
by row into the response, or XLSX into a temporary file that is then streamed from disk.
"""

import csv
import io
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from urllib.parse import quote
from uuid import UUID

from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE

CHUNK_SIZE = 2000
CSV_FLUSH_BYTES = 64 * 1024
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets
# (a tab or carriage return can hide the sign that follows it): OWASP "CSV injection".
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


@dataclass(frozen=True)
class Column:
    """One column: its header (a lazy translation), the values_list path it reads, and
    optionally the choices whose label to show for the stored code, or a function of the value."""

    header: str | Promise
    field: str
    labels: Iterable[tuple[str, str | Promise]] | None = None
    convert: Callable | None = None

    def converter(self) -> Callable:
        """Resolved now, in the request's language: the rows are written after the view returns."""
        if self.labels is not None:
            labels = {code: str(label) for code, label in self.labels}
            return lambda value: labels.get(value, value)
        return self.convert or (lambda value: value)


def table(
    queryset: QuerySet, columns: Sequence[Column], chunk_size: int | None = None
) -> tuple[list[str], Iterator[tuple]]:
    """The header in the active language and the rows, read lazily in chunks of plain values:
    one query, whatever the number of rows, and at most two chunks of them in memory (Django
    holds the last chunk while it fetches the next)."""
    fields = list(dict.fromkeys(column.field for column in columns))
    cells = [(fields.index(column.field), column.converter()) for column in columns]
    values = (
        queryset.prefetch_related(None).values_list(*fields).iterator(chunk_size=chunk_size or CHUNK_SIZE)
    )
    header = [str(column.header) for column in columns]
    return header, (tuple(convert(row[index]) for index, convert in cells) for row in values)


def content_disposition(filename: str) -> str:
    """An attachment header with an ASCII fallback and the exact name in RFC 5987 form."""
    fallback = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _plain(value, zone: tzinfo):
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value, zone)
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, UUID | Promise):
        return str(value)
    return value


def _csv_cell(value, zone: tzinfo):
    value = _plain(value, zone)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _csv_chunks(header: list[str], rows: Iterable[Sequence], zone: tzinfo) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(BOM)
    writer.writerow([_csv_cell(value, zone) for value in header])
    for row in rows:
        writer.writerow([_csv_cell(value, zone) for value in row])
        if buffer.tell() >= CSV_FLUSH_BYTES:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def stream_csv(filename: str, header: Sequence, rows: Iterable[Sequence]) -> StreamingHttpResponse:
    """CSV in UTF-8 with a byte-order mark (without it Excel reads Chinese as GBK), written as
    the rows are read; a text cell that Excel would run as a formula is quoted with '."""
    zone = timezone.get_current_timezone()
    header = [str(value) for value in header]
    response = StreamingHttpResponse(_csv_chunks(header, rows, zone), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition(filename)
    response["Cache-Control"] = "no-store"
    return response


def _xlsx_cell(sheet, value, zone: tzinfo):
    value = _plain(value, zone)
    if not isinstance(value, str):
        return value
    # Control characters are not allowed in the XML of a worksheet: openpyxl refuses them.
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if value.startswith("=") or value in ERROR_CODES:
        # openpyxl would store these as a formula or an error value; keep them text.
        cell = WriteOnlyCell(sheet, value)
        cell.data_type = "s"
        return cell
    return value


def stream_xlsx(
    filename: str, header: Sequence, rows: Iterable[Sequence], sheet_title: str = "Export"
) -> FileResponse:
    """XLSX written row by row (openpyxl's write-only mode, inline strings) into a temporary
    file on disk, then streamed from there; every text stays text. The whole file is written
    before the first byte is sent: a zip's directory comes last."""
    zone = timezone.get_current_timezone()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title[:31])
    sheet.append([_xlsx_cell(sheet, str(value), zone) for value in header])
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value, zone) for value in row])
    # Left open for the response, which closes (and so deletes) it once sent.
    spool = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115
    try:
        workbook.save(spool)
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    response = FileResponse(spool, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition(filename)
    response["Cache-Control"] = "no-store"
    return response
