"""What the team's work is teaching us, as figures. Each is a pure function of querysets.

Every figure is counted or summed in the database (grouped by month, or by conditional
aggregation over the period's months), so each runs a fixed number of queries, named in its
docstring, however much data there is. None is a target, and none is broken down by worker.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import connections
from django.db.models import (
    Count,
    DateField,
    Exists,
    F,
    Func,
    IntegerField,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from accounts.shortcuts import next_month
from caseload.models import Contact, Debt, Hold, Outcome, Pull
from debriefs.models import Entry
from issues.models import Issue
from purchases.models import Purchase

NATURAL_LIMIT = 2.66  # 3 / d2, where d2 = 1.128 for moving ranges of two points
RANGE_LIMIT = 3.268  # D4 for moving ranges of two points
RUN = 8  # this many points in a row on one side of the average is a signal too
WELFARE_MINIMUM = 3  # fewer people answering than this in a month: the average is not shown


# The period ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Period:
    """Whole calendar months up to and including today's, which is still going."""

    months: tuple[date, ...]
    today: date

    @classmethod
    def ending(cls, today: date, count: int) -> Period:
        months = [today.replace(day=1)]
        while len(months) < count:
            months.append((months[-1] - timedelta(days=1)).replace(day=1))
        return cls(tuple(reversed(months)), today)

    @property
    def start(self) -> date:
        return self.months[0]

    @property
    def end(self) -> date:
        return self.today

    def last_day(self, month: date) -> date:
        return min(next_month(month) - timedelta(days=1), self.today)

    def moments(self) -> tuple[datetime, datetime]:
        """The period as aware datetimes: from its first midnight to the midnight after it."""
        tz = timezone.get_current_timezone()
        return (datetime.combine(self.start, time(), tzinfo=tz),
                datetime.combine(self.end + timedelta(days=1), time(), tzinfo=tz))

    def halves(self) -> tuple[tuple[date, ...], tuple[date, ...]]:
        """The first and the last half of the months (the middle one left out when odd)."""
        n = len(self.months) // 2
        return self.months[:n], self.months[len(self.months) - n:]


@dataclass
class Monthly:
    """Figures per month: each series (in display order) has a value for every month."""

    months: list[date]
    series: dict[str, list] = field(default_factory=dict)

    def total(self, label: str):
        return sum(v for v in self.series[label] if v is not None)

    def rows(self) -> list[list]:
        return [[month, *(values[i] for values in self.series.values())]
                for i, month in enumerate(self.months)]


class DaysBetween(Func):
    """Whole days from `since` to `until` (PostgreSQL subtracts dates as integers)."""

    arg_joiner = " - "
    template = "(%(expressions)s)"
    output_field = IntegerField()

    def __init__(self, until, since):
        super().__init__(until, since)


def _in_period(path: str, period: Period, *, moment: bool = False) -> Q:
    if moment:
        start, stop = period.moments()
        return Q(**{f"{path}__gte": start, f"{path}__lt": stop})
    return Q(**{f"{path}__gte": period.start, f"{path}__lte": period.end})


def _monthly(qs, path: str, period: Period, *, moment: bool = False, by: str | None = None,
             **aggregates) -> dict:
    """Aggregates per month of `path` (and per value of `by`), keyed by month or by
    (month, value). One query."""
    rows = (qs.filter(_in_period(path, period, moment=moment))
            .annotate(month=TruncMonth(path)).values("month", *([by] if by else []))
            .annotate(**aggregates).order_by())
    result = {}
    for row in rows:
        month = row.pop("month")
        if isinstance(month, datetime):
            month = timezone.localtime(month).date()
        result[(month, row.pop(by)) if by else month] = row
    return result


def _series(period: Period, rows: dict, key: str, default=0) -> list:
    return [rows.get(m, {}).get(key) or default for m in period.months]


# Distributions ---------------------------------------------------------------------------

@dataclass
class Distribution:
    """How values spread: quartiles and extremes, the mean, and counts in bins."""

    count: int
    minimum: float | None
    lower_quartile: float | None
    median: float | None
    upper_quartile: float | None
    maximum: float | None
    mean: float | None
    bins: list[tuple[str, int]]


def distribution(values, bins: list[tuple[str, float, float | None]]) -> Distribution:
    """The spread of a one-column queryset `values` (a subquery, never fetched): bins are
    (label, lowest, below) with `below` None for the open-ended last bin. One query."""
    sql, params = values.query.sql_with_params()
    counts, bin_params = [], []
    for _label, low, high in bins:
        if high is None:
            counts.append("count(*) filter (where v >= %s)")
            bin_params.append(low)
        else:
            counts.append("count(*) filter (where v >= %s and v < %s)")
            bin_params += [low, high]
    # Only Django's own SQL and the fixed text above are joined in; every value is a parameter.
    columns = ("count(v), min(v), percentile_cont(array[0.25, 0.5, 0.75]) within group "
               f"(order by v), max(v), avg(v), {', '.join(counts)}")
    query = f"select {columns} from ({sql}) as t(v)"  # noqa: S608  # nosec B608
    with connections[values.db].cursor() as cursor:  # the replica, on a reporting page
        cursor.execute(query, [*bin_params, *params])
        n, low, quartiles, high, mean, *binned = cursor.fetchone()
    quartiles = quartiles or [None, None, None]
    return Distribution(n, _float(low), *quartiles, _float(high), _float(mean),
                        [(label, c) for (label, _, _), c in zip(bins, binned, strict=True)])


def _float(value):
    return None if value is None else float(value)


# Process-behaviour charts ----------------------------------------------------------------

@dataclass(frozen=True)
class XmRPoint:
    value: float
    moving_range: float | None  # None for the first point
    signal: str  # "" when the point is routine variation


@dataclass(frozen=True)
class XmR:
    points: list[XmRPoint]
    mean: float | None
    moving_ranges: list[float]
    average_moving_range: float | None
    unpl: float | None  # upper natural process limit
    lnpl: float | None  # lower natural process limit
    upper_range_limit: float | None


def xmr(values: list[float]) -> XmR:
    """An XmR (process-behaviour) chart's figures for values in time order.

    The average, the moving ranges (the difference between each point and the one before),
    their average mR̄, and the natural process limits: UNPL = mean + 2.66 × mR̄ and
    LNPL = max(0, mean − 2.66 × mR̄). The lower limit is floored at 0 because what is charted
    here is a duration (days from first contact to "working"): it cannot be negative, so a
    limit below zero could never be crossed and would only mislead. The moving ranges' own
    upper limit is 3.268 × mR̄. A point outside the limits, or a run of eight or more on one
    side of the average, is a signal that something changed; anything else is the process's
    routine variation. There is no target line: the limits describe the process, not a goal.
    """
    values = [float(v) for v in values]
    if not values:
        return XmR([], None, [], None, None, None, None)
    mean = sum(values) / len(values)
    ranges = [abs(b - a) for a, b in zip(values, values[1:], strict=False)]
    if not ranges:
        return XmR([XmRPoint(values[0], None, "")], mean, [], None, None, None, None)
    mr_bar = sum(ranges) / len(ranges)
    unpl, lnpl = mean + NATURAL_LIMIT * mr_bar, max(0.0, mean - NATURAL_LIMIT * mr_bar)
    signals = ["Outside the limits" if v > unpl or v < lnpl else "" for v in values]
    side = [(v > mean) - (v < mean) for v in values]
    start = 0
    for i in range(1, len(values) + 1):
        if i == len(values) or side[i] != side[start] or side[i] == 0:
            if side[start] and i - start >= RUN:
                for k in range(start, i):
                    signals[k] = signals[k] or f"A run of {RUN} or more on one side of the average"
            start = i
    points = [XmRPoint(v, ranges[i - 1] if i else None, signals[i]) for i, v in enumerate(values)]
    return XmR(points, mean, ranges, mr_bar, unpl, lnpl, RANGE_LIMIT * mr_bar)


# 1 People --------------------------------------------------------------------------------

def active_in(cases, period: Period):
    """Cases open at some point in the period."""
    return cases.filter(opened_on__lte=period.end).filter(
        Q(closed_on__isnull=True) | Q(closed_on__gte=period.start))


def open_cases_by_month(cases, period: Period) -> Monthly:
    """People who came to the team, left it, and were with it at each month's end. One query."""
    counts = {}
    for i, month in enumerate(period.months):
        last = period.last_day(month)
        counts[f"opened{i}"] = Count("pk", filter=Q(opened_on__range=(month, last)))
        counts[f"closed{i}"] = Count("pk", filter=Q(closed_on__range=(month, last)))
        counts[f"open{i}"] = Count("pk", filter=Q(opened_on__lte=last) & (
            Q(closed_on__isnull=True) | Q(closed_on__gt=last)))
    totals = cases.aggregate(**counts)
    n = range(len(period.months))
    return Monthly(list(period.months), {
        "Open at the month's end": [totals[f"open{i}"] for i in n],
        "Came to the team": [totals[f"opened{i}"] for i in n],
        "Closed": [totals[f"closed{i}"] for i in n],
    })


TIME_WITH_TEAM = [("Under a month", 0, 31), ("1 to 3 months", 31, 92),
                  ("3 to 6 months", 92, 183), ("6 to 12 months", 183, 366),
                  ("Over a year", 366, None)]


def time_with_team(cases, on: date) -> Distribution:
    """How many days each person open on `on` has been with the team. One query."""
    open_then = cases.filter(opened_on__lte=on).filter(
        Q(closed_on__isnull=True) | Q(closed_on__gt=on))
    days = open_then.annotate(days=DaysBetween(Value(on, DateField()), F("opened_on")))
    return distribution(days.values("days"), TIME_WITH_TEAM)


@dataclass(frozen=True)
class FirstWorking:
    reference: str
    case_id: int
    first_working: date
    days: int


def days_to_first_working(cases, period: Period, limit: int = 100) -> tuple[list, int]:
    """For each person whose first "working" in a debrief fell in the period: the days since
    the team first met them (their first contact, or the day the case opened when none is
    logged). The most recent `limit` people, oldest first, and how many there were.

    Two queries. The first groups the period's "working" entries (a person whose first
    "working" is in the period has one there, and none before it: an indexed check per
    person), so its cost follows the period and not the years of debriefs. The second looks
    up the first contact of the `limit` people shown, and only theirs."""
    working = Entry.objects.filter(progress=Entry.Progress.WORKING)
    earlier = working.filter(case=OuterRef("case"), debrief__held_on__lt=period.start)
    rows = list(working.filter(debrief__held_on__range=(period.start, period.end),
                               case__in=active_in(cases, period))
                .filter(~Exists(earlier))
                .values("case", "case__reference", "case__opened_on")
                .annotate(first_working=Min("debrief__held_on"), total=Window(Count("case")))
                .order_by("-first_working", "-case")[:limit])
    first_contact = dict(Contact.objects.filter(case__in=[r["case"] for r in rows])
                         .values("case").annotate(first=Min("happened_at"))
                         .values_list("case", "first").order_by())
    points = []
    for r in reversed(rows):
        met = first_contact.get(r["case"])
        met = timezone.localtime(met).date() if met else r["case__opened_on"]
        points.append(FirstWorking(r["case__reference"], r["case"], r["first_working"],
                                   max((r["first_working"] - met).days, 0)))
    return points, rows[0]["total"] if rows else 0


def stuck_by_month(entries, period: Period) -> Monthly:
    """People talked about at a debrief, and people "stuck" at least once, per month.
    One query."""
    rows = _monthly(entries, "debrief__held_on", period,
                    discussed=Count("case", distinct=True,
                                    filter=~Q(progress=Entry.Progress.NOT_DISCUSSED)),
                    stuck=Count("case", distinct=True, filter=Q(progress=Entry.Progress.STUCK)))
    return Monthly(list(period.months), {
        "People talked about": _series(period, rows, "discussed"),
        "Stuck at least once": _series(period, rows, "stuck"),
    })


# 2 Outcomes ------------------------------------------------------------------------------

def outcomes_by_month(outcomes, period: Period) -> tuple[Monthly, Monthly]:
    """What changed for people, by kind per month; and benefits gained (how many, and £ a
    week) per month. One query."""
    rows = _monthly(outcomes, "happened_on", period, by="kind", n=Count("pk"),
                    weekly=Sum("weekly_amount"))
    kinds = Monthly(list(period.months))
    for kind, label in Outcome.Kind.choices:
        values = [rows.get((m, kind), {}).get("n", 0) for m in period.months]
        if any(values):
            kinds.series[label] = values
    benefits = {m: rows.get((m, Outcome.Kind.BENEFITS), {}) for m in period.months}
    return kinds, Monthly(list(period.months), {
        "Benefits gained": [benefits[m].get("n", 0) for m in period.months],
        "£ a week": [benefits[m].get("weekly") or Decimal("0.00") for m in period.months],
    })


# 3 Enforcement ---------------------------------------------------------------------------

def holds_by_month(holds, period: Period) -> Monthly:
    """Holds asked for, granted and ended, per month. Three queries."""
    asked = _monthly(holds, "requested_at", period, moment=True, n=Count("pk"))
    granted = _monthly(holds.filter(status__in=[Hold.Status.GRANTED, Hold.Status.ENDED]),
                       "decided_at", period, moment=True, n=Count("pk"))
    ended = _monthly(holds, "ended_at", period, moment=True, n=Count("pk"))
    return Monthly(list(period.months), {
        "Asked for": _series(period, asked, "n"),
        "Granted": _series(period, granted, "n"),
        "Ended": _series(period, ended, "n"),
    })


def enforcement_by_month(decisions, period: Period) -> Monthly:
    """Enforcement and eviction decisions that went ahead, and that were avoided, per month.
    One query."""
    rows = _monthly(decisions, "decided_on", period,
                    ahead=Count("pk", filter=Q(went_ahead=True)),
                    avoided=Count("pk", filter=Q(went_ahead=False)))
    return Monthly(list(period.months), {
        "Went ahead": _series(period, rows, "ahead"),
        "Avoided": _series(period, rows, "avoided"),
    })


def _times(n: int) -> str:
    return {1: "once", 2: "twice"}.get(n, f"{n} times")


def _months(n: int) -> str:
    return "month" if n == 1 else f"{n} months"


def enforcement_change(by_month: Monthly, period: Period) -> str:
    """The first half of the period against the last, in words, from the figures: for
    example "Enforcement went ahead 4 times in the first 3 months of the period and once in
    the last 3. That is down by three-quarters." """
    first_half, last_half = period.halves()
    if not first_half:
        return ""
    went = dict(zip(by_month.months, by_month.series["Went ahead"], strict=True))
    avoided = dict(zip(by_month.months, by_month.series["Avoided"], strict=True))
    first, last = sum(went[m] for m in first_half), sum(went[m] for m in last_half)
    n = len(first_half)
    first_span = f"the first {_months(n)} of the period"
    last_span = f"the last {n}" if n > 1 else "the last"
    if last and not first and not any(avoided[m] for m in first_half):
        return (f"No enforcement decision was recorded in {first_span}, so there is nothing "
                f"to compare yet; enforcement went ahead {_times(last)} in {last_span}.")
    if not first and not last:
        return f"Enforcement did not go ahead in {first_span}, nor in {last_span}."
    said = (f"Enforcement went ahead {_times(first)} in {first_span}" if first
            else f"Enforcement did not go ahead in {first_span}")
    said += f" and {_times(last) if last else 'not at all'} in {last_span}."
    if last == 0:
        return said + " That is down to none."
    if last < first:
        share = round((first - last) * 100 / first)
        words = {25: "a quarter", 50: "half", 75: "three-quarters"}
        return said + f" That is down by {words.get(share, f'{share}%')}."
    if last > first:
        return said + f" That is up from {first} to {last}."
    return said + " That is no change."


def should_we_answers(decisions, period: Period, limit: int = 20) -> tuple[list, int]:
    """The latest decisions in the period with their "should we?" answers, and how many
    there were. One query."""
    rows = list(decisions.filter(_in_period("decided_on", period))
                .annotate(total=Window(Count("pk")))
                .select_related("case").order_by("-decided_on", "-pk")[:limit])
    return rows, rows[0].total if rows else 0


# 4 Can't pay vs won't pay ----------------------------------------------------------------

def debt_split(debts) -> list[tuple[str, str, int, Decimal]]:
    """(status, label, debts, £) for each can't pay / won't pay / not known. One query."""
    rows = {r["pay_status"]: r for r in debts.values("pay_status").annotate(
        n=Count("pk"), amount=Sum("amount")).order_by()}
    return [(status, label, rows.get(status, {}).get("n", 0),
             rows.get(status, {}).get("amount") or Decimal("0.00"))
            for status, label in Debt.PayStatus.choices]


def debt_first_vs_now(debts) -> dict[tuple[str, str], int]:
    """How many debts went from each first recorded status (the earliest entry in the debt's
    history) to each status now, keyed (first, now). One query."""
    events = Debt.events.rel.related_model
    first = (events.objects.filter(pgh_obj=OuterRef("pk")).order_by("pgh_created_at", "pgh_id")
             .values("pay_status")[:1])
    rows = (debts.annotate(first=Coalesce(Subquery(first), F("pay_status")))
            .values("first", "pay_status").annotate(n=Count("pk")).order_by())
    return {(r["first"], r["pay_status"]): r["n"] for r in rows}


# 5 Issue flow ----------------------------------------------------------------------------

def issues_raised_by_level(issues, period: Period) -> Monthly:
    """Issues raised per month at each level. One query."""
    rows = _monthly(issues, "raised_on", period, by="level", n=Count("pk"))
    return Monthly(list(period.months), {
        f"{level} {label}": [rows.get((m, level), {}).get("n", 0) for m in period.months]
        for level, label in Issue.Level.choices})


ISSUE_AGES = [("14 days or less", 0, 15), ("15 to 30 days", 15, 31), ("31 to 90 days", 31, 91),
              ("More than 90 days", 91, None)]


def open_issue_ageing(issues, today: date) -> list[tuple[str, int]]:
    """Open issues by how long they have been open. One query."""
    counts = {}
    for i, (_label, low, high) in enumerate(ISSUE_AGES):
        raised = Q(raised_on__lte=today - timedelta(days=low))
        if high is not None:
            raised &= Q(raised_on__gt=today - timedelta(days=high))
        counts[f"age{i}"] = Count("pk", filter=raised)
    totals = issues.open().aggregate(**counts)
    return [(label, totals[f"age{i}"]) for i, (label, _, _) in enumerate(ISSUE_AGES)]


def new_normal_by_month(issues, period: Period) -> Monthly:
    """Issues closed because the system changed, or because the countermeasure became the
    normal way, per month. One query."""
    rows = _monthly(issues.filter(status=Issue.Status.CLOSED), "closed_on", period,
                    system=Count("pk", filter=Q(closure=Issue.Closure.SYSTEM_CHANGE)),
                    countermeasure=Count("pk", filter=Q(closure=Issue.Closure.COUNTERMEASURE)))
    return Monthly(list(period.months), {
        "System change made": _series(period, rows, "system"),
        "Countermeasure became the normal way": _series(period, rows, "countermeasure"),
    })


def issue_categories(issues, period: Period) -> list[tuple[str, int]]:
    """What kind of thing got in the way, most frequent first, for issues raised in the
    period. One query."""
    labels = dict(Issue.Category.choices)
    rows = (issues.filter(_in_period("raised_on", period)).values("category")
            .annotate(n=Count("pk")).order_by("-n", "category"))
    return [(labels.get(r["category"], "Not said"), r["n"]) for r in rows]


# 6 Spend ---------------------------------------------------------------------------------

SPEND_BINS = [("Under £25", 0, 25), ("£25 to £50", 25, 50), ("£50 to £100", 50, 100),
              ("£100 to £200", 100, 200), ("£200 to £400", 200, 400), ("£400 or more", 400, None)]


def spend_per_person(purchases, period: Period) -> Distribution:
    """What was spent for each person with any spend in the period (voided purchases left
    out): its spread and a histogram. One query."""
    totals = (purchases.filter(voided=False).filter(_in_period("date", period))
              .values("case").annotate(total=Sum("amount")).values("total"))
    return distribution(totals, SPEND_BINS)


def spend_by_category(purchases, period: Period) -> Monthly:
    """£ spent per month in each category, voided purchases left out. One query."""
    rows = _monthly(purchases.filter(voided=False), "date", period, by="category",
                    spent=Sum("amount"))
    by_category = Monthly(list(period.months))
    for category, label in Purchase.Category.choices:
        values = [rows.get((m, category), {}).get("spent") or Decimal("0.00")
                  for m in period.months]
        if any(values):
            by_category.series[label] = values
    return by_category


def spend_against_pots(purchases, pots, period: Period) -> Monthly:
    """£ spent per month (voided left out) beside the budget pots that start that month.
    Two queries."""
    spent = _monthly(purchases.filter(voided=False), "date", period, spent=Sum("amount"))
    pot = _monthly(pots, "period_start", period, amount=Sum("amount"))
    zero = Decimal("0.00")
    return Monthly(list(period.months), {
        "Budget pot": _series(period, pot, "amount", zero),
        "Spent": _series(period, spent, "spent", zero),
    })


# 7 Value work and demand -----------------------------------------------------------------

BANDS = [("Simple (1 to 2)", Q(activity__complexity__lte=2)),
         ("Middling (3)", Q(activity__complexity=3)),
         ("Complex (4 to 5)", Q(activity__complexity__gte=4))]


def strokes_by_band(strokes, period: Period) -> Monthly:
    """Successes counted at debriefs per month, by how complex the work was. One query."""
    rows = _monthly(strokes, "debrief__held_on", period,
                    **{f"band{i}": Count("pk", filter=q) for i, (_, q) in enumerate(BANDS)})
    return Monthly(list(period.months), {label: _series(period, rows, f"band{i}")
                                         for i, (label, _) in enumerate(BANDS)})


def failure_demand_by_month(contacts, period: Period) -> Monthly:
    """Contacts logged, those that were failure demand, and its share (%), per month.
    One query."""
    rows = _monthly(contacts, "happened_at", period, moment=True, n=Count("pk"),
                    failure=Count("pk", filter=Q(demand=Contact.Demand.FAILURE)))
    contacts_n, failure = _series(period, rows, "n"), _series(period, rows, "failure")
    return Monthly(list(period.months), {
        "Contacts": contacts_n, "Failure demand": failure,
        "Failure demand share (%)": [round(f * 100 / n, 1) if n else None
                                     for f, n in zip(failure, contacts_n, strict=True)],
    })


# 8 Welfare -------------------------------------------------------------------------------

@dataclass(frozen=True)
class WelfareMonth:
    month: date
    answers: int | None  # None: not shown
    average: float | None
    teams_left_out: int  # teams with fewer than WELFARE_MINIMUM people answering


def welfare_by_month(welfare, period: Period) -> list[WelfareMonth]:
    """The average "how are you finding this?" (1 struggling to 5 great) per month, from the
    teams where at least three people answered that month; never who said what. One query."""
    rows = _monthly(welfare, "debrief__held_on", period, by="debrief__team",
                    people=Count("user", distinct=True), answers=Count("pk"),
                    feeling=Sum("feeling"))
    months = []
    for month in period.months:
        teams = [row for (m, _team), row in rows.items() if m == month]
        shown = [row for row in teams if row["people"] >= WELFARE_MINIMUM]
        answers = sum(row["answers"] for row in shown)
        months.append(WelfareMonth(
            month, answers if shown else None,
            round(sum(row["feeling"] for row in shown) / answers, 1) if shown else None,
            len(teams) - len(shown)))
    return months


# 9 Around a person -----------------------------------------------------------------------

PULL_BINS = [("None", 0, 1), ("One", 1, 2), ("Two", 2, 3), ("Three or more", 3, None)]


def pulls_per_person(cases, period: Period) -> Distribution:
    """How many specialists were pulled in for each person with the team in the period.
    One query."""
    per_case = active_in(cases, period).annotate(
        n=Count("pulls", filter=_in_period("pulls__pulled_on", period))).values("n")
    return distribution(per_case, PULL_BINS)


def pulls_by_kind(pulls, period: Period) -> list[tuple[str, int]]:
    """Specialists pulled in during the period, by kind, most frequent first. One query."""
    labels = dict(Pull.Specialist.choices)
    rows = (pulls.filter(_in_period("pulled_on", period)).values("specialist")
            .annotate(n=Count("pk")).order_by("-n", "specialist"))
    return [(labels.get(r["specialist"], r["specialist"]), r["n"]) for r in rows]
