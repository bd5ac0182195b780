"""The issue page: details, updates thread, history; changing, closing, taking ownership."""

import pytest

from issues.models import Issue, IssueUpdate
from tests.issues.factories import IssueUpdateFactory

pytestmark = pytest.mark.django_db


def test_the_issue_page_shows_details_updates_and_history(signed_in, caseworker, issue):
    IssueUpdateFactory(issue=issue, by=caseworker, text="Rang the allocations team")
    issue.change(by=caseworker, version=1, countermeasure="Exception asked for in writing")
    page = signed_in(caseworker).get(f"/issues/{issue.pk}/").text
    assert "Can&#x27;t move a tenant with rent arrears" in page
    assert "Rang the allocations team" in page
    assert "Exception asked for in writing" in page
    assert "Every change to this issue (2)" in page
    assert "The leader asks housing for an exception" in page  # the history's "before"


def test_an_issue_outside_the_users_reach_is_not_found(signed_in, caseworker, other_issue):
    client = signed_in(caseworker)
    for path in ["", "edit", "close"]:
        assert client.get(f"/issues/{other_issue.pk}/{path}").status_code == 404
    for path in ["updates/new", "reopen"]:
        assert client.post(f"/issues/{other_issue.pk}/{path}", {"text": "x"}).status_code == 404


def test_auditors_read_but_change_nothing(signed_in, auditor, issue):
    client = signed_in(auditor)
    page = client.get(f"/issues/{issue.pk}/")
    assert page.status_code == 200
    assert "Add the update" not in page.text and "Change the issue" not in page.text
    assert client.get(f"/issues/{issue.pk}/edit").status_code == 403
    assert client.get(f"/issues/{issue.pk}/close").status_code == 403
    assert client.post(f"/issues/{issue.pk}/updates/new", {"text": "x"}).status_code == 403
    assert client.post(f"/issues/{issue.pk}/take", {"version": 1}).status_code == 403
    assert not IssueUpdate.objects.exists()


def test_adding_an_update_with_htmx_returns_the_thread_with_it_on_top(signed_in, caseworker,
                                                                      issue):
    IssueUpdateFactory(issue=issue, text="An older update")
    response = signed_in(caseworker).post(f"/issues/{issue.pk}/updates/new",
                                          {"text": "Talked to the housing manager"},
                                          HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "<html" not in response.text
    assert response.text.index("Talked to the housing manager") < response.text.index(
        "An older update")
    assert "Update added." in response.text
    update = issue.updates.first()
    assert update.by == caseworker and not update.automatic


def test_an_empty_update_is_refused_and_writes_nothing(signed_in, caseworker, issue):
    client = signed_in(caseworker)
    response = client.post(f"/issues/{issue.pk}/updates/new", {"text": ""},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 422 and "Write what happened" in response.text
    assert "<html" not in response.text
    full = client.post(f"/issues/{issue.pk}/updates/new", {"text": "  "})
    assert full.status_code == 422 and "There is a problem" in full.text
    assert not IssueUpdate.objects.exists()


def test_without_htmx_an_update_redirects_to_the_issue(signed_in, caseworker, issue):
    response = signed_in(caseworker).post(f"/issues/{issue.pk}/updates/new", {"text": "Done"})
    assert response.status_code == 302 and response["Location"] == f"/issues/{issue.pk}/"


def edit_data(issue, **changes):
    return {"title": issue.title, "description": "", "level": issue.level,
            "owner_level": issue.owner_level, "owner": "", "category": "",
            "countermeasure": issue.countermeasure, "system_change": "",
            "case_references": "", "version": issue.version, **changes}


def test_editing_changes_the_issue_and_notes_the_new_owner(signed_in, caseworker, coordinator,
                                                           issue, case):
    response = signed_in(caseworker).post(f"/issues/{issue.pk}/edit", edit_data(
        issue, owner=coordinator.pk, level=3, case_references=case.reference.lower()))
    assert response.status_code == 302
    issue.refresh_from_db()
    assert issue.owner == coordinator and issue.level == 3 and issue.version == 2
    assert list(issue.cases.all()) == [case]
    assert "Owner changed from no one to Cora Hepple." in issue.updates.get().text


def test_a_stale_edit_is_a_conflict_and_overwrites_nothing(signed_in, caseworker, coordinator,
                                                           issue):
    issue.change(by=coordinator, version=1, title="Coordinator's title")
    response = signed_in(caseworker).post(f"/issues/{issue.pk}/edit",
                                          edit_data(issue, title="My title", version=1))
    assert response.status_code == 409
    assert "Someone else changed this issue" in response.text
    assert 'value="My title"' in response.text  # the person's input is kept
    assert "Coordinator&#x27;s title" in response.text  # and the issue as it is now is shown
    assert 'name="version" value="2"' in response.text
    assert Issue.objects.get().title == "Coordinator's title"


def test_editing_keeps_cases_the_editor_cannot_see(signed_in, caseworker, issue, other_case):
    issue.cases.add(other_case)
    page = signed_in(caseworker).get(f"/issues/{issue.pk}/edit").text
    assert other_case.reference not in page
    signed_in(caseworker).post(f"/issues/{issue.pk}/edit", edit_data(issue))
    assert list(issue.cases.all()) == [other_case]


def test_a_case_reference_outside_reach_is_refused(signed_in, caseworker, issue, other_case):
    response = signed_in(caseworker).post(f"/issues/{issue.pk}/edit", edit_data(
        issue, case_references=other_case.reference, title="Changed"))
    assert response.status_code == 422
    assert f"We could not find {other_case.reference}" in response.text
    assert Issue.objects.get().title == issue.title


def test_closing_without_saying_what_changed_is_refused(signed_in, caseworker, issue):
    response = signed_in(caseworker).post(f"/issues/{issue.pk}/close", {
        "closure": "", "closure_note": "", "system_change": "Moves allowed", "version": 1})
    assert response.status_code == 422
    assert "Select what happened" in response.text
    assert "Say what changed, or why it was dropped" in response.text
    assert "Moves allowed" in response.text
    issue.refresh_from_db()
    assert issue.is_open and not issue.updates.exists()


def test_closing_with_a_system_change_needs_the_change_described(signed_in, caseworker, issue):
    response = signed_in(caseworker).post(f"/issues/{issue.pk}/close", {
        "closure": "system_change", "closure_note": "Policy changed", "system_change": "",
        "version": 1})
    assert response.status_code == 422
    assert "Describe the system change that was made" in response.text
    assert Issue.objects.get().is_open


def test_closing_as_raised_in_error_keeps_the_issue(signed_in, caseworker, issue):
    response = signed_in(caseworker).post(f"/issues/{issue.pk}/close", {
        "closure": "raised_in_error", "closure_note": "Logged twice", "version": 1})
    assert response.status_code == 302
    stored = Issue.objects.get()
    assert stored.closure == "raised_in_error" and stored.closure_note == "Logged twice"
    assert "Closed: Raised in error. Logged twice" in stored.updates.get().text


def test_a_stale_close_is_a_conflict(signed_in, caseworker, coordinator, issue):
    issue.change(by=coordinator, version=1, owner=coordinator)
    response = signed_in(caseworker).post(f"/issues/{issue.pk}/close", {
        "closure": "dropped", "closure_note": "Not needed", "version": 1})
    assert response.status_code == 409 and "Nothing was saved" in response.text
    assert "Not needed" in response.text
    assert Issue.objects.get().is_open


def test_a_leader_takes_ownership(signed_in, leader, issue):
    response = signed_in(leader).post(f"/issues/{issue.pk}/take", {"version": 1})
    assert response.status_code == 302
    issue.refresh_from_db()
    assert issue.owner == leader and issue.owner_level == "leadership"
    assert issue.updates.get().automatic


def test_caseworkers_cannot_take_ownership(signed_in, caseworker, issue):
    assert signed_in(caseworker).post(f"/issues/{issue.pk}/take",
                                      {"version": 1}).status_code == 403
    assert Issue.objects.get().owner is None


def test_taking_ownership_of_a_changed_issue_is_a_conflict(signed_in, leader, coordinator,
                                                           issue):
    issue.change(by=coordinator, version=1, owner=coordinator)
    response = signed_in(leader).post(f"/issues/{issue.pk}/take", {"version": 1})
    assert response.status_code == 409 and "nothing was done" in response.text
    assert Issue.objects.get().owner == coordinator


def test_reopening_a_closed_issue(signed_in, caseworker, issue):
    issue.close(by=caseworker, version=1, closure="dropped", note="Gone away",
                system_change="")
    response = signed_in(caseworker).post(f"/issues/{issue.pk}/reopen", {"version": 2})
    assert response.status_code == 302 and Issue.objects.get().is_open


def test_the_issue_page_runs_a_fixed_number_of_queries(signed_in, leader, issue,
                                                       django_assert_max_num_queries):
    client = signed_in(leader)
    for n in range(30):
        IssueUpdateFactory(issue=issue, by=leader, text=f"Update {n}")
        issue.change(by=leader, version=issue.version, title=f"Title {n}")
    with django_assert_max_num_queries(14):
        assert client.get(f"/issues/{issue.pk}/").status_code == 200


def test_a_closed_issue_is_not_taken_on(signed_in, leader, issue):
    issue.close(by=leader, version=1, closure="dropped", note="Gone", system_change="")
    response = signed_in(leader).post(f"/issues/{issue.pk}/take", {"version": 2})
    assert response.status_code == 302
    assert Issue.objects.get().owner is None
