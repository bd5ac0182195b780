"""The auditor's export of purchase-card spend: CSV and XLSX, one row a purchase; and the
import of the card provider's monthly statement (below).

The export's columns are defined once, by PurchaseResource; the rows stream through
accounts/exports.py (a server-side cursor, formulas escaped). The people helped appear only
as their case reference, never by name.
"""

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from import_export import fields, resources, widgets
from tablib import Dataset

from accounts import exports
from accounts.exports import (
    ChoiceWidget,
    PresentWidget,
    StaffNameWidget,
    YesNoWidget,
    copy_csv_chunks,
    value_rows,
)
from accounts.shortcuts import next_month
from caseload.models import ONE_LINE
from caseload.resources import RowProblem, read_csv_rows, row_problems
from purchases.models import MAX_AMOUNT, Card, Purchase, Statement, StatementLine

DATE = widgets.DateWidget("%Y-%m-%d")
WHEN = widgets.DateTimeWidget("%Y-%m-%d %H:%M")


class PoundsWidget(widgets.DecimalWidget):
    """Two places, no thousands separator, whatever the locale; a number in a workbook."""

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return value if kwargs.get("force_native_type") else f"{value:.2f}"


def _yes_no(name: str, label: str) -> fields.Field:
    return fields.Field(attribute=name, column_name=label, widget=YesNoWidget())


def _person(name: str, label: str) -> fields.Field:
    return fields.Field(attribute=f"{name}_id", column_name=label,
                        widget=StaffNameWidget())


class PurchaseResource(resources.Resource):
    id = fields.Field(attribute="pk", column_name="Purchase id", widget=widgets.IntegerWidget())
    date = fields.Field(attribute="date", column_name="Date", widget=DATE)
    team = fields.Field(attribute="team__name", column_name="Team")
    worker = _person("worker", "Worker")
    card = fields.Field(attribute="card__last_four", column_name="Card last four")
    case = fields.Field(attribute="case__reference", column_name="Case reference")
    merchant = fields.Field(attribute="merchant", column_name="Merchant")
    category = fields.Field(attribute="category", column_name="Category",
                            widget=ChoiceWidget(Purchase.Category.choices))
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
    receipt = fields.Field(attribute="receipt", column_name="Receipt present",
                           widget=PresentWidget())
    review_verdict = fields.Field(attribute="review_verdict", column_name="Review verdict",
                                  widget=ChoiceWidget(Purchase.Verdict.choices))
    reviewed_by = _person("reviewed_by", "Reviewed by")
    reviewed_at = fields.Field(attribute="reviewed_at", column_name="Reviewed at", widget=WHEN)
    voided = _yes_no("voided", "Voided")
    void_reason = fields.Field(attribute="void_reason", column_name="Why voided")
    created_at = fields.Field(attribute="created_at", column_name="Created at", widget=WHEN)
    created_by = _person("created_by", "Created by")
    updated_at = fields.Field(attribute="updated_at", column_name="Last changed at",
                              widget=WHEN)
    updated_by = _person("updated_by", "Last changed by")

    class Meta:
        model = Purchase
        fields = ()  # only the columns declared above, in their order


def export_queryset(queryset):
    """The rows in a stable order; the Resource's columns choose what is read."""
    return queryset.order_by("date", "pk")


def csv_chunks(queryset) -> Iterator[bytes]:
    return copy_csv_chunks(PurchaseResource(), export_queryset(queryset))


def xlsx_file(queryset):
    return exports.xlsx_file(
        value_rows(PurchaseResource(), export_queryset(queryset)),
        "Purchases")


# Importing the card provider's monthly statement ------------------------------------------
#
# The provider's CSV, one row a transaction, in the layout of STATEMENT_COLUMNS. Each row
# becomes a StatementLine on the statement for its card and the chosen month. A row whose
# transaction id is already imported, or appears earlier in the same file, is skipped and
# reported; any other problem with a row stops the whole import, and every such row is
# reported by its spreadsheet row number (the header is row 1).

STATEMENT_MAX_BYTES = 2 * 1024 * 1024
STATEMENT_MAX_ROWS = 5000
EARLY_DAYS = 7  # a statement may carry a charge made up to a week before its month


@dataclass(frozen=True)
class Column:
    name: str
    hint: str
    example: str


STATEMENT_COLUMNS = [
    Column("transaction_id", "The card provider's own id for the transaction, up to 64 "
           "characters. A line whose id is already imported is skipped.", "TX-2026-04-000123"),
    Column("card_last_four", "The last four digits of the card it was charged to.", "4417"),
    Column("date", "The day of the transaction, as YYYY-MM-DD or DD/MM/YYYY: in the "
           f"statement's month, or up to {EARLY_DAYS} days before it.", "2026-04-12"),
    Column("merchant", "Where, as the statement shows it.", "ASDA STORES 4321"),
    Column("amount", "In pounds, like 23.50. A refund is negative, like -23.50.", "23.50"),
]
STATEMENT_COLUMN_NAMES = [c.name for c in STATEMENT_COLUMNS]


# A file that cannot be read as a statement at all raises caseload's ImportFileError.


def statement_template_csv() -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(STATEMENT_COLUMN_NAMES)
    writer.writerow([c.example for c in STATEMENT_COLUMNS])
    return "\ufeff" + out.getvalue()


def read_statement_csv(text: str) -> Dataset:
    """The rows of a statement CSV as a Dataset, headers normalised (`Card last four` reads
    as `card_last_four`). Raises ImportFileError for a file that is not a statement."""
    return read_csv_rows(text, required=STATEMENT_COLUMN_NAMES, max_rows=STATEMENT_MAX_ROWS,
                         rows_name="lines")


# Widgets: each turns one cell into a value or raises ValueError with a message for a person.

class TextWidget(widgets.CharWidget):
    def __init__(self, max_length: int, required: str):
        super().__init__()
        self.max_length, self.required = max_length, required

    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip()
        if not text:
            raise ValueError(self.required)
        if len(text) > self.max_length:
            raise ValueError(f"Must be {self.max_length} characters or fewer (this has "
                             f"{len(text):,})")
        return text


class CardWidget(widgets.Widget):
    def __init__(self, cards):
        super().__init__()
        self.cards: dict[str, list[Card]] = {}
        for card in cards:
            self.cards.setdefault(card.last_four, []).append(card)

    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip()
        if not re.fullmatch(r"\d{4}", text):
            raise ValueError("Enter the card's last four digits, like 4417")
        found = self.cards.get(text, [])
        if len(found) > 1:
            found = [card for card in found if card.active]
        if not found:
            raise ValueError(f"No card ends in {text}. An admin adds cards")
        if len(found) > 1:
            raise ValueError(f"More than one active card ends in {text}, so the line cannot "
                             "be placed. Ask an admin to switch off the card no longer used")
        return found[0]


class StatementDateWidget(widgets.Widget):
    def __init__(self, month: date):
        super().__init__()
        self.first, self.end = month - timedelta(days=EARLY_DAYS), next_month(month)
        self.month = month

    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip()
        for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                day = datetime.strptime(text, pattern).date()
                break
            except ValueError:
                continue
        else:
            raise ValueError("Date must be a real date written as YYYY-MM-DD or DD/MM/YYYY, "
                             "like 2026-04-12")
        if not self.first <= day < self.end:
            raise ValueError(f"Date must be in {self.month:%B %Y}, or up to {EARLY_DAYS} days "
                             "before it: check the statement's month")
        if day > timezone.localdate():
            raise ValueError("Date must not be in the future")
        return day


class AmountWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        text = re.sub(r"[£,\s]", "", str(value or ""))
        if not re.fullmatch(r"-?\d+(\.\d{1,2})?", text):
            raise ValueError("Amount must be in pounds with at most 2 decimal places, like "
                             "23.50 (or -23.50 for a refund)")
        amount = Decimal(text).quantize(Decimal("0.01"))
        if not amount:
            raise ValueError("Amount must not be £0")
        if abs(amount) > MAX_AMOUNT:
            raise ValueError(f"Amount must be at most £{MAX_AMOUNT:,}")
        return amount


@dataclass
class Duplicate:
    row: int
    transaction_id: str
    why: str
    card: Card | None


class StatementLineResource(resources.ModelResource):
    """One row: a statement line. Rows carry their card until they are placed on the
    statement for that card and month."""

    transaction_id = fields.Field(attribute="transaction_id", column_name="transaction_id",
                                  widget=TextWidget(64, "Enter the transaction id"))
    card_last_four = fields.Field(attribute="card", column_name="card_last_four")
    date = fields.Field(attribute="date", column_name="date")
    merchant = fields.Field(attribute="merchant", column_name="merchant",
                            widget=TextWidget(ONE_LINE, "Enter the merchant"))
    amount = fields.Field(attribute="amount", column_name="amount", widget=AmountWidget())

    class Meta:
        model = StatementLine
        fields = STATEMENT_COLUMN_NAMES
        import_order = STATEMENT_COLUMN_NAMES
        force_init_instance = True  # every row is a new line; a known id is skipped instead
        skip_diff = True
        use_transactions = True

    def __init__(self, *, dataset: Dataset, month: date, file_name: str, user):
        """Loads the cards, the transaction ids already imported and the month's statements:
        three queries, whatever the number of rows."""
        super().__init__()
        self.month, self.file_name, self.user = month, file_name, user
        digits = {str(v).strip() for v in dataset["card_last_four"]}
        self.fields["card_last_four"].widget = CardWidget(Card.objects.filter(
            last_four__in=digits).select_related("holder"))
        self.fields["date"].widget = StatementDateWidget(month)
        ids = {str(v).strip() for v in dataset["transaction_id"]} - {""}
        self.known = set(StatementLine.objects.filter(transaction_id__in=ids)
                         .values_list("transaction_id", flat=True))
        self.statements = {s.card_id: s for s in Statement.objects.filter(month=month)
                           .select_related("card__holder")}
        self.seen: dict[str, int] = {}
        self.row = 0
        self.added: list[tuple[int, StatementLine]] = []
        self.duplicates: list[Duplicate] = []

    def before_import_row(self, row, **kwargs):
        self.row = kwargs["row_number"] + 1

    def skip_row(self, instance, original, row, import_validation_errors=None):
        """A blank row is passed over; so is a transaction already imported or earlier in
        the file, and it is reported as a duplicate."""
        if not any(str(value or "").strip() for value in row.values()):
            return True
        transaction_id = str(row.get("transaction_id") or "").strip()
        if not transaction_id:
            return False
        card = getattr(instance, "card", None)
        if transaction_id in self.known:
            self.duplicates.append(Duplicate(self.row, transaction_id, "already imported",
                                             card))
            return True
        if transaction_id in self.seen:
            self.duplicates.append(Duplicate(
                self.row, transaction_id, f"also in row {self.seen[transaction_id]}", card))
            return True
        self.seen[transaction_id] = self.row
        return False

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        if import_validation_errors:
            raise ValidationError(import_validation_errors)

    def statement_for(self, card: Card) -> Statement:
        if card.pk not in self.statements:
            self.statements[card.pk] = Statement(card=card, month=self.month,
                                                 file_name=self.file_name,
                                                 uploaded_by=self.user)
        return self.statements[card.pk]

    def save_instance(self, instance, is_create, row, **kwargs):
        """A dry run stops once the row is checked and writes nothing."""
        instance.statement = self.statement_for(instance.card)
        if not self._is_dry_run(kwargs):
            if instance.statement.pk is None:
                instance.statement.save()
            instance.save(force_insert=True)
        self.added.append((self.row, instance))


def statement_problems(result) -> list[RowProblem]:
    return row_problems(result, STATEMENT_COLUMN_NAMES, what="Statement import")
