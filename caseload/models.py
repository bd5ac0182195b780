"""A person's story as the team keeps it: who they are, what matters to them, what happened,
their debts and any hold on enforcement, and what changed for them."""

from datetime import date, timedelta
from decimal import Decimal

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.core.validators import MinValueValidator
from django.db import models, transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.utils import timezone

from accounts.models import Team
from accounts.stamps import moved_by_writes

ONE_LINE = 200  # characters: a one-line field


class Stale(Exception):
    """Someone saved the record after the form was opened."""


def edit_stamp(record) -> str:
    """What a correction form carries to tell, on save, whether the record changed since the
    form was opened: its `updated_at`, to the microsecond."""
    return record.updated_at.isoformat()


def save_unless_changed(record, *, seen: str) -> None:
    """Save a corrected record unless it was saved by anyone since the form showing `seen` was
    opened: then raise Stale and write nothing. Locks the row for the check (one query)."""
    with transaction.atomic():
        stored = type(record).objects.select_for_update().only("updated_at").get(pk=record.pk)
        if edit_stamp(stored) != seen:
            raise Stale
        record.save()


class Transition(models.TextChoices):
    LEAVING_PRISON = "leaving_prison", "Leaving prison"
    LEAVING_CARE = "leaving_care", "Leaving care"
    LEAVING_FORCES = "leaving_forces", "Leaving the armed forces"
    BEREAVEMENT = "bereavement", "Bereavement"
    NEW_BABY = "new_baby", "New baby"
    JOB_LOSS = "job_loss", "Lost a job"
    RELATIONSHIP_ENDED = "relationship_ended", "Relationship ended"
    LEAVING_HOSPITAL = "leaving_hospital", "Leaving hospital"


class CaseQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=Case.Status.OPEN)

    def for_user(self, user):
        """Cases within the user's reach: every team's for those who see all teams, their own
        teams' for caseworkers and coordinators, none for anyone else."""
        if user.has_perm("accounts.see_all_teams"):
            return self
        if user.has_perm("accounts.work_cases"):
            return self.filter(team__in=user.team_ids)  # read with the user's access
        return self.none()

    def with_main_names(self):
        """Annotate the main person's `main_name` and `main_preferred_name` (None without a
        main person; a case has at most one, person_one_main_per_case). Subqueries, so
        PostgreSQL reads them only for the rows a page shows when they are not sort keys."""
        main = Person.objects.filter(case=OuterRef("pk"), relationship=Person.Relationship.MAIN)
        return self.annotate(main_name=models.Subquery(main.values("name")[:1]),
                             main_preferred_name=models.Subquery(
                                 main.values("preferred_name")[:1]))

    def with_activity(self):
        """Annotate the earliest open next step and whether a hold is active (the last
        contact is a column of the case, `last_contact_at`). Adds subqueries, not extra
        queries. Each is one probe of an index per case (not a grouped join over every
        contact), so the cost follows the number of cases and not their history, and a count
        of the cases can leave them out."""
        contacts = Contact.objects.filter(case=OuterRef("pk"))
        return self.annotate(
            next_step_due=models.Subquery(
                contacts.filter(next_step_due__isnull=False, next_step_done=False)
                .order_by("next_step_due").values("next_step_due")[:1]
            ),
            has_active_hold=Exists(
                Hold.objects.filter(case=OuterRef("pk"), status=Hold.Status.GRANTED)
            ),
        )


# A case's last contact, kept in the case's row (Case.last_contact_at) by triggers: worked
# out from its contacts whenever the case is written, whatever the write says, and after any
# write to contacts for each case whose contacts were written.
LAST_CONTACT = ("(SELECT max(k.happened_at) FROM caseload_contact k "
                "WHERE k.case_id = {case})")


def last_contact_kept(name: str) -> list[pgtrigger.Trigger]:
    """Triggers on contacts that write each written case again, once per statement (a bulk
    load of contacts writes each case once). The case's own trigger then works its last
    contact out, once it holds the case's row: a write to the same case's contacts committed
    meanwhile, by another transaction, is counted (each statement of the trigger reads what
    is committed when it starts)."""
    def statement(operation, **tables) -> pgtrigger.Trigger:
        cases = " UNION ".join(f"SELECT case_id FROM {table}"  # noqa: S608  # nosec B608
                               for table in tables.values())  # the transition tables' names
        return pgtrigger.Trigger(
            name=f"{name}_{operation.name.lower()}", level=pgtrigger.Statement,
            when=pgtrigger.After, operation=operation,
            referencing=pgtrigger.Referencing(**tables),
            func=("UPDATE caseload_case c SET last_contact_at = "  # noqa: S608  # nosec B608
                  f"{LAST_CONTACT.format(case='c.id')} WHERE c.id IN ({cases}); RETURN NULL;"))

    return [statement(pgtrigger.Insert, new="new_rows"),
            statement(pgtrigger.Update, old="old_rows", new="new_rows"),
            statement(pgtrigger.Delete, old="old_rows")]


# The stamp of what a team's debrief lists of its open cases (debriefs/services.py), moved by
# any write to a case, or to its people, what matters, contacts or holds (accounts/stamps.py).
CASELOAD_STAMP = "'caseload:' || team_id"
CASELOAD_STAMP_OF_CASE = ("(SELECT 'caseload:' || c.team_id FROM caseload_case c "
                          "WHERE c.id = written.case_id)")


@pghistory.track(exclude=["last_contact_at"])
class Case(models.Model):
    """A person or household the team works with. One named lead keeps the relationship;
    anyone in the team can add to it."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    class Source(models.TextChoices):
        RECOVERY_LIST = "recovery_list", "Council-tax recovery list"
        HOUSING = "housing", "Housing"
        SELF = "self", "Came to us themselves"
        PARTNER = "partner", "Partner organisation"
        OTHER = "other", "Other"

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="cases")
    number = models.PositiveIntegerField(editable=False)
    # Set once at creation from the team's prefix: a reference people have written down never
    # changes, even if the team's prefix does.
    reference = models.CharField(max_length=12, unique=True, editable=False)
    lead = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="led_cases", verbose_name="lead caseworker")
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.OPEN)
    source = models.CharField("how they came to us", max_length=20, choices=Source.choices)
    opened_on = models.DateField(default=timezone.localdate)
    closed_on = models.DateField(null=True, blank=True)
    closing_note = models.TextField(blank=True)
    transitions = ArrayField(
        models.CharField(max_length=30, choices=Transition.choices), default=list, blank=True,
        verbose_name="life transitions",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # When the latest contact happened, or None: kept from the case's contacts by triggers
    # (LAST_CONTACT), never written by the app, so the caseload is listed longest without
    # contact first from an index rather than by looking up every case's contacts.
    last_contact_at = models.DateTimeField(null=True, editable=False)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_on", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["team", "number"], name="case_unique_team_number"),
            models.CheckConstraint(
                condition=Q(status="open", closed_on__isnull=True)
                | Q(status="closed", closed_on__isnull=False),
                name="case_closed_on_matches_status",
            ),
        ]
        indexes = [
            models.Index(fields=["team", "status"]),
            # The caseload filter's leads: who leads any of a team's cases, from the index.
            models.Index(fields=["team", "lead"], name="case_team_lead"),
            GinIndex(fields=["transitions"], name="case_transitions_gin"),
            # The caseload: a team's cases, longest without contact first.
            models.Index(fields=["team", "status", "last_contact_at", "number"],
                         name="case_by_last_contact"),
        ]
        triggers = [
            # A case stays with the team that opened it: its reference is numbered in that
            # team, and its purchases keep the team (Purchase.team) for their spend and reach.
            pgtrigger.Protect(name="case_team_fixed", operation=pgtrigger.Update,
                              condition=pgtrigger.Q(old__team_id__df=pgtrigger.F("new__team_id"))),
            *moved_by_writes("case_caseload", CASELOAD_STAMP),
            pgtrigger.Trigger(
                name="case_last_contact", when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.Update,
                func=f"NEW.last_contact_at := {LAST_CONTACT.format(case='NEW.id')}; RETURN NEW;"),
        ]

    def __str__(self):
        return self.reference

    @property
    def main_person(self):
        """From prefetched people when present; otherwise one query."""
        for person in self.people.all():
            if person.relationship == Person.Relationship.MAIN:
                return person
        return None

    @property
    def is_open(self):
        return self.status == self.Status.OPEN

    def save(self, *args, **kwargs):
        if self._state.adding and not self.number:
            with transaction.atomic():
                # Lock the team row so two new cases cannot take the same number.
                team = Team.objects.select_for_update().get(pk=self.team_id)
                last = Case.objects.filter(team=team).aggregate(n=Max("number"))["n"] or 0
                self.number = last + 1
                self.reference = f"{team.case_prefix}-{self.number:04d}"
                return super().save(*args, **kwargs)
        return super().save(*args, **kwargs)

    def close(self, *, note: str, on: date | None = None):
        self.status = self.Status.CLOSED
        self.closed_on = on or timezone.localdate()
        self.closing_note = note
        self.save(update_fields=["status", "closed_on", "closing_note", "updated_at"])

    def reopen(self):
        self.status = self.Status.OPEN
        self.closed_on = None
        self.save(update_fields=["status", "closed_on", "updated_at"])

    def transition_labels(self):
        labels = dict(Transition.choices)
        return [labels.get(t, t) for t in self.transitions]


class PersonQuerySet(models.QuerySet):
    def possible_duplicates(self, *, name: str, date_of_birth: date | None, phone: str):
        """People who may be this person: same name and date of birth, or same phone."""
        match = Q(pk__in=[])
        if name and date_of_birth:
            match |= Q(name__iexact=name.strip(), date_of_birth=date_of_birth)
        digits = normalise_phone(phone)
        if digits:
            match |= Q(phone_digits=digits)
        return self.filter(match).select_related("case")


def normalise_phone(phone: str) -> str:
    digits = "".join(ch for ch in phone or "" if ch.isdigit())
    if digits.startswith("44") and len(digits) > 10:
        digits = "0" + digits[2:]
    return digits


@pghistory.track()
class Person(models.Model):
    class Relationship(models.TextChoices):
        MAIN = "main", "Main person"
        PARTNER = "partner", "Partner"
        CHILD = "child", "Child"
        PARENT = "parent", "Parent"
        OTHER_FAMILY = "other_family", "Other family"
        FRIEND = "friend", "Friend or neighbour"
        CARER = "carer", "Carer"
        OTHER = "other", "Other"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="people")
    name = models.CharField(max_length=ONE_LINE)
    preferred_name = models.CharField(max_length=ONE_LINE, blank=True,
                                      help_text="What they like to be called")
    date_of_birth = models.DateField(null=True, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    phone_digits = models.CharField(max_length=40, blank=True, editable=False)
    email = models.EmailField(max_length=ONE_LINE, blank=True)
    address = models.TextField(max_length=500, blank=True)
    relationship = models.CharField("relationship to the main person", max_length=20,
                                    choices=Relationship.choices, default=Relationship.MAIN)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["relationship", "name"]
        verbose_name_plural = "people"
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=Q(relationship="main"),
                                    name="person_one_main_per_case"),
        ]
        indexes = [
            # GIN, not GiST: a search finds the people whose words are close through these,
            # then sorts them nearest first. GiST could serve the order as an index scan, but
            # finding the few close people in one team's cases through it took 5-8 ms a field,
            # and a team's search of streets up to 170 ms (docs/performance.md).
            GinIndex(name="person_name_gin", fields=["name"], opclasses=["gin_trgm_ops"]),
            GinIndex(name="person_preferred_gin", fields=["preferred_name"],
                     opclasses=["gin_trgm_ops"]),
            GinIndex(name="person_address_gin", fields=["address"], opclasses=["gin_trgm_ops"]),
            GinIndex(name="person_phone_trgm", fields=["phone_digits"],
                     opclasses=["gin_trgm_ops"]),
        ]
        triggers = moved_by_writes("person_caseload", CASELOAD_STAMP_OF_CASE)

    def __str__(self):
        return self.display_name

    @property
    def display_name(self):
        return self.shown_name(self.name, self.preferred_name)

    @staticmethod
    def shown_name(name: str, preferred_name: str) -> str:
        if preferred_name and preferred_name != name:
            return f"{name} ({preferred_name})"
        return name

    def save(self, *args, **kwargs):
        self.phone_digits = normalise_phone(self.phone)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "phone_digits"}
        super().save(*args, **kwargs)


class WhatMatters(models.Model):
    """One version of what matters, in the person's own words. Editing adds a version; the
    earlier ones stay readable with their dates (the history is the learning)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="what_matters_versions")
    what_matters = models.TextField("What matters to you?", max_length=5000, blank=True)
    good_life = models.TextField("What does a good life look like?", max_length=5000, blank=True)
    what_we_can_do = models.TextField("What can we do for you?", max_length=5000, blank=True)
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    written_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-written_at", "-pk"]
        get_latest_by = ["written_at", "pk"]
        verbose_name_plural = "what matters"
        triggers = moved_by_writes("what_matters_caseload", CASELOAD_STAMP_OF_CASE)

    def __str__(self):
        return f"What matters to {self.case} at {self.written_at:%d %b %Y}"


@pghistory.track()
class Contact(models.Model):
    """Something that happened with the person: a visit, a call, a coffee."""

    class Kind(models.TextChoices):
        HOME_VISIT = "home_visit", "Home visit"
        PHONE = "phone", "Phone call"
        MESSAGE = "message", "Text or message"
        MEETING_OUT = "meeting_out", "Meeting out (a coffee, say)"
        ACCOMPANIED = "accompanied", "Went with them to an appointment"
        OTHER = "other", "Other"

    class Demand(models.TextChoices):
        VALUE = "value", "Value demand"
        FAILURE = "failure", "Failure demand (chasing what should already have happened)"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="contacts")
    happened_at = models.DateTimeField("when", default=timezone.now)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.HOME_VISIT)
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="contacts", verbose_name="who from the team")
    what_happened = models.TextField(max_length=5000)
    what_we_did = models.TextField(max_length=5000, blank=True)
    next_step = models.CharField(max_length=ONE_LINE, blank=True)
    next_step_due = models.DateField("next step by", null=True, blank=True)
    next_step_done = models.BooleanField(default=False)
    demand = models.CharField(max_length=10, choices=Demand.choices, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-happened_at", "-pk"]
        indexes = [
            models.Index(fields=["case", "-happened_at"]),
            # The learning page's contacts by month, across every team.
            models.Index(fields=["happened_at"], name="contact_happened_at"),
            # The caseload's "next step by": each case's earliest open next step.
            models.Index(fields=["case", "next_step_due"], name="contact_open_next_step",
                         condition=Q(next_step_due__isnull=False, next_step_done=False)),
        ]
        triggers = [*moved_by_writes("contact_caseload", CASELOAD_STAMP_OF_CASE),
                    *last_contact_kept("contact_last_contact")]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.happened_at:%d %b %Y}"

    @property
    def was_corrected(self):
        return self.corrected(self.created_at, self.updated_at)

    @staticmethod
    def corrected(created_at, updated_at) -> bool:
        """Whether an entry was changed after it was logged (for rows read as plain values)."""
        return (updated_at - created_at) > timedelta(seconds=1)


@pghistory.track()
class Pull(models.Model):
    """A specialist pulled in to help; the lead caseworker stays the lead (not a referral)."""

    class Specialist(models.TextChoices):
        DEBT_ADVISER = "debt_adviser", "Citizens Advice debt adviser"
        WORK_COACH = "work_coach", "DWP work coach"
        HOUSING_OFFICER = "housing_officer", "Housing officer"
        MENTAL_HEALTH = "mental_health", "Mental-health worker"
        HEALTH = "health", "GP or health worker"
        SOCIAL_WORKER = "social_worker", "Social worker"
        POLICE = "police", "Police or probation"
        OTHER = "other", "Other"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="pulls")
    specialist = models.CharField(max_length=20, choices=Specialist.choices)
    who = models.CharField("name or organisation", max_length=ONE_LINE, blank=True)
    what_for = models.CharField(max_length=ONE_LINE)
    pulled_on = models.DateField("when", default=timezone.localdate)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-pulled_on", "-pk"]

    def __str__(self):
        return f"{self.get_specialist_display()} for {self.what_for}"


@pghistory.track()
class Debt(models.Model):
    class Creditor(models.TextChoices):
        COUNCIL_TAX = "council_tax", "Council tax"
        RENT = "rent", "Rent"
        ENERGY = "energy", "Energy"
        WATER = "water", "Water"
        BENEFIT_OVERPAYMENT = "benefit_overpayment", "Benefit overpayment"
        OTHER = "other", "Other"

    class PayStatus(models.TextChoices):
        CANT_PAY = "cant_pay", "Can't pay"
        WONT_PAY = "wont_pay", "Won't pay"
        NOT_KNOWN = "not_known", "Not known yet"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="debts")
    creditor = models.CharField(max_length=30, choices=Creditor.choices)
    creditor_name = models.CharField(max_length=ONE_LINE, blank=True)
    amount = models.DecimalField("amount (£)", max_digits=10, decimal_places=2,
                                 validators=[MinValueValidator(Decimal("0"))])
    as_of = models.DateField("amount as of", default=timezone.localdate)
    pay_status = models.CharField("can't pay or won't pay?", max_length=10,
                                  choices=PayStatus.choices, default=PayStatus.NOT_KNOWN)
    notes = models.TextField(max_length=5000, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["creditor", "-as_of"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="debt_amount_not_negative"),
        ]

    def __str__(self):
        return f"{self.get_creditor_display()} £{self.amount}"


class HoldQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=Hold.Status.GRANTED)

    def due_for_review(self, on: date | None = None):
        return self.active().filter(review_on__lte=on or timezone.localdate())


@pghistory.track()
class Hold(models.Model):
    """"Air cover": a leader holds enforcement while the team works with the person."""

    class Kind(models.TextChoices):
        BAILIFF = "bailiff", "Bailiff or enforcement agent action"
        EVICTION = "eviction", "Eviction"
        COURT = "court", "Court action"
        OTHER = "other", "Other enforcement"

    class Status(models.TextChoices):
        REQUESTED = "requested", "Asked for"
        GRANTED = "granted", "Granted"
        DECLINED = "declined", "Declined"
        ENDED = "ended", "Ended"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="holds")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    reason = models.TextField(max_length=2000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+", null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(max_length=2000, blank=True)
    review_on = models.DateField(null=True, blank=True)
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="+", null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.TextField(max_length=2000, blank=True)

    objects = HoldQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="granted") | Q(review_on__isnull=False),
                name="hold_granted_has_review_date",
            ),
        ]
        triggers = moved_by_writes("hold_caseload", CASELOAD_STAMP_OF_CASE)

    def __str__(self):
        return f"{self.get_kind_display()} hold ({self.get_status_display().lower()})"

    def decide(self, *, by, grant: bool, note: str, review_on: date | None):
        self.status = self.Status.GRANTED if grant else self.Status.DECLINED
        self.decided_by, self.decided_at = by, timezone.now()
        self.decision_note, self.review_on = note, review_on if grant else None
        self.save()

    def end(self, *, by, reason: str):
        self.status = self.Status.ENDED
        self.ended_by, self.ended_at, self.end_reason = by, timezone.now(), reason
        self.save()


@pghistory.track()
class EnforcementDecision(models.Model):
    """Whether enforcement or eviction went ahead or was avoided, and the answer to
    "Just because we can, does it mean we should?"."""

    Kind = Hold.Kind  # the same kinds of enforcement a hold can cover

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="enforcement_decisions")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    went_ahead = models.BooleanField("did it go ahead?")
    should_we = models.TextField("Just because we can, does it mean we should?", max_length=2000)
    decided_on = models.DateField(default=timezone.localdate)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")

    class Meta:
        ordering = ["-decided_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(should_we=""),
                                   name="enforcement_should_we_answered"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {'went ahead' if self.went_ahead else 'avoided'}"


@pghistory.track()
class Outcome(models.Model):
    """What changed for the person. For learning only: never a target or a league table."""

    class Kind(models.TextChoices):
        WORK = "work", "Into work"
        EDUCATION = "education", "Into education or training"
        BENEFITS = "benefits", "Benefits gained"
        DEBT_WRITTEN_OFF = "debt_written_off", "Debt written off or debt relief order"
        HOUSING_MOVE = "housing_move", "Housing move"
        RECONNECTED = "reconnected", "Reconnected with family or community"
        HEALTH_SUPPORT = "health_support", "Health support in place"
        OTHER = "other", "Other"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="outcomes")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    happened_on = models.DateField("when", default=timezone.localdate)
    weekly_amount = models.DecimalField("weekly amount (£)", max_digits=8, decimal_places=2,
                                        null=True, blank=True,
                                        validators=[MinValueValidator(Decimal("0.01"))])
    note = models.TextField(max_length=2000, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")

    class Meta:
        ordering = ["-happened_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="benefits") | Q(weekly_amount__gt=0),
                name="outcome_benefits_have_weekly_amount",
            ),
        ]

    def __str__(self):
        return self.get_kind_display()
