"""The issue log as a spreadsheet, for lobbying: what is in the way, what we do now and the
change we want, with a count of case examples. No personal data and no case references.

Rows stream through accounts/exports.py: never a whole table in memory, formulas escaped.
"""

from collections.abc import Iterator

from import_export import fields, resources, widgets

from accounts import exports
from accounts.exports import csv_chunks, resource_rows


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


def csv_lines(queryset) -> Iterator[str]:
    return csv_chunks(resource_rows(IssueResource(), export_queryset(queryset)))


def xlsx_file(queryset):
    return exports.xlsx_file(
        resource_rows(IssueResource(), export_queryset(queryset), force_native_type=True),
        "Issues")
