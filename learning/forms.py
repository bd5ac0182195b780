from django import forms

from accounts.forms import GovukFormMixin, offer_all_teams
from accounts.models import Team

PERIODS = [(3, "Last 3 months"), (6, "Last 6 months"), (12, "Last 12 months")]
DEFAULT_MONTHS = 6


class LearningFilterForm(GovukFormMixin, forms.Form):
    """Which team and how many months. Those who see every team may choose "All teams"; anyone
    else chooses among their own teams."""

    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False,
                                  empty_label="All teams")
    months = forms.TypedChoiceField(label="Period", choices=PERIODS, coerce=int)

    def __init__(self, data, *, user):
        data = data.copy()
        if data.get("months") not in {str(months) for months, _ in PERIODS}:
            data["months"] = str(DEFAULT_MONTHS)  # a missing or unknown period: the default
        super().__init__(data)
        self.sees_all_teams = user.has_perm("accounts.see_all_teams")
        team = self.fields["team"]
        if self.sees_all_teams:
            team.queryset = Team.objects.order_by("name")
            offer_all_teams(team)
        else:
            team.queryset = user.teams.order_by("name")
            team.empty_label = None
