"""Streamed spreadsheet exports, shared by every app that exports records.

An import-export Resource defines the columns; these functions write its rows as they come
from a chunked queryset, so a large export never sits in memory whole (import-export's own
export builds a whole Dataset first). A cell a spreadsheet would run as a formula is prefixed
with a quote, so it shows as typed.
"""

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
READ_CHUNK = 2000  # rows fetched from the database at a time
WRITE_CHUNK = 1000  # CSV rows handed to the response at a time


def safe_cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def resource_rows(resource, queryset, **kwargs) -> Iterator[list]:
    """The header, then one row an object, read READ_CHUNK at a time from a server-side
    cursor. One query, however many rows."""
    yield resource.get_export_headers()
    for obj in queryset.iterator(chunk_size=READ_CHUNK):
        yield [safe_cell(value) for value in resource.export_resource(obj, **kwargs)]


def csv_chunks(rows: Iterable[list]) -> Iterator[str]:
    """CSV text, WRITE_CHUNK rows at a time, starting with a byte-order mark so Excel reads
    UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    for count, row in enumerate(rows, start=1):
        writer.writerow(row)
        if count % WRITE_CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


def xlsx_file(rows: Iterable[list], sheet_name: str):
    """An XLSX workbook in a temporary file, written row by row (openpyxl's write-only mode).
    Rows should be made with `force_native_type=True` so numbers and dates stay typed."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_name)
    for row in rows:
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v
                      for v in row])
    out = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it when sent
    workbook.save(out)
    out.seek(0)
    return out
