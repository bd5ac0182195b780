"""The issue's verbs and the invariants the database keeps."""

import pytest
from django.db import IntegrityError, ProgrammingError, transaction

from issues.models import Issue, IssueUpdate, StaleIssue
from tests.issues.factories import IssueFactory, IssueUpdateFactory

pytestmark = pytest.mark.django_db


def test_changing_level_and_owner_writes_an_automatic_update(issue, caseworker, coordinator):
    issue.change(by=caseworker, version=issue.version, level=Issue.Level.MACRO,
                 owner=coordinator, owner_level=Issue.OwnerLevel.GOVERNMENT)
    update = issue.updates.get()
    assert update.automatic and update.by == caseworker
    assert update.text.splitlines() == [
        "Level changed from System to Macro.",
        "Owner changed from no one to Cora Hepple.",
        "Owner level changed from Team to Government.",
    ]
    assert issue.version == 2 and Issue.objects.get().version == 2


def test_changing_only_the_words_writes_no_automatic_update(issue, caseworker):
    issue.change(by=caseworker, version=issue.version, countermeasure="Ask for an exception")
    assert not issue.updates.exists()
    assert Issue.objects.get().countermeasure == "Ask for an exception"


def test_a_stale_version_changes_nothing(issue, caseworker):
    issue.change(by=caseworker, version=1, title="First edit")
    with pytest.raises(StaleIssue) as stale:
        issue.change(by=caseworker, version=1, title="Second edit from an old page",
                     level=Issue.Level.MACRO)
    assert stale.value.current.title == "First edit"
    stored = Issue.objects.get()
    assert stored.title == "First edit" and stored.level == Issue.Level.SYSTEM
    assert not IssueUpdate.objects.exists()


def test_taking_ownership_makes_it_the_leaders_at_leadership_level(issue, leader):
    issue.take_ownership(by=leader, version=issue.version)
    stored = Issue.objects.select_related("owner").get()
    assert stored.owner == leader and stored.owner_level == Issue.OwnerLevel.LEADERSHIP
    assert "Owner changed from no one to Lee Charlton." in stored.updates.get().text


def test_closing_records_what_changed_and_reopening_clears_it(issue, leader):
    issue.close(by=leader, version=1, closure=Issue.Closure.SYSTEM_CHANGE,
                note="Allocations policy changed", system_change="Moves allowed with arrears")
    stored = Issue.objects.get()
    assert stored.status == "closed" and stored.closed_on is not None
    assert stored.updates.get().text == ("Closed: System change made. Allocations policy "
                                         "changed")
    stored.reopen(by=leader, version=stored.version)
    stored.refresh_from_db()
    assert stored.status == "open" and stored.closure == "" and stored.closed_on is None
    assert stored.updates.first().text == "Reopened."


def test_the_database_refuses_a_closed_issue_that_does_not_say_what_changed(issue):
    with pytest.raises(IntegrityError), transaction.atomic():
        Issue.objects.filter(pk=issue.pk).update(status="closed", closed_on="2026-01-01")


def test_the_database_refuses_a_system_change_made_without_saying_what_it_is(issue):
    with pytest.raises(IntegrityError), transaction.atomic():
        Issue.objects.filter(pk=issue.pk).update(
            status="closed", closed_on="2026-01-01", closure="system_change",
            closure_note="Done", system_change="")


def test_the_database_refuses_an_unknown_level(issue):
    with pytest.raises(IntegrityError), transaction.atomic():
        Issue.objects.filter(pk=issue.pk).update(level=4)


def test_issues_are_never_deleted(issue):
    with pytest.raises(ProgrammingError), transaction.atomic():
        Issue.objects.filter(pk=issue.pk).delete()
    assert Issue.objects.filter(pk=issue.pk).exists()


def test_updates_are_never_changed_or_deleted(issue):
    update = IssueUpdateFactory(issue=issue)
    with pytest.raises(ProgrammingError), transaction.atomic():
        IssueUpdate.objects.filter(pk=update.pk).update(text="Rewritten")
    with pytest.raises(ProgrammingError), transaction.atomic():
        IssueUpdate.objects.filter(pk=update.pk).delete()
    assert IssueUpdate.objects.get().text == update.text


def test_every_change_is_in_the_issue_history(issue, caseworker):
    issue.change(by=caseworker, version=1, title="Renamed")
    assert [e.title for e in issue.events.order_by("pgh_id")] == [
        "Can't move a tenant with rent arrears", "Renamed"]


def test_caseworkers_reach_only_their_teams_issues(caseworker, leader, auditor, service_admin,
                                                   issue, other_issue):
    assert list(Issue.objects.for_user(caseworker)) == [issue]
    assert set(Issue.objects.for_user(leader)) == {issue, other_issue}
    assert set(Issue.objects.for_user(auditor)) == {issue, other_issue}
    assert not Issue.objects.for_user(service_admin).exists()


def test_oldest_open_issue_comes_first(team, caseworker):
    from datetime import date
    newer = IssueFactory(team=team, raised_by=caseworker, raised_on=date(2026, 5, 1))
    older = IssueFactory(team=team, raised_by=caseworker, raised_on=date(2026, 1, 1))
    closed = IssueFactory(team=team, raised_by=caseworker, raised_on=date(2025, 1, 1),
                          status="closed", closure="dropped", closure_note="No longer needed",
                          closed_on=date(2025, 2, 1))
    assert list(Issue.objects.oldest_open_first()) == [older, newer, closed]
