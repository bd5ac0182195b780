"""What a learning panel is made of: the scope it covers (a team, or every team, over a
period), and the table that carries the same figures as its chart, for the page and for CSV.
The panels themselves are in learning/panels.py."""

from __future__ import annotations

from dataclasses import dataclass, field

from accounts.models import Team
from caseload.models import Case, Contact, Debt, EnforcementDecision, Hold, Outcome, Pull
from debriefs.models import Entry, Stroke, Welfare
from issues.models import Issue
from learning import charts
from learning import figures as f
from purchases.models import BudgetPot, Purchase


@dataclass(frozen=True)
class Scope:
    """One team (or every team, for those who see them all) over a period."""

    team: Team | None
    period: f.Period

    def _of(self, qs, path: str):
        return qs if self.team is None else qs.filter(**{path: self.team})

    def cases(self):
        return self._of(Case.objects.all(), "team")

    def contacts(self):
        return self._of(Contact.objects.all(), "case__team")

    def entries(self):
        return self._of(Entry.objects.all(), "debrief__team")

    def strokes(self):
        return self._of(Stroke.objects.all(), "debrief__team")

    def welfare(self):
        return self._of(Welfare.objects.all(), "debrief__team")

    def holds(self):
        return self._of(Hold.objects.all(), "case__team")

    def decisions(self):
        return self._of(EnforcementDecision.objects.all(), "case__team")

    def outcomes(self):
        return self._of(Outcome.objects.all(), "case__team")

    def debts(self):
        """Debts of the people with the team at some point in the period."""
        return Debt.objects.filter(case__in=f.active_in(self.cases(), self.period))

    def issues(self):
        return self._of(Issue.objects.all(), "team")

    def purchases(self):
        return self._of(Purchase.objects.all(), "team")

    def pots(self):
        return self._of(BudgetPot.objects.all(), "team")

    def pulls(self):
        return self._of(Pull.objects.all(), "case__team")


# Tables ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Column:
    header: str
    kind: str = "int"  # month, date, int, money, percent, number or text

    @property
    def numeric(self) -> bool:
        return self.kind not in ("month", "date", "text")


def shown(value, kind: str) -> str:
    """A cell as the page shows it. A cell may carry its own kind: (value, kind)."""
    if isinstance(value, tuple):
        value, kind = value
    if value is None:
        return "None"
    if isinstance(value, str):
        return value
    if kind == "month":
        return f"{value:%B %Y}"
    if kind == "date":
        return f"{value.day} {value:%B %Y}"
    if kind == "money":
        return f"£{value:,.2f}"
    if kind == "percent":
        return f"{value:.1f}".removesuffix(".0") + "%"
    if kind == "number":
        return f"{value:.1f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def as_csv(value, kind: str) -> str:
    if isinstance(value, tuple):
        value, kind = value
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if kind == "month":
        return f"{value:%Y-%m}"
    if kind == "date":
        return value.isoformat()
    if kind == "money":
        return f"{value:.2f}"
    if kind in ("percent", "number"):
        return f"{value:.1f}"
    return str(value)


@dataclass
class Table:
    caption: str
    columns: list[Column]
    rows: list[list]

    def cells(self) -> list[list[tuple[str, bool]]]:
        return [[(shown(v, c.kind), c.numeric) for v, c in zip(row, self.columns, strict=True)]
                for row in self.rows]

    def csv_rows(self) -> list[list[str]]:
        return [[c.header for c in self.columns]] + [
            [as_csv(v, c.kind) for v, c in zip(row, self.columns, strict=True)]
            for row in self.rows]


@dataclass
class Panel:
    id: str
    title: str
    table: Table
    chart: charts.Chart | None = None
    lead: str = ""  # what the figures say, worked out from them
    note: str = ""
    answers: list = field(default_factory=list)
    link: tuple[str, str] | None = None
