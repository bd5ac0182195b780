"""The issue log: what the front line could not do, at three levels (method, system, macro),
each with an owner, a countermeasure for now and the system change wanted for the new normal.
Together they are the record of the points of leverage in the system."""

from datetime import date, timedelta

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import Team
from caseload.models import Case

ONE_LINE = 200
LONG_TEXT = 5000
AGEING_DAYS = (14, 30, 90)  # "open for more than ... days", as the leader grid counts them


class StaleIssue(Exception):
    """The issue changed since the person's form was loaded; nothing was saved."""

    def __init__(self, current: "Issue"):
        super().__init__("The issue changed since it was loaded")
        self.current = current


class IssueQuerySet(models.QuerySet):
    def for_user(self, user):
        """Issues within the user's reach: every team's for leaders and readers, their own
        teams' for caseworkers and coordinators, none for anyone else."""
        if user.has_perm("accounts.see_all_teams") or user.has_perm("accounts.read_issues"):
            return self
        if user.has_perm("accounts.work_cases"):
            return self.filter(team__in=user.team_ids)  # read with the user's access
        return self.none()

    def open(self):
        return self.filter(status=Issue.Status.OPEN)

    def new_normal(self):
        """Closed because the system change was made."""
        return self.filter(status=Issue.Status.CLOSED, closure=Issue.Closure.SYSTEM_CHANGE)

    def open_longer_than(self, days: int, today: date | None = None):
        return self.open().filter(raised_on__lt=(today or timezone.localdate()) - timedelta(days))

    def filtered(self, *, status: str = "open", level: int | None = None,
                 owner_level: str | None = None, category: str | None = None, team=None,
                 older_than: int | None = None, today: date | None = None):
        """The issue log's filters. "Open for more than N days" implies open."""
        issues = self if status == "all" else self.filter(status=status)
        if older_than:
            issues = issues.open_longer_than(older_than, today)
        extra = {"level": level, "owner_level": owner_level, "category": category, "team": team}
        return issues.filter(**{name: value for name, value in extra.items() if value})

    def with_case_count(self):
        return self.annotate(case_count=Count("cases", distinct=True))

    def oldest_open_first(self):
        """Open before closed, then by age: what has waited longest comes first."""
        return self.order_by("-status", "raised_on", "pk")  # "open" sorts after "closed"


@pghistory.track()
class Issue(models.Model):
    """Something the team could not do, or struggled with, and what is being done about it."""

    class Level(models.IntegerChoices):
        METHOD = 1, "Method"
        SYSTEM = 2, "System"
        MACRO = 3, "Macro"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    class OwnerLevel(models.TextChoices):
        TEAM = "team", "Team"
        LEADERSHIP = "leadership", "Leadership"
        GOVERNMENT = "government", "Government"

    class Category(models.TextChoices):
        RULE = "rule", "Rule or policy"
        ELIGIBILITY = "eligibility", "Eligibility"
        ROLE = "role", "Role or structure"
        IT = "it", "IT"
        MEASURES = "measures", "Measures and targets"
        PROCESS = "process", "Process"
        LAW = "law", "Regulation or law"
        FUNDING = "funding", "Funding"

    class Closure(models.TextChoices):
        SYSTEM_CHANGE = "system_change", "System change made"
        COUNTERMEASURE = "countermeasure", "The countermeasure became the normal way"
        DROPPED = "dropped", "Dropped"
        RAISED_IN_ERROR = "raised_in_error", "Raised in error"

    title = models.CharField(max_length=ONE_LINE)
    description = models.TextField(max_length=LONG_TEXT, blank=True)
    level = models.PositiveSmallIntegerField(choices=Level.choices)
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.OPEN)
    owner_level = models.CharField("owner level", max_length=10, choices=OwnerLevel.choices,
                                   default=OwnerLevel.TEAM)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                              blank=True, related_name="owned_issues",
                              verbose_name="who follows it up")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="issues",
                             help_text="The team that raised it")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+")
    raised_on = models.DateField(default=timezone.localdate)
    cases = models.ManyToManyField(Case, related_name="issues", blank=True,
                                   verbose_name="case examples")
    countermeasure = models.TextField("countermeasure (what we do now)", max_length=LONG_TEXT,
                                      blank=True)
    system_change = models.TextField("system change (the new normal)", max_length=LONG_TEXT,
                                     blank=True)
    category = models.CharField("what kind of thing is in the way", max_length=12,
                                choices=Category.choices, blank=True)
    law_or_rule_in_way = models.BooleanField("a law or rule got in the way", default=False)
    closure = models.CharField("what happened", max_length=16, choices=Closure.choices,
                               blank=True)
    closure_note = models.TextField("what changed", max_length=LONG_TEXT, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = IssueQuerySet.as_manager()

    class Meta:
        ordering = ["-status", "raised_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(level__in=[1, 2, 3]), name="issue_level_known"),
            models.CheckConstraint(condition=Q(owner_level__in=["team", "leadership",
                                                                "government"]),
                                   name="issue_owner_level_known"),
            models.CheckConstraint(
                condition=Q(status="open", closure="", closed_on__isnull=True)
                | (Q(status="closed", closed_on__isnull=False)
                   & Q(closure__in=["system_change", "countermeasure", "dropped",
                                    "raised_in_error"])
                   & ~Q(closure_note="")),
                name="issue_closed_says_what_changed",
            ),
            models.CheckConstraint(condition=~Q(closure="system_change") | ~Q(system_change=""),
                                   name="issue_system_change_made_is_described"),
            models.CheckConstraint(condition=~Q(title=""), name="issue_has_title"),
        ]
        indexes = [
            models.Index(fields=["status", "raised_on"]),
            models.Index(fields=["team", "status"]),
            models.Index(fields=["level", "owner_level", "status"]),
        ]
        triggers = [
            pgtrigger.Protect(name="issue_never_deleted", operation=pgtrigger.Delete),
        ]

    def __str__(self):
        return f"Issue #{self.pk}: {self.title}"

    def get_absolute_url(self):
        return reverse("issues:issue-detail", args=[self.pk])

    @property
    def is_open(self):
        return self.status == self.Status.OPEN

    @property
    def age_days(self) -> int:
        end = self.closed_on or timezone.localdate()
        return (end - self.raised_on).days

    # Verbs. Each takes the version the person last saw: if someone else saved since, it
    # raises StaleIssue and writes nothing. Changing the level, owner, owner level or status
    # also writes an automatic update to the thread, in the same transaction.

    def change(self, *, by, version: int, cases: list[Case] | None = None, **fields):
        """Save the given fields (and, when given, the full set of case examples)."""
        with transaction.atomic():
            stored = Issue.objects.select_for_update(of=("self",)).select_related("owner").get(pk=self.pk)
            if stored.version != version:
                raise StaleIssue(stored)
            before = stored._watched()
            for name, value in fields.items():
                setattr(stored, name, value)
            stored.version += 1
            stored.save()
            if cases is not None:
                stored.cases.set(cases)
            lines = stored._changes_since(before)
            if lines:
                stored.updates.create(by=by, text="\n".join(lines), automatic=True)
        for field in self._meta.concrete_fields:
            setattr(self, field.attname, getattr(stored, field.attname))
        self._state.fields_cache.pop("owner", None)

    def close(self, *, by, version: int, closure: str, note: str, system_change: str,
              on: date | None = None):
        self.change(by=by, version=version, status=self.Status.CLOSED, closure=closure,
                    closure_note=note, system_change=system_change,
                    closed_on=on or timezone.localdate())

    def reopen(self, *, by, version: int):
        self.change(by=by, version=version, status=self.Status.OPEN, closure="",
                    closure_note="", closed_on=None)

    def take_ownership(self, *, by, version: int):
        """A leader takes the issue on: it becomes theirs, owned at leadership level."""
        self.change(by=by, version=version, owner=by, owner_level=self.OwnerLevel.LEADERSHIP)

    def add_update(self, *, by, text: str) -> "IssueUpdate":
        return self.updates.create(by=by, text=text)

    def _watched(self) -> dict[str, str]:
        return {"Level": self.get_level_display(), "Owner": str(self.owner or "no one"),
                "Owner level": self.get_owner_level_display(), "status": self.status}

    def _changes_since(self, before: dict[str, str]) -> list[str]:
        """A plain sentence for each watched field that changed."""
        after = self._watched()
        lines = [f"{name} changed from {before[name]} to {after[name]}."
                 for name in ("Level", "Owner", "Owner level") if before[name] != after[name]]
        if before["status"] != after["status"]:
            lines.append(f"Closed: {self.get_closure_display()}. {self.closure_note}"
                         if self.status == self.Status.CLOSED else "Reopened.")
        return lines


class IssueUpdate(models.Model):
    """One entry in the issue's thread: who talked to whom, what was tried. Written by a person,
    or automatically when the level, owner or status changes. Never changed or deleted."""

    issue = models.ForeignKey(Issue, on_delete=models.PROTECT, related_name="updates")
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(max_length=LONG_TEXT)
    automatic = models.BooleanField(default=False)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["issue", "-at"])]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="issue_update_has_text"),
        ]
        triggers = [
            pgtrigger.Protect(name="issue_update_append_only",
                              operation=pgtrigger.Update | pgtrigger.Delete),
        ]

    def __str__(self):
        return f"Update on issue #{self.issue_id} at {self.at:%d %b %Y %H:%M}"
