"""The purchase-card file the Local Government Transparency Code asks councils to publish:
one row a purchase, for a period, with nothing about the people helped.

The columns are defined once, by TransparencyResource; the rows stream through
accounts/exports.py like the auditor's export. What a worker typed about the purchase (its
purpose, the PLAN reasons) may name the person it was for, so none of it is published: the
summary of purpose is a fixed wording for the purchase's category. Voided purchases are left
out: they were never spent.
"""

from collections.abc import Iterator

from django import forms
from import_export import fields, resources

from accounts import exports
from accounts.exports import ChoiceWidget, value_rows
from accounts.forms import DateField, GovukFormMixin
from accounts.models import Team
from purchases.models import Purchase
from purchases.resources import DATE, PoundsWidget

# The published summary of purpose for each category: fixed, so nothing a worker typed
# (which may name the person helped) reaches a public file.
PURPOSE = {
    Purchase.Category.FOOD: "Food for a household supported by the community team",
    Purchase.Category.HEATING: "Heating or energy for a household supported by the "
                               "community team",
    Purchase.Category.CLOTHING: "Clothing for a household supported by the community team",
    Purchase.Category.TRANSPORT: "Travel for a person supported by the community team",
    Purchase.Category.HOUSEHOLD: "Household goods or furniture for a household supported by "
                                 "the community team",
    Purchase.Category.PHONE: "Phone or internet access for a person supported by the "
                             "community team",
    Purchase.Category.OTHER: "Other essentials for a household supported by the community team",
}


def can_publish(user) -> bool:
    """Leaders and auditors (who export spend for audit) and admins (who run the service and
    usually send the council's transparency files). The file holds nothing about the people
    helped, so it needs no reach over cases."""
    return user.has_perm("accounts.export_purchases") or user.has_perm("accounts.manage_service")


class TransparencyResource(resources.Resource):
    date = fields.Field(attribute="date", column_name="Date", widget=DATE)
    department = fields.Field(attribute="team__name", column_name="Department")
    beneficiary = fields.Field(attribute="merchant", column_name="Beneficiary")
    amount = fields.Field(attribute="amount", column_name="Amount (£)", widget=PoundsWidget())
    vat = fields.Field(attribute="irrecoverable_vat", column_name="Irrecoverable VAT (£)",
                       widget=PoundsWidget())
    purpose = fields.Field(attribute="category", column_name="Summary of purpose",
                           widget=ChoiceWidget(PURPOSE.items()))
    merchant_category = fields.Field(attribute="merchant_category",
                                     column_name="Merchant category")

    class Meta:
        model = Purchase
        fields = ()  # only the columns declared above, in their order


def published(queryset):
    """The purchases a file holds (never voided ones), in a stable order."""
    return queryset.counted().order_by("date", "pk")


def csv_chunks(queryset) -> Iterator[bytes]:
    return exports.copy_csv_chunks(TransparencyResource(), published(queryset))


def xlsx_file(queryset):
    return exports.xlsx_file(
        value_rows(TransparencyResource(), published(queryset)),
        "Purchase card spend")


class TransparencyForm(GovukFormMixin, forms.Form):
    """The period a file covers, and optionally one team."""

    date_from = DateField(label="From", help_text="The first purchase date to include. For "
                                                  "example, 1 4 2026")
    date_to = DateField(label="To", help_text="The last purchase date to include. For example, "
                                              "30 6 2026")
    team = forms.ModelChoiceField(Team.objects.all(), required=False, empty_label="All teams",
                                  help_text="Published as the department")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date_from"].error_messages["required"] = "Enter the first date to include"
        self.fields["date_to"].error_messages["required"] = "Enter the last date to include"

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", "To must be the same as or after From")
        return data

    def filter(self, purchases):
        """The purchases in the period (and team); call after is_valid()."""
        data = self.cleaned_data
        purchases = purchases.filter(date__gte=data["date_from"], date__lte=data["date_to"])
        if data["team"]:
            purchases = purchases.filter(team=data["team"])
        return purchases

    def summary(self, rows: int) -> str:
        """The period, team and row count, for the access log: no personal data."""
        data = self.cleaned_data
        team = f", team {data['team'].name}" if data["team"] else ""
        return (f"transparency file: {data['date_from']}..{data['date_to']}{team}, "
                f"{rows} row{'s' if rows != 1 else ''}")[:200]

    def filename(self, fmt: str) -> str:
        data = self.cleaned_data
        return f"purchase-card-spend-{data['date_from']}-to-{data['date_to']}.{fmt}"
