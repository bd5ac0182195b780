import datetime
from functools import cache

from django import forms
from django.db.models import IntegerField
from django.utils import timezone

from accounts.compiled import Compiled, Slot
from accounts.forms import DateField, GovukFormMixin, QuickSelect, offer_rows
from accounts.models import User
from caseload.models import (
    Case,
    Contact,
    Debt,
    EnforcementDecision,
    Hold,
    Outcome,
    Person,
    Pull,
    Transition,
    WhatMatters,
    edit_stamp,
)


def team_workers(team):
    return User.objects.filter(memberships__team=team, is_active=True).order_by("first_name")


# team_workers as a select's options, compiled once (accounts/compiled.py): the ORM built
# that query afresh for each form shown, and a ModelChoiceField reads its options through a
# server-side cursor (three round trips): 0.95 ms for the nine workers of a team, on every
# open case's page (its "log a visit" form).
TEAM_WORKERS = Compiled(User, lambda: team_workers(Slot("team", IntegerField())).values_list(
    "pk", "first_name", "last_name", "username"), label="team_workers")


def offer_team_workers(field: forms.ModelChoiceField, team, rows=None) -> None:
    """`field` chooses one of `team_workers(team)` (its queryset checks the answer); its
    select lists each worker's id and name from TEAM_WORKERS (`offer_rows`), or from `rows`
    when the page read them already."""
    field.queryset = team_workers(team)
    offer_rows(field, lambda: [(pk, User.shown_name(first_name, last_name, username))
                               for pk, first_name, last_name, username
                               in (rows if rows is not None
                                   else TEAM_WORKERS.rows({"team": team.pk}))])


class CaseForm(GovukFormMixin, forms.ModelForm):
    transitions = forms.MultipleChoiceField(
        choices=Transition.choices, required=False, widget=forms.CheckboxSelectMultiple,
        label="Life transitions", help_text="To spot patterns across the people we work with.")
    seen = forms.CharField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Case
        fields = ["lead", "source", "transitions"]

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"].empty_label = None
        offer_team_workers(self.fields["lead"], team)
        if self.instance.pk:
            self.initial.setdefault("seen", edit_stamp(self.instance))


class PersonForm(GovukFormMixin, forms.ModelForm):
    date_of_birth = DateField(required=False, past_only=True, label="Date of birth",
                              help_text="For example, 27 3 1985. Leave blank if not known.")
    add_anyway = forms.BooleanField(
        required=False, label="This is a different person: add them anyway")

    class Meta:
        model = Person
        fields = ["name", "preferred_name", "relationship", "date_of_birth", "phone", "email",
                  "address"]
        widgets = {"address": forms.Textarea({"rows": 3}),
                   "phone": forms.TextInput(attrs={"type": "tel"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.possible_duplicates = []

    def check_duplicates(self, people_queryset):
        """Stop once to show people who may be the same person (by name and date of birth, or
        phone). Runs one query."""
        data = self.cleaned_data
        matches = list(people_queryset.possible_duplicates(
            name=data.get("name", ""), date_of_birth=data.get("date_of_birth"),
            phone=data.get("phone", "")).exclude(pk=self.instance.pk))
        if matches and not data.get("add_anyway"):
            self.possible_duplicates = matches
            self.add_error("add_anyway", "This may be someone we already know. Check the "
                           "matches, or confirm this is a different person.")
        return not self.errors


class WhatMattersForm(GovukFormMixin, forms.ModelForm):
    based_on = forms.IntegerField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = WhatMatters
        fields = ["what_matters", "good_life", "what_we_can_do"]
        help_texts = {"what_matters": "In their own words.", }
        widgets = {f: forms.Textarea({"rows": 4}) for f in fields}

    def clean(self):
        data = super().clean()
        if not any(data.get(f, "").strip() for f in self.Meta.fields):
            raise forms.ValidationError("Write at least one answer, in the person's own words")
        return data


class ContactForm(GovukFormMixin, forms.ModelForm):
    """Quick to fill in on a phone: only 'what happened' is required."""

    happened_on = DateField(required=False, past_only=True, label="When",
                            help_text="Leave blank for today")
    happened_time = forms.TimeField(required=False, label="Time", input_formats=["%H:%M", "%H.%M"],
                                    help_text="For example, 14:30. Leave blank for now.",
                                    widget=forms.TextInput({"class": "govuk-input--width-5",
                                                            "inputmode": "numeric"}))
    next_step_due = DateField(required=False, label="Next step by", max_years_ahead=1)
    seen = forms.CharField(required=False, widget=forms.HiddenInput)  # on a correction

    class Meta:
        model = Contact
        fields = ["kind", "what_happened", "what_we_did", "next_step", "next_step_due",
                  "worker"]
        widgets = {"kind": forms.RadioSelect, "what_happened": forms.Textarea({"rows": 3}),
                   "what_we_did": forms.Textarea({"rows": 2})}

    def __init__(self, *args, team, workers=None, **kwargs):
        """`workers`: the team's, as TEAM_WORKERS reads them, if read already."""
        super().__init__(*args, **kwargs)
        offer_team_workers(self.fields["worker"], team, workers)
        self.fields["worker"].required = False
        self.fields["worker"].help_text = "Leave as it is if it was you"
        if self.instance.pk:
            local = timezone.localtime(self.instance.happened_at)
            self.initial.setdefault("happened_on", local.date())
            self.initial.setdefault("happened_time", local.strftime("%H:%M"))
            self.initial.setdefault("seen", edit_stamp(self.instance))

    def clean_worker(self):
        """Blank means "me" on a new entry and "unchanged" on a correction."""
        worker = self.cleaned_data.get("worker")
        return worker or (self.instance.worker if self.instance.worker_id else None)

    def clean(self):
        data = super().clean()
        day, time = data.get("happened_on"), data.get("happened_time")
        if day or time:
            now = timezone.localtime()
            when = datetime.datetime.combine(day or now.date(), time or now.time(),
                                             tzinfo=now.tzinfo)
            if when > now + datetime.timedelta(minutes=5):
                self.add_error("happened_time", "When must be now or in the past")
            data["happened_at"] = when
        if data.get("next_step_due") and not data.get("next_step"):
            self.add_error("next_step", "Say what the next step is, or leave the date blank")
        return data

    def save(self, commit=True):
        if self.cleaned_data.get("happened_at"):
            self.instance.happened_at = self.cleaned_data["happened_at"]
        return super().save(commit)


class PullForm(GovukFormMixin, forms.ModelForm):
    pulled_on = DateField(required=False, past_only=True, label="When",
                          help_text="Leave blank for today")

    class Meta:
        model = Pull
        fields = ["specialist", "who", "what_for", "pulled_on"]

    def clean_pulled_on(self):
        return self.cleaned_data["pulled_on"] or timezone.localdate()


class DebtForm(GovukFormMixin, forms.ModelForm):
    as_of = DateField(required=False, past_only=True, label="Amount as of",
                      help_text="Leave blank for today")

    class Meta:
        model = Debt
        fields = ["creditor", "creditor_name", "amount", "as_of", "pay_status", "notes"]
        widgets = {"pay_status": forms.RadioSelect, "notes": forms.Textarea({"rows": 3})}
        error_messages = {"amount": {"min_value": "Amount must be £0 or more"}}

    def clean_as_of(self):
        return self.cleaned_data["as_of"] or timezone.localdate()


class HoldRequestForm(GovukFormMixin, forms.ModelForm):
    class Meta:
        model = Hold
        fields = ["kind", "reason"]
        widgets = {"kind": forms.RadioSelect, "reason": forms.Textarea({"rows": 3})}
        labels = {"kind": "Hold on what?", "reason": "Why we need the air cover"}


class HoldDecisionForm(GovukFormMixin, forms.Form):
    decision = forms.ChoiceField(choices=[("grant", "Grant the hold"),
                                          ("decline", "Decline the hold")],
                                 widget=forms.RadioSelect, label="Your decision")
    review_on = DateField(required=False, label="Review by", max_years_ahead=1,
                          help_text="Needed when you grant the hold")
    note = forms.CharField(max_length=2000, required=False, widget=forms.Textarea({"rows": 3}))

    def clean(self):
        data = super().clean()
        if data.get("decision") == "grant":
            review_on = data.get("review_on")
            if not review_on:
                self.add_error("review_on", "Enter a review date for the hold")
            elif review_on < timezone.localdate():
                self.add_error("review_on", "Review by must be today or in the future")
        return data


class HoldEndForm(GovukFormMixin, forms.Form):
    reason = forms.CharField(max_length=2000, widget=forms.Textarea({"rows": 3}),
                             label="Why the hold is ending")


class EnforcementDecisionForm(GovukFormMixin, forms.ModelForm):
    decided_on = DateField(required=False, past_only=True, label="When",
                           help_text="Leave blank for today")
    went_ahead = forms.TypedChoiceField(
        choices=[("True", "It went ahead"), ("False", "It was avoided")],
        coerce=lambda v: v == "True", widget=forms.RadioSelect, label="Did it go ahead?")

    class Meta:
        model = EnforcementDecision
        fields = ["kind", "went_ahead", "should_we", "decided_on"]
        widgets = {"should_we": forms.Textarea({"rows": 3})}
        error_messages = {"should_we": {
            "required": "Answer the question: just because we can, does it mean we should?"}}

    def clean_decided_on(self):
        return self.cleaned_data["decided_on"] or timezone.localdate()


class OutcomeForm(GovukFormMixin, forms.ModelForm):
    happened_on = DateField(required=False, past_only=True, label="When",
                            help_text="Leave blank for today")

    class Meta:
        model = Outcome
        fields = ["kind", "happened_on", "weekly_amount", "note"]
        widgets = {"kind": forms.RadioSelect, "note": forms.Textarea({"rows": 3})}
        help_texts = {"weekly_amount": "For benefits gained: how much a week"}

    def clean(self):
        data = super().clean()
        if data.get("kind") == Outcome.Kind.BENEFITS and not data.get("weekly_amount"):
            self.add_error("weekly_amount", "Enter the weekly amount of benefits gained")
        return data

    def clean_happened_on(self):
        return self.cleaned_data["happened_on"] or timezone.localdate()


class CloseCaseForm(GovukFormMixin, forms.Form):
    note = forms.CharField(max_length=2000, widget=forms.Textarea({"rows": 3}),
                           label="Closing note", help_text="A line on why, for whoever reads this next")


class CaseFilterForm(forms.Form):
    """The caseload filters (MOJ filter pattern). Invalid values are ignored, not errors."""

    status = forms.ChoiceField(choices=[("open", "Open"), ("closed", "Closed"), ("all", "All")],
                               required=False, widget=forms.RadioSelect)
    lead = forms.TypedChoiceField(
        coerce=int, required=False, empty_value=None, label="Lead caseworker",
        error_messages={"invalid_choice": "Choose a lead from the list"}, widget=QuickSelect)
    not_seen_days = forms.IntegerField(required=False, min_value=1, max_value=3650,
                                       label="Not seen for at least (days)")
    overdue = forms.BooleanField(required=False, label="Next step overdue")
    active_hold = forms.BooleanField(required=False, label="Has an active hold")
    transition = forms.ChoiceField(choices=[("", "Any")] + list(Transition.choices),
                                   required=False, label="Life transition", widget=QuickSelect)

    def __init__(self, *args, leads, **kwargs):
        """`leads()`: the users to offer, as plain rows (id, first name, last name, username),
        not objects; called only if the select is shown or a lead chosen."""
        super().__init__(*args, **kwargs)
        @cache  # read once
        def lead_choices():
            return [("", "Any"), *((pk, User.shown_name(*name)) for pk, *name in leads())]

        self.fields["lead"].choices = lead_choices
        for name in ("lead", "transition"):
            self.fields[name].widget.attrs["class"] = "govuk-select"
        self.fields["not_seen_days"].widget.attrs["class"] = "govuk-input govuk-input--width-4"
