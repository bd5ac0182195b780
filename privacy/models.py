"""Records of what the privacy work did: retention runs and subject-access requests.

This app sits above all the others: it reads every app's records about a person.
"""

import calendar
from datetime import date

from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone


class RetentionRun(models.Model):
    """One run of the retention command: when, whether it was a dry run, and what it did.

    `summary` holds counts per record type and the references of tombstoned cases, never names.
    """

    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    dry_run = models.BooleanField()
    summary = models.JSONField(default=dict)
    run_by = models.CharField(max_length=150, help_text="The operating-system or service user")

    class Meta:
        ordering = ["-started_at"]

    def __str__(self):
        kind = "Dry run" if self.dry_run else "Run"
        return f"{kind} at {self.started_at:%Y-%m-%d %H:%M}"


class Tombstone(models.Model):
    """What remains known of a case once its personal details are removed under retention:
    its reference, team and dates, and how many records of each type were anonymised."""

    case = models.OneToOneField("caseload.Case", on_delete=models.PROTECT,
                                related_name="tombstone")
    case_reference = models.CharField(max_length=12)
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="+")
    opened_on = models.DateField()
    closed_on = models.DateField()
    anonymised_at = models.DateTimeField()
    run = models.ForeignKey(RetentionRun, on_delete=models.PROTECT, related_name="tombstones")
    counts = models.JSONField(default=dict, help_text="Records anonymised, per record type")

    class Meta:
        ordering = ["-anonymised_at", "case_reference"]

    def __str__(self):
        return f"Tombstone for {self.case_reference}"


def one_calendar_month_after(day: date) -> date:
    """The same day next month, or that month's last day when it is shorter (a request
    received on 31 January is due on 28 or 29 February)."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class SubjectAccessRequest(models.Model):
    """A person's request for everything held about them, from receipt to release.

    The released bundle is stored as it was released, so every download gives exactly what was
    checked and released, whatever changes in the records afterwards. The case reference is
    kept too, so the request stays on record if the person's records are later removed.
    """

    class Status(models.TextChoices):
        PREPARING = "preparing", "Being prepared"
        RELEASED = "released", "Released"

    person = models.ForeignKey("caseload.Person", on_delete=models.SET_NULL, null=True,
                               related_name="subject_access_requests")
    case_reference = models.CharField(max_length=12)
    received_on = models.DateField("date the request was received")
    due_on = models.DateField(editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREPARING)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    started_at = models.DateTimeField(auto_now_add=True)
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+", null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)
    released_bundle = models.JSONField(null=True, blank=True, editable=False)


    class Meta:
        ordering = ["-received_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="preparing", released_at__isnull=True,
                            released_by__isnull=True, released_bundle__isnull=True)
                | Q(status="released", released_at__isnull=False, released_by__isnull=False,
                    released_bundle__isnull=False),
                name="subject_access_released_says_when_and_by_whom",
            ),
            models.CheckConstraint(condition=Q(due_on__gt=F("received_on")),
                                   name="subject_access_due_after_received"),
        ]

    def __str__(self):
        return f"Subject-access request {self.pk} for {self.case_reference}"

    def save(self, *args, **kwargs):
        self.due_on = one_calendar_month_after(self.received_on)
        super().save(*args, **kwargs)

    @property
    def is_released(self) -> bool:
        return self.status == self.Status.RELEASED

    def withhold(self, *, by, record_type: str, record_id: str, fields: list[str], reason: str):
        """Set what is withheld from one record, replacing what was marked before. No fields
        releases the record in full."""
        with transaction.atomic():
            self.redactions.filter(record_type=record_type, record_id=record_id).delete()
            Redaction.objects.bulk_create(
                Redaction(request=self, record_type=record_type, record_id=record_id,
                          field=field, reason=reason, marked_by=by) for field in fields)

    def get_absolute_url(self):
        return reverse("privacy:request-detail", args=[self.pk])

    def release(self, *, by, bundle: dict):
        """Store the bundle as released, with the request's dates. The caller gathers it and
        takes out what is withheld."""
        self.status = self.Status.RELEASED
        self.released_by, self.released_at = by, timezone.now()
        self.released_bundle = {**bundle, "request": {
            "id": self.pk, "received_on": self.received_on.isoformat(),
            "due_on": self.due_on.isoformat(),
            "released_at": f"{timezone.localtime(self.released_at):%Y-%m-%d %H:%M}"}}
        self.save()


class Redaction(models.Model):
    """A detail withheld from the release: a whole record (field left blank) or one of its
    fields, with the reason (usually that it is about someone else)."""

    request = models.ForeignKey(SubjectAccessRequest, on_delete=models.CASCADE,
                                related_name="redactions")
    record_type = models.CharField(max_length=60, help_text="For example caseload.contact")
    record_id = models.CharField(max_length=40)
    field = models.CharField(max_length=60, blank=True,
                             help_text="Blank when the whole record is withheld")
    reason = models.CharField(max_length=200)
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+")
    marked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["record_type", "record_id", "field"]
        constraints = [
            models.UniqueConstraint(fields=["request", "record_type", "record_id", "field"],
                                    name="redaction_once_per_detail"),
            models.CheckConstraint(condition=Q(reason__regex=r"\S"), name="redaction_has_reason"),
        ]

    def __str__(self):
        what = f"{self.field} of " if self.field else ""
        return f"Withhold {what}{self.record_type} {self.record_id}"
