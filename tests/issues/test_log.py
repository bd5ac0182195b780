"""The issue log: filters, order, reach, and a fixed number of queries however long it is."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from issues.models import Issue
from tests.issues.factories import IssueFactory, many_issues

pytestmark = pytest.mark.django_db


def titles(response):
    return [issue.title for issue in response.context["page"]]


def test_the_log_lists_open_issues_oldest_first(signed_in, caseworker, team):
    today = timezone.localdate()
    IssueFactory(team=team, raised_by=caseworker, title="Newer", raised_on=today)
    IssueFactory(team=team, raised_by=caseworker, title="Older",
                 raised_on=today - timedelta(days=40))
    IssueFactory(team=team, raised_by=caseworker, title="Done", status="closed",
                 closure="dropped", closure_note="Sorted elsewhere", closed_on=today)
    response = signed_in(caseworker).get("/issues/")
    assert response.status_code == 200
    assert titles(response) == ["Older", "Newer"]
    assert "open 40 days" in response.text
    everything = signed_in(caseworker).get("/issues/?status=all")
    assert titles(everything) == ["Older", "Newer", "Done"]


@pytest.mark.parametrize("query, expected", [
    ("level=3", ["Macro, government"]),
    ("owner_level=leadership", ["System, leadership, IT"]),
    ("category=it", ["System, leadership, IT"]),
    ("older_than=30", ["System, leadership, IT"]),
    ("older_than=90", []),
    ("level=2&owner_level=team", []),
])
def test_the_log_filters(signed_in, caseworker, team, query, expected):
    today = timezone.localdate()
    IssueFactory(team=team, raised_by=caseworker, title="Macro, government", level=3,
                 owner_level="government", raised_on=today - timedelta(days=3))
    IssueFactory(team=team, raised_by=caseworker, title="System, leadership, IT", level=2,
                 owner_level="leadership", category="it", raised_on=today - timedelta(days=45))
    response = signed_in(caseworker).get(f"/issues/?{query}")
    assert titles(response) == expected


def test_the_log_filters_by_team_for_those_who_see_every_team(signed_in, leader, issue,
                                                              other_issue, other_team):
    response = signed_in(leader).get(f"/issues/?team={other_team.pk}")
    assert titles(response) == ["Hillside's own issue"]


def test_an_unknown_filter_value_is_ignored(signed_in, caseworker, issue):
    response = signed_in(caseworker).get("/issues/?level=9&older_than=x")
    assert response.status_code == 200 and titles(response) == [issue.title]


def test_caseworkers_see_only_their_teams_issues(signed_in, caseworker, issue, other_issue):
    response = signed_in(caseworker).get("/issues/")
    assert titles(response) == [issue.title]
    assert "Hillside" not in response.text


def test_leaders_and_auditors_read_every_teams_issues(signed_in, leader, auditor, issue,
                                                      other_issue):
    for user in (leader, auditor):
        assert set(titles(signed_in(user).get("/issues/"))) == {issue.title, other_issue.title}


def test_auditors_are_not_offered_ways_to_raise_issues(signed_in, auditor, issue):
    page = signed_in(auditor).get("/issues/").text
    assert "Log an issue quickly" not in page and "Raise an issue" not in page


def test_roles_without_issue_capabilities_are_refused(signed_in, service_admin):
    assert signed_in(service_admin).get("/issues/").status_code == 403


def test_the_log_runs_a_fixed_number_of_queries_with_2000_issues(
        signed_in, leader, caseworker, team, case, django_assert_max_num_queries):
    client = signed_in(leader)
    many_issues(team, caseworker, 60, cases=[case])
    with CaptureQueriesContext(connection) as few:
        client.get("/issues/?status=all&page=2")
    many_issues(team, caseworker, 1940, cases=[case])
    with django_assert_max_num_queries(len(few)):
        response = client.get("/issues/?status=all&page=3")
    assert len(few) <= 14  # sign-in, session and permissions, then count, teams and the page
    assert response.context["page"].paginator.count == 2000
    assert len(response.context["page"]) == 50
    with django_assert_max_num_queries(len(few) + 1):  # and the chosen team
        assert client.get(f"/issues/?level=2&owner_level=team&team={team.pk}"
                          "&category=it&older_than=14").status_code == 200


def test_the_log_pages_keep_the_filters(signed_in, caseworker, team):
    many_issues(team, caseworker, 120)
    response = signed_in(caseworker).get("/issues/?level=1")
    assert Issue.objects.filter(level=1).count() == 40
    assert "Page 1 of 1" not in response.text
    assert response.context["page"].paginator.count == 40
    full = signed_in(caseworker).get("/issues/?status=all")
    assert "?status=all&amp;page=2" in full.text
