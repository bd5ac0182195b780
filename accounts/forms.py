import datetime
import re
from collections.abc import Callable, Iterable

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Q
from django.utils import timezone
from django.utils.choices import BaseChoiceIterator

from accounts.compiled import Compiled
from accounts.models import AccessLog, Team
from accounts.renderers import select_markup
from accounts.shortcuts import local_midnight

# Every team, by name, as a select lists them; compiled once (accounts/compiled.py).
TEAM_NAMES = Compiled(Team, lambda: Team.objects.order_by("name").values_list("pk", "name"),
                      label="team_names")


class ReadyChoices(BaseChoiceIterator):
    """A field's choices as `read()` gives them, already as Django keeps them ((value, label)
    pairs, or (group name, list of pairs)): read once, when a select or a check first asks,
    and not normalized again. Choices given to a field any other way are normalized on every
    form, one call for each option and group; for a large council's 200 cards that was a
    tenth of the export page's time. A copy (a form copies its class's fields) reads afresh:
    what one form read is never another's."""

    def __init__(self, read: Callable[[], list]):
        self._read, self._choices = read, None

    def __iter__(self):
        if self._choices is None:
            self._choices = self._read()
        return iter(self._choices)

    def __copy__(self):
        return ReadyChoices(self._read)

    def __deepcopy__(self, memo):
        return ReadyChoices(self._read)


def offer_rows(field: forms.ModelChoiceField, rows: Callable[[], Iterable[tuple]]) -> None:
    """The options `field`'s select lists: its empty choice, then the (value, label) pairs of
    `rows()`, as its queryset would list them, read once, when the select is first written
    (Select reads its first option to decide on `required`, then all of them). A
    ModelChoiceField otherwise makes a model instance of every option, read through a
    server-side cursor (three round trips), at each of those two reads. Its queryset still
    checks the answer."""
    empty = [("", field.empty_label)] if field.empty_label is not None else []
    field.widget.choices = ReadyChoices(lambda: [*empty, *rows()])


def offer_all_teams(field: forms.ModelChoiceField) -> None:
    """`field`, a choice of any team (by name), lists them from TEAM_NAMES."""
    offer_rows(field, lambda: TEAM_NAMES.rows({}))

WIDGET_CLASSES = {
    "textinput": "govuk-input", "numberinput": "govuk-input", "emailinput": "govuk-input",
    "passwordinput": "govuk-input", "urlinput": "govuk-input",
    "textarea": "govuk-textarea", "select": "govuk-select", "quickselect": "govuk-select",
    "selectmultiple": "govuk-select",
    "clearablefileinput": "govuk-file-upload", "fileinput": "govuk-file-upload",
    "checkboxinput": "govuk-checkboxes__input",
}


class GovukFormMixin:
    """Give each widget its GOV.UK class, and its error class when the field is invalid.

    Templates render fields with {% field %} (includes/field.jinja), which adds label, hint
    and message.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if type(widget) is forms.Select:
                widget.__class__ = QuickSelect  # the same widget, written out directly
            css = WIDGET_CLASSES.get(type(widget).__name__.lower())
            if css and css not in widget.attrs.get("class", ""):
                widget.attrs["class"] = f"{css} {widget.attrs.get('class', '')}".strip()

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                if isinstance(widget, GovukDateInput):
                    for box in widget.widgets:
                        box.attrs["class"] += " govuk-input--error"
                    continue
                css = WIDGET_CLASSES.get(type(widget).__name__.lower())
                if css and f"{css}--error" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] += f" {css}--error"


class QuickSelect(forms.Select):
    """Django's Select, writing its markup directly from its choices. Django builds a dict of
    a dozen entries for each option, then the renderer writes them out: 10 µs an option, so a
    select of a large council's 200 cards cost 2 ms. The markup is the same, character for
    character (tests/accounts/test_renderers.py compares them). GovukFormMixin gives every
    plain Select of the project's forms this class; it keeps all of Select's state."""

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        chosen, has_chosen, groups = set(self.format_value(value)), False, []
        for option_value, option_label in self.choices:  # as ChoiceWidget.optgroups reads them
            if option_value is None:
                option_value = ""
            if isinstance(option_label, (list, tuple)):
                group_name, choices = option_value, option_label
            else:
                group_name, choices = None, [(option_value, option_label)]
            options = []
            for value_, label in choices:
                selected = not has_chosen and str(value_) in chosen
                has_chosen |= selected
                options.append((value_, label, " selected" if selected else ""))
            groups.append((group_name, options))
        return select_markup(name, attrs, groups)


class GovukDateInput(forms.MultiWidget):
    """The GOV.UK date input: day, month and year typed into three boxes. Its template is
    Jinja2, which the project's form renderer (accounts/renderers.py) renders."""

    template_name = "includes/widgets/date_input.jinja"

    def __init__(self, attrs=None):
        box = {"class": "govuk-input govuk-date-input__input", "inputmode": "numeric"}
        super().__init__([forms.TextInput({**box, "class": box["class"] + " govuk-input--width-2"}),
                          forms.TextInput({**box, "class": box["class"] + " govuk-input--width-2"}),
                          forms.TextInput({**box, "class": box["class"] + " govuk-input--width-4"})],
                         attrs)

    def decompress(self, value):
        if isinstance(value, datetime.date):
            return [value.day, value.month, value.year]
        return [None, None, None]

    def value_from_datadict(self, data, files, name):
        return [data.get(f"{name}_{part}", "").strip() for part in ("day", "month", "year")]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        for sub, part in zip(context["widget"]["subwidgets"], ("day", "month", "year"),
                             strict=True):
            sub["name"] = f"{name}_{part}"
            sub["attrs"]["id"] = f"{attrs.get('id', 'id_' + name)}_{part}"
            sub["part"] = part
        return context


class DateField(forms.Field):
    """A real date typed as day, month and year, within sensible bounds for its use."""

    widget = GovukDateInput

    def __init__(self, *, past_only=False, max_years_ahead=2, **kwargs):
        self.past_only = past_only
        self.max_years_ahead = max_years_ahead
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return value

    def to_python(self, value):
        if isinstance(value, datetime.date):
            return value
        if not value or not any(value):
            return None
        day, month, year = value
        label = (self.label or "The date").capitalize()
        missing = [part for part, v in zip(("day", "month", "year"), value, strict=True) if not v]
        if missing:
            raise forms.ValidationError(f"{label} must include a {' and '.join(missing)}")
        try:
            parsed = datetime.date(int(year), int(month), int(day))
        except ValueError as error:
            raise forms.ValidationError(f"{label} must be a real date") from error
        if len(str(year)) != 4:
            raise forms.ValidationError("Year must include 4 numbers")
        return parsed

    def validate(self, value):
        super().validate(value)
        if value is None:
            return
        today = timezone.localdate()
        label = (self.label or "The date").capitalize()
        if self.past_only and value > today:
            raise forms.ValidationError(f"{label} must be today or in the past")
        if value > today.replace(year=today.year + self.max_years_ahead):
            raise forms.ValidationError(
                f"{label} must be within {self.max_years_ahead} years from today")
        if value.year < 1900:
            raise forms.ValidationError(f"{label} must be after 1900")


class SignInForm(AuthenticationForm):
    """Django's sign-in form with GOV.UK labels and messages."""

    error_messages = {
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "This account is switched off. Ask an admin to switch it back on.",
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = "Username"
        self.fields["username"].widget.attrs.update(
            {"class": "govuk-input govuk-!-width-one-half", "autocomplete": "username",
             "spellcheck": "false"})
        self.fields["password"].widget.attrs.update(
            {"class": "govuk-input govuk-!-width-one-half", "autocomplete": "current-password"})
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"


class SecondFactorForm(GovukFormMixin, forms.Form):
    code = forms.CharField(
        max_length=20, label="Code",
        help_text="The 6-digit code from your authenticator app, or one of your recovery codes",
        widget=forms.TextInput({"autocomplete": "one-time-code", "inputmode": "numeric",
                                "class": "govuk-input--width-10", "spellcheck": "false"}),
        error_messages={"required": "Enter the code from your authenticator app"})

    def clean_code(self):
        return "".join(ch for ch in self.cleaned_data["code"] if ch.isalnum())


class AccessLogSearchForm(GovukFormMixin, forms.Form):
    """Who looked at what: by the record's reference, the member of staff, the kind of look
    and the dates. Every field may be left empty."""

    reference = forms.CharField(
        label="Case reference or record", required=False, max_length=40,
        help_text="For example RS-0042: finds views of the case, its receipts and its "
                  "subject-access exports",
        widget=forms.TextInput({"class": "govuk-input--width-10", "spellcheck": "false"}))
    who = forms.CharField(label="Who looked", required=False, max_length=150,
                          help_text="Part of a member of staff's username or name",
                          widget=forms.TextInput({"class": "govuk-input--width-20"}))
    action = forms.ChoiceField(label="What they did", required=False,
                               choices=[("", "Anything"), *AccessLog.Action.choices])
    date_from = DateField(label="From", required=False, past_only=True)
    date_to = DateField(label="To", required=False, past_only=True)

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The end date must be the same as or after the start date")
        return data

    def filter(self, entries):
        data = self.cleaned_data
        if data["reference"]:  # the whole reference: RS-1000 is not RS-10000 or ARS-1000
            reference = re.escape(data["reference"].strip())
            entries = entries.filter(
                label__iregex=rf"(^|[^[:alnum:]-]){reference}($|[^[:alnum:]])")
        if data["who"]:
            who = data["who"].strip()
            entries = entries.filter(Q(user__username__icontains=who)
                                     | Q(user__first_name__icontains=who)
                                     | Q(user__last_name__icontains=who))
        if data["action"]:
            entries = entries.filter(action=data["action"])
        if data["date_from"]:
            entries = entries.filter(at__gte=local_midnight(data["date_from"]))
        if data["date_to"]:
            day_after = data["date_to"] + datetime.timedelta(days=1)
            entries = entries.filter(at__lt=local_midnight(day_after))
        return entries
