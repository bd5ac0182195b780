"""A purchase as a row of a list shows it (purchases/includes/purchase_rows.jinja), read as
plain values: a page of fifty purchases with their cases and workers as model instances was
150 objects, and making them a fifth of the list's time."""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from accounts.models import User
from purchases.models import CATEGORY_LABELS, Purchase


@dataclass(slots=True)
class PurchaseRow:
    """What a row of a list of purchases and its status tags (status_tags.jinja, which the
    purchase's own page writes from the model) read, under the model's names: the columns of
    purchases.models.ROW_COLUMNS, in their order, and what is worked out from them."""

    pk: int
    date: date
    merchant: str
    purpose: str
    category: str
    amount: Decimal
    voided: bool
    receipt: str
    no_receipt_reason: str
    advice_asked: bool
    advice_given: str
    review_verdict: str
    reviewed_at: datetime | None
    query_answered_at: datetime | None
    case_reference: str
    worker_first_name: str
    worker_last_name: str
    worker_username: str
    worker: str = field(init=False)
    category_label: str = field(init=False)
    is_receipt_missing: bool = field(init=False)
    awaits_answer: bool = field(init=False)

    def __post_init__(self):
        self.worker = User.shown_name(self.worker_first_name, self.worker_last_name,
                                      self.worker_username)
        self.category_label = CATEGORY_LABELS.get(self.category, self.category)
        self.is_receipt_missing = Purchase.receipt_missing(self.receipt, self.no_receipt_reason)
        self.awaits_answer = Purchase.answer_awaited(self.review_verdict, self.voided,
                                                     self.query_answered_at, self.reviewed_at)


def purchase_rows(rows) -> list[PurchaseRow]:
    """Rows of ROW_COLUMNS (a `for_rows()` queryset's, or a compiled query's) as
    PurchaseRows."""
    return [PurchaseRow(*row) for row in rows]
