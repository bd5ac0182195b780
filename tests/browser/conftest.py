import pytest

from tests.factories import PASSWORD


@pytest.fixture
def sign_in_as(page, live_server):
    """Sign in through the real form and land on the home page."""
    def sign_in(user, width=1366, height=768):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{live_server.url}/account/sign-in")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{live_server.url}/")
        return page
    return sign_in
