"""The learning page, section by section: each panel is one figure drawn as a chart, with the
same figures in a table and as a CSV download. Panels are built one at a time, so a download
computes only its own figure."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.urls import reverse

from caseload.models import Debt
from learning import charts
from learning import figures as f
from learning.report import Column, Panel, Scope, Table

FIRST_WORKING_POINTS = 100
ANSWERS_SHOWN = 20


@dataclass(frozen=True)
class Section:
    id: str
    heading: str
    intro: str
    panel_ids: tuple[str, ...]


SECTIONS = [
    Section("people", "1 People", "Who the team is working with, for how long, and how soon "
            "what it does starts to work for them.",
            ("open-cases", "time-with-team", "first-working", "stuck")),
    Section("outcomes", "2 Outcomes", "What changed for people. For learning, not targets: "
            "these show what the work makes possible, never a number to hit.",
            ("outcomes", "benefits")),
    Section("enforcement", "3 Enforcement", "Air cover asked for and given, and whether "
            "enforcement or eviction went ahead. Just because we can, does it mean we should?",
            ("holds", "enforcement")),
    Section("debts", "4 Can't pay or won't pay", "Debt is a signal, not a reason for "
            "enforcement. How the team's debts split, and how that changed as people were "
            "known better.", ("debt-split", "debt-change")),
    Section("issues", "5 Issue flow", "What got in the way, how long it has waited, and what "
            "became the new normal.",
            ("issues-raised", "issue-ageing", "new-normal", "issue-categories")),
    Section("spend", "6 Spend", "What it usually takes to get things straight for a person, "
            "what it goes on, and how it sits against the budget pot.",
            ("spend-per-person", "spend-by-category", "spend-against-pots")),
    Section("value-work", "7 Value work and demand", "Successes counted at the debrief, by "
            "how complex the work was, and how much contact was people chasing what should "
            "already have happened.", ("value-work", "failure-demand")),
    Section("welfare", "8 Welfare", "How the team is finding it, as a trend. Never who said "
            "what.", ("welfare",)),
    Section("around-a-person", "9 Around a person", "Specialists pulled in to work alongside "
            "the lead caseworker, who keeps the relationship: not referrals away.",
            ("pulls-per-person", "pulls-by-kind")),
]

BUILDERS: dict[str, Callable[[Scope], Panel]] = {}


def panel(panel_id: str):
    def register(build):
        BUILDERS[panel_id] = build
        return build
    return register


def build_sections(scope: Scope) -> list[tuple[Section, list[Panel]]]:
    return [(section, [BUILDERS[pid](scope) for pid in section.panel_ids])
            for section in SECTIONS]


def month_labels(months: list[date]) -> list[str]:
    return [f"{m:%b}\n{m.year}" if i == 0 or m.month == 1 else f"{m:%b}"
            for i, m in enumerate(months)]


def _monthly_table(caption: str, monthly: f.Monthly, kind: str = "int",
                   total: bool = False) -> Table:
    columns = [Column("Month", "month"), *(Column(name, kind) for name in monthly.series)]
    rows = monthly.rows()
    if total:
        columns.append(Column("Total", kind))
        rows = [[*row, sum(row[1:])] for row in rows]
    return Table(caption, columns, rows)


def _distribution_table(caption: str, d: f.Distribution, counted: str, unit: str,
                        kind: str) -> Table:
    """The bins' counts, then the quartiles and extremes (each cell in its own kind)."""
    rows: list[list] = [[f"{counted}: {label.lower()}", n] for label, n in d.bins]
    for name, value in [("Lowest", d.minimum), ("Lower quartile", d.lower_quartile),
                        ("Median", d.median), ("Upper quartile", d.upper_quartile),
                        ("Highest", d.maximum), ("Mean", d.mean)]:
        rows.append([f"{name} ({unit})", (value, kind)])
    return Table(caption, [Column("Figure", "text"), Column("Value")], rows)


def _spread(d: f.Distribution, fmt: Callable[[float], str]) -> str:
    if not d.count:
        return ""
    return (f"Half are at or under {fmt(d.median)}; the middle half between "
            f"{fmt(d.lower_quartile)} and {fmt(d.upper_quartile)}; from {fmt(d.minimum)} "
            f"to {fmt(d.maximum)}.")


def _days(v: float) -> str:
    return f"{v:.0f} day{'s' if round(v) != 1 else ''}"


def _pounds(v: float) -> str:
    return f"£{v:,.2f}"


# 1 People --------------------------------------------------------------------------------

@panel("open-cases")
def open_cases(scope: Scope) -> Panel:
    m = f.open_cases_by_month(scope.cases(), scope.period)
    open_ = m.series["Open at the month's end"]
    chart = charts.line_chart(
        "open-cases", "People with the team at each month's end",
        f"A line from {open_[0]} people at the end of {m.months[0]:%B %Y} to {open_[-1]} in "
        f"{m.months[-1]:%B %Y}. The table has the same figures, with how many came and left.",
        month_labels(m.months), {"Open at the month's end": open_})
    return Panel("open-cases", "People with the team, by month", _monthly_table(
        "People with the team, by month", m), chart)


@panel("time-with-team")
def time_with_team(scope: Scope) -> Panel:
    d = f.time_with_team(scope.cases(), scope.period.end)
    chart = charts.bar_chart(
        "time-with-team", "How long people have been with the team",
        f"Bars of how many of the {d.count} people with the team today have been with it for "
        "under a month, 1 to 3 months, 3 to 6 months, 6 to 12 months and over a year.",
        [label for label, _ in d.bins], {"People": [n for _, n in d.bins]})
    lead = (f"{d.count} people are with the team today. " + _spread(d, _days)) if d.count else (
        "No one is with the team today.")
    return Panel("time-with-team", "How long people have been with the team",
                 _distribution_table("How long people have been with the team", d, "People",
                                     "days", "number"), chart, lead)


@panel("first-working")
def first_working(scope: Scope) -> Panel:
    points, total = f.days_to_first_working(scope.cases(), scope.period, FIRST_WORKING_POINTS)
    result = f.xmr([p.days for p in points])
    table = Table("Days from first contact to the first \"working\" at a debrief",
                  [Column("Person", "text"), Column("First \"working\"", "date"),
                   Column("Days"), Column("Moving range"), Column("Signal", "text")],
                  [[p.reference, p.first_working, p.days,
                    "First point" if x.moving_range is None else round(x.moving_range),
                    x.signal or "No"]
                   for p, x in zip(points, result.points, strict=True)])
    panel_ = Panel("first-working", "From first contact to the first \"working\"", table)
    if total > len(points):
        panel_.note = f"The most recent {len(points)} of {total} people are shown."
    if result.unpl is None:
        panel_.lead = ("Not enough people have got to \"working\" in this period to work out "
                       "limits: it needs at least two.")
        return panel_
    every = math.ceil(len(points) / 8)
    labels = [f"{p.first_working.day} {p.first_working:%b}" if i % every == 0 else ""
              for i, p in enumerate(points)]
    panel_.chart = charts.xmr_chart(
        "first-working", "Days from first contact to the first \"working\": XmR chart",
        f"Each point is one person, in the order they first reached \"working\" at a debrief: "
        f"the days since the team first met them. Average {result.mean:.1f} days; natural "
        f"process limits {result.lnpl:.1f} to {result.unpl:.1f} days. Under it, the moving "
        "ranges. No target line.", labels, result)
    signals = sum(1 for x in result.points if x.signal)
    panel_.lead = (
        f"On average {result.mean:.1f} days. The natural process limits are "
        f"{result.lnpl:.1f} to {result.unpl:.1f} days (the average ± 2.66 × the average "
        f"moving range of {result.average_moving_range:.1f}; the lower limit cannot go below "
        "0). A point outside them, or a run of 8 on one side of the average, is a signal to "
        "talk about; anything inside is the usual variation. "
        + (f"{signals} point{'s' if signals != 1 else ''} signal{'' if signals != 1 else 's'}"
           " a change." if signals else "No signals: the process is steady."))
    return panel_


@panel("stuck")
def stuck(scope: Scope) -> Panel:
    m = f.stuck_by_month(scope.entries(), scope.period)
    chart = charts.bar_chart(
        "stuck", "People stuck, by month",
        "Side-by-side bars for each month: how many people were talked about at a debrief, "
        "and how many of them were \"stuck\" at least once.", month_labels(m.months), m.series)
    return Panel("stuck", "People \"stuck\" at least once, by month",
                 _monthly_table("People \"stuck\" at least once, by month", m), chart)


# 2 Outcomes ------------------------------------------------------------------------------

@panel("outcomes")
def outcomes(scope: Scope) -> Panel:
    kinds, _ = f.outcomes_by_month(scope.outcomes(), scope.period)
    if not kinds.series:
        return Panel("outcomes", "Outcomes by kind, by month (for learning, not targets)",
                     Table("Outcomes by kind, by month", [Column("Month", "month")],
                           [[m] for m in kinds.months]),
                     lead="No outcomes were recorded in this period.")
    chart = charts.bar_chart(
        "outcomes", "Outcomes by kind, by month (for learning, not targets)",
        f"Stacked bars: {sum(map(sum, kinds.series.values()))} "
        "outcomes in the period, each month's bar split by kind. For learning, not targets.",
        month_labels(kinds.months), kinds.series, stacked=True)
    return Panel("outcomes", "Outcomes by kind, by month (for learning, not targets)",
                 _monthly_table("Outcomes by kind, by month", kinds, total=True), chart)


@panel("benefits")
def benefits(scope: Scope) -> Panel:
    _, gained = f.outcomes_by_month(scope.outcomes(), scope.period)
    weekly = gained.series["£ a week"]
    chart = charts.bar_chart(
        "benefits", "Benefits gained, £ a week, by month (for learning, not targets)",
        f"Bars of the weekly amount of benefits people were helped to gain each month: "
        f"£{sum(weekly):,.2f} a week in all over the period. For learning, not targets.",
        month_labels(gained.months), {"£ a week": weekly}, unit="£")
    table = Table("Benefits gained, by month", [Column("Month", "month"),
                                                Column("Benefits gained"),
                                                Column("£ a week", "money")], gained.rows())
    return Panel("benefits", "Benefits gained, £ a week (for learning, not targets)", table,
                 chart)


# 3 Enforcement ---------------------------------------------------------------------------

@panel("holds")
def holds(scope: Scope) -> Panel:
    m = f.holds_by_month(scope.holds(), scope.period)
    chart = charts.bar_chart(
        "holds", "Holds asked for, granted and ended, by month",
        f"Side-by-side bars for each month. In the period: {m.total('Asked for')} asked for, "
        f"{m.total('Granted')} granted, {m.total('Ended')} ended.",
        month_labels(m.months), m.series)
    return Panel("holds", "Holds on enforcement (air cover), by month",
                 _monthly_table("Holds asked for, granted and ended, by month", m), chart)


@panel("enforcement")
def enforcement(scope: Scope) -> Panel:
    m = f.enforcement_by_month(scope.decisions(), scope.period)
    answers, total = f.should_we_answers(scope.decisions(), scope.period, ANSWERS_SHOWN)
    chart = charts.bar_chart(
        "enforcement", "Enforcement and eviction: went ahead or avoided, by month",
        f"Stacked bars for each month: {m.total('Went ahead')} went ahead and "
        f"{m.total('Avoided')} were avoided in the period.", month_labels(m.months), m.series,
        stacked=True)
    result = Panel("enforcement", "Enforcement and eviction decisions, by month",
                   _monthly_table("Enforcement and eviction decisions, by month", m, total=True),
                   chart, f.enforcement_change(m, scope.period), answers=answers)
    if total > len(answers):
        result.note = (f"The latest {len(answers)} of {total} answers are shown; the "
                       "download has the counts by month.")
    return result


# 4 Can't pay vs won't pay ----------------------------------------------------------------

def _share(part, whole) -> float | None:
    return round(float(part) * 100 / float(whole), 1) if whole else None


@panel("debt-split")
def debt_split(scope: Scope) -> Panel:
    split = f.debt_split(scope.debts())
    debts = sum(n for _, _, n, _ in split)
    pounds = sum(a for _, _, _, a in split)
    table = Table("Debts by can't pay or won't pay",
                  [Column("Can't pay or won't pay?", "text"), Column("Debts"),
                   Column("Share of debts", "percent"), Column("Amount", "money"),
                   Column("Share of the amount", "percent")],
                  [[label, n, _share(n, debts), amount, _share(amount, pounds)]
                   for _, label, n, amount in split])
    chart = charts.bar_chart(
        "debt-split", "Debts: can't pay, won't pay, not known yet",
        f"Bars of how many of the {debts} debts of people with the team in the period are "
        "can't pay, won't pay and not known yet.", [label for _, label, _, _ in split],
        {"Debts": [n for _, _, n, _ in split]})
    counts = {status: n for status, _, n, _ in split}
    known = counts["cant_pay"] + counts["wont_pay"]
    lead = (f"Of the {known} debts where we know, {_share(counts['cant_pay'], known):.0f}% are "
            f"can't pay and {_share(counts['wont_pay'], known):.0f}% won't pay; "
            f"{counts['not_known']} are not known yet." if known else
            "No debt is known to be can't pay or won't pay yet.")
    return Panel("debt-split", "Can't pay or won't pay: the team's debts", table, chart, lead)


@panel("debt-change")
def debt_change(scope: Scope) -> Panel:
    moves = f.debt_first_vs_now(scope.debts())
    statuses = Debt.PayStatus.choices
    first = [sum(n for (a, _), n in moves.items() if a == s) for s, _ in statuses]
    now = [sum(n for (_, b), n in moves.items() if b == s) for s, _ in statuses]
    changed = sum(n for (a, b), n in moves.items() if a != b)
    table = Table("Debts by first recorded status and status now",
                  [Column("When first recorded", "text"),
                   *(Column(f"Now: {label}") for _, label in statuses), Column("Total")],
                  [[label, *(moves.get((s, t), 0) for t, _ in statuses), first[i]]
                   for i, (s, label) in enumerate(statuses)])
    chart = charts.bar_chart(
        "debt-change", "Can't pay or won't pay: when first recorded and now",
        "Side-by-side bars for each status: how many debts had it when first recorded, and "
        "how many have it now.", [label for _, label in statuses],
        {"When first recorded": first, "Now": now})
    lead = (f"When first recorded, {first[2]} of {sum(first)} debts were not known yet; now "
            f"{now[2]} are. {changed} debt{'s' if changed != 1 else ''} changed status as "
            "people were known better." if sum(first) else "No debts recorded yet.")
    return Panel("debt-change", "How it changed as people were known better", table, chart,
                 lead, note="The first recorded status is the earliest entry in each debt's "
                            "history.")


# 5 Issue flow ----------------------------------------------------------------------------

@panel("issues-raised")
def issues_raised(scope: Scope) -> Panel:
    m = f.issues_raised_by_level(scope.issues(), scope.period)
    chart = charts.bar_chart(
        "issues-raised", "Issues raised per month, by level",
        f"Stacked bars for each month, split into level 1 method, 2 system and 3 macro: "
        f"{sum(map(sum, m.series.values()))} raised in the period.", month_labels(m.months),
        m.series, stacked=True)
    return Panel("issues-raised", "Issues raised, by level",
                 _monthly_table("Issues raised per month, by level", m, total=True), chart)


@panel("issue-ageing")
def issue_ageing(scope: Scope) -> Panel:
    ages = f.open_issue_ageing(scope.issues(), scope.period.end)
    chart = charts.bar_chart(
        "issue-ageing", "Open issues by how long they have been open",
        f"Bars of the {sum(n for _, n in ages)} issues open today, by how long they have "
        "been open.", [label for label, _ in ages], {"Open issues": [n for _, n in ages]})
    table = Table("Open issues by how long they have been open",
                  [Column("Open for", "text"), Column("Issues")], [list(a) for a in ages])
    return Panel("issue-ageing", "How long open issues have waited", table, chart,
                 link=("Open issues, oldest first", reverse("issues:issue-list")))


@panel("new-normal")
def new_normal(scope: Scope) -> Panel:
    m = f.new_normal_by_month(scope.issues(), scope.period)
    chart = charts.bar_chart(
        "new-normal", "The new normal: issues closed by a change, by month",
        f"Side-by-side bars for each month: {m.total('System change made')} system changes "
        f"made and {m.total('Countermeasure became the normal way')} countermeasures that "
        "became the normal way in the period.", month_labels(m.months), m.series)
    return Panel("new-normal", "\"New normal\" achieved", _monthly_table(
        "Issues closed by a system change or a countermeasure becoming normal", m), chart,
        link=("The new normal: each system change made", reverse("issues:new-normal")))


@panel("issue-categories")
def issue_categories(scope: Scope) -> Panel:
    rows = f.issue_categories(scope.issues(), scope.period)
    table = Table("What got in the way, for issues raised in the period",
                  [Column("What kind of thing", "text"), Column("Issues")], [list(r) for r in rows])
    if not rows:
        return Panel("issue-categories", "What most often gets in the way", table,
                     lead="No issues were raised in this period.")
    chart = charts.hbar_chart(
        "issue-categories", "What most often gets in the way",
        f"Horizontal bars, most frequent first; the most frequent is {rows[0][0].lower()} "
        f"({rows[0][1]}).", [label for label, _ in rows], [n for _, n in rows])
    return Panel("issue-categories", "What most often gets in the way", table, chart)


# 6 Spend ---------------------------------------------------------------------------------

@panel("spend-per-person")
def spend_per_person(scope: Scope) -> Panel:
    d = f.spend_per_person(scope.purchases(), scope.period)
    chart = charts.bar_chart(
        "spend-per-person", "Spend per person in the period",
        f"A histogram: how many of the {d.count} people with any spend had a total in each "
        "band." + (f" Median £{d.median:,.2f}." if d.count else ""),
        [label for label, _ in d.bins], {"People": [n for _, n in d.bins]})
    lead = (f"{d.count} people had spend in the period. " + _spread(d, _pounds)
            + f" The mean is {_pounds(d.mean)}, pulled up by the few who needed more."
            if d.count else "No spend in this period.")
    return Panel("spend-per-person", "What it takes to get things straight, per person",
                 _distribution_table("Spend per person in the period", d, "People", "£",
                                     "money"), chart, lead,
                 note="Voided purchases are left out.")


@panel("spend-by-category")
def spend_by_category(scope: Scope) -> Panel:
    m = f.spend_by_category(scope.purchases(), scope.period)
    table = _monthly_table("Spend by category, by month", m, "money", total=True)
    if not m.series:
        return Panel("spend-by-category", "Spend by category, by month", table,
                     lead="No spend in this period.")
    chart = charts.bar_chart(
        "spend-by-category", "Spend by category, by month",
        "Stacked bars of each month's spend, split by category.", month_labels(m.months),
        m.series, stacked=True, unit="£")
    return Panel("spend-by-category", "Spend by category, by month", table, chart,
                 note="Voided purchases are left out.")


@panel("spend-against-pots")
def spend_against_pots(scope: Scope) -> Panel:
    m = f.spend_against_pots(scope.purchases(), scope.pots(), scope.period)
    pot, spent = m.total("Budget pot"), m.total("Spent")
    table = Table("Spend against the budget pot, by month",
                  [Column("Month", "month"), Column("Budget pot", "money"),
                   Column("Spent", "money"), Column("Share of the pot", "percent")],
                  [[month, p, s, _share(s, p)] for month, p, s in m.rows()]
                  + [["Whole period", pot, spent, _share(spent, pot)]])
    chart = charts.bar_chart(
        "spend-against-pots", "Spend against the budget pot, by month",
        f"Side-by-side bars for each month: the budget pot and what was spent. In all, "
        f"£{spent:,.2f} spent against pots of £{pot:,.2f}.", month_labels(m.months),
        m.series, unit="£")
    lead = (f"£{spent:,.2f} spent against pots of £{pot:,.2f} in the period "
            f"({_share(spent, pot):.0f}%)." if pot else
            f"£{spent:,.2f} spent; no budget pot is set for the period.")
    return Panel("spend-against-pots", "Spend against the budget pot", table, chart, lead,
                 note="Voided purchases are left out. A pot counts in the month it starts.")


# 7 Value work and demand -----------------------------------------------------------------

@panel("value-work")
def value_work(scope: Scope) -> Panel:
    m = f.strokes_by_band(scope.strokes(), scope.period)
    chart = charts.bar_chart(
        "value-work", "Successes by month, by complexity",
        "Stacked bars of the successes counted at debriefs each month, split into simple "
        "(complexity 1 to 2), middling (3) and complex (4 to 5) work.", month_labels(m.months),
        m.series, stacked=True)
    return Panel("value-work", "Value work over time, by complexity",
                 _monthly_table("Successes by month, by complexity", m, total=True), chart,
                 note="Frequent, simple work belongs in the front-line team; rare, complex work "
                      "can sit centrally and be pulled in when needed.")


@panel("failure-demand")
def failure_demand(scope: Scope) -> Panel:
    m = f.failure_demand_by_month(scope.contacts(), scope.period)
    share = m.series["Failure demand share (%)"]
    chart = charts.line_chart(
        "failure-demand", "Failure demand as a share of contacts, by month",
        "A line of the percentage of each month's contacts that were failure demand: someone "
        "chasing what should already have happened.", month_labels(m.months),
        {"Failure demand share (%)": share}, unit="%")
    table = Table("Failure demand, by month", [
        Column("Month", "month"), Column("Contacts"), Column("Failure demand"),
        Column("Failure demand share", "percent")], m.rows())
    return Panel("failure-demand", "Failure demand: chasing what should already have happened",
                 table, chart)


# 8 Welfare -------------------------------------------------------------------------------

@panel("welfare")
def welfare(scope: Scope) -> Panel:
    months = f.welfare_by_month(scope.welfare(), scope.period)
    hidden = "Not shown: fewer than 3 people answered"
    rows = [[w.month, w.answers if w.answers is not None else hidden,
             w.average if w.average is not None else hidden] for w in months]
    table = Table("How the team is finding it, by month",
                  [Column("Month", "month"), Column("Answers"),
                   Column("Average feeling (1 struggling to 5 great)", "number")], rows)
    panel_ = Panel("welfare", "How the team is finding it", table,
                   note="Averages only, never who said what. A month with fewer than 3 "
                        "people answering in a team is not shown for that team.")
    left_out = sum(w.teams_left_out for w in months if w.answers is not None)
    if left_out:
        panel_.note += (f" {left_out} team-month{'s' if left_out != 1 else ''} with fewer than "
                        "3 people answering left out of the averages.")
    if all(w.average is None for w in months):
        panel_.lead = "Not shown: in no month did 3 or more people in a team answer."
        return panel_
    panel_.chart = charts.line_chart(
        "welfare", "How the team is finding it: average by month",
        "A line of the team's average answer to \"how are you finding this?\" each month, on "
        "a scale from 1 (struggling) to 5 (great). Months with fewer than 3 people answering "
        "are left out.", month_labels([w.month for w in months]),
        {"Average feeling": [w.average for w in months]}, top=5)
    return panel_


# 9 Around a person -----------------------------------------------------------------------

@panel("pulls-per-person")
def pulls_per_person(scope: Scope) -> Panel:
    d = f.pulls_per_person(scope.cases(), scope.period)
    chart = charts.bar_chart(
        "pulls-per-person", "Specialists pulled in per person",
        f"Bars of how many of the {d.count} people with the team in the period had no "
        "specialist, one, two, or three or more pulled in.", [label for label, _ in d.bins],
        {"People": [n for _, n in d.bins]})
    pulled = d.count - d.bins[0][1]
    lead = (f"For {pulled} of {d.count} people a specialist was pulled in during the period; "
            "each time the lead caseworker kept the relationship, where the old pattern "
            "referred the person on." if d.count else "No one was with the team in the period.")
    table = Table("Specialists pulled in per person",
                  [Column("Specialists pulled in", "text"), Column("People")],
                  [[label, n] for label, n in d.bins])
    return Panel("pulls-per-person", "Specialists pulled in per person", table, chart, lead)


@panel("pulls-by-kind")
def pulls_by_kind(scope: Scope) -> Panel:
    rows = f.pulls_by_kind(scope.pulls(), scope.period)
    table = Table("Specialists pulled in, by kind", [Column("Specialist", "text"),
                                                     Column("Times pulled in")],
                  [list(r) for r in rows])
    if not rows:
        return Panel("pulls-by-kind", "Who was pulled in", table,
                     lead="No specialists were pulled in during this period.")
    chart = charts.hbar_chart(
        "pulls-by-kind", "Specialists pulled in, by kind",
        f"Horizontal bars, most frequent first: {sum(n for _, n in rows)} times in all.",
        [label for label, _ in rows], [n for _, n in rows])
    return Panel("pulls-by-kind", "Who was pulled in", table, chart)
