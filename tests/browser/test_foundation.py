import pytest

from accounts.roles import Role
from tests.browser.axe import assert_accessible, axe_violations

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = [390, 1366]
HOME_HEADINGS = {
    Role.CASEWORKER: "Your people today",
    Role.COORDINATOR: "Today's debrief",
    Role.LEADER: "Air cover and review",
    Role.AUDITOR: "Purchase records",
    Role.ADMIN: "Manage the service",
}


@pytest.mark.parametrize("width", WIDTHS)
def test_sign_in_page_is_accessible(page, live_server, width):
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(f"{live_server.url}/account/sign-in")
    assert page.title() == "Sign in – Liberated"
    assert_accessible(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_sign_in_errors_are_accessible_and_focused(page, live_server, width):
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(f"{live_server.url}/account/sign-in")
    page.get_by_role("button", name="Sign in").click()
    summary = page.locator(".govuk-error-summary")
    assert "Enter your username" in summary.inner_text()
    page.wait_for_function("document.activeElement.classList.contains('govuk-error-summary')")
    assert_accessible(page)


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("width", WIDTHS)
def test_each_role_signs_in_to_its_own_accessible_home(sign_in_as, make_user, team, role, width):
    user = make_user(role, team=team, is_staff=role == Role.ADMIN)
    page = sign_in_as(user, width=width)
    assert page.get_by_role("heading", name=HOME_HEADINGS[role]).is_visible()
    assert page.title() == "Home – Liberated"
    assert_accessible(page)


def test_axe_helper_reports_a_bad_page(page, live_server):
    """The accessibility check can fail: an unlabelled input is reported."""
    page.goto(f"{live_server.url}/account/sign-in")
    page.evaluate("""() => {
        const input = document.createElement('input');
        input.type = 'text';
        document.querySelector('main').appendChild(input);
    }""")
    assert "label" in {v["id"] for v in axe_violations(page)}


def test_no_content_security_policy_violations(page, live_server, caseworker, sign_in_as):
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    sign_in_as(caseworker)
    page.reload()
    assert [e for e in errors if "Content Security Policy" in e] == []
    assert "js-enabled" in page.locator("body").get_attribute("class")
