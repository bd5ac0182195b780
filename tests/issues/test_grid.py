"""The leader's grid of open issues by level and owner, and the new normal."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from issues.services import open_issue_grid
from tests.issues.factories import IssueFactory, many_issues

pytestmark = pytest.mark.django_db


def ago(days):
    return timezone.localdate() - timedelta(days=days)


def test_the_grid_counts_open_issues_by_level_and_owner_with_their_age(team, caseworker,
                                                                       leader):
    for days in (3, 20, 40, 100):
        IssueFactory(team=team, raised_by=caseworker, level=2, owner_level="leadership",
                     raised_on=ago(days))
    IssueFactory(team=team, raised_by=caseworker, level=3, owner_level="government",
                 raised_on=ago(1))
    IssueFactory(team=team, raised_by=caseworker, level=2, owner_level="leadership",
                 raised_on=ago(200), status="closed", closure="dropped",
                 closure_note="Not needed", closed_on=ago(100))
    grid = open_issue_grid(user=leader)
    label, cells, row_total = grid.rows[1]
    assert label == "System"
    system_leadership = cells[1]
    assert system_leadership.total == 4
    assert [(days, count) for days, count, _url in system_leadership.ageing] == [
        (14, 3), (30, 2), (90, 1)]
    assert cells[0].total == 0 and row_total.total == 4
    assert [c.total for c in grid.column_totals] == [0, 4, 1]
    assert grid.total.total == 5
    assert system_leadership.url == "/issues/?status=open&level=2&owner_level=leadership"
    assert system_leadership.ageing[1][2] == ("/issues/?status=open&level=2"
                                              "&owner_level=leadership&older_than=30")


def test_each_grid_link_opens_the_log_with_the_same_issues(signed_in, leader, team, caseworker):
    many_issues(team, caseworker, 300)
    grid = open_issue_grid(user=leader)
    client = signed_in(leader)
    for _label, cells, _total in grid.rows:
        for cell in cells:
            assert client.get(cell.url).context["page"].paginator.count == cell.total
            days, count, url = cell.ageing[1]
            assert client.get(url).context["page"].paginator.count == count


def test_the_grid_page_shows_counts_with_links(signed_in, leader, issue):
    page = signed_in(leader).get("/issues/grid").text
    assert "1 open issue" in page
    assert 'href="/issues/?status=open&amp;level=2&amp;owner_level=team"' in page
    assert "open system issues owned by team" in page


def test_the_grid_shows_a_caseworker_only_their_teams_issues(caseworker, issue, other_issue):
    assert open_issue_grid(user=caseworker).total.total == 1


def test_the_grid_runs_a_fixed_number_of_queries_with_2000_issues(
        signed_in, leader, team, caseworker, django_assert_max_num_queries):
    client = signed_in(leader)
    many_issues(team, caseworker, 20)
    with CaptureQueriesContext(connection) as few:
        client.get("/issues/grid")
    many_issues(team, caseworker, 1980)
    with django_assert_max_num_queries(len(few)):
        response = client.get("/issues/grid")
    assert len(few) <= 10
    assert response.context["grid"].total.total == 2000


def test_the_grid_is_refused_to_roles_without_issue_capabilities(signed_in, service_admin):
    assert signed_in(service_admin).get("/issues/grid").status_code == 403


def test_the_new_normal_lists_system_changes_made(signed_in, leader, team, caseworker):
    IssueFactory(team=team, raised_by=caseworker, title="Purchase cards",
                 status="closed", closure="system_change", closure_note="Cards issued",
                 system_change="Caseworkers spend at their own discretion", closed_on=ago(2))
    IssueFactory(team=team, raised_by=caseworker, title="Dropped one", status="closed",
                 closure="dropped", closure_note="Not needed", closed_on=ago(2))
    IssueFactory(team=team, raised_by=caseworker, title="Still open")
    page = signed_in(leader).get("/issues/new-normal").text
    assert "Purchase cards" in page and "Caseworkers spend at their own discretion" in page
    assert "Dropped one" not in page and "Still open" not in page


def test_the_new_normal_runs_a_fixed_number_of_queries(signed_in, leader, team, caseworker,
                                                       django_assert_max_num_queries):
    IssueFactory.create_batch(80, team=team, raised_by=caseworker, status="closed",
                              closure="system_change", closure_note="Done",
                              system_change="New normal", closed_on=ago(1))
    client = signed_in(leader)
    with django_assert_max_num_queries(10):
        response = client.get("/issues/new-normal")
    assert len(response.context["page"]) == 50
