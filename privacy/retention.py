"""Retention: anonymise what is past its retention period, live and in the audit trail.

A case closed more than `settings.RETENTION["closed_case_years"]` whole years ago loses
everything that says who the person is or what their life is like: names, date of birth,
contact details and every free-text note, in the case and all its records, and in every earlier
version of those records in the history (pghistory event) tables. Receipt files are deleted
from storage. What the learning pages and the audit need stays: amounts, dates, categories,
kinds, statuses, who on the team did what, and the case reference. Names of the case's people
are also taken out of the issues the case is an example of, and out of the reflections of the
debriefs that discussed it, whose other text is about the system, not the person. Released
subject-access bundles for the case keep their shape but lose every value and reason.

A `Tombstone` records each anonymised case. The work runs through the `owner` connection,
because the runtime role may only add to the history tables, never change them.
"""

import json
import logging
import re
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import date

import pgtrigger
from django.conf import settings
from django.db import connections, models, transaction
from django.db.models import Q, Value, When
from django.utils import timezone

from caseload.models import (
    Case,
    Contact,
    Debt,
    EnforcementDecision,
    Hold,
    Outcome,
    Person,
    Pull,
    WhatMatters,
)
from debriefs.models import Debrief, Entry
from issues.models import Issue, IssueUpdate
from privacy.models import Redaction, RetentionRun, SubjectAccessRequest, Tombstone
from purchases.models import Purchase

logger = logging.getLogger(__name__)

MARKER = "[removed under retention]"
RECEIPT_REMOVED = "[receipt removed under retention]"


def owner_alias() -> str:
    """The connection retention writes through: the table owner's, when it is configured."""
    return "owner" if "owner" in settings.DATABASES else "default"


def retention_cutoff(today: date, years: int) -> date:
    """The last closure date that is past retention on `today`: the same day `years` earlier
    (28 February for 29 February)."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


@dataclass(frozen=True)
class Target:
    """A kind of record held about a case, and its fields that identify or describe the
    person. `marked` free text becomes MARKER (empty stays empty), `nulled` becomes NULL."""

    model: type[models.Model]
    marked: tuple[str, ...]
    nulled: tuple[str, ...] = ()
    emptied: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    def records(self, case: Case, using: str):
        if self.model is Case:
            return Case.objects.using(using).filter(pk=case.pk)
        return self.model._default_manager.using(using).filter(case=case)

    def events(self, case: Case, record_ids: list, using: str):
        """Every stored version of the case's records, including versions of records since
        deleted or moved to another case (the event row keeps the case it had then)."""
        event_model = getattr(self.model, "pgh_event_model", None)  # None if untracked
        if event_model is None:
            return None
        events = event_model.objects.using(using)
        if self.model is Case:
            return events.filter(pgh_obj_id=case.pk)
        return events.filter(Q(pgh_obj_id__in=record_ids) | Q(case_id=case.pk))

    def changes(self) -> dict:
        """The UPDATE's new values. Each is computed from the row's old values."""
        values = {name: models.Case(When(Q(**{name: ""}) | Q(**{f"{name}__isnull": True}),
                                         then=models.F(name)), default=Value(MARKER),
                                  output_field=models.TextField())
                  for name in self.marked}
        values.update({name: None for name in self.nulled})
        values.update({name: "" for name in self.emptied})
        if self.model is Purchase:
            # The receipt file goes; that there was one is kept in the no-receipt reason.
            values["no_receipt_reason"] = models.Case(
                When(~Q(receipt="") & Q(receipt__isnull=False), then=Value(RECEIPT_REMOVED)),
                When(Q(no_receipt_reason="") | Q(no_receipt_reason__isnull=True),
                     then=models.F("no_receipt_reason")),
                default=Value(MARKER), output_field=models.TextField())
            values["receipt"] = ""
        return values


TARGETS = [
    Target(Case, marked=("closing_note",)),
    Target(Person, marked=("name", "preferred_name", "phone", "email", "address"),
           nulled=("date_of_birth",), emptied=("phone_digits",)),
    Target(WhatMatters, marked=("what_matters", "good_life", "what_we_can_do")),
    Target(Contact, marked=("what_happened", "what_we_did", "next_step")),
    Target(Pull, marked=("who", "what_for")),
    Target(Debt, marked=("creditor_name", "notes")),
    Target(Hold, marked=("reason", "decision_note", "end_reason")),
    Target(EnforcementDecision, marked=("should_we",)),
    Target(Outcome, marked=("note",)),
    # The merchant is kept, but for the people's names (SCRUBBED below): it names a business,
    # and the spend reports and audit need it.
    Target(Purchase, marked=("purpose", "plan_proportionate_reason", "plan_legal_reason",
                             "plan_auditable_reason", "plan_necessary_reason", "advice_given",
                             "review_note", "query_answer", "void_reason")),
    Target(Entry, marked=("note",)),
]

# Records about the system rather than the person: only the person's names are taken out.
SCRUBBED = [(Issue, ("title", "description", "countermeasure", "system_change",
                     "closure_note")),
            (IssueUpdate, ("text",)),
            (Debrief, ("reflection",)),
            # The merchant names a business, kept for spend reports and audit; but it is typed
            # by the worker ("Taxi for Jo"), so the case's people's names are taken out of it.
            (Purchase, ("merchant",))]


def cases_past_retention(*, today: date | None = None, years: int | None = None,
                         using: str | None = None):
    """Closed cases whose closure is past retention and that are not anonymised yet."""
    years = settings.RETENTION["closed_case_years"] if years is None else years
    cutoff = retention_cutoff(today or timezone.localdate(), years)
    return (Case.objects.using(using or owner_alias())
            .filter(status=Case.Status.CLOSED, closed_on__lte=cutoff, tombstone__isnull=True)
            .order_by("closed_on", "pk"))


def _name_pattern(case: Case, using: str) -> re.Pattern | None:
    """The case's people's names, preferred names, phone numbers and email addresses as one
    pattern, from the live records and every earlier version (a corrected name is a name too).
    Single names of three letters or more match on their own."""
    fields = ("name", "preferred_name", "phone", "email")
    rows = [*Person.objects.using(using).filter(case=case).values_list(*fields)]
    events = Person.pgh_event_model
    rows += events.objects.using(using).filter(case_id=case.pk).values_list(*fields)
    terms = set()
    for name, preferred, phone, email in rows:
        for value in (name, preferred, phone, email):
            if value and value.strip() and value != MARKER:
                terms.add(value.strip())
        for value in (name, preferred):
            terms.update(part for part in re.split(r"[\s,]+", value or "")
                         if len(part) >= 3 and part != MARKER)
    if not terms:
        return None
    alternatives = "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def _scrub_rows(queryset, fields: tuple[str, ...], pattern: re.Pattern) -> int:
    """Take the names out of the rows' text, one UPDATE per row that holds any. Returns the
    number of rows changed."""
    changed = 0
    for row in queryset.values("pk", *fields):
        new = {name: pattern.sub(MARKER, row[name]) for name in fields if row[name]}
        new = {name: value for name, value in new.items() if value != row[name]}
        if new:
            queryset.model._base_manager.using(queryset.db).filter(pk=row["pk"]).update(**new)
            changed += 1
    return changed


def _related_scrub_targets(case: Case, using: str) -> list:
    """(model, rows, fields) for the issue, issue-update and debrief rows, live and earlier
    versions, that may name the case's people."""
    issue_ids = list(Issue.objects.using(using).filter(cases=case).values_list("pk", flat=True))
    entry_events = Entry.pgh_event_model.objects.using(using).filter(case_id=case.pk)
    debrief_ids = {*Entry.objects.using(using).filter(case=case).values_list("debrief_id",
                                                                             flat=True),
                   *entry_events.values_list("debrief_id", flat=True)}
    purchase_ids = list(Purchase.objects.using(using).filter(case=case)
                        .values_list("pk", flat=True))
    rows = {Issue: {"pk__in": issue_ids}, IssueUpdate: {"issue_id__in": issue_ids},
            Debrief: {"pk__in": debrief_ids}, Purchase: {"pk__in": purchase_ids}}
    targets = []
    for model, fields in SCRUBBED:
        targets.append((model, model._base_manager.using(using).filter(**rows[model]), fields))
        events = getattr(model, "pgh_event_model", None)  # None if untracked
        if events is not None:
            versions = events.objects.using(using).filter(pgh_obj_id__in=rows[model]["pk__in"])
            targets.append((events, versions, fields))
    return targets


def _subject_access_requests(case: Case, using: str):
    return SubjectAccessRequest.objects.using(using).filter(
        Q(case_reference=case.reference) | Q(person__case=case))


def _marked_bundle(node):
    """A released bundle with the same shape (so it still opens) and every field value and
    withholding reason replaced. Headings, titles and labels never hold free text."""
    if isinstance(node, list):
        return [_marked_bundle(child) for child in node]
    if isinstance(node, dict):
        return {key: MARKER if key in ("value", "reason") and value else _marked_bundle(value)
                for key, value in node.items()}
    return node


def _clear_subject_access(case: Case, using: str) -> int:
    """Clear the copies of the case's records that subject-access requests released, and the
    reasons things were withheld (they may name someone else). Returns how many requests."""
    requests = list(_subject_access_requests(case, using).values_list("pk", "released_bundle"))
    for pk, bundle in requests:
        if bundle is not None:
            SubjectAccessRequest.objects.using(using).filter(pk=pk).update(
                released_bundle=_marked_bundle(bundle))
    Redaction.objects.using(using).filter(request_id__in=[pk for pk, _ in requests]).update(
        reason=MARKER)
    return len(requests)


def _receipt_names(case: Case, using: str) -> set[str]:
    """Every receipt file the case's purchases have had, including replaced ones."""
    purchases = Purchase.objects.using(using).filter(case=case)
    ids = list(purchases.values_list("pk", flat=True))
    events = Purchase.pgh_event_model.objects.using(using).filter(
        Q(pgh_obj_id__in=ids) | Q(case_id=case.pk))
    names = {*purchases.values_list("receipt", flat=True), *events.values_list("receipt",
                                                                                 flat=True)}
    return {name for name in names if name}


def _set_history_context(using: str, run: RetentionRun):
    """Mark the events the anonymising updates add, for the rest of this transaction.
    `pghistory.context` only reaches the default connection, so this sets its two variables
    on the owner connection directly, as it would."""
    metadata = json.dumps({"retention": True, "retention_run": run.pk})
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT set_config('pghistory.context_id', %s, true), "
                       "set_config('pghistory.context_metadata', %s, true)",
                       [str(uuid.uuid4()), metadata])


def count_for_case(case: Case, using: str) -> Counter:
    """How many records and earlier versions of each type the case has. Reads only."""
    counts = Counter()
    for target in TARGETS:
        records = target.records(case, using)
        ids = list(records.values_list("pk", flat=True))
        counts[target.label] = len(ids)
        events = target.events(case, ids, using)
        if events is not None:
            counts[f"{target.label} history"] = events.count()
    counts["subject-access requests"] = _subject_access_requests(case, using).count()
    counts["receipt files"] = len(_receipt_names(case, using))
    return counts


def anonymise_case(case: Case, *, run: RetentionRun, cutoff: date,
                   using: str) -> Counter | None:
    """Anonymise one case and all its records, live and in history, and leave a tombstone.
    One transaction: all of it or none. Receipt files are deleted once it has committed.
    Returns None if the case is no longer due (reopened or anonymised meanwhile)."""
    with transaction.atomic(using=using):
        case = (Case.objects.using(using).select_for_update(of=("self",))
                .filter(pk=case.pk, status=Case.Status.CLOSED, closed_on__lte=cutoff,
                        tombstone__isnull=True).first())
        if case is None:
            return None
        _set_history_context(using, run)
        counts = Counter()
        receipts = _receipt_names(case, using)
        pattern = _name_pattern(case, using)  # before the names are replaced
        for target in TARGETS:
            records = target.records(case, using)
            ids = list(records.values_list("pk", flat=True))
            counts[target.label] = records.update(**target.changes())
            events = target.events(case, ids, using)
            if events is not None:
                counts[f"{target.label} history"] = events.update(**target.changes())
        if pattern is not None:
            with pgtrigger.ignore("issues.IssueUpdate:issue_update_append_only",
                                  databases=[using]):
                for model, rows, fields in _related_scrub_targets(case, using):
                    changed = _scrub_rows(rows, fields, pattern)
                    if changed:
                        counts[f"{model._meta.label_lower} names"] = changed
        counts["subject-access requests"] = _clear_subject_access(case, using)
        counts["receipt files"] = len(receipts)
        Tombstone.objects.using(using).create(
            case=case, case_reference=case.reference, team_id=case.team_id,
            opened_on=case.opened_on, closed_on=case.closed_on, anonymised_at=timezone.now(),
            run=run, counts=dict(counts))
        transaction.on_commit(lambda: _delete_receipts(case.reference, receipts), using=using)
    return counts


def _delete_receipts(reference: str, names: set[str]):
    """Delete the files once the anonymising has committed. A file that cannot be deleted is
    logged (by count) for someone to remove by hand; the case stays anonymised."""
    storage = Purchase._meta.get_field("receipt").storage
    failed = 0
    for name in names:
        try:
            storage.delete(name)
        except OSError:
            failed += 1
    if failed:
        logger.error("Could not delete %d receipt files of case %s", failed, reference)


def apply_retention(*, dry_run: bool, run_by: str, today: date | None = None,
                    using: str | None = None) -> RetentionRun:
    """Anonymise every case past retention (or, with `dry_run`, only count what would go) and
    record the run. A case that fails is left as it was and named in the summary; the others
    go ahead. Logs references and counts, never personal details."""
    using = using or owner_alias()
    years = settings.RETENTION["closed_case_years"]
    today = today or timezone.localdate()
    cutoff = retention_cutoff(today, years)
    run = RetentionRun.objects.using(using).create(dry_run=dry_run, run_by=run_by)
    totals, done, failed = Counter(), [], []
    for case in cases_past_retention(today=today, years=years, using=using):
        if dry_run:
            counts = count_for_case(case, using)
        else:
            try:
                counts = anonymise_case(case, run=run, cutoff=cutoff, using=using)
            except Exception as error:  # the other cases still go ahead
                # Only the error's type: a database error's message can quote the row.
                logger.error("Retention failed for case %s: %s", case.reference,
                             type(error).__name__)
                failed.append(case.reference)
                continue
            if counts is None:
                continue
        done.append(case.reference)
        totals.update(counts)
        logger.info("%s case %s: %s", "Would anonymise" if dry_run else "Anonymised",
                    case.reference, _describe(counts))
    run.summary = {"closed_case_years": years, "closed_on_or_before": cutoff.isoformat(),
                   "cases": done, "failed": failed,
                   "counts": {label: n for label, n in sorted(totals.items()) if n}}
    run.finished_at = timezone.now()
    run.save(using=using, update_fields=["summary", "finished_at"])
    logger.info("Retention %s: %d cases %s, %d failed. %s", "dry run" if dry_run else "run",
                len(done), "due" if dry_run else "anonymised", len(failed), _describe(totals))
    return run


def _describe(counts: Counter) -> str:
    return ", ".join(f"{label} {n}" for label, n in sorted(counts.items()) if n) or "nothing"
