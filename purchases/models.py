"""Purchase-card spend: each purchase linked to a case and a worker, PLAN-checked when it is
logged, reviewed by a leader after the fact (advice, not permission), and never deleted."""

import uuid
from datetime import date
from decimal import Decimal

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import Team, User
from accounts.shortcuts import next_month
from accounts.stamps import moved_by_writes
from caseload.models import ONE_LINE, Case

# Above this an amount is refused outright (the database agrees); above PLAUSIBLE_AMOUNT the
# worker is asked to check it and confirm.
MAX_AMOUNT = Decimal("10000.00")
PLAUSIBLE_AMOUNT = Decimal("1000.00")
NOTE = 2000  # characters: a note or an answer

# The PLAN check: field suffix, label, what it asks.
PLAN = [
    ("proportionate", "Proportionate", "The cost fits what it will do for the person"),
    ("legal", "Legal", "Nothing about it breaks the law or the council's rules"),
    ("auditable", "Auditable", "It is linked to the case and you could explain it to anyone"),
    ("necessary", "Necessary", "It is needed now, and nothing cheaper or free would do"),
]

RECEIPT_TYPES = {  # content type sniffed from the file -> extension it is stored under
    "image/jpeg": "jpg", "image/png": "png", "image/heic": "heic", "image/webp": "webp",
    "application/pdf": "pdf",
}


@pghistory.track()
class Card(models.Model):
    """A purchase card held by one worker. Guidance limits are shown to the holder; they
    never stop a purchase being logged."""

    last_four = models.CharField("last four digits", max_length=4)
    holder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="cards")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="cards")
    active = models.BooleanField(default=True)
    per_transaction_guidance = models.DecimalField(
        "guidance per purchase (£)", max_digits=8, decimal_places=2, null=True, blank=True,
        help_text="Shown to the holder; never blocks a purchase.")
    monthly_guidance = models.DecimalField(
        "guidance per month (£)", max_digits=10, decimal_places=2, null=True, blank=True,
        help_text="Shown to the holder; never blocks a purchase.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["team", "last_four"]
        constraints = [
            models.CheckConstraint(condition=Q(last_four__regex=r"^[0-9]{4}$"),
                                   name="card_last_four_digits"),
            models.CheckConstraint(condition=Q(per_transaction_guidance__isnull=True)
                                   | Q(per_transaction_guidance__gt=0),
                                   name="card_per_transaction_guidance_positive"),
            models.CheckConstraint(condition=Q(monthly_guidance__isnull=True)
                                   | Q(monthly_guidance__gt=0),
                                   name="card_monthly_guidance_positive"),
        ]

    def __str__(self):
        return f"Card ending {self.last_four} ({self.holder})"

    @staticmethod
    def describe(last_four: str, first_name: str, last_name: str, username: str) -> str:
        """What `str(card)` says, from plain columns: the holder as `str(user)` names them."""
        return f"Card ending {last_four} ({User.shown_name(first_name, last_name, username)})"


class BudgetPotQuerySet(models.QuerySet):
    def covering(self, day: date):
        return self.filter(period_start__lte=day, period_end__gt=day)


@pghistory.track()
class BudgetPot(models.Model):
    """What a team may spend over a period (period_end is the first day after it)."""

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="budget_pots")
    period_start = models.DateField()
    period_end = models.DateField(help_text="The first day after the period, for example "
                                            "1 May for April's pot.")
    amount = models.DecimalField("amount (£)", max_digits=10, decimal_places=2)

    objects = BudgetPotQuerySet.as_manager()

    class Meta:
        ordering = ["team", "-period_start"]
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gt=F("period_start")),
                                   name="budget_pot_end_after_start"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="budget_pot_amount_not_negative"),
            models.UniqueConstraint(fields=["team", "period_start"],
                                    name="budget_pot_unique_team_start"),
        ]

    def __str__(self):
        return f"{self.team}: £{self.amount} from {self.period_start:%-d %b %Y}"


# What a row of a list of purchases shows, as plain values: the columns of
# purchases.rows.PurchaseRow, in its order.
ROW_COLUMNS = ("pk", "date", "merchant", "purpose", "category", "amount", "voided", "receipt",
               "no_receipt_reason", "advice_asked", "advice_given", "review_verdict",
               "reviewed_at", "query_answered_at", "case__reference", "worker__first_name",
               "worker__last_name", "worker__username")


class PurchaseQuerySet(models.QuerySet):
    def for_rows(self):
        """ROW_COLUMNS of each purchase (purchases.rows.purchase_rows makes them rows)."""
        return self.values_list(*ROW_COLUMNS)

    def for_user(self, user):
        """Purchases within the user's reach: all for leaders and auditors, their own teams'
        for caseworkers and coordinators, none for anyone else."""
        if user.has_perm("accounts.see_all_teams") or user.has_perm("accounts.read_purchases"):
            return self
        if user.has_perm("accounts.work_cases"):
            return self.filter(team__in=user.team_ids)  # read with the user's access
        return self.none()

    def counted(self):
        """Purchases that count towards totals: everything not voided."""
        return self.filter(voided=False)

    def receipt_missing(self):
        return self.counted().filter(receipt="", no_receipt_reason="")

    def advice_asked(self):
        return self.filter(advice_asked=True)

    def awaiting_advice(self):
        """Flagged for the debrief's advice and not given it yet (served by a partial index)."""
        return self.counted().filter(advice_asked=True, advice_given="")

    def to_answer(self):
        """Queried by a reviewer and not answered since."""
        return self.counted().filter(review_verdict=Purchase.Verdict.QUERY).filter(
            Q(query_answered_at__isnull=True) | Q(query_answered_at__lt=F("reviewed_at")))

    def to_review(self):
        """Not reviewed yet, or queried and answered since: the reviewer's queue."""
        return self.counted().filter(
            Q(review_verdict="")
            | Q(review_verdict=Purchase.Verdict.QUERY, query_answered_at__gt=F("reviewed_at")))


def receipt_path(instance, filename: str) -> str:
    """A generated name: nothing of the uploaded file's name is kept. The extension is the one
    the form worked out from the file's content."""
    extension = filename.rsplit(".", 1)[-1].lower()
    if extension not in RECEIPT_TYPES.values():
        extension = "bin"
    return f"receipts/{uuid.uuid4().hex}.{extension}"


@pghistory.track()
class Purchase(models.Model):
    """One purchase-card spend for a person, by a worker, with its PLAN check."""

    class Category(models.TextChoices):
        FOOD = "food", "Food"
        HEATING = "heating_energy", "Heating and energy"
        CLOTHING = "clothing", "Clothing"
        TRANSPORT = "transport", "Transport"
        HOUSEHOLD = "household_furniture", "Household and furniture"
        PHONE = "phone_digital", "Phone and digital"
        OTHER = "other", "Other"

    class Verdict(models.TextChoices):
        NONE = "", "Not reviewed yet"
        OK = "ok", "OK"
        QUERY = "query", "Query: needs details"
        NOT_OK = "not_ok", "Not OK"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="purchases")
    # Whose spend this is: always the case's team (set on save, and by the trigger below for
    # any other writer; cases do not move between teams). Kept here so that a team's spend is
    # read through its own index instead of joining every team's purchases to their cases.
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="purchases",
                             editable=False)
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="purchases")
    card = models.ForeignKey(Card, on_delete=models.PROTECT, related_name="purchases")
    date = models.DateField(default=timezone.localdate)
    merchant = models.CharField("where", max_length=ONE_LINE)
    amount = models.DecimalField("amount (£)", max_digits=10, decimal_places=2)
    irrecoverable_vat = models.DecimalField("irrecoverable VAT (£)", max_digits=10,
                                            decimal_places=2, null=True, blank=True)
    category = models.CharField(max_length=20, choices=Category.choices)
    merchant_category = models.CharField(
        max_length=ONE_LINE, blank=True,
        help_text="The card provider's merchant category, from the statement.")
    purpose = models.CharField("what it was for", max_length=ONE_LINE)

    plan_proportionate = models.BooleanField("proportionate", default=False)
    plan_proportionate_reason = models.CharField("why it is proportionate", max_length=ONE_LINE)
    plan_legal = models.BooleanField("legal", default=False)
    plan_legal_reason = models.CharField("why it is legal", max_length=ONE_LINE)
    plan_auditable = models.BooleanField("auditable", default=False)
    plan_auditable_reason = models.CharField("why it is auditable", max_length=ONE_LINE)
    plan_necessary = models.BooleanField("necessary", default=False)
    plan_necessary_reason = models.CharField("why it is necessary", max_length=ONE_LINE)

    advice_asked = models.BooleanField("ask the debrief for advice", default=False)
    advice_given = models.TextField(max_length=NOTE, blank=True)
    advice_given_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                        related_name="+", null=True, blank=True)
    advice_given_at = models.DateTimeField(null=True, blank=True)

    receipt = models.FileField(upload_to=receipt_path, blank=True)
    receipt_content_type = models.CharField(max_length=40, blank=True)
    no_receipt_reason = models.CharField("why there is no receipt", max_length=ONE_LINE,
                                         blank=True)

    review_verdict = models.CharField(max_length=6, choices=Verdict.choices, blank=True,
                                      default=Verdict.NONE)
    review_note = models.TextField(max_length=NOTE, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+", null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    query_answer = models.TextField("answer to the query", max_length=NOTE, blank=True)
    query_answered_at = models.DateTimeField(null=True, blank=True)

    voided = models.BooleanField(default=False)
    void_reason = models.CharField("why it is voided", max_length=ONE_LINE, blank=True)
    voided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+", null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    # Raised by every change, so a form opened before someone else's change cannot
    # overwrite it.
    version = models.PositiveIntegerField(default=1)

    objects = PurchaseQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-pk"]
        indexes = [
            models.Index(fields=["case", "-date"]),
            # A team's spend in a period, and its purchase list newest first.
            models.Index(fields=["team", "date", "id"], name="purchase_team_date"),
            models.Index(fields=["worker", "-date"]),
            models.Index(fields=["card", "date"]),
            # Exports stream in (date, id) order straight from this index, with no sort first.
            models.Index(fields=["date", "id"], name="purchase_date_id"),
            models.Index(fields=["date", "id"], condition=Q(review_verdict="", voided=False),
                         name="purchase_to_review"),
            # The debrief's "spend flagged for advice" for a team's cases, and how many wait,
            # without reading every purchase.
            models.Index(fields=["team", "case"], name="purchase_awaiting_advice_team",
                         condition=Q(advice_asked=True, advice_given="", voided=False)),
            # ... and the oldest ten of them, read in order (not a team's purchases by date,
            # skipping those not waiting, which grew with the team's spend).
            models.Index(fields=["team", "date", "id"], name="purchase_advice_oldest",
                         condition=Q(advice_asked=True, advice_given="", voided=False)),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0, amount__lte=MAX_AMOUNT),
                                   name="purchase_amount_positive_and_plausible"),
            models.CheckConstraint(
                condition=Q(irrecoverable_vat__isnull=True)
                | Q(irrecoverable_vat__gte=0, irrecoverable_vat__lte=F("amount")),
                name="purchase_vat_within_amount"),
            models.CheckConstraint(
                condition=Q(plan_proportionate=True, plan_legal=True, plan_auditable=True,
                            plan_necessary=True, plan_proportionate_reason__regex=r"\S",
                            plan_legal_reason__regex=r"\S", plan_auditable_reason__regex=r"\S",
                            plan_necessary_reason__regex=r"\S"),
                name="purchase_plan_confirmed_with_reasons"),
            models.CheckConstraint(
                condition=Q(advice_given="", advice_given_by__isnull=True,
                            advice_given_at__isnull=True)
                | (~Q(advice_given="") & Q(advice_given_by__isnull=False,
                                           advice_given_at__isnull=False)),
                name="purchase_advice_given_by_someone"),
            models.CheckConstraint(
                condition=Q(review_verdict="", reviewed_by__isnull=True, reviewed_at__isnull=True)
                | (~Q(review_verdict="") & Q(reviewed_by__isnull=False,
                                             reviewed_at__isnull=False)),
                name="purchase_review_has_reviewer"),
            models.CheckConstraint(
                condition=~Q(review_verdict__in=["query", "not_ok"]) | ~Q(review_note=""),
                name="purchase_query_or_not_ok_has_note"),
            models.CheckConstraint(
                condition=Q(reviewed_by__isnull=True) | ~Q(reviewed_by=F("worker")),
                name="purchase_not_reviewed_by_its_worker"),
            models.CheckConstraint(
                condition=Q(voided=False, void_reason="", voided_by__isnull=True,
                            voided_at__isnull=True)
                | (Q(voided=True, voided_by__isnull=False, voided_at__isnull=False)
                   & ~Q(void_reason="")),
                name="purchase_void_has_reason"),
        ]
        triggers = [
            # No hard delete: a mistaken purchase is voided, and kept.
            pgtrigger.Protect(name="purchase_no_delete", operation=pgtrigger.Delete),
            pgtrigger.Trigger(
                name="purchase_team_of_case", when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.UpdateOf("case_id"),
                func="NEW.team_id := (SELECT team_id FROM caseload_case WHERE id = NEW.case_id);"
                     " RETURN NEW;"),
            # What is kept of a team's spend (the spend overview) is worked out again after
            # any write to it (accounts/stamps.py). There is no delete to see.
            *moved_by_writes("purchase_spend", "'spend:' || team_id", delete=False),
        ]

    def __str__(self):
        return f"£{self.amount} at {self.merchant} on {self.date:%-d %b %Y}"

    def get_absolute_url(self):
        return reverse("purchases:purchase-detail", args=[self.pk])

    def save(self, *args, **kwargs):
        if kwargs.get("update_fields") is None:
            self.team_id = self.case.team_id
        super().save(*args, **kwargs)

    @property
    def has_receipt(self) -> bool:
        return bool(self.receipt)

    @property
    def is_receipt_missing(self) -> bool:
        return self.receipt_missing(self.receipt, self.no_receipt_reason)

    @staticmethod
    def receipt_missing(receipt, no_receipt_reason: str) -> bool:
        """Neither a receipt nor a reason for having none (`receipt`: its file or name)."""
        return not receipt and not no_receipt_reason

    @property
    def is_reviewed(self) -> bool:
        return bool(self.review_verdict)

    @property
    def awaits_answer(self) -> bool:
        return self.answer_awaited(self.review_verdict, self.voided, self.query_answered_at,
                                   self.reviewed_at)

    @classmethod
    def answer_awaited(cls, review_verdict: str, voided: bool, query_answered_at,
                       reviewed_at) -> bool:
        """Queried by a reviewer and not answered since (nor voided)."""
        return review_verdict == cls.Verdict.QUERY and not voided and (
            query_answered_at is None or query_answered_at < reviewed_at)

    @property
    def is_editable(self) -> bool:
        """Its worker corrects it until a reviewer has said OK or not OK."""
        return not self.voided and self.review_verdict in (self.Verdict.NONE,
                                                           self.Verdict.QUERY)

    def plan_answers(self) -> list[tuple[str, bool, str]]:
        return [(label, getattr(self, f"plan_{key}"), getattr(self, f"plan_{key}_reason"))
                for key, label, _ in PLAN]

    def _save_change(self, by, *fields: str):
        """Save the named fields as a change by `by`: the audit event names them."""
        self.updated_by = by
        self.version += 1
        with pghistory.context(user=by.pk):
            self.save(update_fields=[*fields, "updated_by", "updated_at", "version"])

    def review(self, *, by, verdict: str, note: str = ""):
        if by.pk == self.worker_id:
            raise ValidationError("You cannot review your own spend: another leader reviews it.")
        if self.voided:
            raise ValidationError("This purchase is voided, so there is nothing to review.")
        if verdict not in (self.Verdict.OK, self.Verdict.QUERY, self.Verdict.NOT_OK):
            raise ValidationError("Choose OK, query or not OK.")
        if verdict != self.Verdict.OK and not note.strip():
            raise ValidationError("Write a note: the worker needs to know why.")
        self.review_verdict, self.review_note = verdict, note.strip()
        self.reviewed_by, self.reviewed_at = by, timezone.now()
        self._save_change(by, "review_verdict", "review_note", "reviewed_by", "reviewed_at")

    def void(self, *, by, reason: str):
        if self.voided:
            raise ValidationError("This purchase is already voided.")
        if not reason.strip():
            raise ValidationError("Say why the purchase is voided.")
        self.voided, self.void_reason = True, reason.strip()
        self.voided_by, self.voided_at = by, timezone.now()
        self._save_change(by, "voided", "void_reason", "voided_by", "voided_at")

    def answer_query(self, *, by, text: str):
        if by.pk != self.worker_id:
            raise ValidationError("Only the worker who made the purchase answers the query.")
        if self.review_verdict != self.Verdict.QUERY:
            raise ValidationError("There is no query to answer.")
        if not text.strip():
            raise ValidationError("Write your answer to the query.")
        self.query_answer, self.query_answered_at = text.strip(), timezone.now()
        self._save_change(by, "query_answer", "query_answered_at")

    def record_advice(self, *, by, text: str):
        """The advice the debrief gave. Advice, not permission: the purchase stands."""
        if not text.strip():
            raise ValidationError("Write the advice given.")
        self.advice_given, self.advice_given_by = text.strip(), by
        self.advice_given_at = timezone.now()
        self._save_change(by, "advice_given", "advice_given_by", "advice_given_at")

    class Stale(Exception):
        """Someone else changed the purchase after the form was opened."""

    def save_edit(self, *, by, seen_version: int):
        """Save the worker's corrections, unless someone changed the purchase since they
        opened the form (then raise Purchase.Stale and change nothing)."""
        with transaction.atomic():
            current = Purchase.objects.select_for_update().only("version").get(pk=self.pk)
            if current.version != seen_version:
                raise self.Stale
            self.version = current.version + 1
            self.updated_by = by
            with pghistory.context(user=by.pk):
                self.save()


# A statement line matches a logged purchase on the same card, for the same amount, dated
# within this many days of it either way (a card provider posts a charge a day or two late).
MATCH_DAYS = 3


@pghistory.track()
class Statement(models.Model):
    """What the card provider charged to one card in one month, imported from its CSV. Its
    lines are matched with the purchases workers logged, so a leader sees what nobody
    logged and what was logged but never charged."""

    card = models.ForeignKey(Card, on_delete=models.PROTECT, related_name="statements")
    month = models.DateField(help_text="The first day of the statement's month.")
    file_name = models.CharField("file", max_length=ONE_LINE,
                                 help_text="The last file that added lines to it.")
    duplicates_skipped = ArrayField(
        models.CharField(max_length=64), default=list, blank=True,
        help_text="Transaction ids in its files that were already imported, so skipped.")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-month", "card"]
        constraints = [
            models.UniqueConstraint(fields=["card", "month"], name="statement_unique_card_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="statement_month_first_day"),
        ]

    def __str__(self):
        return f"{self.month:%B %Y} statement for card ending {self.card.last_four}"

    def get_absolute_url(self):
        return reverse("purchases:statement-detail", args=[self.pk])

    @property
    def end(self) -> date:
        return next_month(self.month)


@pghistory.track()
class StatementLine(models.Model):
    """One charge (or refund, a negative amount) on a statement, and the logged purchase it
    was matched with, if any."""

    class How(models.TextChoices):
        NONE = "", "Not matched"
        AUTO = "auto", "Matched automatically"
        MANUAL = "manual", "Matched by hand"

    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="lines")
    transaction_id = models.CharField("provider's transaction id", max_length=64, unique=True)
    date = models.DateField()
    merchant = models.CharField(max_length=ONE_LINE)
    amount = models.DecimalField("amount (£)", max_digits=10, decimal_places=2)
    purchase = models.OneToOneField(Purchase, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="statement_line")
    matched_how = models.CharField(max_length=6, choices=How.choices, blank=True,
                                   default=How.NONE)
    matched_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+", null=True, blank=True)
    matched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["date", "pk"]
        indexes = [models.Index(fields=["statement", "date"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(amount=0) & Q(amount__gte=-MAX_AMOUNT, amount__lte=MAX_AMOUNT),
                name="statement_line_amount_plausible"),
            models.CheckConstraint(
                condition=Q(purchase__isnull=True, matched_how="", matched_by__isnull=True,
                            matched_at__isnull=True)
                | (Q(purchase__isnull=False, matched_by__isnull=False, matched_at__isnull=False)
                   & ~Q(matched_how="")),
                name="statement_line_match_recorded"),
        ]

    def __str__(self):
        return f"£{self.amount} at {self.merchant} on {self.date:%-d %b %Y}"

    def match(self, purchase: Purchase, *, by, how: str = How.MANUAL):
        """Match the line with a logged purchase on the same card. The amounts may differ
        when matched by hand: the reconciliation shows the difference. The statement is
        locked while the line changes (as automatic matching locks it), and the line is
        changed only if it is still unmatched, so two people never overwrite each other."""
        if self.purchase_id is not None:
            raise ValidationError("This line is already matched: unmatch it first.")
        if purchase.voided:
            raise ValidationError("That purchase is voided, so it cannot be matched.")
        if purchase.card_id != self.statement.card_id:
            raise ValidationError("That purchase was made on another card.")
        if StatementLine.objects.filter(purchase=purchase).exists():
            raise ValidationError("That purchase is already matched with another line.")
        now = timezone.now()
        try:
            with transaction.atomic(), pghistory.context(user=by.pk):
                Statement.objects.select_for_update().filter(pk=self.statement_id).first()
                changed = StatementLine.objects.filter(pk=self.pk, purchase=None).update(
                    purchase=purchase, matched_how=how, matched_by=by, matched_at=now)
        except IntegrityError:  # someone matched the purchase a moment ago
            raise ValidationError("That purchase is already matched with another line.") \
                from None
        if not changed:
            raise ValidationError("Someone matched this line a moment ago. Look again before "
                                  "changing it.")
        self.purchase, self.matched_how, self.matched_by, self.matched_at = (
            purchase, how, by, now)

    def unmatch(self, *, by):
        if self.purchase_id is None:
            raise ValidationError("This line is not matched.")
        with transaction.atomic(), pghistory.context(user=by.pk):
            Statement.objects.select_for_update().filter(pk=self.statement_id).first()
            changed = StatementLine.objects.filter(pk=self.pk, purchase=self.purchase_id).update(
                purchase=None, matched_how="", matched_by=None, matched_at=None)
        if not changed:
            raise ValidationError("Someone changed this line's match a moment ago. Look again "
                                  "before changing it.")
        self.purchase, self.matched_how, self.matched_by, self.matched_at = None, "", None, None


# Each category's label by value, read once: for the spend overview's totals. (Rows write a
# purchase's with the Jinja2 `display` filter, which keeps every field's labels so.)
CATEGORY_LABELS = dict(Purchase.Category.choices)
