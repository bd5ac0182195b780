from django import forms

from accounts.forms import GovukFormMixin
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
    """The issue log's quick form, with a choice of the person under discussion (by case
    reference, newest case first). Its options take one query for ids and references."""
    from caseload.models import Case
    from issues.forms import QuickIssueForm

    cases = Case.objects.open().filter(team=debrief.team_id)
    form = QuickIssueForm(data, cases_in_reach=cases)
    field = form.fields["case"]
    field.label = "Whose case it arose from"
    field.widget = forms.Select(attrs={"class": "govuk-select"})
    field.widget.choices = [("", "Not about one person"),
                            *cases.values_list("pk", "reference")]
    return form
