from functools import lru_cache

from django import forms
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from accounts.forms import GovukFormMixin
from accounts.templatetags.jinja_include import jinja_include
from debriefs.models import Activity, Entry, Welfare


class EntryForm(GovukFormMixin, forms.Form):
    progress = forms.ChoiceField(choices=Entry.Progress.choices, widget=forms.RadioSelect,
                                 label="Is this working?",
                                 error_messages={"required": "Choose whether this is working"})
    note = forms.CharField(max_length=200, required=False, label="Note")
    version = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)


class ActivityForm(GovukFormMixin, forms.ModelForm):
    complexity = forms.TypedChoiceField(
        choices=[(n, str(n)) for n in range(1, 6)], coerce=int, widget=forms.RadioSelect,
        label="How complex is it?", help_text="1 is simple and often done; 5 needs rare expertise")

    class Meta:
        model = Activity
        fields = ["name", "complexity"]
        labels = {"name": "A new kind of success"}
        help_texts = {"name": "For example, sorted a debt relief order"}

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        self.team = team

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if Activity.objects.filter(team=self.team, name__iexact=name).exists():
            raise forms.ValidationError("The team already counts this; add a stroke to it")
        return name


class WelfareForm(GovukFormMixin, forms.ModelForm):
    class Meta:
        model = Welfare
        fields = ["feeling", "note"]
        widgets = {"feeling": forms.RadioSelect}
        labels = {"feeling": "How are you finding this?", "note": "Anything to add"}
        help_texts = {"note": "Only you and the coordinator see this"}


class CloseForm(GovukFormMixin, forms.Form):
    reflection = forms.CharField(
        max_length=5000, widget=forms.Textarea({"rows": 3}), label="Debrief the debrief",
        help_text="What worked in today's debrief, and what would we change?")


class AdviceForm(GovukFormMixin, forms.Form):
    advice = forms.CharField(max_length=1000, widget=forms.Textarea({"rows": 2}),
                             label="Advice given")


def debrief_issue_form(debrief, data=None):
    """The issue log's quick form, with the reference of the person under discussion's case
    (each person's reference is on their row). Typed, not chosen: a team has hundreds of open
    cases, too many to pick from in a list, and the list was a seventh of the page's time."""
    from caseload.models import Case

    return _issue_form(lambda: Case.objects.open().filter(team=debrief.team_id),
                       debrief.team.case_prefix, data)


def _issue_form(cases, case_prefix: str, data=None):
    from issues.forms import QuickIssueForm

    form = QuickIssueForm(data)
    form.fields["case"] = CaseReferenceField(
        cases, example=f"{case_prefix}-0042", label="Whose case it arose from",
        help_text="The case reference, if it is about one person. For example, "
                  f"{case_prefix}-0042")
    return form


def new_issue_fields(debrief) -> SafeString:
    """The fields the debrief's quick issue form writes before anything is sent
    (debriefs/includes/issue_fields.jinja), kept in this process: they depend only on the
    team's case prefix and the language. With the new activity's, a seventh of the debrief's
    time."""
    return _new_issue_fields(get_language(), debrief.team.case_prefix)


def new_activity_fields() -> SafeString:
    """The fields the new activity form writes before anything is sent
    (debriefs/includes/activity_fields.jinja), kept in this process for the language."""
    return _new_activity_fields(get_language())


@lru_cache(maxsize=64)
def _new_issue_fields(language: str, case_prefix: str) -> SafeString:
    from caseload.models import Case

    form = _issue_form(Case.objects.none, case_prefix)
    return jinja_include("debriefs/includes/issue_fields.jinja", issue_form=form)


@lru_cache(maxsize=16)
def _new_activity_fields(language: str) -> SafeString:
    form = ActivityForm(team=None, prefix="activity")
    return jinja_include("debriefs/includes/activity_fields.jinja", activity_form=form)


class CaseReferenceField(forms.CharField):
    """A case reference typed in, cleaned to the open case of the team it names (or None when
    left empty). One query. `cases` gives the cases it may name: built only when a reference
    is checked, not each time the debrief shows the form."""

    def __init__(self, cases, *, example: str, **kwargs):
        too_long = f"A case reference is at most 20 characters, for example {example}"
        widget = forms.TextInput({"class": "govuk-input govuk-input--width-10",
                                  "spellcheck": "false", "autocomplete": "off"})
        super().__init__(required=False, max_length=20, widget=widget,
                         error_messages={"max_length": too_long}, **kwargs)
        self.cases, self.example = cases, example

    def clean(self, value):
        reference = super().clean(value).strip().upper()
        if not reference:
            return None
        case = self.cases().filter(reference=reference).first()
        if case is None:
            raise forms.ValidationError(f"No open case of this team has the reference "
                                        f"{reference}. Check it, for example {self.example}")
        return case
