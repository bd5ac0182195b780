"""The debrief's working parts that span several apps' models."""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Team
from caseload.models import Case, Contact, Hold, Person, WhatMatters
from debriefs.models import Activity, Attendance, Debrief, Entry, Stroke


def debrief_start(*, team: Team, by) -> Debrief:
    """Today's debrief for the team, started now unless someone already has. The team's
    members are listed for attendance; whoever starts it is present."""
    today = timezone.localdate()
    try:
        with transaction.atomic():
            debrief, created = Debrief.objects.get_or_create(
                team=team, held_on=today, defaults={"started_by": by})
    except IntegrityError:  # two people pressed Start at the same moment
        debrief, created = Debrief.objects.get(team=team, held_on=today), False
    if created:
        members = team.members.filter(is_active=True)
        Attendance.objects.bulk_create(
            [Attendance(debrief=debrief, user=m, present=m.pk == by.pk) for m in members])
    return debrief


def previous_debrief(debrief: Debrief) -> Debrief | None:
    return (Debrief.objects.filter(team=debrief.team_id, held_on__lt=debrief.held_on)
            .order_by("-held_on").first())


@dataclass
class Row:
    case: Case
    entry: Entry | None
    is_new: bool


def debrief_people(debrief: Debrief, *, since) -> list[Row]:
    """The team's open cases: those with something new since `since` first (contacts,
    purchases, advice flags, holds due), then those not discussed for longest.

    Runs a fixed number of queries whatever the number of cases.
    """
    today = debrief.held_on
    new_contacts = Contact.objects.filter(case=OuterRef("pk"))
    if since:
        new_contacts = new_contacts.filter(happened_at__date__gt=since)
    discussed = Entry.objects.filter(case=OuterRef("pk"), debrief__held_on__lt=today).exclude(
        progress=Entry.Progress.NOT_DISCUSSED)
    cases = (
        Case.objects.open().filter(team=debrief.team_id)
        .annotate(
            contacts_since=Subquery(new_contacts.values("case").annotate(n=Count("pk"))
                                    .values("n")[:1]),
            latest_contact=Subquery(new_contacts.order_by("-happened_at")
                                    .values("what_happened")[:1]),
            what_matters_now=Subquery(WhatMatters.objects.filter(case=OuterRef("pk"))
                                      .order_by("-written_at", "-pk").values("what_matters")[:1]),
            hold_due=Exists(Hold.objects.due_for_review(today).filter(case=OuterRef("pk"))),
            last_discussed=Subquery(discussed.order_by("-debrief__held_on")
                                    .values("debrief__held_on")[:1]),
            **_purchase_annotations(since),
        )
        .select_related("lead")
        .prefetch_related(Prefetch("people", queryset=Person.objects.filter(
            relationship=Person.Relationship.MAIN)))
    )
    entries = {e.case_id: e for e in debrief.entries.select_related("updated_by")}
    rows = []
    for case in cases:
        is_new = bool(case.contacts_since or case.purchases_since or case.advice_asked
                      or case.hold_due)
        rows.append(Row(case, entries.get(case.pk), is_new))
    rows.sort(key=lambda r: (not r.is_new, r.case.last_discussed or today.replace(year=1),
                             r.case.number))
    return rows


def _purchase_annotations(since) -> dict:
    from purchases.models import Purchase  # debriefs builds on purchases

    spend = Purchase.objects.filter(case=OuterRef("pk"), voided=False)
    if since:
        spend = spend.filter(date__gt=since)
    return {
        "purchases_since": Coalesce(Subquery(spend.values("case").annotate(n=Count("pk"))
                                             .values("n")[:1]), 0),
        "advice_asked": Exists(Purchase.objects.filter(case=OuterRef("pk"), advice_asked=True,
                                                       advice_given="", voided=False)),
    }


def tallies(team: Team, debrief: Debrief) -> list[Activity]:
    """Each of the team's activities with today's and running stroke counts. One query."""
    return list(Activity.objects.filter(team=team).annotate(
        today=Count("strokes", filter=Q(strokes__debrief=debrief)),
        running=Count("strokes"),
    ).order_by("-running", "name"))


def stroke_add(*, debrief: Debrief, activity: Activity, by) -> Stroke:
    return Stroke.objects.create(debrief=debrief, activity=activity, added_by=by)


class StaleEntry(Exception):
    def __init__(self, current: Entry):
        super().__init__("The entry changed since it was loaded")
        self.current = current


def entry_save(*, debrief: Debrief, case: Case, progress: str, note: str, version: int | None,
               by) -> Entry:
    """Save "is this working?" for a case. `version` is what the writer last saw (None for a
    new entry); if someone else saved since, raise StaleEntry and change nothing."""
    with transaction.atomic():
        entry = (Entry.objects.select_for_update().select_related("updated_by")
                 .filter(debrief=debrief, case=case).first())
        if entry is None:
            if version:
                raise StaleEntry(Entry(debrief=debrief, case=case))
            try:
                with transaction.atomic():
                    return Entry.objects.create(debrief=debrief, case=case, progress=progress,
                                                note=note, updated_by=by)
            except IntegrityError:  # someone created it a moment ago
                raise StaleEntry(Entry.objects.select_related("updated_by").get(
                    debrief=debrief, case=case)) from None
        if version != entry.version:
            raise StaleEntry(entry)
        Entry.objects.filter(pk=entry.pk).update(progress=progress, note=note, updated_by=by,
                                                 updated_at=timezone.now(),
                                                 version=F("version") + 1)
        entry.refresh_from_db()
        return entry

