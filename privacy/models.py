"""Records of what the privacy work did: retention runs and subject-access requests.

This app sits above all the others: it reads every app's records about a person.
"""

from django.db import models


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
