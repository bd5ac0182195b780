"""A choice of any team (accounts.forms.offer_all_teams) lists the teams from a compiled query
of plain rows: the same options, in the same order, with the same one chosen, as Django's
own ModelChoiceField writes from its queryset; and the answer is still checked against it."""

import pytest

from accounts.models import Team
from learning.forms import LearningFilterForm
from purchases.forms import ExportForm

pytestmark = pytest.mark.django_db


@pytest.fixture
def teams(team, other_team):
    Team.objects.create(name="Zebra Crossing team", case_prefix="ZEB")
    Team.objects.create(name="Apple & Pear <team>", case_prefix="APL")  # escaped, sorted first
    return Team.objects.order_by("name")


def _both_ways(form, name: str, django_assert_num_queries) -> tuple[str, str]:
    """The field as written from the rows (one query), and as Django writes it."""
    form.is_valid()  # a sent form's answer is checked first (its own query)
    with django_assert_num_queries(1) as queries:
        written = str(form[name])
    assert queries.captured_queries[0]["sql"].startswith("EXECUTE team_names_")
    field = form.fields[name]
    field.widget.choices = field.choices  # Django's own: the queryset, read with iterator()
    return written, str(form[name])


@pytest.mark.parametrize("chosen", [None, "first", "last"])
def test_the_export_forms_teams_are_listed_as_django_lists_them(
        teams, chosen, django_assert_num_queries):
    data = None if chosen is None else {
        "team": str((teams.first() if chosen == "first" else teams.last()).pk)}
    form = ExportForm(data)
    ours, django = _both_ways(form, "team", django_assert_num_queries)
    assert ours == django
    assert ours.count("<option") == teams.count() + 1  # and "All teams"
    assert "Apple &amp; Pear &lt;team&gt;" in ours
    if chosen:
        assert ours.count(" selected") == 1


def test_learnings_teams_for_someone_who_sees_every_team(
        teams, leader, django_assert_num_queries):
    form = LearningFilterForm({"team": str(teams.last().pk), "months": "6"}, user=leader)
    ours, django = _both_ways(form, "team", django_assert_num_queries)
    assert ours == django and ours.count(" selected") == 1


def test_a_team_that_does_not_exist_is_refused(teams):
    form = ExportForm({"team": "999999"})
    assert not form.is_valid() and "team" in form.errors


def test_ready_choices_are_read_once_and_a_copy_reads_its_own():
    """accounts.forms.ReadyChoices: Django takes them as they are, reads them when first
    asked, and a copied field (as each form copies its class's) reads afresh."""
    import copy

    from django import forms
    from django.utils.choices import normalize_choices

    from accounts.forms import ReadyChoices

    reads = []

    def read():
        reads.append(1)
        return [("", "Any"), ("Hillside", [(1, "One"), (2, "Two")])]

    field = forms.ChoiceField(required=False)
    field.choices = ready = ReadyChoices(read)
    assert normalize_choices(ready) is ready and field.widget.choices is ready and not reads
    assert field.valid_value("2") and not field.valid_value("3") and len(reads) == 1
    copied = copy.deepcopy(field)
    assert list(copied.choices) == list(field.choices) and len(reads) == 2  # the copy's own
    assert list(copy.copy(ready)) == list(ready) and len(reads) == 3
