"""Reads that span models: a case's spend, and a purchase's history from its audit events."""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Model
from django.utils import formats, timezone

from accounts.models import User
from caseload.models import Case
from purchases.models import Card, Purchase


@dataclass
class CaseSpend:
    purchases: list[Purchase]
    total: Decimal
    count: int


def case_spend(case: Case) -> CaseSpend:
    """Every purchase for the case, newest first, and the total of those not voided.
    One query."""
    purchases = list(case.purchases.select_related("worker").order_by("-date", "-pk"))
    counted = [p for p in purchases if not p.voided]
    return CaseSpend(purchases, sum((p.amount for p in counted), Decimal("0.00")), len(counted))


# Fields whose change the history does not list: who and when are in each entry's byline,
# and the rest is bookkeeping.
QUIET_FIELDS = {"id", "version", "created_at", "created_by", "updated_at", "updated_by",
                "reviewed_by", "reviewed_at", "voided_by", "voided_at", "advice_given_by",
                "advice_given_at", "query_answered_at", "receipt_content_type"}


@dataclass
class Change:
    label: str
    before: str
    after: str


@dataclass
class HistoryEntry:
    title: str
    by: str
    at: datetime
    changes: list[Change] = field(default_factory=list)


def purchase_history(purchase: Purchase) -> list[HistoryEntry]:
    """What changed, who changed it and when, oldest first: each audit event compared with
    the one before. Two queries (events, people), plus one for cases or cards only when one
    of those changed."""
    events = list(purchase.events.order_by("pgh_id"))
    fields = [f for f in Purchase._meta.concrete_fields if f.name not in QUIET_FIELDS]
    diffs = []
    for before, after in zip([None, *events], events, strict=False):
        changed = [f for f in fields if before is None
                   or getattr(before, f.attname) != getattr(after, f.attname)]
        diffs.append((before, after, changed))
    names = _names(events, diffs)
    entries = []
    for before, after, changed in diffs:
        user_id = (after.pgh_context or {}).get("user") or after.updated_by_id
        entry = HistoryEntry(_title(after, changed), names["user"].get(user_id, "Unknown"),
                             after.pgh_created_at)
        if before is not None:
            entry.changes = [Change(_label(f), _show(f, getattr(before, f.attname), names),
                                    _show(f, getattr(after, f.attname), names))
                             for f in changed]
        entries.append(entry)
    return entries


def _names(events, diffs) -> dict[str, dict]:
    user_ids = {(e.pgh_context or {}).get("user") or e.updated_by_id for e in events}
    case_ids, card_ids = set(), set()
    for before, after, changed in diffs:
        if before is None:
            continue
        for f in changed:
            ids = {getattr(before, f.attname), getattr(after, f.attname)} - {None}
            {"worker": user_ids, "case": case_ids, "card": card_ids}.get(f.name, set()).update(
                ids)
    return {
        "user": {u.pk: str(u) for u in User.objects.filter(pk__in=user_ids - {None})},
        "case": dict(Case.objects.filter(pk__in=case_ids).values_list("pk", "reference"))
        if case_ids else {},
        "card": {c.pk: f"ending {c.last_four}" for c in Card.objects.filter(pk__in=card_ids)}
        if card_ids else {},
    }


def _title(event, changed) -> str:
    names = {f.name for f in changed}
    if event.pgh_label == "insert":
        return "Logged"
    if "voided" in names:
        return "Voided"
    if "review_verdict" in names or "review_note" in names:
        return "Reviewed"
    if "query_answer" in names:
        return "Query answered"
    if "advice_given" in names:
        return "Advice recorded"
    return "Corrected"


def _label(f) -> str:
    return {"review_verdict": "Review", "advice_asked": "Advice asked",
            "receipt": "Receipt"}.get(f.name, str(f.verbose_name).capitalize())


def _show(f, value, names) -> str:
    if f.name in ("worker", "case", "card"):
        return names["user" if f.name == "worker" else f.name].get(value, "Unknown")
    if f.name == "receipt":
        return "Uploaded" if value else "None"
    if f.choices:
        return str(dict(f.flatchoices).get(value, value)) or "None"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, Decimal):
        return f"£{value:,}"
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "j F Y, H:i")
    if isinstance(value, date):
        return formats.date_format(value, "j F Y")
    if value in (None, ""):
        return "None"
    return str(value.pk if isinstance(value, Model) else value)
