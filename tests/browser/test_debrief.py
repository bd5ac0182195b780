"""The daily debrief run with the keyboard alone, on the big screen."""

import pytest

from debriefs.models import Activity, Debrief, Entry, Stroke, Welfare
from issues.models import Issue
from tests.browser.axe import assert_accessible
from tests.factories import CaseFactory, ContactFactory

pytestmark = pytest.mark.django_db(transaction=True)


def press(page, *keys):
    for key in keys:
        page.keyboard.press(key)


def wait_until(page, expression, timeout=10.0):
    """Poll a JS expression from Python (the strict CSP blocks Playwright's own eval-based
    wait_for_function)."""
    import time
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"Timed out waiting for {expression}"
        page.wait_for_timeout(50)


def tab_to(page, predicate_js, limit=400):
    """Press Tab until the focused element satisfies `predicate_js` (a JS arrow function)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"({predicate_js})(document.activeElement)"):
            return
    raise AssertionError(f"Tab never reached {predicate_js}")


def test_a_whole_debrief_with_the_keyboard_alone(sign_in_as, coordinator, caseworker, team,
                                                 live_server):
    cases = [CaseFactory(team=team, lead=caseworker, person__name=name)
             for name in ("Bella Nixon", "Dot Ridley", "Kai Tait")]
    for case in cases:
        ContactFactory(case=case)
    Activity.objects.create(team=team, name="Got a food shop in", complexity=1,
                            created_by=coordinator)
    page = sign_in_as(coordinator, width=1366, height=768)
    page.goto(f"{live_server.url}/debriefs/")
    tab_to(page, "el => el.textContent.includes(\"Start today's debrief\")")
    press(page, "Enter")
    page.wait_for_url(f"{live_server.url}/debriefs/*/")
    page.evaluate("window.notReloaded = true")
    assert_accessible(page)

    # Three people: working, stuck, not yet with a note.
    for case, key, note in zip(cases, ["1", "3", "2"], [None, None, "Waiting on UC"],
                               strict=True):
        tab_to(page, f"el => el.name === 'case{case.pk}-progress'")
        press(page, key)
        page.locator(f"#entry-status-{case.pk}").get_by_text("Saved at").wait_for()
        if note:
            press(page, "Tab")
            page.keyboard.type(note)
            press(page, "Enter")
            wait_until(page,
                f"document.querySelector('#entry-status-{case.pk} input').value === '2'")
    progress = {e.case_id: (e.progress, e.note) for e in Entry.objects.all()}
    assert progress == {cases[0].pk: ("working", ""), cases[1].pk: ("stuck", ""),
                        cases[2].pk: ("not_yet", "Waiting on UC")}

    # An issue for the issue log, linked to the person under discussion.
    tab_to(page, "el => el.id === 'id_quick-title'")
    page.keyboard.type("Allocations rule blocks a move with rent arrears")
    press(page, "Tab")  # the case reference, as shown on the person's row
    page.keyboard.type(cases[1].reference.lower())
    tab_to(page, "el => el.name === 'quick-level'")
    press(page, "ArrowRight")  # system
    tab_to(page, "el => el.id === 'id_quick-countermeasure'")
    page.keyboard.type("Leader asked housing for a one-off exception")
    tab_to(page, "el => el.textContent.includes('Log the issue')")
    with page.expect_response(lambda r: r.url.endswith("/issues")):
        press(page, "Enter")
    page.get_by_text("logged").first.wait_for()
    issue = Issue.objects.get()
    assert (issue.level, list(issue.cases.all())) == (2, [cases[1]])

    # Two strokes on an existing activity, then a new activity.
    tab_to(page, "el => el.id && el.id.startsWith('stroke-')")
    for _ in range(2):  # focus stays on the button after each save
        with page.expect_response(lambda r: r.url.endswith("/stroke")):
            press(page, "Enter")
        wait_until(page, "document.activeElement.id.startsWith('stroke-')")
    tab_to(page, "el => el.id === 'id_activity-name'")
    page.keyboard.type("Sorted a debt relief order")
    tab_to(page, "el => el.name === 'activity-complexity'")
    press(page, "ArrowRight", "ArrowRight", "ArrowRight")  # 4
    tab_to(page, "el => el.textContent.includes('Add the activity and a stroke')")
    press(page, "Enter")
    page.get_by_text("Stroke added to “Sorted a debt relief order”").wait_for()
    assert Stroke.objects.count() == 3
    assert Activity.objects.get(name="Sorted a debt relief order").complexity == 4

    # Welfare, then the reflection, and close.
    tab_to(page, "el => el.name === 'welfare-feeling'")
    press(page, "ArrowRight", "ArrowRight", "ArrowRight")
    tab_to(page, "el => el.textContent.includes(\"Save how I'm finding it\")")
    press(page, "Enter")
    page.get_by_text("Only you and the coordinator can see it").wait_for()
    assert Welfare.objects.get(user=coordinator).feeling == 4
    tab_to(page, "el => el.id === 'id_reflection'")
    page.keyboard.type("Quick and kind today")
    tab_to(page, "el => el.textContent.includes('Save and close the debrief')")
    press(page, "Enter")
    page.get_by_text("Debrief closed. Thank you, everyone.").wait_for()
    debrief = Debrief.objects.get()
    assert debrief.is_closed and debrief.reflection == "Quick and kind today"
    assert page.evaluate("window.notReloaded") is True
    assert_accessible(page)
