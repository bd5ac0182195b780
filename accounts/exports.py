"""Streamed spreadsheet exports, shared by every app that exports records.

An import-export Resource defines the columns, and each column's widget how its cell is written.
A CSV is written by PostgreSQL (`copy_csv_chunks`); a workbook from rows of plain values
(`value_rows`, then `xlsx_file`). Either way rows stream: a large export never sits in memory
whole (import-export's own export builds a whole Dataset first). A cell a spreadsheet would run
as a formula is prefixed with a quote, so it shows as typed.
"""

import csv
import io
import tempfile
from collections.abc import Callable, Iterable, Iterator
from functools import partial

from django.conf import settings
from django.db import connections
from django.db.models import Case, CharField, F, Func, TextField, Value, When
from django.db.models.functions import Coalesce, Concat, NullIf, Trim
from django.utils import timezone
from import_export import widgets

from accounts import xlsx
from accounts.models import User

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
READ_CHUNK = 2000  # rows fetched from the database at a time


def safe_cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def value_rows(resource, queryset) -> Iterator[list]:
    """For a workbook: the header, then one row a record, read as plain values from a
    server-side cursor (no model objects), with numbers, days and times kept typed. Each column's `Field.attribute` is the path read (`case__team__name`) and
    its widget says how the value is written, so the Resource stays the one definition of the
    columns. Building model objects cost about 20 times more a row than writing the row.
    One query, plus anything a widget reads once (see `StaffNameWidget`)."""
    fields = resource.get_export_fields()
    yield resource.get_export_headers()
    renders = [(i, render) for i, field in enumerate(fields)
               if (render := _renderer(field)) is not None]
    rows = queryset.values_list(*(field.attribute for field in fields))
    for values in rows.iterator(chunk_size=READ_CHUNK):
        row = list(values)
        for i, render in renders:
            row[i] = render(row[i])
        yield row


def _renderer(field) -> Callable | None:
    """A function that turns one column's value into its cell, or None where the value is
    written as it comes (numbers, days, amounts: accounts/xlsx.py writes them typed).
    A widget with a `for_export()` method gives its own. Like `_sql_cell`, a widget this does
    not know fails loudly rather than exporting something else."""
    widget = field.widget
    if hasattr(widget, "for_export"):
        return widget.for_export()
    if type(widget) in (widgets.Widget, widgets.CharWidget):
        return _text
    if isinstance(widget, widgets.DateTimeWidget):
        return partial(_naive_local, timezone.get_current_timezone())
    if isinstance(widget, widgets.DateWidget | widgets.IntegerWidget | widgets.DecimalWidget):
        return None
    raise ValueError(f"The {type(widget).__name__} of column {field.column_name!r} has no "
                     "export form")


def _text(value):
    if value is None:
        return ""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value


def _naive_local(tz, value):
    """A time in the service's time zone, without one: workbooks hold no time zones."""
    return None if value is None else value.astimezone(tz).replace(tzinfo=None)


# Widgets an export's Resource may use: each renders a cell from a stored value, from a row
# of values (`for_export`) and in SQL (`as_sql`).

class YesNoWidget(widgets.BooleanWidget):
    """Yes or No, in words."""

    def render(self, value, obj=None, **kwargs):
        return "Yes" if value else "No"

    def for_export(self):
        return lambda value: "Yes" if value else "No"

    def as_sql(self, attribute: str):
        return Case(When(**{attribute: True}, then=Value("Yes")), default=Value("No"))


class PresentWidget(YesNoWidget):
    """Yes when the text (a file's name, say) is there."""

    def as_sql(self, attribute: str):
        return Case(When(**{f"{attribute}__gt": ""}, then=Value("Yes")), default=Value("No"))


class ChoiceWidget(widgets.Widget):
    """A choice's label, from its stored value."""

    def __init__(self, choices):
        super().__init__()
        self.labels = dict(choices)

    def render(self, value, obj=None, **kwargs):
        return self.labels.get(value, value or "")

    def for_export(self):
        return self.render

    def as_sql(self, attribute: str):
        return Case(*(When(**{attribute: value}, then=Value(label))
                      for value, label in self.labels.items()),
                    default=Value(""), output_field=CharField())


class StaffNameWidget(widgets.Widget):
    """A member of staff, named as the service names them (`str(user)`), from the id in a
    `<relation>_id` column. For rows of values the names are read once per export (a few
    hundred) rather than joined into every row; in SQL the name is worked out in the query.
    Widgets are shared by every request, so nothing is kept on the widget itself."""

    def for_export(self) -> Callable:
        table = None

        def render(value):
            nonlocal table
            if value is None:
                return ""
            if table is None:
                table = {user.pk: safe_cell(str(user)) for user in
                         User.objects.only("username", "first_name", "last_name")}
            return table.get(value, "")
        return render

    def as_sql(self, attribute: str):
        relation = attribute.removesuffix("_id")
        full_name = Trim(Concat(F(f"{relation}__first_name"), Value(" "),
                                F(f"{relation}__last_name"), output_field=CharField()))
        return formula_safe_sql(Coalesce(NullIf(full_name, Value("")),
                                         F(f"{relation}__username")))

    def render(self, value, obj=None, **kwargs):
        """From a model object's field (import-export's own export): the related object."""
        return "" if value is None else str(value)


# CSV written by PostgreSQL ----------------------------------------------------------------
#
# The quickest way to write a large CSV is to have the database write it: `COPY (SELECT ...)
# TO STDOUT` streams each row as CSV text for a small part of the CPU that Python spends on a
# row. Each column is still defined by the Resource: its `attribute` is the path read, and its
# widget says, in SQL, how the cell is written (a choice's label, Yes or No, a local time, a
# quote before anything a spreadsheet would run as a formula).

COPY_CHUNK = 64 * 1024  # bytes handed to the response at a time
# regexp_replace(text, '^([-=+@\t\r])', '''\1'): a quote before a formula's first character.
FORMULA_SQL = "regexp_replace(%(expressions)s, '^([-=+@\\t\\r])', '''\\1')"


def formula_safe_sql(expression):
    """The text, with a quote before it when a spreadsheet would run it as a formula."""
    return Func(expression, template=FORMULA_SQL, output_field=TextField())


def _sql_cell(field):
    widget, attribute = field.widget, field.attribute
    if hasattr(widget, "as_sql"):
        return widget.as_sql(attribute)
    if type(widget) in (widgets.Widget, widgets.CharWidget):
        return formula_safe_sql(F(attribute))
    if isinstance(widget, widgets.DateTimeWidget) and widget.formats[0] == "%Y-%m-%d %H:%M":
        local = Func(Value(settings.TIME_ZONE), F(attribute), function="timezone")
        return Func(local, Value("YYYY-MM-DD HH24:MI"), function="to_char",
                    output_field=CharField())
    if isinstance(widget, widgets.DateWidget) and widget.formats[0] == "%Y-%m-%d":
        return F(attribute)  # PostgreSQL writes a date as YYYY-MM-DD
    if isinstance(widget, widgets.IntegerWidget | widgets.DecimalWidget):
        return F(attribute)  # amounts are stored with two places, and written so
    raise ValueError(f"The {type(widget).__name__} of column {field.column_name!r} has no SQL")


def copy_csv_chunks(resource, queryset) -> Iterator[bytes]:
    """The Resource's header, then the queryset's rows as CSV written by PostgreSQL, in
    chunks of about 64 KB, starting with a byte-order mark so Excel reads UTF-8."""
    fields = resource.get_export_fields()
    header = io.StringIO()
    csv.writer(header, lineterminator="\n").writerow(resource.get_export_headers())
    yield ("\ufeff" + header.getvalue()).encode()
    names = [f"cell_{i}" for i in range(len(fields))]
    cells = queryset.annotate(**{name: _sql_cell(field)
                                 for name, field in zip(names, fields, strict=True)})
    rows = cells.values_list(*names)
    sql, params = rows.query.get_compiler(rows.db).as_sql()
    copy_sql = f"COPY ({sql}) TO STDOUT (FORMAT csv)"  # nosec B608 - the ORM's own SQL
    with connections[rows.db].cursor() as cursor, cursor.cursor.copy(copy_sql, params) as copy:
        buffer = bytearray()
        for data in copy:
            buffer += data
            if len(buffer) >= COPY_CHUNK:
                yield bytes(buffer)
                buffer.clear()
        if buffer:
            yield bytes(buffer)


def xlsx_file(rows: Iterable[list], sheet_name: str):
    """An XLSX workbook in a temporary file, written row by row (see accounts/xlsx.py).
    Rows come from `value_rows`, which keeps numbers and dates typed."""
    out = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it when sent
    xlsx.write(out, rows, sheet_name)
    out.seek(0)
    return out
