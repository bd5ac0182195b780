"""Streamed spreadsheet exports, shared by every app that exports records.

An import-export Resource defines the columns; these functions write its rows as they come
from a chunked queryset, so a large export never sits in memory whole (import-export's own
export builds a whole Dataset first). A cell a spreadsheet would run as a formula is prefixed
with a quote, so it shows as typed.
"""

import csv
import io
import tempfile
from collections.abc import Callable, Iterable, Iterator
from functools import partial

from django.utils import timezone
from import_export import widgets

from accounts import xlsx

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
    cells = [_cell(resource, field, kwargs) for field in resource.get_export_fields()]
    for obj in queryset.iterator(chunk_size=READ_CHUNK):
        yield [safe_cell(cell(obj)) for cell in cells]


def value_rows(resource, queryset, **kwargs) -> Iterator[list]:
    """The header, then one row a record, read as plain values from a server-side cursor: no
    model objects. Each column's `Field.attribute` is the path read (`case__team__name`) and
    its widget says how the value is written, so the Resource stays the one definition of the
    columns. Building model objects cost about 20 times more a row than writing the row.
    One query, plus anything a widget reads once (see `LookupWidget`)."""
    fields = resource.get_export_fields()
    yield resource.get_export_headers()
    renders = [(i, render) for i, field in enumerate(fields)
               if (render := _renderer(field.widget, kwargs)) is not None]
    rows = queryset.values_list(*(field.attribute for field in fields))
    for values in rows.iterator(chunk_size=READ_CHUNK):
        row = list(values)
        for i, render in renders:
            row[i] = render(row[i])
        yield row


def _renderer(widget, kwargs) -> Callable | None:
    """A function that turns one column's value into its cell, or None where the value is
    written as it comes (numbers, days, amounts: the CSV writer and openpyxl write them).
    A widget with a `for_export()` method gives its own, quicker than its `render`."""
    if hasattr(widget, "for_export"):
        return widget.for_export()
    if type(widget) in (widgets.Widget, widgets.CharWidget):
        return _text
    native = kwargs.get("force_native_type")
    if isinstance(widget, widgets.DateTimeWidget):
        tz = timezone.get_current_timezone()
        if native:
            return partial(_naive_local, tz)
        if widget.formats[0] == "%Y-%m-%d %H:%M":
            return partial(_local_minutes, tz)
        return partial(_local, tz, widget.formats[0])
    if isinstance(widget, widgets.DateWidget) and widget.formats[0] == "%Y-%m-%d":
        return None  # a date's own text is YYYY-MM-DD
    if isinstance(widget, widgets.IntegerWidget | widgets.DecimalWidget):
        return None  # stored with two places: Decimal("23.50") writes as 23.50
    return partial(_render_safely, widget.render, kwargs)


def _text(value):
    if value is None:
        return ""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value


def _local(tz, fmt: str, value):
    return "" if value is None else value.astimezone(tz).strftime(fmt)


def _local_minutes(tz, value):
    """YYYY-MM-DD HH:MM, several times quicker than strftime."""
    return "" if value is None else value.astimezone(tz).isoformat(" ", "minutes")[:16]


def _naive_local(tz, value):
    return None if value is None else value.astimezone(tz).replace(tzinfo=None)


def _render_safely(render, kwargs, value):
    return safe_cell(render(value, **kwargs))


class LookupWidget(widgets.Widget):
    """Renders an id as a label from a small table read once per export (the names of staff,
    say) rather than joining that table into every row. The table is read afresh for each
    export: widgets are shared by every request."""

    def __init__(self, labels: Callable[[], dict]):
        super().__init__()
        self.labels = labels

    def for_export(self) -> Callable:
        table = None

        def render(value):
            nonlocal table
            if value is None:
                return ""
            if table is None:
                table = {key: safe_cell(label) for key, label in self.labels().items()}
            return table.get(value, "")
        return render

    def render(self, value, obj=None, **kwargs):
        """From a model object's field (import-export's own export): the related object."""
        return "" if value is None else str(value)


def _cell(resource, field, kwargs):
    """What Resource.export_field does for one column (its dehydrate method, or else the
    field's value through its widget), worked out once rather than for every cell: finding
    the method cost more than most cells."""
    method = field.get_dehydrate_method(resource.get_field_name(field))
    if not callable(method):
        method = getattr(resource, method, None)
    return method or (lambda obj: field.export(obj, **kwargs))


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
    """An XLSX workbook in a temporary file, written row by row (see accounts/xlsx.py).
    Rows should be made with `force_native_type=True` so numbers and dates stay typed."""
    out = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it when sent
    xlsx.write(out, rows, sheet_name)
    out.seek(0)
    return out
