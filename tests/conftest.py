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
def _fast_tests(settings):
    """Tests render templates without running collectstatic first, hash test passwords
    quickly (the real hasher costs about a second per user on a busy 2-core machine),
    and compute the Learning page and the spend medians afresh each time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.LEARNING_FIGURES_SECONDS = 0  # no figures kept from one test to the next
    settings.SPEND_MEDIANS_SECONDS = 0  # nor medians
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


@pytest.fixture
def committed(transactional_db):
    """For tests of what is kept until a change stamp moves (accounts/stamps.py): each
    write commits, as a request's does (inside a transaction nothing is kept), and the
    cache starts and ends empty, as the database does."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """The test run creates, migrates and empties its own database, so it connects as the
    owner role. Outside tests the app connects as the runtime role (with the embedded server,
    liberated_app); tests/security/test_tampering.py checks what that role may do."""
    from django.conf import settings
    owner = settings.DATABASES["owner"]
    for alias in ("default", "replica"):  # the replica mirrors the test database
        settings.DATABASES[alias].update({key: owner[key] for key in
                                          ("NAME", "USER", "PASSWORD", "HOST", "PORT")
                                          if key in owner})


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


def totp_device(user):
    """A confirmed authenticator for the user (made once)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice
    device, _ = TOTPDevice.objects.get_or_create(user=user, name="Test app",
                                                 defaults={"confirmed": True})
    return device


def totp_code(device) -> str:
    from django_otp.oath import TOTP
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


@pytest.fixture
def signed_in(client):
    """`signed_in(user)` returns the test client signed in as that user, with the second
    sign-in step done for roles that need it (`two_step=False` leaves it half signed in)."""
    def sign_in(user, two_step=True):
        from django_otp import DEVICE_ID_SESSION_KEY

        from accounts.mfa import must_use_mfa
        client.force_login(user)
        if two_step and must_use_mfa(user):
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = totp_device(user).persistent_id
            session.save()
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
