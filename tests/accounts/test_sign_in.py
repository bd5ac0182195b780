import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.roles import Role

pytestmark = pytest.mark.django_db


def post_sign_in(client, username, password, address="10.0.0.1"):
    return client.post("/account/sign-in", {"username": username, "password": password},
                       REMOTE_ADDR=address)


def test_sign_in_with_right_password_reaches_home(client, caseworker, password):
    response = post_sign_in(client, "casey", password)
    assert response.status_code == 302 and response["Location"] == "/"
    assert "Your people today" in client.get("/").text


def test_sign_in_with_wrong_password_says_so_and_keeps_username(client, caseworker):
    response = post_sign_in(client, "casey", "not the password at all")
    assert response.status_code == 422
    assert "Enter a correct username and password" in response.text
    assert 'value="casey"' in response.text
    assert "govuk-error-summary" in response.text


def test_sign_in_follows_a_safe_next_but_not_another_site(client, caseworker, password):
    response = client.post("/account/sign-in?next=/admin/",
                           {"username": "casey", "password": password, "next": "/admin/"})
    assert response["Location"] == "/admin/"
    client.logout()
    response = client.post("/account/sign-in", {"username": "casey", "password": password,
                                                "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_five_wrong_passwords_lock_that_username_from_that_address_only(
        client, caseworker, make_user, password):
    colleague = make_user(Role.CASEWORKER, username="sam")
    for _ in range(5):
        post_sign_in(client, "casey", "wrong password attempt")

    locked = post_sign_in(client, "casey", password)
    assert locked.status_code == 429
    assert "Too many wrong passwords" in locked.text
    assert "_auth_user_id" not in client.session

    from_elsewhere = post_sign_in(client, "casey", password, address="10.0.0.2")
    assert from_elsewhere.status_code == 302
    client.logout()

    same_office_colleague = post_sign_in(client, colleague.username, password)
    assert same_office_colleague.status_code == 302


def test_sign_out_is_a_post_and_ends_the_session(signed_in, caseworker):
    client = signed_in(caseworker)
    assert client.get("/account/sign-out").status_code == 405
    response = client.post("/account/sign-out", follow=True)
    assert "You have signed out" in response.text
    assert client.get("/").status_code == 302


def test_session_ends_10_hours_after_sign_in_however_active(client, caseworker, password):
    post_sign_in(client, "casey", password)
    assert client.get("/").status_code == 200
    session = client.session
    session["signed_in_at"] = timezone.now().timestamp() - 10 * 60 * 60 - 1
    session.save()
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/account/sign-in")
    assert client.get("/").status_code == 302


@pytest.mark.parametrize("candidate", [
    "correct horse battery staple",
    "my cat likes the river in autumn and winter " * 3,
])
def test_long_passphrases_are_accepted_without_composition_rules(candidate):
    validate_password(candidate)


@pytest.mark.parametrize("candidate, reason", [
    ("short pass", "at least 12 characters"),
    ("password1234", "too common"),
])
def test_short_or_common_passwords_are_refused(candidate, reason):
    with pytest.raises(ValidationError) as error:
        validate_password(candidate)
    assert reason in " ".join(error.value.messages)
