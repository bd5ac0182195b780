"""The issue log as a spreadsheet, for lobbying: what is in the way, what we do now and the
change we want, with a count of case examples. No personal data and no case references.

Rows are written one at a time from a chunked queryset, so a large export never sits in
memory whole. A cell that a spreadsheet would read as a formula is prefixed with a quote.
"""

import csv
import tempfile
from collections.abc import Iterator

from import_export import fields, resources, widgets
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class IssueResource(resources.Resource):
    id = fields.Field(attribute="pk", column_name="Issue number", widget=widgets.IntegerWidget())
    title = fields.Field(attribute="title", column_name="Title")
    level = fields.Field(column_name="Level")
    status = fields.Field(column_name="Status")
    owner_level = fields.Field(column_name="Owner level")
    team = fields.Field(attribute="team__name", column_name="Team")
    category = fields.Field(column_name="What is in the way")
    law_or_rule_in_way = fields.Field(column_name="A law or rule got in the way")
    countermeasure = fields.Field(attribute="countermeasure", column_name="Countermeasure (now)")
    system_change = fields.Field(attribute="system_change",
                                 column_name="System change (new normal)")
    raised_on = fields.Field(attribute="raised_on", column_name="Raised on",
                             widget=widgets.DateWidget("%Y-%m-%d"))
    closed_on = fields.Field(attribute="closed_on", column_name="Closed on",
                             widget=widgets.DateWidget("%Y-%m-%d"))
    closure = fields.Field(column_name="How it was closed")
    case_examples = fields.Field(attribute="case_count", column_name="Case examples",
                                 widget=widgets.IntegerWidget())

    class Meta:
        chunk_size = 500

    def dehydrate_level(self, issue):
        return f"{issue.level} {issue.get_level_display()}"

    def dehydrate_status(self, issue):
        return issue.get_status_display()

    def dehydrate_owner_level(self, issue):
        return issue.get_owner_level_display()

    def dehydrate_category(self, issue):
        return issue.get_category_display()

    def dehydrate_law_or_rule_in_way(self, issue):
        return "Yes" if issue.law_or_rule_in_way else "No"

    def dehydrate_closure(self, issue):
        return issue.get_closure_display()


def export_queryset(queryset):
    """What the export needs from each issue, in one query per chunk."""
    return queryset.with_case_count().select_related("team").oldest_open_first()


def safe_cell(value):
    """Text a spreadsheet would run as a formula is prefixed with a quote, so it shows as
    typed."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _rows(queryset, **kwargs) -> Iterator[list]:
    resource = IssueResource()
    yield resource.get_export_headers()
    for issue in resource.iter_queryset(export_queryset(queryset)):
        yield [safe_cell(value) for value in resource.export_resource(issue, **kwargs)]


class _Echo:
    """A file that hands back what is written, for csv.writer in a streamed response."""

    def write(self, value):
        return value


def csv_lines(queryset) -> Iterator[str]:
    """The export as CSV lines, starting with a byte-order mark so Excel reads UTF-8."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    for row in _rows(queryset):
        yield writer.writerow(row)


def xlsx_file(queryset):
    """The export as an XLSX workbook in a temporary file, written row by row."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Issues")
    for row in _rows(queryset, force_native_type=True):
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v
                      for v in row])
    out = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it when sent
    workbook.save(out)
    out.seek(0)
    return out
