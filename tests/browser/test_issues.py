import re

import pytest
from playwright.sync_api import expect

from issues.models import Issue
from tests.browser.axe import assert_accessible
from tests.factories import CaseFactory
from tests.issues.factories import IssueFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_system_issue_goes_from_quick_add_to_a_system_change(sign_in_as, caseworker, leader,
                                                               live_server, team):
    case = CaseFactory(team=team, lead=caseworker, person__name="Vera Hall")
    page = sign_in_as(caseworker)
    quick_add = f"{live_server.url}/cases/{case.pk}/"
    page.goto(quick_add)
    page.get_by_text("Something got in the way? Log an issue").click()
    assert_accessible(page)
    page.evaluate("window.notReloaded = true")
    page.get_by_label("What got in the way").fill("Allocations rule blocks a move with arrears")
    page.get_by_label("2 System").check()
    page.get_by_label("Leadership").check()
    page.get_by_label("Countermeasure: what we do now (optional)").fill(
        "Leader asks housing for an exception")
    page.get_by_role("button", name="Log the issue").click()
    status = page.get_by_role("status").filter(has_text=re.compile(r"Issue #\d+ logged"))
    status.wait_for()
    issue = Issue.objects.get()
    issue_number = issue.pk
    assert f"Issue #{issue_number} logged" in status.inner_text()
    assert page.url == quick_add
    assert page.evaluate("window.notReloaded") is True
    assert page.get_by_label("What got in the way").input_value() == ""
    assert issue.level == 2 and issue.countermeasure == "Leader asks housing for an exception"
    assert list(issue.cases.all()) == [case]
    assert_accessible(page)

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r".*/account/sign-in.*"))
    page = sign_in_as(leader)
    page.goto(f"{live_server.url}/issues/grid")
    assert_accessible(page)
    page.get_by_role("link", name="1 open system issues owned by leadership").first.click()
    page.wait_for_url(re.compile(r".*/issues/\?.*owner_level=leadership.*"))
    assert_accessible(page)
    page.get_by_role("link", name="Allocations rule blocks a move with arrears").click()
    page.wait_for_url(f"{live_server.url}/issues/{issue_number}/")
    assert_accessible(page)

    page.get_by_role("button", name="Take ownership").click()
    expect(page.get_by_text("You now own issue")).to_be_visible()
    expect(page.get_by_text("Owner changed from no one to Lee Charlton.")).to_be_visible()

    page.evaluate("window.notReloaded = true")
    page.get_by_label("What happened").fill("Met the head of allocations; a policy change "
                                            "goes to the housing board")
    page.get_by_role("button", name="Add the update").click()
    expect(page.get_by_role("status").filter(has_text="Update added.")).to_be_visible()
    assert page.evaluate("window.notReloaded") is True
    expect(page.locator(".moj-timeline__item").first).to_contain_text("head of allocations")
    assert_accessible(page)

    page.get_by_role("link", name="Close the issue").click()
    assert_accessible(page)
    page.get_by_role("button", name="Close the issue").click()
    page.locator(".govuk-error-summary").wait_for()
    assert_accessible(page)
    page.get_by_label("System change made").check()
    page.get_by_label("What changed").fill("The housing board changed the allocations policy")
    page.get_by_label("System change: the new normal (optional)").fill(
        "A move can go ahead when it makes the arrears more likely to be paid")
    page.get_by_role("button", name="Close the issue").click()
    page.wait_for_url(f"{live_server.url}/issues/{issue_number}/")
    expect(page.get_by_text(f"Issue #{issue_number} closed: System change made.")).to_be_visible()
    issue.refresh_from_db()
    assert issue.closure == "system_change" and issue.owner == leader

    page.goto(f"{live_server.url}/issues/new-normal")
    expect(page.get_by_text("A move can go ahead when it makes the arrears")).to_be_visible()
    assert_accessible(page)


@pytest.mark.parametrize("path", ["/issues/", "/issues/new", "/issues/quick-add",
                                  "/issues/{pk}/edit", "/issues/{pk}/close"])
def test_issue_forms_are_accessible_with_errors_shown(sign_in_as, caseworker, team, live_server,
                                                      path):
    issue = IssueFactory(team=team, raised_by=caseworker)
    page = sign_in_as(caseworker)
    page.goto(f"{live_server.url}{path.format(pk=issue.pk)}")
    assert_accessible(page)
    if path == "/issues/":
        page.get_by_text("Log an issue quickly").click()
        page.get_by_role("button", name="Log the issue").click()
    elif path.endswith("edit"):
        page.get_by_label("Title").fill("")
        page.get_by_role("button", name="Save").click()
    else:
        page.locator("main form[method=post] button[type=submit]").last.click()
    page.locator(".govuk-error-summary").wait_for()
    page.wait_for_function("document.activeElement.classList.contains('govuk-error-summary')")
    assert_accessible(page)


def test_the_log_and_grid_are_accessible_on_a_phone(sign_in_as, caseworker, team, live_server):
    IssueFactory.create_batch(3, team=team, raised_by=caseworker)
    page = sign_in_as(caseworker, width=390, height=844)
    for path in ["/issues/", "/issues/grid", "/issues/new-normal"]:
        page.goto(f"{live_server.url}{path}")
        assert_accessible(page)
