import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from tests.accounts.test_urls_crawl import PUBLIC, all_paths
from tests.conftest import totp_code, totp_device

pytestmark = pytest.mark.django_db

TWO_STEP_PAGES = {"/account/two-step", "/account/two-step/set-up", "/account/sign-out"}


@pytest.mark.parametrize("method", ["get", "post"])
def test_half_signed_in_session_reaches_only_the_two_step_pages(signed_in, leader, method):
    totp_device(leader)
    client = signed_in(leader, two_step=False)
    leaks = []
    for path in sorted(set(all_paths()) - PUBLIC - TWO_STEP_PAGES):
        response = getattr(client, method)(path)
        if response.status_code != 302 or not response["Location"].startswith(
                "/account/two-step"):
            leaks.append(f"{method.upper()} {path} -> {response.status_code}")
    assert leaks == []


def test_leader_without_a_second_factor_cannot_reach_the_spend_review(signed_in, leader):
    response = signed_in(leader, two_step=False).get(reverse("purchases:review-queue"))
    assert response.status_code == 302
    assert response["Location"].startswith("/account/two-step/set-up")


def test_leader_sets_up_an_authenticator_and_gets_recovery_codes(signed_in, leader):
    client = signed_in(leader, two_step=False)
    page = client.get("/account/two-step/set-up")
    assert "<svg" in page.text and "QR code for your authenticator app" in page.text
    from django_otp.plugins.otp_totp.models import TOTPDevice
    device = TOTPDevice.objects.get(user=leader, confirmed=False)

    done = client.post("/account/two-step/set-up", {"code": totp_code(device)})
    codes = re.findall(r"<code>(\d{5}-\d{5})</code>", done.text)
    assert len(codes) == 10
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/").status_code == 200


def test_a_wrong_setup_code_is_refused_and_nothing_is_turned_on(signed_in, leader):
    client = signed_in(leader, two_step=False)
    client.get("/account/two-step/set-up")
    wrong = client.post("/account/two-step/set-up", {"code": "000000"})
    assert wrong.status_code == 422 and "did not match" in wrong.text
    assert client.get("/").status_code == 302


def test_a_recovery_code_works_once(signed_in, leader, client):
    from accounts.mfa import new_recovery_codes
    totp_device(leader)
    code = new_recovery_codes(leader)[0]
    signed_in(leader, two_step=False)
    assert client.post("/account/two-step", {"code": code})["Location"] == "/"
    client.logout()
    signed_in(leader, two_step=False)
    assert client.post("/account/two-step", {"code": code}).status_code == 422


@pytest.mark.parametrize("role", [Role.LEADER, Role.AUDITOR, Role.ADMIN])
def test_leaders_auditors_and_admins_must_use_a_second_step(signed_in, make_user, role):
    user = make_user(role)
    response = signed_in(user, two_step=False).get("/")
    assert response["Location"].startswith("/account/two-step/set-up")


def test_caseworkers_may_opt_in(signed_in, caseworker, client):
    assert signed_in(caseworker, two_step=False).get("/").status_code == 200
    totp_device(caseworker)
    client.logout()
    response = signed_in(caseworker, two_step=False).get("/")
    assert response["Location"].startswith("/account/two-step?next=/")
    assert client.post("/account/two-step?next=/",
                       {"code": totp_code(totp_device(caseworker))})["Location"] == "/"


@pytest.mark.parametrize("change", ["unconfirmed", "someone else's", "removed"])
def test_the_verified_device_is_read_each_request_and_must_still_be_the_users_and_confirmed(
        signed_in, leader, make_user, change):
    """The session's device (read by a prepared statement: accounts.middleware) is checked on
    every request as django-otp checks it: unconfirmed, someone else's or removed, the session
    is no longer through the second step."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = totp_device(leader)
    client = signed_in(leader)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    assert any(query["sql"].startswith("EXECUTE otp_totp_totpdevice_") for query in queries)
    devices = TOTPDevice.objects.filter(pk=device.pk)
    if change == "unconfirmed":
        devices.update(confirmed=False)
    elif change == "someone else's":
        devices.update(user=make_user(Role.LEADER))
    else:
        devices.delete()
    assert client.get("/")["Location"].startswith("/account/two-step")
