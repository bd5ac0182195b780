import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "LIBERATED_ENV": "production",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "liberated.example.org",
    "DATABASE_URL": "postgres://liberated_app@db.example.org:5432/liberated",
    "DATABASE_OWNER_URL": "postgres://liberated_owner@db.example.org:5432/liberated",
}


def manage(*args, env):
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DATABASE_URL",
                                                               "DATABASE_OWNER_URL",
                                                               "LIBERATED_ENV", "DEBUG",
                                                               "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env},
                          capture_output=True, text=True, timeout=120)


def test_deploy_check_passes_with_production_variables():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_without_secret_key_is_a_clear_startup_error():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_sqlite_is_refused():
    result = manage("check", env={**PRODUCTION_ENV, "DATABASE_URL": "sqlite:///db.sqlite3"})
    assert result.returncode != 0
    assert "PostgreSQL only" in result.stderr


def test_health_check_is_200_with_the_database_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.text == "ok"


def test_health_check_is_503_with_the_database_down(client):
    real_port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = "1"
    try:
        response = client.get("/healthz")
    finally:
        connection.close()
        connection.settings_dict["PORT"] = real_port
    assert response.status_code == 503
    assert response.text == "unavailable"


def test_signed_in_responses_are_not_stored_and_carry_a_strict_csp(signed_in, caseworker):
    response = signed_in(caseworker).get("/")
    assert "no-store" in response["Cache-Control"]
    csp = response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "script-src 'self';" in csp  # no nonce: no inline script may run at all
    assert response["X-Frame-Options"] == "DENY"


def test_pages_have_no_inline_script_without_nonce_and_no_style_attributes(signed_in, caseworker):
    page = signed_in(caseworker).get("/").text
    assert " style=" not in page
    assert "<style" not in page
    for chunk in page.split("<script")[1:]:
        tag = chunk.split(">", 1)[0]
        assert "src=" in tag or "nonce=" in tag, tag


def test_not_found_page_is_friendly_and_has_no_trace(signed_in, caseworker):
    response = signed_in(caseworker).get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in response.text
    assert "Traceback" not in response.text


def test_server_error_page_has_no_trace(rf):
    from accounts.views import server_error
    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert b"Sorry, there is a problem with the service" in response.content
    assert b"Traceback" not in response.content


@pytest.mark.parametrize("before", [
    {},  # what almost every page sends
    {"Vary": "HX-Request"},
    {"Cache-Control": "max-age=600, public", "Expires": "Thu, 01 Jan 2099 00:00:00 GMT"},
])
def test_a_signed_in_response_says_what_djangos_never_cache_says(rf, make_user, before):
    """NoStoreForSignedInMiddleware writes the headers Django's add_never_cache_headers and
    patch_vary_headers would, whatever the view said before."""
    from django.http import HttpResponse
    from django.utils.cache import add_never_cache_headers, patch_vary_headers

    from accounts.middleware import NoStoreForSignedInMiddleware

    def view(request):
        return HttpResponse("page", headers=before)

    request = rf.get("/")
    request.user = make_user()
    ours = NoStoreForSignedInMiddleware(view)(request)
    django = view(request)
    add_never_cache_headers(django)
    patch_vary_headers(django, ["Cookie"])
    from django.utils.http import parse_http_date

    assert (ours["Cache-Control"], ours["Vary"]) == (django["Cache-Control"], django["Vary"])
    # Now, or the view's own: written a moment apart, they may fall either side of a second.
    assert abs(parse_http_date(ours["Expires"]) - parse_http_date(django["Expires"])) <= 1
    assert "no-store" in ours["Cache-Control"] and "Cookie" in ours["Vary"]
