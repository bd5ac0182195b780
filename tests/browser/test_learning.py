"""The learning page in a real browser: a coordinator and a leader read it; a caseworker sees
only their own team."""

import pytest
from django.utils import timezone

from caseload.models import EnforcementDecision
from tests.browser.axe import assert_accessible
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db(transaction=True)

OURS, THEIRS = "No: we know Joanne now and there is a plan", "Hillside: it went ahead"


@pytest.fixture
def decisions(team, other_team, caseworker, make_user):
    hilda = make_user("caseworker", team=other_team, username="hilda")
    for case_team, lead, answer, went in [(team, caseworker, OURS, False),
                                          (other_team, hilda, THEIRS, True)]:
        case = CaseFactory(team=case_team, lead=lead)
        EnforcementDecision.objects.create(case=case, kind="bailiff", went_ahead=went,
                                           should_we=answer, decided_on=timezone.localdate(),
                                           recorded_by=lead)


def open_learning(page):
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Learning").click()
    page.get_by_role("heading", name="What the work is teaching us").wait_for()


def test_a_coordinator_reads_the_teams_learning(sign_in_as, coordinator, decisions):
    page = sign_in_as(coordinator, width=1366, height=768)
    open_learning(page)
    assert page.get_by_text("Riverside", exact=True).is_visible()
    assert page.get_by_text(OURS).is_visible()
    assert page.get_by_text(THEIRS).count() == 0
    assert page.locator("svg[role=img]").count() >= 12
    page.locator("#figure-enforcement ~ details").first.locator("summary").click()
    assert page.get_by_role("table", name="Enforcement and eviction decisions, by month") \
        .is_visible()
    assert_accessible(page)


def test_a_caseworker_on_a_phone_sees_only_their_team(sign_in_as, caseworker, decisions):
    page = sign_in_as(caseworker, width=390, height=844)
    page.get_by_role("button", name="Menu").click()
    open_learning(page)
    assert page.get_by_text(OURS).is_visible()
    assert page.get_by_text(THEIRS).count() == 0
    assert page.get_by_label("Team", exact=True).count() == 0
    assert_accessible(page)


def test_a_leader_sees_every_team_then_picks_one(sign_in_as, leader, other_team, decisions,
                                                  live_server):
    page = sign_in_as(leader, width=1366, height=768)
    open_learning(page)
    assert page.get_by_label("Team", exact=True).input_value() == ""  # All teams
    assert page.get_by_text(OURS).is_visible() and page.get_by_text(THEIRS).is_visible()
    assert_accessible(page)
    page.get_by_label("Team", exact=True).select_option(label="Hillside")
    page.get_by_label("Period", exact=True).select_option(label="Last 12 months")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(f"{live_server.url}/learning/?team={other_team.pk}&months=12")
    assert page.get_by_text(THEIRS).is_visible()
    assert page.get_by_text(OURS).count() == 0
    assert_accessible(page)
