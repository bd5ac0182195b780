"""The debrief's working parts that span several apps' models."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import (
    BigIntegerField,
    BooleanField,
    Count,
    DateField,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Window,
)
from django.utils import timezone

from accounts.compiled import AnyOf, Batch, Compiled, CompiledObjects, Slot
from accounts.html import escaped
from accounts.models import Team, User
from accounts.shortcuts import local_midnight
from accounts.stamps import kept
from caseload.models import Case, Contact, Hold, Person, WhatMatters
from debriefs.models import Activity, Attendance, Debrief, Entry, Stroke, Welfare
from purchases.models import Purchase


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


def _by_first_name(model):
    """A debrief's rows of `model` (one per person) with each person, by first name."""
    return CompiledObjects(model, lambda: model.objects.filter(
        debrief=Slot("debrief", IntegerField())).order_by("user__first_name", "pk"),
        related=("user",))


ATTENDANCE, WELFARE = _by_first_name(Attendance), _by_first_name(Welfare)


def attendance(debrief: Debrief, batch: Batch | None = None) -> Sequence[Attendance]:
    """Who is listed for the debrief, present or not, by first name. One query, read with
    `batch` if given (accounts/compiled.py), as are the debrief's other parts below."""
    return (batch or Batch()).objects(ATTENDANCE, {"debrief": debrief.pk},
                                      known={"debrief": debrief})


def welfare_answers(debrief: Debrief, batch: Batch | None = None) -> Sequence[Welfare]:
    """Everyone's "how am I finding it" answers to the debrief, by first name. One query."""
    return (batch or Batch()).objects(WELFARE, {"debrief": debrief.pk},
                                      known={"debrief": debrief})


PEOPLE_PER_PAGE = 30


@dataclass
class Row:
    """One open case in the debrief, as the list shows it, read as one row of plain values.
    The case id as text (`key`) and the names are worked out and escaped once: the row is
    written with a dozen ids and two names."""

    pk: int
    reference: str
    lead_first_name: str
    lead_last_name: str
    lead_username: str
    is_new: bool
    last_discussed: date | None
    hold_due: bool
    advice_asked: bool
    what_matters_now: str | None
    contacts_since: int | None
    latest_contact: str | None
    main_name: str | None
    main_preferred_name: str | None
    total: int
    entry: Entry | None = None
    key: str = ""
    lead: str = ""
    name: str = ""
    short_name: str = ""

    def __post_init__(self):
        self.key = escaped(str(self.pk))
        self.lead = User.shown_name(self.lead_first_name, self.lead_last_name, self.lead_username)
        name, preferred = self.main_name or self.reference, self.main_preferred_name or ""
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


def _people_query(*, since: bool):
    """The team's open cases in the debrief's order, with what the list shows of each: the
    columns of Row, in its order. Built once per process for each shape (with or without a
    previous debrief) and run with each debrief's values (`Slot`s: accounts/compiled.py):
    `team`, `today`, and with a previous debrief `after` (the midnight after its day) and
    `since` (its day). The order needs an indexed EXISTS or single-row lookup per open case;
    PostgreSQL works out the rest of each row only for the rows of the page (they are not sort
    keys, so it evaluates them after the sort and the limit)."""
    team, today = Slot("team", IntegerField()), Slot("today", DateField())
    contacts = Contact.objects.filter(case=OuterRef("pk"))
    spend = Purchase.objects.filter(team=team, case=OuterRef("pk"), voided=False)
    if since:
        contacts = contacts.filter(happened_at__gte=Slot("after", DateTimeField()))
        spend = spend.filter(date__gt=Slot("since", DateField()))
    advice = Purchase.objects.awaiting_advice().filter(team=team, case=OuterRef("pk"))
    hold_due = Exists(Hold.objects.due_for_review(today).filter(case=OuterRef("pk")))
    discussed = Entry.objects.filter(case=OuterRef("pk"), held_on__lt=today).exclude(
        progress=Entry.Progress.NOT_DISCUSSED)
    return (
        Case.objects.open().filter(team=team).with_main_names()
        .annotate(
            is_new=ExpressionWrapper(Q(Exists(contacts)) | Q(Exists(spend))
                                     | Q(Exists(advice)) | Q(hold_due),
                                     output_field=BooleanField()),
            last_discussed=Subquery(discussed.order_by("-held_on").values("held_on")[:1]),
            contacts_since=Subquery(contacts.values("case").annotate(n=Count("pk"))
                                    .values("n")[:1]),
            latest_contact=Subquery(contacts.order_by("-happened_at")
                                    .values("what_happened")[:1]),
            what_matters_now=Subquery(WhatMatters.objects.filter(case=OuterRef("pk"))
                                      .order_by("-written_at", "-pk").values("what_matters")[:1]),
            hold_due=hold_due,
            advice_asked=Exists(advice),
            total=Window(Count("pk")),
        )
        .order_by(F("is_new").desc(), F("last_discussed").asc(nulls_first=True), "number")
        .values_list("pk", "reference", "lead__first_name", "lead__last_name",
                     "lead__username", "is_new", "last_discussed", "hold_due", "advice_asked",
                     "what_matters_now", "contacts_since", "latest_contact", "main_name",
                     "main_preferred_name", "total"))


PEOPLE = Compiled(Case, _people_query, label="debrief_people")
# The debrief's entries for some of its cases (`cases`, a list of ids: `case_id = ANY($2)`),
# with who saved each.
TODAYS_ENTRIES = CompiledObjects(Entry, lambda: Entry.objects.filter(
    AnyOf("case", "cases"), debrief=Slot("debrief", BigIntegerField())), related=("updated_by",))


def debrief_people(debrief: Debrief, *, since, start: int = 0,
                   size: int = PEOPLE_PER_PAGE) -> People:
    """`size` of the team's open cases from position `start`, in the debrief's order: those
    with something new since the day `since` (contacts, purchases, advice flags, holds due),
    then those not discussed for longest (never discussed first), then by case number; with
    what is new for each and today's entry. `since` None (the team's first debrief) counts
    every contact and purchase as new.

    The rows (with the number of open cases) are kept until a write moves the team's
    caseload or spend stamp, or anyone's name (accounts/stamps.py): they are worked out from
    the team's cases, people, what matters, contacts, holds, purchases and the entries of
    debriefs before the team's latest, and the days here. Today's entries, which the huddle
    writes one after another, are read afresh, so everyone at it shares one order. Two
    queries while kept (the stamps and today's entries), three when worked out; one more
    counts the open cases when `start` is past the end.
    """
    values = {"team": debrief.team_id, "today": debrief.held_on}
    if since:
        values.update(since=since, after=local_midnight(since + timedelta(days=1)))
    team = debrief.team_id
    rows = [Row(*row) for row in kept(
        f"debrief-people:{team}:{debrief.held_on}:{since}:{start}:{size}", Case,
        [f"caseload:{team}", f"spend:{team}", "names"],
        lambda: PEOPLE.rows(values, limit=size, offset=start, since=bool(since)))]
    if not rows:
        return People([], start, Case.objects.open().filter(team=debrief.team_id).count())
    entries = {entry.case_id: entry for entry in TODAYS_ENTRIES.objects(
        {"debrief": debrief.pk, "cases": [row.pk for row in rows]}, known={"debrief": debrief})}
    for row in rows:
        row.entry = entries.get(row.pk)
    return People(rows, start, rows[0].total)


@dataclass
class Tally:
    """One of the team's activities, with its strokes today and since the team began."""

    pk: int
    name: str
    complexity: int
    today: int
    running: int


TALLIES = Compiled(Activity, lambda: Activity.objects.filter(team=Slot("team", IntegerField()))
                   .annotate(today=Count("strokes", filter=Q(
                                 strokes__debrief=Slot("debrief", IntegerField()))),
                             running=Count("strokes"))
                   .order_by("-running", "name")
                   .values_list("pk", "name", "complexity", "today", "running"))


def tallies(team: Team, debrief: Debrief, batch: Batch | None = None) -> Sequence[Tally]:
    """Each of the team's activities with today's and running stroke counts, the most
    used first. One query."""
    return (batch or Batch()).rows(TALLIES, {"team": team.pk, "debrief": debrief.pk},
                                   then=lambda rows: [Tally(*row) for row in rows])


@dataclass
class Advice:
    """A purchase waiting for the team's advice, as the debrief lists it."""

    pk: int
    amount: Decimal
    merchant: str
    date: date
    purpose: str
    case_reference: str
    worker_first_name: str
    worker_last_name: str
    worker_username: str
    waiting: int  # how many of the team's purchases wait for advice in all
    worker: str = ""

    def __post_init__(self):
        self.worker = User.shown_name(self.worker_first_name, self.worker_last_name,
                                      self.worker_username)


ADVICE_SHOWN = 10


def _advice_query():
    """The team's purchases waiting for advice, oldest first, each with how many wait in all
    (counted once, from the awaiting-advice index, not over the joined rows)."""
    waiting = Purchase.objects.awaiting_advice().filter(team=Slot("team", IntegerField()))
    count = waiting.order_by().values("team").annotate(n=Count("*")).values("n")
    return (waiting.annotate(waiting=Subquery(count)).order_by("date", "pk")
            .values_list("pk", "amount", "merchant", "date", "purpose", "case__reference",
                         "worker__first_name", "worker__last_name", "worker__username",
                         "waiting"))


ADVICE = Compiled(Purchase, _advice_query)


def advice_needed(team_id: int, batch: Batch | None = None) -> Sequence[Advice]:
    """The oldest purchases waiting for the team's advice; each says how many wait in all
    (the rest are in the purchase list: `advice_waiting`). One query."""
    return (batch or Batch()).rows(ADVICE, {"team": team_id}, limit=ADVICE_SHOWN,
                                   then=lambda rows: [Advice(*row) for row in rows])


def advice_waiting(oldest: Sequence[Advice]) -> int:
    """How many of the team's purchases wait for advice, from `advice_needed`'s answer."""
    return oldest[0].waiting if oldest else 0


def stroke_add(*, debrief: Debrief, activity: Activity, by) -> Stroke:
    return Stroke.objects.create(debrief=debrief, activity=activity, added_by=by)


# The entry for a case in a debrief, its row locked until the transaction ends (there is at
# most one: `entry_once_per_case`); compiled once (accounts/compiled.py), read from the
# database that is written.
LOCKED_ENTRY = CompiledObjects(Entry, lambda: Entry.objects.select_for_update(of=("self",))
                               .filter(debrief=Slot("debrief", BigIntegerField()),
                                       case=Slot("case", BigIntegerField())).order_by(),
                               write=True)


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
        found = LOCKED_ENTRY.objects({"debrief": debrief.pk, "case": case.pk},
                                     known={"debrief": debrief, "case": case})
        entry = found[0] if found else None
        if entry is None:
            raise StaleEntry(Entry(debrief=debrief, case=case))
        if version != entry.version:
            raise StaleEntry(entry)
        entry.progress, entry.note, entry.updated_by = progress, note, by
        entry.version += 1  # the row is locked: nobody else can change it meanwhile
        entry.save(update_fields=["progress", "note", "updated_by", "updated_at", "version"])
        return entry
