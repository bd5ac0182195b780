"""A subject-access request gathers everything held about one person, lets a coordinator or a
leader withhold details about other people, and releases the rest to leaders and admins only,
as a readable document and as JSON, with every download in the access log."""

import io
import json
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone
from django.utils.html import escape

from accounts.models import AccessLog
from caseload.models import (
    Debt,
    EnforcementDecision,
    Hold,
    Outcome,
    Person,
    Pull,
    WhatMatters,
)
from debriefs.models import Entry
from debriefs.services import debrief_start
from privacy.models import Redaction, SubjectAccessRequest, one_calendar_month_after
from privacy.subject_access import gather
from tests.caseload.conftest import case, other_case  # noqa: F401  (shared case fixtures)
from tests.factories import ContactFactory, PersonFactory
from tests.issues.factories import IssueFactory
from tests.purchases.factories import CardFactory, PurchaseFactory

pytestmark = pytest.mark.django_db

# One distinctive piece of text from each kind of record, as the person would read it.
HELD = {
    "person": "07700 900123",
    "case": "Moved after the flood",
    "what_matters_first": "Keeping the dog",
    "what_matters_now": "Getting back to the allotment",
    "contact": "Talked about the gas meter",
    "pull": "Priority debt plan",
    "debt": "Arrears from the winter",
    "hold": "Working with us on a payment plan",
    "enforcement_decision": "Bailiffs would have taken the van she works from",
    "outcome": "Started at the bakery",
    "purchase": "Electric top-up: meter ran out",
    "debrief_entry": "Calmer since the meter was sorted",
    "issue": "Prepayment meters cut people off at night",
}
THIRD_PARTY = "Her neighbour Mrs Dodds says the son is back in prison"
SHORT_LIVED = "A sister in Leeds may take the children"


@pytest.fixture
def person(case, caseworker, coordinator, leader):  # noqa: F811
    """Joanne Robson, with one of every kind of record, and a partner on the case whose own
    details are not hers to have."""
    case.closing_note = HELD["case"]
    case.save()
    joanne = case.people.get()
    PersonFactory(case=case, name="Peter Robson", relationship=Person.Relationship.PARTNER,
                  phone="07700 900999")
    earlier = timezone.now() - timedelta(days=30)
    WhatMatters.objects.create(case=case, what_matters=HELD["what_matters_first"],
                               written_by=caseworker, written_at=earlier)
    WhatMatters.objects.create(case=case, what_matters=HELD["what_matters_now"],
                               written_by=caseworker)
    ContactFactory(case=case, what_happened=HELD["contact"])
    ContactFactory(case=case, what_happened=THIRD_PARTY)
    Pull.objects.create(case=case, specialist=Pull.Specialist.DEBT_ADVISER,
                        what_for=HELD["pull"], by=caseworker)
    Debt.objects.create(case=case, creditor=Debt.Creditor.COUNCIL_TAX, amount=Decimal("812.40"),
                        notes=HELD["debt"])
    Debt.objects.create(case=case, creditor=Debt.Creditor.RENT, amount=Decimal("90.00"),
                        notes=SHORT_LIVED)
    Hold.objects.create(case=case, kind=Hold.Kind.BAILIFF, reason=HELD["hold"],
                        requested_by=caseworker)
    EnforcementDecision.objects.create(case=case, kind=Hold.Kind.BAILIFF, went_ahead=False,
                                       should_we=HELD["enforcement_decision"],
                                       recorded_by=caseworker)
    Outcome.objects.create(case=case, kind=Outcome.Kind.WORK, note=HELD["outcome"],
                           recorded_by=caseworker)
    PurchaseFactory(case=case, worker=caseworker, purpose=HELD["purchase"],
                    card=CardFactory(holder=caseworker, team=case.team))
    Entry.objects.create(debrief=debrief_start(team=case.team, by=coordinator), case=case,
                         progress=Entry.Progress.WORKING, note=HELD["debrief_entry"],
                         updated_by=coordinator)
    IssueFactory(team=case.team, raised_by=caseworker, cases=[case], title=HELD["issue"])
    AccessLog.objects.create(user=leader, object_type="caseload.case", object_id=str(case.pk),
                             label=case.reference, path=f"/cases/{case.pk}/")
    return joanne


def start(client, person, received="3 3 2026"):
    day, month, year = received.split()
    return client.post(f"/privacy/subject-access/new?person={person.pk}", {
        "received_on_day": day, "received_on_month": month, "received_on_year": year})


def withhold(client, sar, record_type, record_id, fields, reason, **headers):
    return client.post(f"/privacy/subject-access/{sar.pk}/withhold", {
        "record_type": record_type, "record_id": str(record_id),
        f"{record_type.replace('.', '-')}-{record_id}-withhold": fields,
        f"{record_type.replace('.', '-')}-{record_id}-reason": reason}, **headers)


def release(client, sar):
    """Open the release page, then release what it showed."""
    page = client.get(f"/privacy/subject-access/{sar.pk}/release")
    digest = re.search(r'name="digest" value="([0-9a-f]+)"', page.text).group(1)
    return client.post(f"/privacy/subject-access/{sar.pk}/release", {"digest": digest})


def download(client, sar, kind):
    return client.get(f"/privacy/subject-access/{sar.pk}/bundle.{kind}")


def test_everything_held_about_the_person_is_gathered_and_nothing_about_others(person):
    bundle = gather(person)
    sections = {section["key"]: section["items"] for section in bundle["sections"]}
    assert [key for key, items in sections.items() if not items] == []
    assert len(sections["what_matters"]) == 2
    text = json.dumps(bundle)
    for kind, words in HELD.items():
        assert words in text, kind
    assert "Peter Robson" not in text and "07700 900999" not in text
    assert sections["access_log"][0]["fields"][1] == {"name": "user", "label": "Who",
                                                      "value": "Lee Charlton"}


def test_gathering_runs_the_same_queries_however_many_records(person, case,  # noqa: F811
                                                               django_assert_num_queries):
    joanne = Person.objects.select_related("case", "case__team", "case__lead").get(pk=person.pk)
    with django_assert_num_queries(11):
        small = gather(joanne)
    for i in range(30):
        ContactFactory(case=case, what_happened=f"Visit {i}")
        PurchaseFactory(case=case, worker=case.lead, purpose=f"Spend {i}",
                        card=CardFactory(holder=case.lead, team=case.team))
    with django_assert_num_queries(11):
        large = gather(joanne)
    assert len(json.dumps(large)) > len(json.dumps(small))


def test_leader_releases_everything_but_what_was_withheld(signed_in, leader, person, case):  # noqa: F811
    client = signed_in(leader)
    response = start(client, person)
    sar = SubjectAccessRequest.objects.get()
    assert response.status_code == 302 and response.url == f"/privacy/subject-access/{sar.pk}/"
    assert (sar.person, sar.received_on, sar.due_on) == (person, date(2026, 3, 3),
                                                        date(2026, 4, 3))

    page = client.get(response.url).text
    for words in [*HELD.values(), THIRD_PARTY, SHORT_LIVED]:
        assert words in page
    neighbour = case.contacts.get(what_happened=THIRD_PARTY)
    rent = case.debts.get(creditor=Debt.Creditor.RENT)
    assert withhold(client, sar, "caseload.contact", neighbour.pk, ["whole-record"],
                    "It is about other people").status_code == 302
    assert withhold(client, sar, "caseload.debt", rent.pk, ["notes"],
                    "It is about her sister").status_code == 302

    confirm = client.get(f"/privacy/subject-access/{sar.pk}/release")
    assert "2 details will be withheld" in confirm.text
    assert release(client, sar).status_code == 302
    sar.refresh_from_db()
    assert sar.is_released and sar.released_by == leader

    html = download(client, sar, "html")
    data = download(client, sar, "json")
    assert html["Content-Disposition"].startswith("attachment;")
    assert data["Content-Type"].startswith("application/json")
    bundle = json.loads(data.content)
    for text in (html.text, data.content.decode()):
        for kind, words in HELD.items():
            assert words in text, kind
        assert THIRD_PARTY not in text and SHORT_LIVED not in text
        assert "It is about other people" in text and "It is about her sister" in text
    assert "2 items withheld" in html.text
    assert bundle["withheld_count"] == 2
    rent_item = next(i for s in bundle["sections"] if s["key"] == "debts" for i in s["items"]
                     if i["id"] == str(rent.pk))
    assert "£90.00" in str(rent_item) and "notes" not in str(rent_item)
    assert rent_item["heading"].startswith("Debts: record ")  # its own heading names the creditor
    assert str(neighbour.pk) not in [i["id"] for s in bundle["sections"]
                                     if s["key"] == "contacts" for i in s["items"]]


def test_each_download_is_recorded_in_the_cases_access_log(signed_in, leader, person,
                                                           case):  # noqa: F811
    client = signed_in(leader)
    start(client, person)
    sar = SubjectAccessRequest.objects.get()
    release(client, sar)
    download(client, sar, "html")
    download(client, sar, "json")
    exports = AccessLog.objects.for_object(case).filter(action=AccessLog.Action.EXPORT)
    assert [(e.user, e.path) for e in exports] == [
        (leader, f"/privacy/subject-access/{sar.pk}/bundle.json"),
        (leader, f"/privacy/subject-access/{sar.pk}/bundle.html")]
    assert "Robson" not in exports[0].label
    log_page = client.get(f"/cases/{case.pk}/access-log").text
    assert "Exported" in log_page


def test_the_downloaded_document_is_self_contained_under_a_strict_policy(signed_in, leader,
                                                                        person):
    client = signed_in(leader)
    start(client, person)
    sar = SubjectAccessRequest.objects.get()
    release(client, sar)
    response = download(client, sar, "html")
    policy = response["Content-Security-Policy"]
    assert "default-src 'none'" in policy
    nonce = policy.split("'nonce-")[1].split("'")[0]
    assert f'<style nonce="{nonce}">' in response.text
    for loads_something in ("<script", "<link", "<img", " src=", "url("):
        assert loads_something not in response.text


def test_admin_finds_the_case_by_reference_and_releases(signed_in, service_admin, person,
                                                        case):  # noqa: F811
    client = signed_in(service_admin)
    found = client.get(f"/privacy/subject-access/?reference={case.reference.lower()}")
    assert f"/privacy/subject-access/new?person={person.pk}" in found.text
    start(client, person)
    sar = SubjectAccessRequest.objects.get()
    release(client, sar)
    assert HELD["contact"] in download(client, sar, "json").content.decode()


def test_coordinator_marks_what_to_withhold_but_cannot_start_release_or_download(
        signed_in, coordinator, leader, person, case):  # noqa: F811
    sar = SubjectAccessRequest.objects.create(person=person, case_reference=case.reference,
                                              received_on=date(2026, 3, 3), started_by=leader)
    client = signed_in(coordinator)
    assert f"/privacy/subject-access/?case={case.pk}" in client.get(f"/cases/{case.pk}/").text
    assert f"/privacy/subject-access/{sar.pk}/" in client.get(
        f"/privacy/subject-access/?case={case.pk}").text
    contact = case.contacts.get(what_happened=THIRD_PARTY)
    response = withhold(client, sar, "caseload.contact", contact.pk, ["what_happened"],
                        "About the neighbour", HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "<html" not in response.text
    assert "Partly withheld" in response.text
    assert Redaction.objects.get().marked_by == coordinator

    assert start(client, person).status_code == 403
    assert client.post(f"/privacy/subject-access/{sar.pk}/release").status_code == 403
    assert download(client, sar, "json").status_code == 403


@pytest.mark.parametrize("role", ["caseworker", "auditor"])
def test_caseworkers_and_auditors_may_not_use_subject_access(signed_in, request, role, leader,
                                                             person, case):  # noqa: F811
    sar = SubjectAccessRequest.objects.create(person=person, case_reference=case.reference,
                                              received_on=date(2026, 3, 3), started_by=leader)
    client = signed_in(request.getfixturevalue(role))
    base = f"/privacy/subject-access/{sar.pk}"
    for path in ["/privacy/subject-access/", f"/privacy/subject-access/new?person={person.pk}",
                 f"{base}/", f"{base}/release", f"{base}/bundle.html", f"{base}/bundle.json"]:
        assert client.get(path).status_code == 403, path
    assert withhold(client, sar, "caseload.case", case.pk, ["whole-record"],
                    "No").status_code == 403
    assert not Redaction.objects.exists()
    assert "subject-access" not in signed_in(request.getfixturevalue(role)).get("/").text


def test_another_teams_request_is_not_found_for_a_coordinator(signed_in, coordinator, leader,
                                                              other_case):  # noqa: F811
    hillside = other_case.people.get()
    sar = SubjectAccessRequest.objects.create(person=hillside,
                                              case_reference=other_case.reference,
                                              received_on=date(2026, 3, 3), started_by=leader)
    client = signed_in(coordinator)
    assert client.get(f"/privacy/subject-access/{sar.pk}/").status_code == 404
    assert withhold(client, sar, "caseload.case", other_case.pk, ["whole-record"],
                    "No").status_code == 404
    assert f"/privacy/subject-access/{sar.pk}/" not in client.get(
        "/privacy/subject-access/").text
    assert not Redaction.objects.exists()
    lee = signed_in(leader)
    assert lee.get("/privacy/subject-access/999999/").status_code == 404
    assert lee.get("/privacy/subject-access/new?person=nobody").status_code == 404


def test_withholding_without_a_reason_keeps_the_ticks_and_writes_nothing(signed_in, leader,
                                                                         person, case):  # noqa: F811
    client = signed_in(leader)
    start(client, person)
    sar = SubjectAccessRequest.objects.get()
    debt = case.debts.get(creditor=Debt.Creditor.RENT)
    response = withhold(client, sar, "caseload.debt", debt.pk, ["notes"], " ")
    assert response.status_code == 422
    assert "Enter why it is withheld" in response.text
    assert 'class="govuk-error-summary"' in response.text
    assert f'name="caseload-debt-{debt.pk}-withhold" type="checkbox" value="notes" checked' in (
        response.text)
    fragment = withhold(client, sar, "caseload.debt", debt.pk, ["notes"], "",
                        HTTP_HX_REQUEST="true")
    assert fragment.status_code == 422 and "<html" not in fragment.text
    assert not Redaction.objects.exists()


def test_unticking_everything_releases_the_record_in_full(signed_in, leader, person, case):  # noqa: F811
    client = signed_in(leader)
    start(client, person)
    sar = SubjectAccessRequest.objects.get()
    debt = case.debts.get(creditor=Debt.Creditor.RENT)
    withhold(client, sar, "caseload.debt", debt.pk, ["notes", "creditor_name"], "Sister")
    withhold(client, sar, "caseload.debt", debt.pk, [], "")
    assert not Redaction.objects.exists()


def test_a_record_not_in_the_request_cannot_be_marked(signed_in, leader, person,
                                                      other_case):  # noqa: F811
    client = signed_in(leader)
    start(client, person)
    sar = SubjectAccessRequest.objects.get()
    response = withhold(client, sar, "caseload.case", other_case.pk, ["whole-record"], "No")
    assert response.status_code == 404
    assert not Redaction.objects.exists()


def test_nothing_can_be_withheld_after_release_and_nothing_downloads_before(signed_in, leader,
                                                                            person, case):  # noqa: F811
    client = signed_in(leader)
    start(client, person)
    sar = SubjectAccessRequest.objects.get()
    assert download(client, sar, "json").status_code == 404
    release(client, sar)
    withhold(client, sar, "caseload.case", case.pk, ["whole-record"], "Too late")
    assert not Redaction.objects.exists()
    assert "Download the bundle" in client.get(f"/privacy/subject-access/{sar.pk}/").text


def test_a_wrong_date_is_refused_and_nothing_is_started(signed_in, leader, person):
    response = start(signed_in(leader), person, received="31 2 2026")
    assert response.status_code == 422
    assert "must be a real date" in response.text
    assert not SubjectAccessRequest.objects.exists()


def test_only_leaders_see_the_start_link_on_the_case_page(signed_in, leader, caseworker, person,
                                                          case):  # noqa: F811
    link = f"/privacy/subject-access/new?person={person.pk}"
    assert link in signed_in(leader).get(f"/cases/{case.pk}/").text
    assert link not in signed_in(caseworker).get(f"/cases/{case.pk}/").text


@pytest.mark.parametrize("received, due", [
    (date(2026, 3, 3), date(2026, 4, 3)),
    (date(2026, 1, 31), date(2026, 2, 28)),
    (date(2028, 1, 31), date(2028, 2, 29)),
    (date(2026, 12, 15), date(2027, 1, 15)),
])
def test_a_reply_is_due_one_calendar_month_after_the_request(received, due):
    assert one_calendar_month_after(received) == due


def test_the_preparation_page_runs_a_fixed_number_of_queries(signed_in, leader, person, case,  # noqa: F811
                                                             django_assert_max_num_queries):
    client = signed_in(leader)
    start(client, person)
    sar = SubjectAccessRequest.objects.get()
    client.get(f"/privacy/subject-access/{sar.pk}/")  # takes the "started" message
    for i in range(40):
        ContactFactory(case=case, what_happened=f"Visit {i}")
        PurchaseFactory(case=case, worker=case.lead, purpose=f"Spend {i}",
                        card=CardFactory(holder=case.lead, team=case.team))
    # Sign-in checks 5 and the session's save 3; the request 1, gathering 11, redactions 1,
    # the access-log row 1.
    with django_assert_max_num_queries(22):
        response = client.get(f"/privacy/subject-access/{sar.pk}/")
    assert "Visit 39" in response.text and "Spend 39" in response.text


def test_a_demo_person_is_exported_with_a_withheld_visit_left_out(signed_in, leader):
    """Against the demo team's six months: the person with the most kinds of record. The demo
    tells its story up to the day it is seeded, so which person holds which records moves
    with the date; it is seeded as of one fixed day, on which one person holds every kind."""
    from unittest import mock

    with mock.patch("django.utils.timezone.localdate", return_value=date(2026, 11, 23)):
        call_command("seed_demo", force=True, stdout=io.StringIO())
    people = Person.objects.filter(relationship=Person.Relationship.MAIN).select_related(
        "case", "case__team", "case__lead")
    joanne = max(people, key=lambda p: sum(bool(s["items"]) for s in gather(p)["sections"]))
    client = signed_in(leader)
    start(client, joanne, received=timezone.localdate().strftime("%d %m %Y"))
    sar = SubjectAccessRequest.objects.get()
    client.get(f"/privacy/subject-access/{sar.pk}/")
    held = {s["key"]: s["items"] for s in gather(joanne)["sections"]}
    assert [key for key, items in held.items() if not items] == []  # every kind of record
    everything = json.dumps(held, ensure_ascii=False)

    def what_happened(visit):
        return next(f["value"] for f in visit["fields"] if f["name"] == "what_happened")

    visit = next(v for v in held["contacts"] if everything.count(what_happened(v)) == 1)
    visit_text = what_happened(visit)
    withhold(client, sar, visit["type"], visit["id"], ["whole-record"], "Names a neighbour")
    release(client, sar)
    bundle = json.loads(download(client, sar, "json").content)
    html = download(client, sar, "html").text

    released = {s["key"]: s["items"] for s in bundle["sections"]}
    assert len(released["contacts"]) == len(held["contacts"]) - 1
    for key, items in held.items():
        if key not in ("contacts", "access_log"):  # the log grew as the request was prepared
            assert released[key] == items, key
    assert all(s["title"] in html for s in bundle["sections"])
    assert visit_text not in html and escape(visit_text) not in html
    assert visit_text not in json.dumps(bundle, ensure_ascii=False)
    assert "1 item withheld" in html and "Names a neighbour" in html


def test_records_added_after_the_release_page_opened_are_checked_before_release(
        signed_in, leader, person, case):  # noqa: F811
    client = signed_in(leader)
    start(client, person)
    sar = SubjectAccessRequest.objects.get()
    page = client.get(f"/privacy/subject-access/{sar.pk}/release")
    seen = re.search(r'name="digest" value="([0-9a-f]+)"', page.text).group(1)
    case.contacts.create(kind="phone", worker=leader, author=leader,
                         happened_at=timezone.now(), what_happened="Her neighbour Pat rang")
    response = client.post(f"/privacy/subject-access/{sar.pk}/release", {"digest": seen})
    assert response.status_code == 409
    assert "Records about this person were added or changed" in response.text
    sar.refresh_from_db()
    assert not sar.is_released
    assert release(client, sar).status_code == 302  # released once looked at again
