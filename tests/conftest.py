import os
import shutil

import pytest

from accounts.roles import Role
from tests.factories import PASSWORD, TeamFactory, UserFactory

# Playwright's sync API runs an event loop in the test thread; Django must allow DB access there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    """Tests render templates without running collectstatic first."""
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


@pytest.fixture
def team(db):
    return TeamFactory(name="Riverside", case_prefix="RS")


@pytest.fixture
def other_team(db):
    return TeamFactory(name="Hillside", case_prefix="HS")


@pytest.fixture
def make_user(db):
    def make(*roles, team=None, **kwargs):
        return UserFactory(roles=list(roles), team=team, **kwargs)
    return make


@pytest.fixture
def caseworker(make_user, team):
    return make_user(Role.CASEWORKER, team=team, username="casey", first_name="Casey",
                     last_name="Bell")


@pytest.fixture
def coordinator(make_user, team):
    return make_user(Role.COORDINATOR, Role.CASEWORKER, team=team, username="cora",
                     first_name="Cora", last_name="Hepple")


@pytest.fixture
def leader(make_user):
    return make_user(Role.LEADER, username="lee", first_name="Lee", last_name="Charlton")


@pytest.fixture
def auditor(make_user):
    return make_user(Role.AUDITOR, username="audrey", first_name="Audrey", last_name="Milburn")


@pytest.fixture
def service_admin(make_user):
    return make_user(Role.ADMIN, username="ada", is_staff=True)


@pytest.fixture
def signed_in(client):
    """`signed_in(user)` returns the test client signed in as that user."""
    def sign_in(user):
        client.force_login(user)
        return client
    return sign_in


@pytest.fixture
def password():
    return PASSWORD


# Browser tests ---------------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.nodeid.startswith("tests/browser/"):
            item.add_marker(pytest.mark.browser)
    if os.path.exists(CHROMIUM):
        return
    if os.environ.get("REQUIRE_BROWSER"):
        raise pytest.UsageError(f"Browser tests need Chromium at {CHROMIUM}; it is missing.")
    skip = pytest.mark.skip(reason=f"CHROMIUM MISSING at {CHROMIUM}: browser tests not run")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)
