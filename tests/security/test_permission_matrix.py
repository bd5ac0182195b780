"""The role × URL matrix: every URL pattern, requested with each method as each role, answers as
docs/permissions.yaml says. A session that has the password but not the second step reaches
nothing but the two-step page. Every refused request is logged."""

import logging
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import yaml
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from accounts.middleware import SecondFactorMiddleware
from accounts.roles import Role
from caseload.models import Debt, Hold, Outcome
from debriefs.models import Activity, Entry, Welfare
from debriefs.services import debrief_start
from privacy.models import SubjectAccessRequest
from privacy.subject_access import gather, released
from purchases.models import Purchase, Statement, StatementLine
from tests.accounts.test_urls_crawl import all_paths
from tests.conftest import totp_device
from tests.factories import CaseFactory, ContactFactory
from tests.issues.factories import IssueFactory
from tests.purchases.factories import CardFactory, PurchaseFactory
from tests.purchases.receipts import png_bytes

SPEC_PATH = Path(settings.BASE_DIR) / "docs" / "permissions.yaml"
METHODS = ("GET", "POST")
ROLES = ("caseworker", "coordinator", "leader", "auditor", "admin")
OTHER_TEAM = ("other_team_caseworker", "other_team_coordinator")
ADMIN_GROUP = "admin:*"
TWO_STEP_PAGES = {"accounts:mfa-verify", "accounts:mfa-setup"}
# The records the test makes for the first team; an entry whose address names one is also
# requested by members of another team.
RECORDS = ("case", "person", "contact", "debt", "hold", "purchase", "issue", "debrief",
           "activity", "subject_access", "released_request", "statement", "statement_line")


def _patterns(patterns=None, namespace=""):
    """(name, pattern) for every URL pattern. An unnamed pattern is named by its route."""
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _patterns(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}{pattern.name or f'<unnamed {pattern.pattern}>'}", pattern


def _spec() -> dict:
    return yaml.safe_load(SPEC_PATH.read_text())


def _entry_for(name: str) -> str:
    return ADMIN_GROUP if name.startswith("admin:") else name


# The specification itself ------------------------------------------------------------------

def test_every_url_pattern_is_in_the_specification_and_nothing_else():
    spec = _spec()
    names = {name for name, _ in _patterns()}
    missing = sorted(name for name in names if _entry_for(name) not in spec)
    stale = sorted(key for key in spec if key != ADMIN_GROUP and key not in names)
    assert not missing, ("URL patterns missing from docs/permissions.yaml (add who may use "
                         "each one):\n  " + "\n  ".join(missing))
    assert not stale, ("docs/permissions.yaml has entries with no URL pattern:\n  "
                       + "\n  ".join(stale))
    assert set(spec[ADMIN_GROUP]["sample"]) <= names


def _expected(entry: dict, method: str) -> dict[str, str]:
    """role -> outcome for one method of one entry. Every signed-in role must be listed once."""
    about_a_record = any(v in RECORDS for v in (entry.get("kwargs") or {}).values())
    roles = ROLES + (OTHER_TEAM if about_a_record else ())
    rule = entry[method]
    if not isinstance(rule, dict):
        expected = dict.fromkeys(roles, str(rule))
    else:
        expected = {}
        for outcome, listed in rule.items():
            for role in listed:
                assert role not in expected, f"{role} listed twice"
                expected[role] = str(outcome)
    expected.setdefault("anonymous", "login")
    assert set(expected) == {"anonymous", *roles}, (
        f"roles not listed: {sorted({'anonymous', *roles} - set(expected))}; "
        f"unknown: {sorted(set(expected) - {'anonymous', *roles})}")
    return expected


def test_each_entry_lists_every_role_once():
    problems = []
    for name, entry in _spec().items():
        for method in METHODS:
            try:
                _expected(entry, method)
            except (AssertionError, KeyError) as error:
                problems.append(f"{name} {method}: {error}")
    assert problems == []


# One team's records, and a signed-in session for each role -----------------------------------

@dataclass
class World:
    objects: dict
    sessions: dict  # role -> session key (None for anonymous)


@pytest.fixture
def world(settings, tmp_path, signed_in, team, other_team, make_user, caseworker, coordinator,
          leader, auditor, service_admin):
    settings.MEDIA_ROOT = tmp_path / "media"
    today = timezone.localdate()
    other_leader = make_user(Role.LEADER, username="lesley")
    case = CaseFactory(team=team, lead=caseworker, person__name="Joanne Robson")
    person = case.people.get()
    contact = ContactFactory(case=case, worker=caseworker)
    debt = Debt.objects.create(case=case, creditor=Debt.Creditor.COUNCIL_TAX, amount=420)
    hold = Hold.objects.create(case=case, kind=Hold.Kind.BAILIFF, requested_by=caseworker,
                               reason="Bailiffs due on Friday; a payment plan is being agreed")
    Outcome.objects.create(case=case, kind=Outcome.Kind.BENEFITS, recorded_by=caseworker)
    purchase = PurchaseFactory(
        case=case, worker=caseworker, card=CardFactory(holder=caseworker, team=team),
        receipt=SimpleUploadedFile("receipt.png", png_bytes(), content_type="image/png"),
        receipt_content_type="image/png", no_receipt_reason="", advice_asked=True)
    Purchase.objects.filter(pk=purchase.pk).update(
        review_verdict=Purchase.Verdict.QUERY, review_note="What was in the shop?",
        reviewed_by=other_leader, reviewed_at=timezone.now())
    issue = IssueFactory(team=team, raised_by=caseworker, cases=[case])
    debrief = debrief_start(team=team, by=coordinator)
    Entry.objects.create(debrief=debrief, case=case, progress=Entry.Progress.WORKING,
                         updated_by=coordinator)
    Welfare.objects.create(debrief=debrief, user=caseworker, feeling=4)
    activity = Activity.objects.create(team=team, name="Fixing a benefit claim", complexity=2,
                                       created_by=coordinator)
    subject_access = SubjectAccessRequest.objects.create(
        person=person, case_reference=case.reference, started_by=leader,
        received_on=today - timedelta(days=3))
    released_request = SubjectAccessRequest.objects.create(
        person=person, case_reference=case.reference, started_by=leader,
        received_on=today - timedelta(days=10))
    released_request.release(by=leader, bundle=released(gather(person), []))
    statement = Statement.objects.create(card=purchase.card, month=today.replace(day=1),
                                         file_name="statement.csv", uploaded_by=other_leader)
    statement_line = StatementLine.objects.create(
        statement=statement, transaction_id="TX-0001", date=today, merchant="Asda",
        amount=purchase.amount)
    objects = {"statement": statement, "statement_line": statement_line, "case": case, "person": person, "contact": contact, "debt": debt, "hold": hold,
               "purchase": purchase, "issue": issue, "debrief": debrief, "activity": activity,
               "subject_access": subject_access, "released_request": released_request}

    users = {
        "caseworker": caseworker, "coordinator": coordinator, "leader": leader,
        "auditor": auditor, "admin": service_admin,
        "other_team_caseworker": make_user(Role.CASEWORKER, team=other_team, username="hilda"),
        "other_team_coordinator": make_user(Role.COORDINATOR, Role.CASEWORKER, team=other_team,
                                            username="howard"),
    }
    sessions = {"anonymous": None}
    for role, user in users.items():
        client = signed_in(user)
        assert client.get(reverse("home")).status_code == 200  # as after signing in
        sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
        client.cookies.pop(settings.SESSION_COOKIE_NAME)
    assert set(objects) == set(RECORDS)
    return World(objects, sessions)


def _value(value, objects):
    return str(objects[value].pk) if value in objects else str(value)


def _url(name: str, pattern: URLPattern, entry: dict, objects: dict) -> str:
    needed = set(pattern.pattern.regex.groupindex)
    kwargs = {k: _value(v, objects) for k, v in (entry.get("kwargs") or {}).items()
              if k in needed}
    url = reverse(name, kwargs=kwargs)
    if entry.get("query"):
        url += "?" + urlencode({k: _value(v, objects) for k, v in entry["query"].items()})
    return url


def _outcome(client, response) -> tuple[str, str]:
    """What the person got, in the specification's words, and the request that answered
    ("GET /path")."""
    status = response.status_code
    path = f"{response.request['REQUEST_METHOD']} {response.request['PATH_INFO']}"
    if 300 <= status < 400:
        location = urlsplit(response["Location"])
        try:
            view = resolve(location.path).view_name
        except Resolver404:
            return "allow", path
        asked_to_sign_in = "next" in parse_qs(location.query)
        if view == "accounts:sign-in" and asked_to_sign_in:
            return "login", path
        if view in TWO_STEP_PAGES and asked_to_sign_in:
            return "two-step", path
        if view == "admin:login":  # the admin sends people to the service's sign-in rules
            return _outcome(client, client.get(response["Location"]))
        return "allow", path
    if 200 <= status < 300 or status in (409, 422):
        return "allow", path
    return str(status), path


def _request(client, method: str, url: str, session, data: dict) -> tuple[str, str]:
    """One request, rolled back afterwards so that every role meets the same records."""
    if session is None:
        client.cookies.pop(settings.SESSION_COOKIE_NAME, None)
    else:
        client.cookies[settings.SESSION_COOKIE_NAME] = session
    with transaction.atomic():
        try:
            response = client.generic(method, url, urlencode(data),
                                      "application/x-www-form-urlencoded")
            got, path = _outcome(client, response)
            if response.streaming:  # read to the end, which closes it as a browser would
                b"".join(response.streaming_content)
        except Exception as error:  # noqa: BLE001 - reported with the other mismatches
            got, path = f"error {type(error).__name__}: {error}"[:120], f"{method} {url}"
        transaction.set_rollback(True)
    return got, path


class Denials(logging.Handler):
    """The refusals logged while the matrix runs."""

    def __init__(self):
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


@pytest.fixture
def denials():
    handler, logger = Denials(), logging.getLogger("accounts.denied")
    logger.addHandler(handler)
    yield handler.messages
    logger.removeHandler(handler)


@pytest.mark.django_db
def test_every_role_gets_what_the_specification_says(client, world, denials):
    """Each 403 and 404 must also be logged, with its method and path."""
    spec = _spec()
    patterns = dict(_patterns())
    mismatches, checked = [], 0
    for key, entry in spec.items():
        names = entry["sample"] if key == ADMIN_GROUP else [key]
        for name in names:
            if name not in patterns:
                continue  # reported by test_every_url_pattern_is_in_the_specification
            url = _url(name, patterns[name], entry, world.objects)
            data = {k: _value(v, world.objects) for k, v in (entry.get("data") or {}).items()}
            for method in METHODS:
                for role, expected in _expected(entry, method).items():
                    denials.clear()
                    got, path = _request(client, method, url, world.sessions[role], data)
                    checked += 1
                    refusal = f"Denied {got} {path} to user "
                    if got in ("403", "404") and not any(m.startswith(refusal) for m in denials):
                        got += " (not logged)"
                    if got != expected:
                        mismatches.append((name, method, role, expected, got))
    table = "\n".join(f"{n:<34} {m:<5} {r:<24} {e:<7} {g}" for n, m, r, e, g in mismatches)
    assert not mismatches, (
        f"{len(mismatches)} of {checked} requests differ from docs/permissions.yaml:\n"
        f"{'url name':<34} {'method':<5} {'role':<24} {'expected':<7} got\n{table}")
    assert checked > 1000


@pytest.mark.django_db
@pytest.mark.parametrize("method", METHODS)
def test_a_person_with_no_role_reaches_only_home_and_their_sign_in(
        signed_in, make_user, team, method):
    client = signed_in(make_user(team=team))
    own_pages = {"home", "healthz", "accounts:sign-in", "accounts:sign-out",
                 "accounts:mfa-verify", "accounts:mfa-setup", "admin:logout"}
    reached = []
    for path in sorted(set(all_paths())):
        if resolve(path).view_name not in own_pages:
            got, where = _outcome(client, client.generic(method, path))
            if got not in ("403", "404", "405"):
                reached.append(f"{method} {path} -> {got} at {where}")
    assert reached == []


# Half signed in: the password but not the second step ----------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post"])
def test_half_signed_in_leader_reaches_only_the_two_step_page(signed_in, leader, method):
    totp_device(leader)
    client = signed_in(leader, two_step=False)
    redirected, reached = 0, []
    for path in sorted(set(all_paths())):
        if resolve(path).view_name in SecondFactorMiddleware.OPEN_VIEWS:
            continue
        response = getattr(client, method)(path)
        location = urlsplit(response.get("Location", ""))
        if (response.status_code == 302
                and resolve(location.path).view_name == "accounts:mfa-verify"
                and parse_qs(location.query).get("next") == [path]):
            redirected += 1
        else:
            reached.append(f"{method.upper()} {path} -> {response.status_code} "
                           f"{response.get('Location', '')}")
    assert reached == []
    assert redirected > 150  # every admin page too


def test_only_the_two_step_pages_sign_in_sign_out_and_health_are_open_half_signed_in():
    open_views = {"accounts:mfa-verify", "accounts:mfa-setup", "accounts:sign-out",
                  "accounts:sign-in", "healthz"}
    assert open_views == SecondFactorMiddleware.OPEN_VIEWS


@pytest.mark.django_db
@pytest.mark.parametrize("has_device", [True, False], ids=["code-not-typed", "no-second-factor"])
def test_a_leader_without_the_second_step_cannot_reach_the_spend_review(
        signed_in, leader, caseworker, team, has_device):
    case = CaseFactory(team=team, lead=caseworker)
    if has_device:
        totp_device(leader)
    client = signed_in(leader, two_step=False)
    purchase = PurchaseFactory(case=case, worker=caseworker)
    for name, args in (("purchases:review-queue", []), ("purchases:purchase-review",
                                                         [purchase.pk])):
        response = client.get(reverse(name, args=args), follow=True)
        assert response.redirect_chain
        assert response.request["PATH_INFO"] == reverse(
            "accounts:mfa-verify" if has_device else "accounts:mfa-setup")
        assert purchase.merchant not in response.text
    purchase.refresh_from_db()
    response = client.post(reverse("purchases:purchase-review", args=[purchase.pk]),
                           {"verdict": "ok"})
    assert response.status_code == 302
    purchase.refresh_from_db()
    assert purchase.review_verdict == Purchase.Verdict.NONE


# Every refused request is logged --------------------------------------------------------------

def _denials(caplog):
    return [r.getMessage() for r in caplog.records if r.name == "accounts.denied"]


@pytest.mark.django_db
def test_a_refused_page_is_logged_with_method_path_and_user_id_only(
        signed_in, caseworker, caplog):
    client = signed_in(caseworker)
    with caplog.at_level(logging.WARNING, logger="accounts.denied"):
        response = client.get(reverse("caseload:hold-list"))
    assert response.status_code == 403
    assert _denials(caplog) == [f"Denied 403 GET /cases/holds/ to user {caseworker.pk}"]


@pytest.mark.django_db
def test_a_record_outside_reach_is_logged_without_personal_data(
        signed_in, make_user, team, other_team, caseworker, caplog):
    case = CaseFactory(team=team, lead=caseworker, person__name="Joanne Robson")
    stranger = make_user(Role.CASEWORKER, team=other_team, username="hilda", first_name="Hilda")
    client = signed_in(stranger)
    with caplog.at_level(logging.WARNING, logger="accounts.denied"):
        response = client.get(reverse("caseload:case-search") + "?q=Joanne")
        response = client.post(reverse("caseload:case-edit", args=[case.pk]),
                               {"note": "Joanne Robson"})
    assert response.status_code == 404
    logged = _denials(caplog)
    assert logged == [f"Denied 404 POST /cases/{case.pk}/edit to user {stranger.pk}"]
    assert not any(word in "".join(logged) for word in ("Joanne", "hilda", "Hilda", "q="))


@pytest.mark.django_db
def test_reviewing_ones_own_spend_is_logged_as_refused(
        signed_in, make_user, team, caplog):
    leader = make_user(Role.LEADER, Role.CASEWORKER, team=team, username="lena")
    case = CaseFactory(team=team, lead=leader)
    purchase = PurchaseFactory(case=case, worker=leader)
    client = signed_in(leader)
    with caplog.at_level(logging.WARNING, logger="accounts.denied"):
        response = client.get(reverse("purchases:purchase-review", args=[purchase.pk]))
    assert response.status_code == 403
    assert _denials(caplog) == [
        f"Denied 403 GET /purchases/{purchase.pk}/review to user {leader.pk}"]


@pytest.mark.django_db
def test_an_anonymous_visitor_to_an_unknown_address_is_logged_as_no_user(client, caplog):
    with caplog.at_level(logging.WARNING, logger="accounts.denied"):
        assert client.get("/no-such-page").status_code == 404
    assert _denials(caplog) == ["Denied 404 GET /no-such-page to user None"]

