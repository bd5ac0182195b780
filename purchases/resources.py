"""The auditor's export of purchase-card spend: CSV and XLSX, one row a purchase.

The columns are defined once, by PurchaseResource; the rows stream through
accounts/exports.py (a server-side cursor, formulas escaped). The people helped appear only
as their case reference, never by name.
"""

from collections.abc import Iterator

from import_export import fields, resources, widgets

from accounts import exports
from accounts.exports import resource_rows
from purchases.models import Purchase

DATE = widgets.DateWidget("%Y-%m-%d")
WHEN = widgets.DateTimeWidget("%Y-%m-%d %H:%M")


class PoundsWidget(widgets.DecimalWidget):
    """Two places, no thousands separator, whatever the locale; a number in a workbook."""

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return value if kwargs.get("force_native_type") else f"{value:.2f}"


class YesNoWidget(widgets.BooleanWidget):
    def render(self, value, obj=None, **kwargs):
        return "Yes" if value else "No"


def _yes_no(name: str, label: str) -> fields.Field:
    return fields.Field(attribute=name, column_name=label, widget=YesNoWidget())


class PurchaseResource(resources.Resource):
    id = fields.Field(attribute="pk", column_name="Purchase id", widget=widgets.IntegerWidget())
    date = fields.Field(attribute="date", column_name="Date", widget=DATE)
    team = fields.Field(attribute="case__team__name", column_name="Team")
    worker = fields.Field(attribute="worker", column_name="Worker")
    card = fields.Field(attribute="card__last_four", column_name="Card last four")
    case = fields.Field(attribute="case__reference", column_name="Case reference")
    merchant = fields.Field(attribute="merchant", column_name="Merchant")
    category = fields.Field(column_name="Category")
    amount = fields.Field(attribute="amount", column_name="Amount (£)", widget=PoundsWidget())
    purpose = fields.Field(attribute="purpose", column_name="Purpose")
    plan_proportionate = _yes_no("plan_proportionate", "Proportionate")
    plan_proportionate_reason = fields.Field(attribute="plan_proportionate_reason",
                                             column_name="Why proportionate")
    plan_legal = _yes_no("plan_legal", "Legal")
    plan_legal_reason = fields.Field(attribute="plan_legal_reason", column_name="Why legal")
    plan_auditable = _yes_no("plan_auditable", "Auditable")
    plan_auditable_reason = fields.Field(attribute="plan_auditable_reason",
                                         column_name="Why auditable")
    plan_necessary = _yes_no("plan_necessary", "Necessary")
    plan_necessary_reason = fields.Field(attribute="plan_necessary_reason",
                                         column_name="Why necessary")
    advice_asked = _yes_no("advice_asked", "Advice asked")
    advice_given = fields.Field(attribute="advice_given", column_name="Advice given")
    receipt = fields.Field(column_name="Receipt present")
    review_verdict = fields.Field(column_name="Review verdict")
    reviewed_by = fields.Field(attribute="reviewed_by", column_name="Reviewed by")
    reviewed_at = fields.Field(attribute="reviewed_at", column_name="Reviewed at", widget=WHEN)
    voided = _yes_no("voided", "Voided")
    void_reason = fields.Field(attribute="void_reason", column_name="Why voided")
    created_at = fields.Field(attribute="created_at", column_name="Created at", widget=WHEN)
    created_by = fields.Field(attribute="created_by", column_name="Created by")
    updated_at = fields.Field(attribute="updated_at", column_name="Last changed at",
                              widget=WHEN)
    updated_by = fields.Field(attribute="updated_by", column_name="Last changed by")

    class Meta:
        model = Purchase
        fields = ()  # only the columns declared above, in their order

    def dehydrate_category(self, purchase):
        return purchase.get_category_display()

    def dehydrate_receipt(self, purchase):
        return "Yes" if purchase.receipt else "No"

    def dehydrate_review_verdict(self, purchase):
        return purchase.get_review_verdict_display()



def export_queryset(queryset):
    """Everything a row needs, in the one query: no query per row."""
    return queryset.select_related("case__team", "card", "worker", "reviewed_by",
                                   "created_by", "updated_by").order_by("date", "pk")


def csv_chunks(queryset) -> Iterator[str]:
    return exports.csv_chunks(resource_rows(PurchaseResource(), export_queryset(queryset)))


def xlsx_file(queryset):
    return exports.xlsx_file(
        resource_rows(PurchaseResource(), export_queryset(queryset), force_native_type=True),
        "Purchases")
