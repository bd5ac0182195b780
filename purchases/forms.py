import io
import re
import zipfile
from datetime import timedelta
from decimal import Decimal

import filetype
from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.functional import cached_property

from accounts.compiled import Compiled
from accounts.forms import DateField, GovukFormMixin, ReadyChoices, offer_all_teams
from accounts.models import Team
from caseload.models import Case, Person
from purchases.models import (
    MAX_AMOUNT,
    NOTE,
    PLAN,
    PLAUSIBLE_AMOUNT,
    RECEIPT_TYPES,
    Card,
    Purchase,
)

MAX_RECEIPT_BYTES = 10 * 1024 * 1024
RECEIPT_KINDS = "a photo (JPEG, PNG, HEIC or WebP) or a PDF"


class MoneyField(forms.Field):
    """An amount in pounds as people type it: "23.50", "£23.50", "1,200". Two decimal places
    at most; never scientific notation."""

    widget = forms.TextInput

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "inputmode": "decimal", "spellcheck": "false",
                "class": "govuk-input govuk-input--width-5"}

    def to_python(self, value):
        text = str(value or "").strip()
        if not text:
            return None
        text = re.sub(r"[\s,]", "", text[:30]).removeprefix("£")
        negative = text.startswith("-")
        text = text.lstrip("-").removeprefix("£")
        if not re.fullmatch(r"[0-9]+(\.[0-9]*)?|\.[0-9]+", text):  # never 1e9, NaN or Infinity
            raise forms.ValidationError("Amount must be a number in pounds, like 23.50")
        amount = Decimal(text)
        if negative or amount <= 0:
            raise forms.ValidationError("Amount must be more than £0")
        if amount.as_tuple().exponent < -2:
            raise forms.ValidationError("Amount must be in pounds and pence, with no more than "
                                        "2 numbers after the point, like 23.50")
        if amount > MAX_AMOUNT:
            raise forms.ValidationError(f"Amount must be £{MAX_AMOUNT:,.0f} or less")
        return amount.quantize(Decimal("0.01"))


def sniff_receipt(data: bytes) -> str | None:
    """The receipt's content type judged from its bytes (never its name), or None when it is
    not a photo or PDF we accept, or is also a ZIP archive (a polyglot)."""
    kind = filetype.guess(data[:8192])
    content_type = kind.mime if kind else None
    if content_type not in RECEIPT_TYPES:
        return None
    if content_type == "application/pdf" and not data.startswith(b"%PDF-"):
        return None
    if _contains_zip(data):
        return None
    return content_type


def _contains_zip(data: bytes) -> bool:
    """A ZIP's end record, or a local file header (with a plausible version) anywhere."""
    if zipfile.is_zipfile(io.BytesIO(data)):
        return True
    start = data.find(b"PK\x03\x04")
    while start != -1:
        version = data[start + 4:start + 6]
        if len(version) == 2 and version[0] <= 63 and version[1] == 0:
            return True
        start = data.find(b"PK\x03\x04", start + 1)
    return False


class PurchaseForm(GovukFormMixin, forms.ModelForm):
    """Log (or correct) a purchase: quick on a phone, nothing saved until all is right."""

    amount = MoneyField(label="Amount", help_text="In pounds, for example 23.50")
    amount_confirmed = forms.BooleanField(required=False, label="Yes, the amount is right")
    date = DateField(past_only=True, label="Date of the purchase")
    receipt = forms.FileField(
        required=False, label="Receipt",
        help_text=f"Take a photo or choose a file: {RECEIPT_KINDS}, up to 10 MB.",
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/heic,image/heif,"
                                                "image/webp,application/pdf"}))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Purchase
        fields = ["case", "amount", "merchant", "category", "purpose", "date", "card",
                  "plan_proportionate", "plan_proportionate_reason", "plan_legal",
                  "plan_legal_reason", "plan_auditable", "plan_auditable_reason",
                  "plan_necessary", "plan_necessary_reason", "advice_asked", "receipt",
                  "no_receipt_reason"]
        labels = {"case": "Who it was for", "merchant": "Where", "purpose": "What it was for",
                  "card": "Card used", "category": "What kind of purchase",
                  "advice_asked": "Ask the debrief for advice",
                  "no_receipt_reason": "Or, why there is no receipt"}
        help_texts = {
            "merchant": "The shop or company, for example Asda",
            "purpose": "One line, for example \"Food shop: cupboards empty until payday\"",
            "advice_asked": "It is still saved: this is advice, not permission. It goes on the "
                            "next debrief's agenda.",
            "no_receipt_reason": "For example, \"Bus driver gave no ticket\"",
        }
        widgets = {"category": forms.RadioSelect}
        error_messages = {
            "case": {"required": "Choose who the purchase was for",
                     "invalid_choice": "Choose one of your team's open cases"},
            "card": {"required": "Choose the card you used",
                     "invalid_choice": "Choose one of your team's cards"},
            "merchant": {"required": "Enter where you bought it"},
            "category": {"required": "Choose what kind of purchase it was"},
            "purpose": {"required": "Say in one line what it was for"},
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Open cases in reach; a correction may keep a case that has closed since.
        cases = Case.objects.for_user(user).filter(
            Q(status=Case.Status.OPEN) | Q(pk=self.instance.case_id or None))
        self.fields["case"].queryset = cases.order_by("team", "number").prefetch_related(
            Prefetch("people", queryset=Person.objects.filter(
                relationship=Person.Relationship.MAIN)))
        self.fields["case"].label_from_instance = _case_label
        cards = Card.objects.filter(Q(active=True, team__in=user.team_ids)
                                    | Q(pk=self.instance.card_id or None))
        self.fields["card"].queryset = cards.select_related("holder").order_by("last_four")
        self.fields["card"].label_from_instance = lambda c: f"Ending {c.last_four} ({c.holder})"
        self.fields["card"].empty_label = None
        self.fields["category"].choices = Purchase.Category.choices
        self.fields["amount"].error_messages["required"] = "Enter the amount"
        self.fields["date"].error_messages["required"] = "Enter the date of the purchase"
        for key, label, hint in PLAN:
            box, reason = self.fields[f"plan_{key}"], self.fields[f"plan_{key}_reason"]
            box.label, box.help_text = label, hint
            reason.label = f"Why it is {key}"
            reason.required = False  # checked in clean(), with a message naming the letter
            box.widget.attrs["data-aria-controls"] = f"conditional-id_plan_{key}"
        usable = list(self.fields["card"].queryset)
        self.has_cards = bool(usable)
        own = next((c for c in usable if c.holder_id == user.pk and c.active), None)
        if own:
            self.fields["card"].help_text = _guidance(own)
        if not self.is_bound and not self.instance.pk:
            self.initial.setdefault("date", timezone.localdate())
            if own:
                self.initial.setdefault("card", own.pk)
        if self.instance.pk:
            self.initial.setdefault("version", self.instance.version)

    def plan_fields(self):
        """Each PLAN confirmation with its reason, as bound fields."""
        return [(self[f"plan_{key}"], self[f"plan_{key}_reason"]) for key, _, _ in PLAN]

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day and day < timezone.localdate() - timedelta(days=366):
            raise forms.ValidationError("Date of the purchase must be within the last year")
        return day

    def clean_receipt(self):
        upload = self.cleaned_data.get("receipt")
        if not isinstance(upload, UploadedFile):
            return upload  # none chosen, or the one already kept
        if upload.size > MAX_RECEIPT_BYTES:
            raise forms.ValidationError("The receipt must be smaller than 10 MB")
        upload.seek(0)
        data = upload.read()
        upload.seek(0)
        content_type = sniff_receipt(data)
        if content_type is None:
            raise forms.ValidationError(f"The receipt must be {RECEIPT_KINDS}")
        upload.name = f"receipt.{RECEIPT_TYPES[content_type]}"
        upload.sniffed_type = content_type
        return upload

    def clean(self):
        data = super().clean()
        for key, label, _ in PLAN:
            reason = (data.get(f"plan_{key}_reason") or "").strip()
            data[f"plan_{key}_reason"] = reason
            # One message per letter: the reason box only shows once its letter is ticked.
            if not data.get(f"plan_{key}"):
                self.add_error(f"plan_{key}", f"Confirm the purchase is {key} ({label[0]} in "
                                              "PLAN), and say why")
            elif not reason:
                self.add_error(f"plan_{key}_reason", f"Say in one line why it is {key}")
        amount = data.get("amount")
        if amount and amount > PLAUSIBLE_AMOUNT and not data.get("amount_confirmed"):
            self.add_error("amount", f"Check the amount: purchase-card spends are usually "
                                     f"under £{PLAUSIBLE_AMOUNT:,.0f}. If £{amount:,} is right, "
                                     "tick \"Yes, the amount is right\"")
            self.needs_amount_confirmation = True
        return data

    @property
    def receipt_lost(self) -> bool:
        """A good receipt was chosen, but something else needs fixing: files are not kept."""
        return bool(self.is_bound and self.errors and "receipt" not in self.errors
                    and self.files.get("receipt"))

    @property
    def show_amount_confirmation(self) -> bool:
        return getattr(self, "needs_amount_confirmation", False) or bool(
            self.data.get("amount_confirmed"))

    def save(self, commit=True):
        purchase = super().save(commit=False)
        upload = self.cleaned_data.get("receipt")
        if getattr(upload, "sniffed_type", None):
            purchase.receipt_content_type = upload.sniffed_type
        if commit:
            purchase.save()
        return purchase


def _guidance(card) -> str:
    limits = []
    if card.per_transaction_guidance:
        limits.append(f"£{card.per_transaction_guidance:,} a purchase")
    if card.monthly_guidance:
        limits.append(f"£{card.monthly_guidance:,} a month")
    if not limits:
        return ""
    return (f"Your card's guidance: up to {' and '.join(limits)}. It is guidance: it never stops "
            "you logging a purchase.")


def _case_label(case) -> str:
    person = case.main_person
    return f"{case.reference}: {person.display_name}" if person else case.reference


class ReviewForm(GovukFormMixin, forms.Form):
    verdict = forms.ChoiceField(
        choices=[(Purchase.Verdict.OK, "OK"),
                 (Purchase.Verdict.QUERY, "Query: I need more details"),
                 (Purchase.Verdict.NOT_OK, "Not OK")],
        widget=forms.RadioSelect, label="Your verdict",
        error_messages={"required": "Choose OK, query or not OK"})
    note = forms.CharField(max_length=NOTE, required=False, widget=forms.Textarea({"rows": 3}),
                           help_text="Needed for a query or not OK: the worker sees it.")

    def clean(self):
        data = super().clean()
        verdict, note = data.get("verdict"), data.get("note", "").strip()
        if verdict == Purchase.Verdict.QUERY and not note:
            self.add_error("note", "Write a note saying what you need to know")
        elif verdict == Purchase.Verdict.NOT_OK and not note:
            self.add_error("note", "Write a note saying why it is not OK")
        return data


class VoidForm(GovukFormMixin, forms.Form):
    reason = forms.CharField(max_length=200, label="Why are you voiding this purchase?",
                             help_text="For example, \"Logged twice\". The purchase is kept, "
                                       "struck through, and no longer counted.",
                             error_messages={"required": "Say why you are voiding the purchase"})


class AnswerForm(GovukFormMixin, forms.Form):
    answer = forms.CharField(max_length=NOTE, widget=forms.Textarea({"rows": 3}),
                             label="Your answer",
                             error_messages={"required": "Write your answer to the query"})


EXPORT_CARDS = Compiled(Card, lambda: Card.objects.order_by(
    "team__name", "last_four", "pk").values_list(
    "pk", "last_four", "team__name", "holder__first_name", "holder__last_name",
    "holder__username"), label="export_cards")


class ExportForm(GovukFormMixin, forms.Form):
    """Which purchases an auditor exports. Every filter is optional: none means all."""

    REVIEW_STATUSES = [("", "Any"), ("unreviewed", "Not reviewed yet"),
                       *[(value, label) for value, label in Purchase.Verdict.choices if value]]

    date_from = DateField(label="From", required=False,
                          help_text="The first purchase date to include. For example, 1 6 2026")
    date_to = DateField(label="To", required=False,
                        help_text="The last purchase date to include")
    team = forms.ModelChoiceField(Team.objects.all(), required=False, empty_label="All teams")
    card = forms.TypedChoiceField(
        coerce=int, required=False, empty_value=None,
        error_messages={"invalid_choice": "Choose a card from the list, or All cards"})
    review_status = forms.ChoiceField(choices=REVIEW_STATUSES, required=False)

    def __init__(self, *args, **kwargs):
        """The cards, grouped by team, from one compiled query of plain rows, read when the
        select is written or a chosen card checked: a large council has hundreds, and making
        a card and its holder for each option was most of the page's time."""
        super().__init__(*args, **kwargs)
        offer_all_teams(self.fields["team"])
        self.fields["card"].choices = ReadyChoices(self._card_choices)

    @cached_property
    def _cards(self) -> list[tuple]:
        return EXPORT_CARDS.rows({})

    @cached_property
    def card_endings(self) -> dict[int, str]:
        return {pk: last_four for pk, last_four, *_ in self._cards}

    def _card_choices(self) -> list:
        by_team = {}
        for pk, last_four, team, *holder in self._cards:
            by_team.setdefault(team, []).append((pk, Card.describe(last_four, *holder)))
        return [("", "All cards"), *by_team.items()]

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", "To must be the same as or after From")
        return data

    def filter(self, purchases):
        """The purchases matching the filters; call after is_valid()."""
        data = self.cleaned_data
        if data["date_from"]:
            purchases = purchases.filter(date__gte=data["date_from"])
        if data["date_to"]:
            purchases = purchases.filter(date__lte=data["date_to"])
        if data["team"]:
            purchases = purchases.filter(team=data["team"])
        if data["card"]:
            purchases = purchases.filter(card=data["card"])
        status = data["review_status"]
        if status:
            purchases = purchases.filter(review_verdict="" if status == "unreviewed" else status)
        return purchases

    def summary(self, rows: int) -> str:
        """The filters and row count, for the access log: no personal data."""
        data = self.cleaned_data
        parts = [f"{data['date_from'] or 'start'}..{data['date_to'] or 'end'}"]
        if data["team"]:
            parts.append(f"team {data['team'].name}")
        if data["card"]:
            parts.append(f"card ending {self.card_endings[data['card']]}")
        if data["review_status"]:
            parts.append(dict(self.REVIEW_STATUSES)[data["review_status"]].lower())
        return f"purchases export: {', '.join(parts)}, {rows} row{'s' if rows != 1 else ''}"[:200]
