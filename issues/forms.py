import re
from functools import lru_cache

from django import forms
from django.db.models import Q
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from accounts.forms import DateField, GovukFormMixin
from accounts.models import Team, User
from accounts.templatetags.jinja_include import jinja_include
from caseload.models import Case
from issues.models import ONE_LINE, Issue

LEVEL_CHOICES = [
    (1, "Method: how to do something, which needs figuring out or some expertise"),
    (2, "System: a local rule, eligibility criterion, job role or process is in the way"),
    (3, "Macro: a law, national policy or regulation is in the way"),
]
SHORT_LEVEL_CHOICES = [(1, "1 Method"), (2, "2 System"), (3, "3 Macro")]
OWNER_LEVEL_CHOICES = Issue.OwnerLevel.choices

MESSAGES = {
    "title": {"required": "Enter a short title for the issue",
              "max_length": f"Title must be {ONE_LINE} characters or fewer"},
    "level": {"required": "Select the level: method, system or macro",
              "invalid_choice": "Select the level: method, system or macro"},
    "owner_level": {"required": "Select who owns it: the team, leadership or government",
                    "invalid_choice": "Select who owns it: the team, leadership or government"},
    "owner": {"invalid_choice": "Select someone from the list to follow it up"},
    "countermeasure": {"max_length": "Countermeasure must be 5,000 characters or fewer"},
}


def possible_owners(teams, *, current=None):
    """Who can follow an issue up: the team's people and the leaders. One query."""
    match = (Q(memberships__team__in=teams)
             | Q(groups__permissions__codename="see_all_teams",
                 groups__permissions__content_type__app_label="accounts"))
    if current is not None:
        match |= Q(pk=current.pk)
    return User.objects.filter(match, is_active=True).distinct().order_by(
        "first_name", "last_name", "username")


def _level_field(choices, **kwargs):
    return forms.TypedChoiceField(choices=choices, coerce=int, widget=forms.RadioSelect,
                                  label="Level", error_messages=MESSAGES["level"], **kwargs)


def _owner_level_field(**kwargs):
    return forms.ChoiceField(choices=OWNER_LEVEL_CHOICES, widget=forms.RadioSelect,
                             label="Who owns it", error_messages=MESSAGES["owner_level"],
                             **kwargs)


class VersionMixin(forms.Form):
    """The version of the issue the person saw when the form was loaded."""

    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput,
                                 error_messages={"required": "Reload the page and try again"})


class IssueForm(GovukFormMixin, VersionMixin, forms.ModelForm):
    """Raise an issue in full, or change one. Case examples are typed as references; cases
    the person may not see are kept as they were, unseen."""

    level = _level_field(LEVEL_CHOICES)
    owner_level = _owner_level_field(help_text="Team: we can sort it. Leadership: someone in "
                                               "the system locally can. Government: national.")
    case_references = forms.CharField(
        label="Case examples", required=False, max_length=2000,
        help_text="Case references, separated by commas. For example, RS-0012, RS-0040.",
        widget=forms.TextInput({"class": "govuk-!-width-two-thirds", "spellcheck": "false"}))
    raised_on = DateField(label="Raised on", past_only=True, required=False,
                          help_text="Leave blank for today")

    class Meta:
        model = Issue
        fields = ["title", "description", "level", "owner_level", "owner", "category",
                  "law_or_rule_in_way", "countermeasure", "system_change"]
        widgets = {"description": forms.Textarea({"rows": 3}),
                   "countermeasure": forms.Textarea({"rows": 3}),
                   "system_change": forms.Textarea({"rows": 3})}
        labels = {"title": "Title", "owner": "Who follows it up",
                  "category": "What kind of thing is in the way",
                  "countermeasure": "Countermeasure: what we do now",
                  "system_change": "System change: the new normal we want"}
        help_texts = {"title": "One line, for example: Can't move a tenant with rent arrears",
                      "description": "What happened, and what got in the way."}
        error_messages = {name: MESSAGES[name] for name in ("title", "owner", "countermeasure")}

    def __init__(self, *args, user, teams, cases_in_reach, **kwargs):
        super().__init__(*args, **kwargs)
        self.cases_in_reach = cases_in_reach
        editing = self.instance.pk is not None
        owner_teams = [self.instance.team] if editing else teams
        self.fields["owner"].queryset = possible_owners(owner_teams, current=self.instance.owner)
        self.fields["owner"].empty_label = "No one yet"
        self.fields["category"].choices = [("", "Not known yet"), *Issue.Category.choices]
        if editing:
            del self.fields["raised_on"]
            self.initial.setdefault("version", self.instance.version)
            self.initial.setdefault("case_references", ", ".join(
                self.instance.cases.filter(pk__in=cases_in_reach).order_by("reference")
                .values_list("reference", flat=True)))
        else:
            del self.fields["version"]
        if not editing and len(teams) > 1:
            self.fields["team"] = forms.ModelChoiceField(
                queryset=Team.objects.filter(pk__in=[t.pk for t in teams]), empty_label=None,
                label="Which team raised it", widget=forms.Select({"class": "govuk-select"}))
        self.order_fields(["team", "title", "description", "level", "owner_level", "owner",
                           "category", "law_or_rule_in_way", "countermeasure", "system_change",
                           "case_references", "raised_on"])

    def clean_case_references(self):
        """The cases the references name, all within the person's reach. One query."""
        references = [r.upper() for r in re.split(r"[\s,;]+", self.cleaned_data["case_references"])
                      if r]
        found = {case.reference: case
                 for case in self.cases_in_reach.filter(reference__in=references)}
        unknown = [r for r in references if r not in found]
        if unknown:
            raise forms.ValidationError(
                f"We could not find {', '.join(unknown)} among the cases you can see. Check the "
                "reference, for example RS-0012")
        return list(dict.fromkeys(found[r] for r in references))

    def case_examples(self) -> list[Case]:
        """The cases to link: those typed, plus any the person cannot see (kept unchanged)."""
        unseen = []
        if self.instance.pk:
            unseen = list(self.instance.cases.exclude(pk__in=self.cases_in_reach))
        return unseen + self.cleaned_data["case_references"]


class QuickIssueForm(GovukFormMixin, forms.Form):
    """Small enough to fill in mid-conversation: the rest can wait for the debrief."""

    title = forms.CharField(label="What got in the way", max_length=ONE_LINE,
                            error_messages=MESSAGES["title"],
                            help_text="One line, for example: Can't move a tenant with arrears")
    level = _level_field(SHORT_LEVEL_CHOICES, help_text="Method: how to do it. System: a local "
                         "rule or process. Macro: law or national policy.")
    owner_level = _owner_level_field(initial=Issue.OwnerLevel.TEAM)
    countermeasure = forms.CharField(
        label="Countermeasure: what we do now", required=False, max_length=5000,
        error_messages=MESSAGES["countermeasure"], widget=forms.Textarea({"rows": 2}))
    case = forms.ModelChoiceField(queryset=Case.objects.none(), required=False,
                                  widget=forms.HiddenInput,
                                  error_messages={"invalid_choice": "That case is not one you "
                                                  "can see. Add the issue from the issue log."})

    def __init__(self, *args, cases_in_reach=None, **kwargs):
        kwargs.setdefault("prefix", "quick")
        super().__init__(*args, **kwargs)
        if cases_in_reach is not None:
            self.fields["case"].queryset = cases_in_reach


def new_quick_issue_fields() -> SafeString:
    """The quick issue form's fields for a new issue, as QuickIssueForm writes them
    (issues/includes/quick_issue_fields.jinja), kept in this process for the language: a new
    issue's fields depend on nothing else. Every open case's page shows them."""
    return _new_quick_issue_fields(get_language())


@lru_cache(maxsize=16)
def _new_quick_issue_fields(language: str) -> SafeString:
    return jinja_include("issues/includes/quick_issue_fields.jinja", issue_form=QuickIssueForm())


class CloseIssueForm(GovukFormMixin, VersionMixin, forms.Form):
    closure = forms.ChoiceField(
        choices=Issue.Closure.choices, widget=forms.RadioSelect, label="What happened",
        error_messages={"required": "Select what happened: a system change, the countermeasure "
                                    "became normal, dropped, or raised in error"})
    closure_note = forms.CharField(
        label="What changed", max_length=5000, widget=forms.Textarea({"rows": 4}),
        help_text="What is different now, or why it was dropped.",
        error_messages={"required": "Say what changed, or why it was dropped"})
    system_change = forms.CharField(
        label="System change: the new normal", required=False, max_length=5000,
        widget=forms.Textarea({"rows": 3}),
        help_text="Needed when a system change was made.")

    def clean(self):
        data = super().clean()
        if (data.get("closure") == Issue.Closure.SYSTEM_CHANGE
                and not data.get("system_change", "").strip()):
            self.add_error("system_change", "Describe the system change that was made")
        return data


class VersionForm(VersionMixin):
    pass


class UpdateForm(GovukFormMixin, forms.Form):
    text = forms.CharField(
        label="What happened", max_length=5000, widget=forms.Textarea({"rows": 3}),
        help_text="Who you talked to, what was tried, what is next.",
        error_messages={"required": "Write what happened",
                        "max_length": "Update must be 5,000 characters or fewer"})


class IssueFilterForm(GovukFormMixin, forms.Form):
    AGES = [("", "Any age"), ("14", "More than 14 days"), ("30", "More than 30 days"),
            ("90", "More than 90 days")]

    status = forms.ChoiceField(choices=[("open", "Open"), ("closed", "Closed"), ("all", "All")],
                               required=False, widget=forms.RadioSelect, label="Status")
    level = forms.TypedChoiceField(choices=[("", "Any level"), *Issue.Level.choices],
                                   coerce=int, required=False, label="Level")
    owner_level = forms.ChoiceField(choices=[("", "Any owner"), *Issue.OwnerLevel.choices],
                                    required=False, label="Owner level")
    category = forms.ChoiceField(choices=[("", "Any kind"), *Issue.Category.choices],
                                 required=False, label="What is in the way")
    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False,
                                  empty_label="Any team", label="Team")
    older_than = forms.TypedChoiceField(choices=AGES, coerce=int, required=False,
                                        label="Open for")

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams

    def filters(self) -> dict:
        """The valid filters; an invalid one is ignored (the log still shows)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {name: value for name, value in data.items() if value not in ("", None)}
