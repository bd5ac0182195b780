"""Card statements against logged spend: importing the provider's monthly CSV, matching its
lines with logged purchases, and the reconciliation a leader reads.

The matching rule: a line matches a purchase on the same card, for the same amount, dated
within MATCH_DAYS days of it either way, that is neither voided nor matched already. When
several fit, the nearest date wins. A leader can match or unmatch any line by hand.

What stays unmatched is shown as exceptions: lines nobody logged, purchases with no line, and
in between, a line and a purchase close in date and amount shown side by side as an amount
mismatch (most often a tip, or a typing slip when the purchase was logged).
"""

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import pghistory
from django.db import transaction
from django.utils import timezone
from tablib import Dataset

from purchases.models import MATCH_DAYS, Purchase, Statement, StatementLine
from purchases.resources import (
    EARLY_DAYS,
    Duplicate,
    RowProblem,
    StatementLineResource,
    statement_problems,
)

logger = logging.getLogger(__name__)

ZERO = Decimal("0.00")
# A line and a purchase nobody matched are shown side by side as an amount mismatch when they
# are within MATCH_DAYS days and their amounts differ by at most this share of the larger.
MISMATCH_SHARE = Decimal("0.25")


@dataclass
class StatementImport:
    added: list[tuple[int, StatementLine]] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    matched: int = 0

    @property
    def ok(self) -> bool:
        return not (self.problems or self.file_errors)

    @property
    def by_card(self) -> list[tuple[str, int, Decimal]]:
        """Each card's new lines: (card, how many, total)."""
        cards: dict[str, list[Decimal]] = defaultdict(list)
        for _, line in self.added:
            cards[str(line.statement.card)].append(line.amount)
        return [(card, len(amounts), sum(amounts, ZERO)) for card, amounts in sorted(
            cards.items())]


def statement_import(*, dataset: Dataset, month: date, file_name: str, user,
                     dry_run: bool) -> StatementImport:
    """Check every row and, unless it is a dry run, add the new lines to their cards'
    statements for the month and match them with logged purchases, in one transaction. If
    any row is wrong nothing is written. Duplicates are skipped, never an error."""
    resource = StatementLineResource(dataset=dataset, month=month, file_name=file_name,
                                     user=user)
    with transaction.atomic():
        result = resource.import_data(
            dataset, dry_run=dry_run, raise_errors=False, use_transactions=True,
            collect_failed_rows=True, rollback_on_validation_errors=True)
        outcome = StatementImport(
            problems=statement_problems(result),
            file_errors=["The file could not be imported. Check it and try again"]
            if result.base_errors else [])
        if outcome.ok:
            outcome.added, outcome.duplicates = resource.added, resource.duplicates
            if not dry_run:
                outcome.statements, outcome.matched = _after_import(resource, user)
        if dry_run or not outcome.ok:
            transaction.set_rollback(True)
    for error in result.base_errors:
        logger.warning("Statement import failed", exc_info=error.error)
    return outcome


def _after_import(resource: StatementLineResource, user) -> tuple[list[Statement], int]:
    """Each statement that gained lines records the file and the duplicates skipped, then
    its lines are matched."""
    touched = {line.statement.pk: line.statement for _, line in resource.added}
    skipped = defaultdict(list)
    for duplicate in resource.duplicates:
        if duplicate.card is not None:
            skipped[duplicate.card.pk].append(duplicate.transaction_id)
    matched = 0
    for statement in touched.values():
        statement.file_name = resource.file_name
        statement.duplicates_skipped = [
            *statement.duplicates_skipped,
            *(i for i in skipped[statement.card_id] if i not in statement.duplicates_skipped)]
        with pghistory.context(user=user.pk):
            statement.save(update_fields=["file_name", "duplicates_skipped"])
        matched += statement_auto_match(statement=statement, by=user)
    return sorted(touched.values(), key=lambda s: s.card.last_four), matched


def statement_auto_match(*, statement: Statement, by) -> int:
    """Match each unmatched line with a free purchase by the rule above; returns how many
    were matched. Four queries, whatever the number of lines."""
    with transaction.atomic():
        Statement.objects.select_for_update().filter(pk=statement.pk).first()
        lines = list(statement.lines.filter(purchase__isnull=True).order_by("date", "pk"))
        if not lines:
            return 0
        window = timedelta(days=MATCH_DAYS)
        free = defaultdict(list)  # amount -> purchases not matched yet
        for purchase in (Purchase.objects.counted()
                         .filter(card=statement.card_id, statement_line__isnull=True,
                                 date__gte=lines[0].date - window,
                                 date__lte=lines[-1].date + window)
                         .order_by("date", "pk")):
            free[purchase.amount].append(purchase)
        now, matched = timezone.now(), []
        for line in lines:
            near = [p for p in free[line.amount] if abs(p.date - line.date) <= window]
            if not near:
                continue
            best = min(near, key=lambda p: (abs(p.date - line.date), p.date, p.pk))
            free[line.amount].remove(best)
            line.purchase, line.matched_how = best, StatementLine.How.AUTO
            line.matched_by, line.matched_at = by, now
            matched.append(line)
        with pghistory.context(user=by.pk):
            StatementLine.objects.bulk_update(
                matched, ["purchase", "matched_how", "matched_by", "matched_at"])
    return len(matched)


@dataclass
class Mismatch:
    """A line nobody matched and a purchase nobody matched, on the same card within
    MATCH_DAYS days of each other, whose amounts differ a little (see MISMATCH_SHARE)."""

    line: StatementLine
    purchase: Purchase

    @property
    def difference(self) -> Decimal:
        return self.line.amount - self.purchase.amount


@dataclass
class Reason:
    """One part of the difference between the statement and the logged spend."""

    label: str
    line: StatementLine | None
    purchase: Purchase | None
    amount: Decimal


@dataclass
class Reconciliation:
    statement: Statement
    lines: list[StatementLine]
    matched: list[StatementLine]
    unlogged: list[StatementLine]  # on the statement; nobody logged it
    mismatches: list[Mismatch]
    no_line: list[Purchase]  # logged in the month; not on any statement
    candidates: list[Purchase]  # free to be matched by hand
    statement_total: Decimal
    logged_total: Decimal
    logged_count: int
    reasons: list[Reason]

    @property
    def difference(self) -> Decimal:
        return self.statement_total - self.logged_total

    @property
    def explained(self) -> Decimal:
        return sum((r.amount for r in self.reasons), ZERO)

    @property
    def exception_count(self) -> int:
        return len(self.unlogged) + len(self.mismatches) + len(self.no_line)

    @property
    def reconciled(self) -> bool:
        return not self.exception_count and not self.difference


def _mismatches(lines: list[StatementLine], purchases: list[Purchase]) -> list[Mismatch]:
    """Pairs of a line and a purchase, both unmatched, within MATCH_DAYS days and
    MISMATCH_SHARE of each other's amount; the closest amounts pair first."""
    by_day = defaultdict(list)
    for purchase in purchases:
        by_day[purchase.date].append(purchase)
    pairs = []
    for line in lines:
        for offset in range(-MATCH_DAYS, MATCH_DAYS + 1):
            for purchase in by_day[line.date + timedelta(days=offset)]:
                gap = abs(line.amount - purchase.amount)
                if gap <= MISMATCH_SHARE * max(abs(line.amount), purchase.amount):
                    pairs.append((gap, abs(offset), line.pk, purchase.pk, line, purchase))
    mismatches, lines_taken, purchases_taken = [], set(), set()
    for *_, line, purchase in sorted(pairs, key=lambda pair: pair[:4]):
        if line.pk not in lines_taken and purchase.pk not in purchases_taken:
            lines_taken.add(line.pk)
            purchases_taken.add(purchase.pk)
            mismatches.append(Mismatch(line, purchase))
    return sorted(mismatches, key=lambda m: (m.line.date, m.line.pk))


def statement_reconciliation(statement: Statement) -> Reconciliation:
    """The statement's lines against the purchases logged on its card in its month. Two
    queries, whatever the number of lines.

    The difference (statement total less logged total) is explained line by line: lines
    nobody logged add to it, purchases with no line take from it, and so do amounts that
    differ and matches that cross into another month. The reasons always add up to the
    difference."""
    month, end = statement.month, statement.end
    lines = list(statement.lines.select_related("purchase__case", "purchase__worker",
                                                "matched_by").order_by("date", "pk"))
    near = list(Purchase.objects.counted()
                .filter(card=statement.card_id, date__gte=month - timedelta(days=EARLY_DAYS),
                        date__lt=end + timedelta(days=EARLY_DAYS))
                .select_related("case", "worker", "statement_line__statement")
                .order_by("date", "pk"))
    in_month = [p for p in near if month <= p.date < end]
    free = [p for p in near if getattr(p, "statement_line", None) is None]
    matched = [line for line in lines if line.purchase and not line.purchase.voided]
    unmatched = [line for line in lines if not line.purchase or line.purchase.voided]

    mismatches = _mismatches(unmatched, [p for p in free if month <= p.date < end])
    in_mismatch = {m.line.pk for m in mismatches}
    paired = {m.purchase.pk for m in mismatches}
    unlogged = [line for line in unmatched if line.pk not in in_mismatch]
    no_line = [p for p in free if month <= p.date < end and p.pk not in paired]

    reasons = [Reason("On the statement, not logged"
                      + (": its purchase was voided" if line.purchase else ""),
                      line, None, line.amount) for line in unlogged]
    reasons += [Reason("Amounts differ", m.line, m.purchase, m.difference) for m in mismatches]
    reasons += [Reason("Logged, not on the statement", None, p, -p.amount) for p in no_line]
    for line in matched:
        if line.amount != line.purchase.amount:
            reasons.append(Reason("Matched by hand with a different amount", line,
                                  line.purchase, line.amount - line.purchase.amount))
        if not month <= line.purchase.date < end:
            reasons.append(Reason(f"Logged in {line.purchase.date:%B %Y}", line,
                                  line.purchase, line.purchase.amount))
    for p in in_month:
        other = getattr(p, "statement_line", None)
        if other is not None and other.statement_id != statement.pk:
            reasons.append(Reason(f"On the {other.statement.month:%B %Y} statement", other, p,
                                  -p.amount))
    return Reconciliation(
        statement=statement, lines=lines, matched=matched, unlogged=unlogged,
        mismatches=mismatches, no_line=no_line, candidates=free,
        statement_total=sum((line.amount for line in lines), ZERO),
        logged_total=sum((p.amount for p in in_month), ZERO), logged_count=len(in_month),
        reasons=reasons)
