"""Reads that span models: a case's spend, and a purchase's history from its audit events."""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import accumulate
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.db.models import (
    Aggregate,
    BigIntegerField,
    DateField,
    DecimalField,
    F,
    IntegerField,
    Model,
    Q,
    When,
)
from django.db.models import Case as DjangoCase
from django.utils import formats, timezone
from django.utils.functional import cached_property

from accounts import prepared
from accounts.compiled import Batch, Compiled, CompiledObjects, Slot
from accounts.models import Team, User
from accounts.shortcuts import next_month
from accounts.stamps import kept
from caseload.models import Case
from purchases.models import CATEGORY_LABELS, BudgetPot, Card, Purchase
from purchases.rows import PurchaseRow, purchase_rows


@dataclass
class CaseSpend:
    """A case's purchases, newest first, and the total and number of those not voided (worked
    out when first asked for: the purchases may be read with a batch, accounts/compiled.py)."""

    purchases: Sequence[PurchaseRow]

    @cached_property
    def total(self) -> Decimal:
        return sum((p.amount for p in self.purchases if not p.voided), Decimal("0.00"))

    @cached_property
    def count(self) -> int:
        return sum(1 for p in self.purchases if not p.voided)


CASE_PURCHASES = Compiled(Purchase, lambda: Purchase.objects.filter(
    case=Slot("case", IntegerField())).order_by("-date", "-pk").for_rows())


def case_spend(case: Case, batch: Batch | None = None) -> CaseSpend:
    """Every purchase for the case, newest first (purchases.rows.PurchaseRow), and the total
    of those not voided. One query, compiled once, read with `batch` if given
    (accounts/compiled.py)."""
    return CaseSpend((batch or Batch()).rows(CASE_PURCHASES, {"case": case.pk},
                                             then=purchase_rows))


# Fields whose change the history does not list: who and when are in each entry's byline,
# and the rest is bookkeeping.
QUIET_FIELDS = {"id", "version", "created_at", "created_by", "updated_at", "updated_by",
                "reviewed_by", "reviewed_at", "voided_by", "voided_at", "advice_given_by",
                "advice_given_at", "query_answered_at", "receipt_content_type",
                "team"}  # follows the case, whose change is shown


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


UNUSUAL_TIMES = 3
UNUSUAL_RULE = (f"More than {UNUSUAL_TIMES} times the median amount for its category in the "
                "team's spend over the 12 months to the end of this period.")
TOP_CASES = 10


class Median(Aggregate):
    function = "percentile_cont"
    template = "(%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s))::numeric(10, 2)"
    output_field = DecimalField(max_digits=10, decimal_places=2)


class Listed(NamedTuple):
    """A purchase the spend overview lists (flagged or unusual), as plain values: the
    overview is kept between writes (accounts/stamps.py), and reading model instances back
    out of the cache took longer than writing the page's tables."""

    pk: int
    date: date
    merchant: str
    amount: Decimal
    category: str
    advice_asked: bool
    review_verdict: str
    case_reference: str
    worker: str  # the worker's name, as str(user) gives it

    @property
    def category_label(self) -> str:
        return CATEGORY_LABELS.get(self.category, self.category)


_LISTED = ("pk", "date", "merchant", "amount", "category", "advice_asked", "review_verdict",
           "case__reference", "worker__first_name", "worker__last_name", "worker__username")


@dataclass
class Overview:
    team: Team
    start: date
    end: date  # the first day after the period
    pot: BudgetPot | None
    total: Decimal
    count: int
    by_day: list[tuple[date, Decimal]]
    by_category: list[tuple[str, Decimal, int]]
    by_month: list[tuple[date, Decimal, int]]
    by_worker: list[tuple[str, Decimal, int]]
    top_cases: list[tuple[str, Decimal, int]]
    flagged: list[Listed]  # the first `shown` of them (all when shown is None)
    unusual: list[tuple[Listed, Decimal]]  # the furthest above their median first
    flagged_count: int = 0
    unusual_count: int = 0

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def left(self) -> Decimal | None:
        return None if self.pot is None else self.pot.amount - self.total

    @property
    def remaining_by_day(self) -> list[tuple[date, Decimal]]:
        """What is left of the pot at the end of each day something was spent."""
        spent = accumulate(amount for _, amount in self.by_day)
        return [(day, self.pot.amount - total)
                for (day, _), total in zip(self.by_day, spent, strict=True)]


# The team's pot covering a day; of two that overlap, the one starting later (as the pots'
# own order has them).
COVERING_POT = CompiledObjects(BudgetPot, lambda: BudgetPot.objects.filter(
    team=Slot("team", BigIntegerField())).covering(Slot("today", DateField())).order_by(
    "-period_start", "pk"))


def spend_overview(*, team: Team, today: date, shown: int | None = None) -> Overview:
    """The team's spend in the period of its pot covering `today` (the calendar month when
    it has no pot). Voided purchases count nowhere. The flagged and unusual purchases are
    counted in full; `shown` of each are listed (all when None).

    Two or three queries while the overview is kept (the medians are read again every
    SPEND_MEDIANS_SECONDS), up to ten when it is worked out. It is kept until
    a write moves the team's spend or anyone's name (accounts/stamps.py): everything in it is
    worked out from the period, the medians and what those stamps cover, so what is kept is
    exactly what working it out again would give. The team and the pot are read afresh."""
    found = COVERING_POT.objects({"team": team.pk, "today": today}, limit=1)
    pot = found[0] if found else None
    if pot:
        start, end = pot.period_start, pot.period_end
    else:
        start = today.replace(day=1)
        end = next_month(start)
    medians = category_medians(team, end)
    digest = hashlib.blake2b(repr(sorted(medians.items())).encode(), digest_size=8).hexdigest()
    overview = kept(f"spend-overview:{team.pk}:{start}:{end}:{shown}:{digest}", Purchase,
                    [f"spend:{team.pk}", "names"],
                    lambda: _work_out(team, start, end, medians, shown))
    return replace(overview, team=team, pot=pot)


def _work_out(team: Team, start: date, end: date, medians: dict[str, Decimal],
              shown: int | None) -> Overview:
    spend = Purchase.objects.counted().filter(team=team, date__gte=start, date__lt=end)
    by_day, by_category, workers, cases = _totals(team, start, end)
    by_category = [(CATEGORY_LABELS[category], total, count)
                   for category, total, count in by_category]
    months = {}
    for day, total, count in by_day:
        month_total, month_count = months.get(day.replace(day=1), (Decimal("0.00"), 0))
        months[day.replace(day=1)] = (month_total + total, month_count + count)
    by_month = [(month, total, count) for month, (total, count) in sorted(months.items())]
    names = {pk: User.shown_name(*name) for pk, *name in User.objects.filter(
        pk__in=[worker for worker, _, _ in workers]).values_list(
        "pk", "first_name", "last_name", "username")}
    by_worker = [(names[worker], total, count) for worker, total, count in workers]
    # The most spent first, then by reference: references are read for the cases that can
    # be in the top TOP_CASES (ties at its end included), not for every case in the period.
    cut = cases[TOP_CASES - 1][1] if len(cases) >= TOP_CASES else None
    contenders = [row for row in cases if cut is None or row[1] >= cut]
    references = dict(Case.objects.filter(pk__in=[case for case, _, _ in contenders])
                      .values_list("pk", "reference"))
    top_cases = sorted(((references[case], total, count) for case, total, count in contenders),
                       key=_most_first)[:TOP_CASES]
    listed = spend.order_by("date", "pk")
    flagged, flagged_count = _first(listed.filter(Q(advice_asked=True) | Q(review_verdict__in=[
        Purchase.Verdict.QUERY, Purchase.Verdict.NOT_OK])), shown)
    unusual, unusual_count = _unusual(listed, medians, shown)
    return Overview(team, start, end, None, sum((t for _, t, _ in by_category), Decimal("0.00")),
                    sum(c for _, _, c in by_category), [(day, total) for day, total, _ in by_day],
                    by_category, by_month, by_worker, top_cases, flagged, unusual, flagged_count,
                    unusual_count)


def _totals(team: Team, start: date, end: date) -> tuple[list, list, list, list]:
    """The (key, total, count) of the team's counted spend in the period for each day (in
    order), each category, each worker and each case (the most first, then by key): one
    query and one pass over the period's purchases, and rows only for the totals, so the cost
    hardly grows with the number of purchases (docs/performance.md)."""
    table = Purchase._meta.db_table
    with connections[Purchase.objects.db].cursor() as cursor:  # the replica, if reading from one
        prepared.execute(cursor, f"""
            select grouping(date, category, worker_id, case_id), date, category, worker_id,
                   case_id, sum(amount), count(*)
              from {table}
             where team_id = %s and not voided and date >= %s and date < %s
             group by grouping sets ((date), (category), (worker_id), (case_id))
            """, [team.pk, start, end],  # noqa: S608  # nosec B608: the model's table name
            label="purchase_totals")
        rows = cursor.fetchall()
    # grouping() sets a bit for each column not grouped on: 0b0111 by day, 0b1011 by
    # category, 0b1101 by worker, 0b1110 by case.
    sets = {0b0111: (1, []), 0b1011: (2, []), 0b1101: (3, []), 0b1110: (4, [])}
    for row in rows:
        key, found = sets[row[0]]
        found.append((row[key], row[5], row[6]))
    by_day, *by_most = (found for _, found in sets.values())
    return sorted(by_day), *(sorted(found, key=_most_first) for found in by_most)


def _most_first(row: tuple) -> tuple:
    return -row[1], row[0]


def _first(purchases, shown: int | None) -> tuple[list[Listed], int]:
    """The first `shown` purchases (all when None) and how many there are in all: a count and
    a page rather than every row of the period read."""
    rows = purchases.values_list(*_LISTED)
    first = [Listed(*row[:8], User.shown_name(*row[8:]))
             for row in (rows if shown is None else rows[:shown])]
    if shown is None or len(first) < shown:
        return first, len(first)
    return first, purchases.count()


def _unusual(listed, medians: dict[str, Decimal],
             shown: int | None) -> tuple[list[tuple[Listed, Decimal]], int]:
    """Purchases in the period above UNUSUAL_TIMES the median of their category (`medians`),
    the furthest above it first, with their medians; and how many there are. Up to two
    queries."""
    if not medians:
        return [], 0
    above, times = Q(), []
    for category, median in medians.items():
        above |= Q(category=category, amount__gt=UNUSUAL_TIMES * median)
        times.append(When(category=category, then=F("amount") / median))
    unusual = listed.filter(above).annotate(times_median=DjangoCase(*times)).order_by(
        F("times_median").desc(), "date", "pk")
    first, count = _first(unusual, shown)
    return [(p, medians[p.category]) for p in first], count


def category_medians(team: Team, end: date) -> dict[str, Decimal]:
    """The median amount of each category in the team's spend over the year to `end`. It reads
    a year of the team's purchases (the slowest query of the spend overview), and one more
    purchase hardly moves a year's median, so each process keeps it for
    SPEND_MEDIANS_SECONDS. Which purchases are unusual is still decided afresh each time."""
    key = f"spend-medians:{team.pk}:{end}"
    medians = cache.get(key) if settings.SPEND_MEDIANS_SECONDS else None
    if medians is None:
        medians = dict(Purchase.objects.counted()
                       .filter(team=team, date__gte=end - timedelta(days=365), date__lt=end)
                       .values("category").annotate(median=Median("amount"))
                       .values_list("category", "median"))
        if settings.SPEND_MEDIANS_SECONDS:
            cache.set(key, medians, settings.SPEND_MEDIANS_SECONDS)
    return medians


