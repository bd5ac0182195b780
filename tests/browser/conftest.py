import pytest

from accounts.mfa import must_use_mfa
from tests.conftest import totp_code, totp_device
from tests.factories import PASSWORD


@pytest.fixture
def sign_in_as(page, live_server):
    """Sign in through the real form and land on the home page."""
    def sign_in(user, width=1366, height=768):
        device = totp_device(user) if must_use_mfa(user) else None
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{live_server.url}/account/sign-in")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        if must_use_mfa(user):
            page.wait_for_url("**/account/two-step**")
            page.get_by_label("Code").fill(totp_code(device))
            page.get_by_role("button", name="Continue").click()
        page.wait_for_url(f"{live_server.url}/")
        return page
    return sign_in
