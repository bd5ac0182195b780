"""The application log carries request ids, and never what people typed into the service.

Marked strings ("canaries") go into every kind of free text: names, addresses, what matters,
contacts, purchase purposes and PLAN reasons, issues, debrief notes, welfare notes. Then the
main flows run: saving, correcting, bad input (422), a refused page (403), a record out of
reach (404), a conflict (409), exports and a server error whose exception quotes a canary.
Every log record, from every logger at DEBUG, is read: none may hold a canary.
"""

import io
import logging
import re

import pytest
from django.db import IntegrityError
from django.test import Client

from accounts.logs import RequestIdFilter
from caseload.models import Case, Contact
from debriefs.services import debrief_start
from issues.models import Issue
from purchases.models import Purchase
from tests.factories import CaseFactory
from tests.purchases.factories import CardFactory
from tests.security.html_forms import open_form

pytestmark = pytest.mark.django_db

MARK = "CANARY-7f3a"
REQUEST_ID = re.compile(r"\[([0-9a-f]{32})\]")


def canary(where: str) -> str:
    return f"{MARK}-{where}"


class Capture(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.lines: list[str] = []

    def emit(self, record):
        self.records.append(record)
        self.lines.append(self.format(record))


@pytest.fixture
def logs():
    """Every record from every logger at DEBUG, formatted as the service writes its log, and
    the service's own log output (its console handler, at its configured levels).
    SQL stays at the level the settings pin it to: it is never logged with its values."""
    root = logging.getLogger()
    console = next(h for h in root.handlers if h.name == "console")
    written = io.StringIO()
    stream = console.setStream(written)
    capture = Capture()
    capture.setFormatter(console.formatter)
    capture.addFilter(RequestIdFilter())
    named = [logging.getLogger(name) for name in list(logging.root.manager.loggerDict)
             if not name.startswith("django.db.backends")]
    levels = [(logger, logger.level) for logger in [root, *named]
              if isinstance(logger, logging.Logger)]
    console_level = console.level
    console.setLevel(logging.INFO)  # what the service writes by default
    for logger, _level in levels:
        logger.setLevel(logging.DEBUG)
    root.addHandler(capture)
    try:
        yield capture, written
    finally:
        root.removeHandler(capture)
        for logger, level in levels:
            logger.setLevel(level)
        console.setLevel(console_level)
        console.setStream(stream)


def window(user):
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def submit(client, url, field, changes, *, status=302, **extra):
    """Open the page's form that has `field`, change some fields, send it."""
    action, data = open_form(client, url, field)
    response = client.post(action, {**data, **changes}, **extra)
    assert response.status_code == status, (url, response.status_code)
    return response


def run_the_main_flows(caseworker, coordinator, leader_client, team, monkeypatch):
    worker, cora = window(caseworker), window(coordinator)
    CardFactory(holder=caseworker, team=team, last_four="1234")

    # A case for a new person, after a first try with a mistake (no source): 422.
    person = {"person-name": canary("name"), "person-preferred_name": canary("preferred"),
              "person-phone": "07700 900999", "person-address": canary("address")}
    submit(worker, "/cases/new", "person-name", {**person, "source": ""}, status=422)
    submit(worker, "/cases/new", "person-name", {**person, "source": "housing"})
    case = Case.objects.get(people__name=canary("name"))
    page = f"/cases/{case.pk}/"
    assert worker.get(page).status_code == 200
    main = case.people.get()
    submit(worker, f"/cases/people/{main.pk}/edit", "address",
           {"address": canary("new-address"), "add_anyway": "on"})

    submit(worker, f"/cases/{case.pk}/what-matters", "what_matters", {
        "what_matters": canary("what-matters"), "good_life": canary("good-life"),
        "what_we_can_do": canary("what-we-can-do")})

    # Contacts: logged with htmx, a bad one (422), corrected, and a stale correction (409).
    contact_fields = {"contact-what_happened": canary("contact"),
                      "contact-what_we_did": canary("we-did"), "contact-next_step": canary("next")}
    submit(worker, page, "contact-what_happened", contact_fields, status=200,
           HTTP_HX_REQUEST="true")
    submit(worker, page, "contact-what_happened",
           {"contact-what_happened": "", "contact-what_we_did": canary("bad-contact")},
           status=422)
    contact = Contact.objects.get(case=case)
    edit = f"/cases/contacts/{contact.pk}/edit"
    stale = open_form(worker, edit, "contact-what_happened")
    submit(worker, edit, "contact-what_happened", {"contact-what_happened": canary("fixed")})
    response = worker.post(stale[0], {**stale[1],
                                      "contact-what_happened": canary("stale-correction")})
    assert response.status_code == 409
    # Only the author corrects an entry: 403. A case in no team of theirs: 404.
    assert cora.get(edit).status_code == 403
    assert worker.get(f"/cases/{CaseFactory().pk}/").status_code == 404

    submit(worker, f"/cases/{case.pk}/debts/new", "notes", {
        "creditor": "council_tax", "amount": "120.00", "pay_status": "cant_pay",
        "notes": canary("debt-notes")})

    # Spend, PLAN-checked, after a first try without a reason for L (422).
    plan = {f"plan_{key}_reason": canary(f"plan-{key}")
            for key in ("proportionate", "legal", "auditable", "necessary")}
    spend = {"case": case.pk, "amount": "12.40", "merchant": canary("merchant"),
             "category": "food", "purpose": canary("purpose"), **plan,
             **{f"plan_{key}": "on" for key in ("proportionate", "legal", "auditable",
                                                  "necessary")},
             "no_receipt_reason": canary("no-receipt")}
    submit(worker, "/purchases/new", "purpose", {**spend, "plan_legal_reason": ""}, status=422)
    submit(worker, "/purchases/new", "purpose", spend)
    assert Purchase.objects.filter(purpose=canary("purpose")).exists()

    issue = {"title": canary("issue-title"), "description": canary("issue-description"),
             "countermeasure": canary("countermeasure"), "case_references": case.reference}
    submit(worker, "/issues/new", "description", {**issue, "level": ""}, status=422)
    submit(worker, "/issues/new", "description", {**issue, "level": "2"})
    assert Issue.objects.filter(description=canary("issue-description")).exists()

    # The daily debrief: "is this working?", welfare, and the closing reflection.
    debrief = debrief_start(team=team, by=coordinator)
    huddle = f"/debriefs/{debrief.pk}/"
    submit(cora, huddle, f"case{case.pk}-note",
           {f"case{case.pk}-progress": "stuck", f"case{case.pk}-note": canary("entry")})
    submit(worker, huddle, "welfare-note", {"welfare-feeling": "2",
                                            "welfare-note": canary("welfare")})
    submit(worker, huddle, "welfare-note", {"welfare-feeling": "",
                                            "welfare-note": canary("bad-welfare")}, status=422)
    submit(cora, huddle, "reflection", {"reflection": canary("reflection")})

    # Exports a leader may take.
    for url in ("/purchases/export?format=csv", "/issues/export.csv",
                "/purchases/export?format=xlsx"):
        assert leader_client.get(url).status_code == 200

    # A server error whose exception quotes what the person typed, as a database error can.
    def fail(self, *args, **kwargs):
        raise IntegrityError(f"duplicate key value violates unique constraint\nDETAIL:  Key "
                             f"(what_happened)=({self.what_happened}) already exists.")

    monkeypatch.setattr(Contact, "save", fail)
    response = worker.post(f"/cases/{case.pk}/contacts/new", {
        "contact-kind": "phone", "contact-what_happened": canary("server-error")})
    assert response.status_code == 500
    return response


def test_no_canary_reaches_the_log_and_every_request_line_has_an_id(
        logs, caseworker, coordinator, leader, team, signed_in, monkeypatch):
    capture, written = logs
    server_error = run_the_main_flows(caseworker, coordinator, signed_in(leader), team,
                                      monkeypatch)

    leaks = [line for line in capture.lines if MARK in line]
    leaks += [repr(r.args) for r in capture.records if MARK in repr(r.args)]
    leaks += [line for line in written.getvalue().splitlines() if MARK in line]
    assert leaks == []

    # The flows were logged: the refusal, the record out of reach and the server error...
    messages = [r.getMessage() for r in capture.records]
    assert any(m.startswith("Internal Server Error: /cases/") for m in messages)
    assert any("403" in m and "/cases/contacts/" in m for m in messages)
    assert any("/cases/" in m and ("404" in m or "Not Found" in m) for m in messages)
    # ...each with its request's id, which the response also carries.
    in_requests = [r for r in capture.records if r.name.startswith(("django.request",
                                                                    "accounts"))]
    assert in_requests and [(r.name, r.getMessage(), r.request_id) for r in in_requests
                            if not re.fullmatch(r"[0-9a-f]{32}", r.request_id)] == []
    output = written.getvalue()
    error_lines = [line for line in output.splitlines() if "Internal Server Error" in line]
    assert error_lines and REQUEST_ID.search(error_lines[-1]).group(1) == (
        server_error["X-Request-ID"])
    assert "IntegrityError (message not logged)" in output


def test_a_sane_request_id_from_the_proxy_is_kept_and_anything_else_replaced(
        client, caseworker):
    client.force_login(caseworker)
    given = "b7e0c2d4-5f61-4a8e-9c3d-2e1f0a9b8c7d"
    assert client.get("/", HTTP_X_REQUEST_ID=given)["X-Request-ID"] == given
    for odd in ("", "short", "x" * 65, "<script>alert(1)</script>", "has spaces in it ok"):
        replaced = client.get("/", HTTP_X_REQUEST_ID=odd)["X-Request-ID"]
        assert replaced != odd and re.fullmatch(r"[0-9a-f]{32}", replaced)


def test_a_line_written_outside_a_request_says_so(logs):
    capture, _written = logs
    logging.getLogger("caseload").warning("Nothing personal")
    assert capture.records[-1].request_id == "-"
    assert "[-] Nothing personal" in capture.lines[-1]



def test_an_error_logged_as_the_message_or_without_an_exception_keeps_its_text_out(logs):
    capture, _written = logs
    logging.getLogger("caseload").debug(ValueError(canary("exception-as-message")))
    logging.getLogger("caseload").error("Saving failed", exc_info=True)  # no exception here
    assert "builtins.ValueError (message not logged)" in capture.lines[-2]
    assert "Saving failed" in capture.lines[-1]
    assert not any(canary("exception-as-message") in line for line in capture.lines)
