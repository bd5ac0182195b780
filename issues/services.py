"""Work on issues that spans other records: raising one with its case examples, what a person
may see of the cases behind an issue, the leader's grid and an issue's history."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from django.db import transaction
from django.db.models import BigIntegerField, Count, Exists, OuterRef, Q, Value
from django.urls import reverse
from django.utils import timezone

from accounts.compiled import Batch, CompiledObjects, Reach, Slot, reach
from accounts.models import Team, User
from caseload.models import Case
from caseload.permissions import can_read_cases
from issues.models import AGEING_DAYS, Issue


def issue_raise(*, by: User, team: Team, title: str, level: int, owner_level: str,
                countermeasure: str = "", cases: list[Case] | tuple = (), **fields) -> Issue:
    """Log a new issue for the team, with the cases it arose from."""
    with transaction.atomic():
        issue = Issue.objects.create(team=team, raised_by=by, title=title, level=level,
                                     owner_level=owner_level, countermeasure=countermeasure,
                                     **fields)
        if cases:
            issue.cases.set(cases)
    return issue


# Issue.objects.for_user's rule, compiled once per set of capabilities (accounts/compiled.py).
CASE_ISSUES = CompiledObjects(Issue, lambda capabilities: Issue.objects.for_user(
    Reach(capabilities)).filter(cases=Slot("case", BigIntegerField())).oldest_open_first(),
    related=("owner",))


def issues_for_case(case: Case, user: User, batch: Batch | None = None) -> Sequence[Issue]:
    """The issues this case illustrates that the user may see, open first. One query, read
    with `batch` if given (accounts/compiled.py)."""
    capabilities, teams = reach(user)
    return (batch or Batch()).objects(CASE_ISSUES, {"case": case.pk, "teams": teams},
                                      capabilities=capabilities)


@dataclass
class CaseExamples:
    """What a person may see of an issue's cases: the ones in their reach by reference, the
    rest only as a count per team."""

    visible: list[Case] = field(default_factory=list)
    unseen: list[tuple[str, int]] = field(default_factory=list)  # (team name, how many)

    @property
    def count(self):
        return len(self.visible) + sum(n for _team, n in self.unseen)


def case_examples_for(issue: Issue, user: User) -> CaseExamples:
    """Split the issue's cases by whether the user may see them. One query."""
    if can_read_cases(user):
        visible = Exists(Case.objects.for_user(user).filter(pk=OuterRef("pk")))
    else:
        visible = Value(False)
    examples, unseen = CaseExamples(), {}
    for case in (issue.cases.select_related("team").annotate(visible=visible)
                 .order_by("reference")):
        if case.visible:
            examples.visible.append(case)
        else:
            unseen[case.team.name] = unseen.get(case.team.name, 0) + 1
    examples.unseen = sorted(unseen.items())
    return examples


@dataclass
class GridCell:
    level: int
    owner_level: str
    total: int = 0
    ageing: list[tuple[int, int, str]] = field(default_factory=list)  # (days, count, url)
    url: str = ""

    @property
    def description(self) -> str:
        """What the count is, for screen readers: "open system issues owned by the team"."""
        level = f" {Issue.Level(self.level).label.lower()}" if self.level else ""
        owner = (f" owned by {Issue.OwnerLevel(self.owner_level).label.lower()}"
                 if self.owner_level else "")
        return f"open{level} issues{owner}"


@dataclass
class IssueGrid:
    rows: list[tuple[str, list[GridCell], GridCell]]  # (level label, cells, row total)
    column_totals: list[GridCell]
    total: GridCell
    owner_levels: list[str]


def _log_url(log: str, **filters) -> str:
    query = {"status": "open", **{k: v for k, v in filters.items() if v}}
    return f"{log}?{urlencode(query)}"


def open_issue_grid(*, user: User, today: date | None = None) -> IssueGrid:
    """Open issues counted by level and owner level, with how many have been open more than
    14, 30 and 90 days; each count links to the log filtered to those issues. One query."""
    today = today or timezone.localdate()
    ageing = {f"over_{days}": Count("pk", filter=Q(raised_on__lt=today - timedelta(days)))
              for days in AGEING_DAYS}
    counts = {(row["level"], row["owner_level"]): row for row in (
        Issue.objects.for_user(user).open().order_by().values("level", "owner_level")
        .annotate(total=Count("pk"), **ageing))}

    log = reverse("issues:issue-list")  # once: the grid has 80 links

    def cell(level=None, owner_level=None):
        rows = [row for (lv, ol), row in counts.items()
                if level in (None, lv) and owner_level in (None, ol)]
        return GridCell(
            level=level, owner_level=owner_level, total=sum(r["total"] for r in rows),
            url=_log_url(log, level=level, owner_level=owner_level),
            ageing=[(days, sum(r[f"over_{days}"] for r in rows),
                     _log_url(log, level=level, owner_level=owner_level, older_than=days))
                    for days in AGEING_DAYS])

    owner_levels = Issue.OwnerLevel.values
    return IssueGrid(
        rows=[(label, [cell(level, ol) for ol in owner_levels], cell(level=level))
              for level, label in Issue.Level.choices],
        column_totals=[cell(owner_level=ol) for ol in owner_levels], total=cell(),
        owner_levels=[Issue.OwnerLevel(ol).label for ol in owner_levels])


@dataclass
class HistoryEntry:
    at: datetime
    by: User | None
    what: str
    changes: list[tuple[str, str, str]]  # (field, before, after)


HISTORY_FIELDS = ["title", "description", "level", "status", "owner_level", "owner", "category", "law_or_rule_in_way", "countermeasure", "system_change",
                  "closure", "closure_note", "closed_on", "raised_on"]


def issue_history(issue: Issue) -> list[HistoryEntry]:
    """Every saved change to the issue, newest first, from its audit events: who made it
    and what each field was before and after. Two queries (events and the people named)."""
    events = list(issue.events.order_by("pgh_id"))
    people_ids = {(e.pgh_context or {}).get("user") for e in events} | {
        e.owner_id for e in events}
    people = User.objects.in_bulk([i for i in people_ids if isinstance(i, int)])
    entries, before = [], None
    for event in events:
        changes = [(label, _shown(name, before, people), _shown(name, event, people))
                   for name, label in _history_labels()
                   if before is not None and _raw(name, before) != _raw(name, event)]
        if before is None or changes:
            user_id = (event.pgh_context or {}).get("user")
            entries.append(HistoryEntry(at=event.pgh_created_at, by=people.get(user_id),
                                        what="Raised" if before is None else "Changed",
                                        changes=changes))
        before = event
    return entries[::-1]


def _history_labels():
    for name in HISTORY_FIELDS:
        yield name, str(Issue._meta.get_field(name).verbose_name).capitalize()


def _raw(name, event):
    model_field = Issue._meta.get_field(name)
    return getattr(event, model_field.attname)


def _shown(name, event, people) -> str:
    value = _raw(name, event)
    if value in (None, ""):
        return "None"
    if name == "owner":
        return str(people.get(value, "someone"))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, date):
        return f"{value:%-d %B %Y}"
    choices = dict(Issue._meta.get_field(name).flatchoices)
    return str(choices.get(value, value))
