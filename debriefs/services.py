"""The debrief's working parts that span several apps' models."""

from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.html import escaped
from accounts.models import Team
from accounts.shortcuts import local_midnight
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


PEOPLE_PER_PAGE = 30


@dataclass
class Row:
    """One person in the debrief, with the main person's (name, preferred name) if the case
    has one. The case id as text (`key`) and the names are worked out and escaped once: the
    row is written with a dozen ids and two names."""

    case: Case
    entry: Entry | None
    is_new: bool
    main: tuple[str, str] | None = None
    key: str = ""
    name: str = ""
    short_name: str = ""

    def __post_init__(self):
        self.key = escaped(str(self.case.pk))
        name, preferred = self.main or (self.case.reference, "")
        self.name = escaped(Person.shown_name(name, preferred))
        self.short_name = escaped(preferred or name)


@dataclass
class People:
    """One stretch of the debrief's list of people: `rows` from position `start` (0-based) of
    `total` open cases."""

    rows: list[Row]
    start: int
    total: int

    @property
    def end(self) -> int:
        return self.start + len(self.rows)

    @property
    def next_start(self) -> int | None:
        return self.end if self.end < self.total else None


def _new_contacts(since):
    """A case's contacts after the day `since` (all of them when None), as a comparison of
    `happened_at` with the next local midnight, so that the index on (case, happened_at)
    serves it."""
    contacts = Contact.objects.filter(case=OuterRef("pk"))
    if since:
        contacts = contacts.filter(happened_at__gte=local_midnight(since + timedelta(days=1)))
    return contacts


def _discussed(today):
    """A case's entries at earlier debriefs where it was talked about."""
    return Entry.objects.filter(case=OuterRef("pk"), held_on__lt=today).exclude(
        progress=Entry.Progress.NOT_DISCUSSED)


def debrief_people(debrief: Debrief, *, since, start: int = 0,
                   size: int = PEOPLE_PER_PAGE) -> People:
    """`size` of the team's open cases from position `start`, in the debrief's order: those
    with something new since `since` first (contacts, purchases, advice flags, holds due),
    then those not discussed for longest (never discussed first), then by case number; with
    what is new for each and today's entry.

    Four queries whatever the number of cases: the count, the page's cases, their main people
    and today's entries. The order needs an indexed EXISTS or single-row lookup per open case;
    PostgreSQL works out the rest of each row's details only for the rows on the page (they
    are not sort keys, so it evaluates them after the sort and the limit).
    """
    today = debrief.held_on
    new_contacts, discussed = _new_contacts(since), _discussed(today)
    spend, advice = _purchase_filters(since, debrief.team_id)
    hold_due = Exists(Hold.objects.due_for_review(today).filter(case=OuterRef("pk")))
    total = Case.objects.open().filter(team=debrief.team_id).count()
    cases = list(
        Case.objects.open().filter(team=debrief.team_id)
        .annotate(
            is_new=ExpressionWrapper(Q(Exists(new_contacts)) | Q(Exists(spend))
                                     | Q(Exists(advice)) | Q(hold_due),
                                     output_field=BooleanField()),
            last_discussed=Subquery(discussed.order_by("-held_on").values("held_on")[:1]),
            contacts_since=Subquery(new_contacts.values("case").annotate(n=Count("pk"))
                                    .values("n")[:1]),
            latest_contact=Subquery(new_contacts.order_by("-happened_at")
                                    .values("what_happened")[:1]),
            what_matters_now=Subquery(WhatMatters.objects.filter(case=OuterRef("pk"))
                                      .order_by("-written_at", "-pk").values("what_matters")[:1]),
            hold_due=hold_due,
            advice_asked=Exists(advice),
            purchases_since=Coalesce(Subquery(spend.values("case").annotate(n=Count("pk"))
                                              .values("n")[:1]), 0),
        )
        .order_by(F("is_new").desc(), F("last_discussed").asc(nulls_first=True), "number")
        .select_related("lead")
        [start:start + size])
    if not cases:
        return People([], start, total)
    entries = {e.case_id: e for e in debrief.entries.filter(case__in=cases)
               .select_related("updated_by")}
    names = Person.objects.main_names(cases)
    return People([Row(case, entries.get(case.pk), case.is_new, names.get(case.pk))
                   for case in cases], start, total)


def _purchase_filters(since, team_id):
    """A case's purchases since `since`, and those waiting for advice. Both name the team (a
    purchase's team is its case's): PostgreSQL reads each set once, for the whole list, and
    read every team's (1,150 and 10,000 purchases at a large council) before."""
    from purchases.models import Purchase  # debriefs builds on purchases

    spend = Purchase.objects.filter(team=team_id, case=OuterRef("pk"), voided=False)
    if since:
        spend = spend.filter(date__gt=since)
    advice = Purchase.objects.awaiting_advice().filter(team=team_id, case=OuterRef("pk"))
    return spend, advice


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
    new entry); if someone else saved since, raise StaleEntry and change nothing.

    Kept lean, as it runs at every keypress of the debrief: a new entry is one INSERT (its
    unique constraint catches a simultaneous first save); a change locks the entry's row, checks
    the version and updates it (two queries)."""
    if not version:
        try:
            with transaction.atomic():
                return Entry.objects.create(debrief=debrief, case=case, progress=progress,
                                            note=note, updated_by=by)
        except IntegrityError:  # someone saved it first, or a moment ago
            raise StaleEntry(Entry.objects.select_related("updated_by").get(
                debrief=debrief, case=case)) from None
    with transaction.atomic():
        entry = (Entry.objects.select_for_update(of=("self",))
                 .filter(debrief=debrief, case=case).first())
        if entry is None:
            raise StaleEntry(Entry(debrief=debrief, case=case))
        if version != entry.version:
            raise StaleEntry(entry)
        entry.progress, entry.note, entry.updated_by = progress, note, by
        entry.version += 1  # the row is locked: nobody else can change it meanwhile
        entry.save(update_fields=["progress", "note", "updated_by", "updated_at", "version"])
        return entry
