"""The daily debrief: progress against what matters, issues and successes, and welfare."""

import pghistory
import pgtrigger
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import Team
from accounts.stamps import moved_by_writes
from caseload.models import Case


class DebriefQuerySet(models.QuerySet):
    def for_user(self, user):
        """Debriefs of the user's teams (every team's for those who see all teams)."""
        if user.has_perm("accounts.see_all_teams"):
            return self
        if user.has_perm("accounts.work_cases"):
            return self.filter(team__in=user.team_ids)  # read with the user's access
        return self.none()


# An entry's case's team, unless the entry is of that team's latest debrief (see Entry).
ENTRY_STAMP = ("(SELECT 'caseload:' || c.team_id FROM caseload_case c "
               "WHERE c.id = written.case_id AND written.held_on < "
               "(SELECT max(later.held_on) FROM debriefs_debrief later "
               "WHERE later.team_id = c.team_id))")


@pghistory.track()
class Debrief(models.Model):
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="debriefs")
    held_on = models.DateField(default=timezone.localdate)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    started_at = models.DateTimeField(default=timezone.now)
    reflection = models.TextField("Debrief the debrief", max_length=5000, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+", null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = DebriefQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on"]
        constraints = [
            models.UniqueConstraint(fields=["team", "held_on"], name="debrief_one_per_team_day"),
        ]
        triggers = [
            # A debrief keeps its day: its entries carry a copy of it (Entry.held_on).
            pgtrigger.Protect(name="debrief_day_fixed", operation=pgtrigger.Update,
                              condition=pgtrigger.Q(old__held_on__df=pgtrigger.F("new__held_on"))),
            # A debrief stays with its team, as its entries' stamps assume (Entry).
            pgtrigger.Protect(name="debrief_team_fixed", operation=pgtrigger.Update,
                              condition=pgtrigger.Q(old__team_id__df=pgtrigger.F("new__team_id"))),
            # See Entry's caseload stamp: wait for anyone saving an entry of the debrief
            # that was the team's latest until now (not for the rows that refer to it).
            pgtrigger.Trigger(
                name="debrief_waits_for_latest_entries", when=pgtrigger.After,
                operation=pgtrigger.Insert,
                func="PERFORM 1 FROM debriefs_debrief WHERE team_id = NEW.team_id AND "
                     "id <> NEW.id ORDER BY held_on DESC LIMIT 1 FOR NO KEY UPDATE; "
                     "RETURN NULL;"),
        ]

    def __str__(self):
        return f"{self.team} debrief, {self.held_on:%-d %B %Y}"

    def get_absolute_url(self):
        return reverse("debriefs:debrief-detail", args=[self.pk])

    @property
    def is_closed(self):
        return self.closed_at is not None

    def close(self, *, by, reflection: str):
        self.reflection = reflection
        if not self.is_closed:
            self.closed_at, self.closed_by = timezone.now(), by
        self.version += 1
        self.save()


class Attendance(models.Model):
    debrief = models.ForeignKey(Debrief, on_delete=models.CASCADE, related_name="attendance")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    present = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["debrief", "user"], name="attendance_once"),
        ]

    def __str__(self):
        return f"{self.user} {'present' if self.present else 'away'}"


@pghistory.track()
class Entry(models.Model):
    """"Is this working?" for one person at one debrief."""

    class Progress(models.TextChoices):
        WORKING = "working", "Working"
        NOT_YET = "not_yet", "Not yet"
        STUCK = "stuck", "Stuck"
        NOT_DISCUSSED = "not_discussed", "Not discussed"

    debrief = models.ForeignKey(Debrief, on_delete=models.CASCADE, related_name="entries")
    # The debrief's day (set on save, and by the trigger below for any other writer; the
    # debrief's own trigger keeps its day fixed): a case's last discussion is one index probe.
    held_on = models.DateField(editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="debrief_entries")
    progress = models.CharField(max_length=15, choices=Progress.choices)
    note = models.CharField(max_length=200, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-held_on"]
        verbose_name_plural = "entries"
        constraints = [
            models.UniqueConstraint(fields=["debrief", "case"], name="entry_once_per_case"),
        ]
        indexes = [
            models.Index(fields=["case", "debrief"]),
            models.Index(fields=["case", "-held_on"], name="entry_discussed",
                         condition=~Q(progress="not_discussed")),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="entry_held_on_of_debrief", when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.UpdateOf("debrief_id"),
                func="NEW.held_on := (SELECT held_on FROM debriefs_debrief"
                     " WHERE id = NEW.debrief_id); RETURN NEW;"),
            # A debrief lists who was discussed before its day (debriefs/services.py): an
            # entry of any debrief but the team's latest moves the team's caseload stamp
            # (accounts/stamps.py). The latest's (today's, at the huddle) cannot change an
            # earlier day's list, and a later debrief is a list of its own, read afresh.
            # The entry's debrief is locked first, and a new debrief locks the team's latest
            # (Debrief's trigger), so a debrief started while an entry of the one before is
            # saved waits for it: its list then counts that entry, or the entry moves the stamp
            # (its statement, under READ COMMITTED, sees the debrief it waited for).
            *moved_by_writes("entry_caseload", ENTRY_STAMP, first=(
                "PERFORM 1 FROM debriefs_debrief d WHERE d.id IN (SELECT debrief_id FROM "
                "{written} AS written) ORDER BY d.id FOR SHARE;")),
        ]

    def __str__(self):
        return f"{self.case}: {self.get_progress_display()}"

    def save(self, *args, **kwargs):
        if kwargs.get("update_fields") is None:
            self.held_on = self.debrief.held_on
        super().save(*args, **kwargs)


@pghistory.track()
class Activity(models.Model):
    """A kind of value work, judged for complexity (1 simple – 5 complex)."""

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="activities")
    name = models.CharField(max_length=120)
    complexity = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)])
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "activities"
        constraints = [
            models.UniqueConstraint(fields=["team", "name"], name="activity_unique_name"),
            models.CheckConstraint(condition=Q(complexity__gte=1, complexity__lte=5),
                                   name="activity_complexity_1_to_5"),
        ]

    def __str__(self):
        return self.name


class Stroke(models.Model):
    """One stroke on the five-bar gate: a success, written down."""

    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="strokes")
    debrief = models.ForeignKey(Debrief, on_delete=models.CASCADE, related_name="strokes")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["activity", "debrief"])]

    def __str__(self):
        return f"{self.activity} at {self.debrief}"


class Welfare(models.Model):
    """"How are you finding this?" Seen only by the person and the team's coordinators;
    leaders see the team's trend without names or notes."""

    class Feeling(models.IntegerChoices):
        STRUGGLING = 1, "Struggling"
        HARD = 2, "Finding it hard"
        OK = 3, "OK"
        GOOD = 4, "Good"
        GREAT = 5, "Great"

    debrief = models.ForeignKey(Debrief, on_delete=models.CASCADE, related_name="welfare")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    feeling = models.PositiveSmallIntegerField(choices=Feeling.choices)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["debrief", "user"], name="welfare_once"),
            models.CheckConstraint(condition=Q(feeling__gte=1, feeling__lte=5),
                                   name="welfare_feeling_1_to_5"),
        ]

    def __str__(self):
        return f"Welfare at {self.debrief}"
