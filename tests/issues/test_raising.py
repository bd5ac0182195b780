"""Raising an issue: in full, or quickly mid-conversation (htmx), and what bad input gets."""

import pytest

from accounts.roles import Role
from issues.models import Issue
from tests.factories import TeamFactory

pytestmark = pytest.mark.django_db

TWENTY_KB = "x" * 20_000


def full_data(**changes):
    return {"title": "Can't get a wheelchair without an OT assessment", "level": "2",
            "owner_level": "leadership", "owner": "", "category": "eligibility",
            "law_or_rule_in_way": "on", "countermeasure": "Bought one second hand",
            "system_change": "Stock items collected the same day", "description": "",
            "case_references": "", "raised_on_day": "", "raised_on_month": "",
            "raised_on_year": "", **changes}


def test_raising_an_issue_in_full(signed_in, caseworker, coordinator, team, case):
    response = signed_in(caseworker).post("/issues/new", full_data(
        owner=coordinator.pk, case_references=f" {case.reference} "))
    issue = Issue.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/issues/{issue.pk}/"
    assert issue.team == team and issue.raised_by == caseworker and issue.owner == coordinator
    assert issue.level == 2 and issue.law_or_rule_in_way and issue.category == "eligibility"
    assert list(issue.cases.all()) == [case]


def test_the_new_issue_form_starts_with_a_case_from_the_case_page(signed_in, caseworker, case,
                                                                  other_case):
    client = signed_in(caseworker)
    assert f'value="{case.reference}"' in client.get(f"/issues/new?case={case.pk}").text
    assert other_case.reference not in client.get(f"/issues/new?case={other_case.pk}").text


@pytest.mark.parametrize("changes, message", [
    ({"level": ""}, "Select the level: method, system or macro"),
    ({"level": "7"}, "Select the level: method, system or macro"),
    ({"owner": "999999"}, "Select someone from the list to follow it up"),
    ({"owner_level": "council"}, "Select who owns it: the team, leadership or government"),
    ({"title": TWENTY_KB}, "Title must be 200 characters or fewer"),
    ({"title": ""}, "Enter a short title for the issue"),
    ({"raised_on_day": "31", "raised_on_month": "2", "raised_on_year": "2026"},
     "Raised on must be a real date"),
])
def test_bad_input_gets_a_clear_error_keeps_the_input_and_writes_nothing(
        signed_in, caseworker, changes, message):
    response = signed_in(caseworker).post("/issues/new", full_data(**changes))
    assert response.status_code == 422
    assert message in response.text
    assert "There is a problem" in response.text
    assert "Bought one second hand" in response.text
    assert not Issue.objects.exists()


def test_someone_from_another_team_cannot_be_made_owner(signed_in, caseworker, make_user):
    stranger = make_user(Role.CASEWORKER, team=TeamFactory(name="Elsewhere"))
    response = signed_in(caseworker).post("/issues/new", full_data(owner=stranger.pk))
    assert response.status_code == 422 and not Issue.objects.exists()


def test_a_leader_can_be_made_owner(signed_in, caseworker, leader):
    signed_in(caseworker).post("/issues/new", full_data(owner=leader.pk))
    assert Issue.objects.get().owner == leader


def test_only_the_team_raises_issues(signed_in, leader, auditor):
    for user in (leader, auditor):
        client = signed_in(user)
        assert client.get("/issues/new").status_code == 403
        assert client.post("/issues/quick-add", {"quick-title": "x"}).status_code == 403
    assert not Issue.objects.exists()


def quick(**changes):
    return {"quick-title": "Allocations rule blocks the move", "quick-level": "2",
            "quick-owner_level": "leadership", "quick-countermeasure": "Ask housing", **changes}


def test_quick_add_with_htmx_answers_with_a_fresh_form_and_a_success_line(
        signed_in, caseworker, team):
    response = signed_in(caseworker).post("/issues/quick-add", quick(), HTTP_HX_REQUEST="true")
    issue = Issue.objects.get()
    assert response.status_code == 200
    assert "<html" not in response.text
    assert f"Issue #{issue.pk} logged." in response.text
    assert 'role="status"' in response.text
    assert "Allocations rule blocks the move" not in response.text  # the form is reset
    assert issue.team == team and issue.level == 2 and issue.countermeasure == "Ask housing"
    assert issue.owner is None and issue.raised_by == caseworker


def test_quick_add_from_a_case_links_the_case_and_keeps_it_for_the_next(signed_in, caseworker,
                                                                        case):
    response = signed_in(caseworker).post("/issues/quick-add", quick(**{"quick-case": case.pk}),
                                          HTTP_HX_REQUEST="true")
    assert list(Issue.objects.get().cases.all()) == [case]
    assert f'name="quick-case" value="{case.pk}"' in response.text


def test_quick_add_without_javascript_goes_back_to_the_case(signed_in, caseworker, case):
    response = signed_in(caseworker).post("/issues/quick-add", quick(**{"quick-case": case.pk}))
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"


def test_quick_add_without_javascript_or_a_case_opens_the_new_issue(signed_in, caseworker):
    response = signed_in(caseworker).post("/issues/quick-add", quick())
    assert response["Location"] == f"/issues/{Issue.objects.get().pk}/"


@pytest.mark.parametrize("changes, message", [
    ({"quick-level": ""}, "Select the level: method, system or macro"),
    ({"quick-owner_level": "nobody"}, "Select who owns it: the team, leadership or government"),
    ({"quick-title": TWENTY_KB}, "Title must be 200 characters or fewer"),
])
def test_quick_add_bad_input_is_a_422_fragment_with_the_input_kept(signed_in, caseworker,
                                                                   changes, message):
    response = signed_in(caseworker).post("/issues/quick-add", quick(**changes),
                                          HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert "<html" not in response.text
    assert message in response.text and "There is a problem" in response.text
    assert "Ask housing" in response.text
    assert not Issue.objects.exists()


def test_quick_add_refuses_a_case_out_of_reach(signed_in, caseworker, other_case):
    response = signed_in(caseworker).post("/issues/quick-add",
                                          quick(**{"quick-case": other_case.pk}))
    assert response.status_code == 422
    assert "That case is not one you can see" in response.text
    assert other_case.reference not in response.text
    assert not Issue.objects.exists()


def test_quick_add_page_works_without_javascript(signed_in, caseworker, case):
    page = signed_in(caseworker).get(f"/issues/quick-add?case={case.pk}")
    assert page.status_code == 200
    assert 'action="/issues/quick-add"' in page.text
    assert f'name="quick-case" value="{case.pk}"' in page.text


def test_a_caseworker_in_no_team_is_told_so(signed_in, make_user):
    loner = make_user(Role.CASEWORKER)
    response = signed_in(loner).post("/issues/quick-add", quick(), HTTP_HX_REQUEST="true")
    assert response.status_code == 422 and "You are not in a team yet" in response.text
    assert signed_in(loner).get("/issues/new").status_code == 302
    assert not Issue.objects.exists()


def test_a_caseworker_in_two_teams_chooses_which_raised_it(signed_in, caseworker, team):
    second = TeamFactory(name="Second team", case_prefix="ST")
    caseworker.memberships.create(team=second)
    client = signed_in(caseworker)
    assert "Which team raised it" in client.get("/issues/new").text
    client.post("/issues/new", full_data(team=second.pk))
    assert Issue.objects.get().team == second
