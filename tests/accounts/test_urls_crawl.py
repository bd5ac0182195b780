"""Deny by default: every URL pattern, GET and POST, sends an anonymous visitor to sign in."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

PUBLIC = {"/account/sign-in", "/healthz"}

SAMPLE_BY_CONVERTER = {"int": "1", "str": "x", "slug": "x", "path": "x",
                       "uuid": "00000000-0000-0000-0000-000000000001"}


def _sample_from_regex(regex: str) -> str:
    regex = regex.lstrip("^").rstrip("$").replace("\\Z", "")
    # Named groups: take the first alternative of a literal choice, else a plain value.
    def group(match):
        body = match.group(2)
        first = body.split("|")[0]
        return first if re.fullmatch(r"[\w-]+", first) else "1"
    regex = re.sub(r"\(\?P<(\w+)>((?:[^()]|\([^()]*\))*)\)", group, regex)
    return regex.replace("\\", "").replace("?", "")


def _sample(pattern) -> str:
    route = getattr(pattern.pattern, "_route", None)
    if route is None:
        return _sample_from_regex(pattern.pattern.regex.pattern)
    return re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLE_BY_CONVERTER.get(m.group(1) or "str", "x"),
                  route)


def all_paths(patterns=None, prefix="/"):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        path = prefix + _sample(pattern)
        if isinstance(pattern, URLResolver):
            yield from all_paths(pattern.url_patterns, path)
        elif isinstance(pattern, URLPattern):
            yield path


def test_crawl_finds_the_apps_urls():
    paths = set(all_paths())
    assert {"/", "/healthz", "/account/sign-in", "/account/sign-out", "/admin/"} <= paths


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post"])
def test_every_url_sends_anonymous_visitors_to_sign_in(client, method):
    checked, leaks = 0, []
    for path in sorted(set(all_paths())):
        if path in PUBLIC:
            continue
        response = getattr(client, method)(path, follow=True)
        final = response.request["PATH_INFO"]
        checked += 1
        if final != "/account/sign-in" or not response.redirect_chain:
            leaks.append(f"{method.upper()} {path} -> {response.status_code} at {final}")
    assert checked > 5
    assert leaks == []


@pytest.mark.django_db
def test_public_pages_answer_without_sign_in(client):
    assert client.get("/account/sign-in").status_code == 200
    assert client.get("/healthz").status_code == 200
