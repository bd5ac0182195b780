"""The issue log as a spreadsheet, for lobbying: what is in the way, what we do now and the
change we want, with a count of case examples. No personal data and no case references.

Rows stream through accounts/exports.py (PostgreSQL writes the CSV): never a whole table in
memory, formulas escaped.
"""

from collections.abc import Iterator

from import_export import fields, resources, widgets

from accounts import exports
from accounts.exports import ChoiceWidget, YesNoWidget, value_rows
from issues.models import Issue

LEVELS = [(value, f"{value} {label}") for value, label in Issue.Level.choices]


class IssueResource(resources.Resource):
    id = fields.Field(attribute="pk", column_name="Issue number", widget=widgets.IntegerWidget())
    title = fields.Field(attribute="title", column_name="Title")
    level = fields.Field(attribute="level", column_name="Level", widget=ChoiceWidget(LEVELS))
    status = fields.Field(attribute="status", column_name="Status",
                          widget=ChoiceWidget(Issue.Status.choices))
    owner_level = fields.Field(attribute="owner_level", column_name="Owner level",
                               widget=ChoiceWidget(Issue.OwnerLevel.choices))
    team = fields.Field(attribute="team__name", column_name="Team")
    category = fields.Field(attribute="category", column_name="What is in the way",
                            widget=ChoiceWidget(Issue.Category.choices))
    law_or_rule_in_way = fields.Field(attribute="law_or_rule_in_way",
                                      column_name="A law or rule got in the way",
                                      widget=YesNoWidget())
    countermeasure = fields.Field(attribute="countermeasure", column_name="Countermeasure (now)")
    system_change = fields.Field(attribute="system_change",
                                 column_name="System change (new normal)")
    raised_on = fields.Field(attribute="raised_on", column_name="Raised on",
                             widget=widgets.DateWidget("%Y-%m-%d"))
    closed_on = fields.Field(attribute="closed_on", column_name="Closed on",
                             widget=widgets.DateWidget("%Y-%m-%d"))
    closure = fields.Field(attribute="closure", column_name="How it was closed",
                           widget=ChoiceWidget(Issue.Closure.choices))
    case_examples = fields.Field(attribute="case_count", column_name="Case examples",
                                 widget=widgets.IntegerWidget())


def export_queryset(queryset):
    """The issues with their count of case examples, in the log's order."""
    return queryset.with_case_count().oldest_open_first()


def csv_lines(queryset) -> Iterator[bytes]:
    return exports.copy_csv_chunks(IssueResource(), export_queryset(queryset))


def xlsx_file(queryset):
    return exports.xlsx_file(
        value_rows(IssueResource(), export_queryset(queryset)),
        "Issues")
