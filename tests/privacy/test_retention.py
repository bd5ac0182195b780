"""Retention: a case closed past its retention period is anonymised, live and in the audit
trail, by `manage.py apply_retention`; the figures stay and a tombstone remains."""

import logging
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from accounts.roles import Role
from caseload.models import (
    Contact,
    Debt,
    EnforcementDecision,
    Hold,
    Outcome,
    Person,
    Pull,
    WhatMatters,
)
from debriefs.models import Debrief, Entry
from issues.models import Issue, IssueUpdate
from privacy.models import RetentionRun, SubjectAccessRequest, Tombstone
from privacy.retention import MARKER, RECEIPT_REMOVED, retention_cutoff
from privacy.subject_access import gather, released
from purchases.models import Purchase
from tests.factories import CaseFactory, PersonFactory
from tests.purchases.factories import CardFactory, PurchaseFactory
from tests.purchases.receipts import png_bytes

# Both connections: the command writes through `owner`, a second connection to the test
# database, so the test's rows must be committed for it to see them.
pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "owner"])

# Everything personal written about the old case. None of it may be left anywhere.
PERSONAL = [
    "Marjorie", "Quennell", "Madge", "Tobyas", "07700 900456", "marjorie.q@example.org",
    "12 Larch Walk", "1951-03-14", "her grandson's funeral", "sister in Whitby",
    "Fenwick Lettings", "the meter cupboard", "terrified of the bailiff", "late husband's pension",
    "Sunday dinners", "school uniform for Kyle", "Kyle", "asked about the coat",
    "the council chased her twice", "stroke last spring", "Doris Pybus",
]


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def years_ago(years: int):
    return retention_cutoff(timezone.localdate(), years)


@pytest.fixture
def leader2(make_user):
    return make_user(Role.LEADER, username="lena")


@pytest.fixture
def old_case(team, caseworker, leader2):
    """Closed seven years ago, with everything a case can hold, some of it corrected since
    (so the history holds earlier versions)."""
    closed_on = years_ago(7)
    case = CaseFactory(team=team, lead=caseworker, opened_on=closed_on - timedelta(days=400),
                       person__name="Marjorie Quennell", person__preferred_name="Madge",
                       person__phone="07700 900456", person__email="marjorie.q@example.org",
                       person__address="12 Larch Walk, Riverside",
                       person__date_of_birth="1951-03-14")
    partner = PersonFactory(case=case, name="Tobyas Quennell", relationship="partner")
    partner.name = "Tobias Quennell"  # corrected: the misspelling stays in the history
    partner.save()
    WhatMatters.objects.create(case=case, written_by=caseworker,
                               what_matters="Getting to her grandson's funeral",
                               good_life="Sunday dinners with her sister in Whitby")
    contact = Contact.objects.create(case=case, worker=caseworker, author=caseworker,
                                     happened_at=timezone.now() - timedelta(days=365 * 8),
                                     what_happened="Marjorie showed me the meter cupboard",
                                     next_step="Ring Fenwick Lettings")
    contact.what_we_did = "Sat with her: terrified of the bailiff"
    contact.save()
    Pull.objects.create(case=case, specialist="debt_adviser", who="Kyle at Citizens Advice",
                        what_for="her late husband's pension", by=caseworker, pulled_on=closed_on - timedelta(200))
    Debt.objects.create(case=case, creditor="rent", creditor_name="Fenwick Lettings",
                        amount=Decimal("812.40"), as_of=closed_on - timedelta(300),
                        pay_status="cant_pay", notes="the council chased her twice")
    Hold.objects.create(case=case, kind="bailiff", reason="terrified of the bailiff",
                        requested_by=caseworker)
    EnforcementDecision.objects.create(case=case, kind="bailiff", went_ahead=False,
                                       should_we="No: stroke last spring",
                                       decided_on=closed_on - timedelta(100),
                                       recorded_by=leader2)
    Outcome.objects.create(case=case, kind="benefits", weekly_amount=Decimal("92.20"),
                           note="Pension credit for Marjorie", recorded_by=caseworker,
                           happened_on=closed_on - timedelta(50))
    card = CardFactory(holder=caseworker, team=team)
    with_receipt = PurchaseFactory(case=case, worker=caseworker, card=card,
                                   date=closed_on - timedelta(120), amount=Decimal("34.99"),
                                   category=Purchase.Category.CLOTHING,
                                   purpose="school uniform for Kyle", no_receipt_reason="",
                                   receipt_content_type="image/png")
    with_receipt.receipt.save("receipt.png", ContentFile(png_bytes()))
    PurchaseFactory(case=case, worker=caseworker, card=card, date=closed_on - timedelta(110),
                    amount=Decimal("20.00"), purpose="Food for Marjorie", merchant="Taxi for Madge",
                    review_verdict="query", review_note="asked about the coat",
                    reviewed_by=leader2, reviewed_at=timezone.now(),
                    query_answer="It was for Madge")
    debrief = Debrief.objects.create(team=team, held_on=closed_on - timedelta(90),
                                     started_by=caseworker,
                                     reflection="Good to hear Madge is settled; rotas next")
    Entry.objects.create(debrief=debrief, case=case, progress="stuck",
                         note="Quennell pension forms stuck", updated_by=caseworker)
    issue = Issue.objects.create(title="PIP forms lost between teams", level=2, team=team,
                                 raised_by=caseworker,
                                 description="Marjorie Quennell's PIP form was lost twice")
    issue.cases.add(case)
    IssueUpdate.objects.create(issue=issue, by=caseworker,
                               text="Spoke to DWP about Mrs Quennell's case")
    case.close(note="Moved to live with her sister in Whitby", on=closed_on)
    request = SubjectAccessRequest.objects.create(
        person=case.main_person, case_reference=case.reference, received_on=closed_on,
        started_by=leader2)
    request.withhold(by=leader2, record_type="caseload.contact", record_id=str(contact.pk),
                     fields=["what_we_did"], reason="It names her neighbour Doris Pybus")
    request.release(by=leader2, bundle=released(gather(case.main_person),
                                                request.redactions.all()))
    return case


@pytest.fixture
def recent_case(team, caseworker):
    """Closed five years ago: still inside retention."""
    case = CaseFactory(team=team, lead=caseworker, opened_on=years_ago(6),
                       person__name="Bernadette Okonkwo")
    Contact.objects.create(case=case, worker=caseworker, author=caseworker,
                           what_happened="Bernadette's boiler is fixed")
    PurchaseFactory(case=case, worker=caseworker, purpose="Heater for Bernadette",
                    date=years_ago(5) - timedelta(10))
    case.close(note="Bernadette moved on", on=years_ago(5))
    return case


@pytest.fixture
def open_case(team, caseworker):
    case = CaseFactory(team=team, lead=caseworker, opened_on=years_ago(9),
                       person__name="Wilfred Ashdown")
    Contact.objects.create(case=case, worker=caseworker, author=caseworker,
                           what_happened="Wilfred still needs help with the forms")
    return case


def rows_mentioning(text: str) -> dict[str, int]:
    """Every table in the database, live and history, with how many rows hold `text`."""
    found = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT count(*) FROM "{table}" t WHERE t::text ILIKE %s',
                           [f"%{text}%"])
            if n := cursor.fetchone()[0]:
                found[table] = n
    return found


def figures(case) -> dict:
    """What learning and audit need from the case: amounts, dates, categories, kinds."""
    return {
        "case": (case.reference, case.team_id, case.opened_on, case.closed_on, case.status,
                 case.source),
        "purchases": list(Purchase.objects.filter(case=case).order_by("pk").values_list(
            "amount", "date", "category", "review_verdict", "voided",
            "receipt_content_type")),
        "debts": list(Debt.objects.filter(case=case).values_list(
            "creditor", "amount", "as_of", "pay_status")),
        "outcomes": list(Outcome.objects.filter(case=case).values_list(
            "kind", "happened_on", "weekly_amount")),
        "contacts": list(Contact.objects.filter(case=case).values_list("kind", "happened_at")),
        "holds": list(Hold.objects.filter(case=case).values_list("kind", "status")),
        "decisions": list(EnforcementDecision.objects.filter(case=case).values_list(
            "kind", "went_ahead", "decided_on")),
        "people": list(Person.objects.filter(case=case).values_list("relationship")),
        "entries": list(Entry.objects.filter(case=case).values_list("progress")),
        "issue cases": list(Issue.objects.filter(cases=case).values_list("pk", "level")),
    }


def spend(start, end) -> dict:
    purchases = Purchase.objects.counted().filter(date__gte=start, date__lt=end)
    return {"total": purchases.aggregate(total=Sum("amount"))["total"],
            "by category": dict(purchases.values_list("category").annotate(Sum("amount")))}


def run_command(*args) -> str:
    out = StringIO()
    call_command("apply_retention", *args, stdout=out)
    return out.getvalue()


def test_case_closed_seven_years_ago_is_anonymised_live_and_in_history(
        old_case, recent_case, open_case, caplog):
    receipt = Purchase.objects.get(case=old_case, receipt__gt="").receipt
    storage = receipt.storage
    assert storage.exists(receipt.name)
    for text in PERSONAL:
        assert rows_mentioning(text), f"the test should have stored {text!r}"
    before = figures(old_case)
    period = (old_case.opened_on, old_case.closed_on + timedelta(days=1))
    spend_before = spend(*period)

    with caplog.at_level(logging.INFO, logger="privacy"):
        output = run_command()

    for text in PERSONAL:
        assert rows_mentioning(text) == {}, f"{text!r} is still stored"
    assert not storage.exists(receipt.name)
    old_case.refresh_from_db()
    assert figures(old_case) == before
    assert spend(*period) == spend_before
    assert spend_before["total"] == Decimal("54.99")
    merchants = set(Purchase.objects.filter(case=old_case).values_list("merchant", flat=True))
    assert f"Taxi for {MARKER}" in merchants  # the business kept, the person's name not

    person = old_case.people.get(relationship="main")
    assert (person.name, person.preferred_name, person.phone, person.email, person.address,
            person.date_of_birth) == (MARKER, MARKER, MARKER, MARKER, MARKER, None)
    assert old_case.closing_note == MARKER
    purchase = Purchase.objects.get(case=old_case, category=Purchase.Category.CLOTHING)
    assert (purchase.receipt.name, purchase.no_receipt_reason, purchase.purpose) == (
        "", RECEIPT_REMOVED, MARKER)
    issue = Issue.objects.get(cases=old_case)
    assert issue.title == "PIP forms lost between teams"
    assert issue.description == f"{MARKER}'s PIP form was lost twice"

    bundle = SubjectAccessRequest.objects.get().released_bundle
    assert bundle["case_reference"] == old_case.reference
    assert bundle["sections"][0]["items"][0]["fields"][0] == {
        "name": "name", "label": "Name", "value": MARKER}
    assert bundle["withheld"][0]["reason"] == MARKER

    tombstone = Tombstone.objects.get(case=old_case)
    assert (tombstone.case_reference, tombstone.team_id, tombstone.opened_on,
            tombstone.closed_on) == (old_case.reference, old_case.team_id, old_case.opened_on,
                                     old_case.closed_on)
    assert tombstone.counts["caseload.person history"] >= 3
    assert tombstone.counts["receipt files"] == 1

    # The events the anonymising added say where they came from.
    latest = person.events.order_by("-pgh_id").first()
    assert latest.pgh_context["retention"] is True
    assert latest.name == MARKER

    run = RetentionRun.objects.get()
    assert (run.dry_run, run.summary["cases"], run.summary["failed"]) == (
        False, [old_case.reference], [])
    assert run.finished_at is not None
    assert f"Anonymised {old_case.reference}" in output
    assert old_case.reference in caplog.text
    for text in PERSONAL:
        assert text.lower() not in caplog.text.lower()
        assert text.lower() not in output.lower()


def test_cases_inside_retention_and_open_cases_are_untouched(old_case, recent_case, open_case):
    recent_before, open_before = figures(recent_case), figures(open_case)

    run_command()

    for case, before, name in [(recent_case, recent_before, "Bernadette Okonkwo"),
                               (open_case, open_before, "Wilfred Ashdown")]:
        case.refresh_from_db()
        assert figures(case) == before
        assert case.people.get().name == name
        assert not Tombstone.objects.filter(case=case).exists()
    assert "Bernadette's boiler is fixed" in recent_case.contacts.get().what_happened
    assert recent_case.closing_note == "Bernadette moved on"
    assert Purchase.objects.get(case=recent_case).purpose == "Heater for Bernadette"
    assert open_case.contacts.get().what_happened == "Wilfred still needs help with the forms"


def test_dry_run_lists_what_would_go_and_changes_nothing(old_case, recent_case):
    receipt = Purchase.objects.get(case=old_case, receipt__gt="").receipt
    stored = {text: rows_mentioning(text) for text in PERSONAL}

    output = run_command("--dry-run")

    assert f"Would anonymise {old_case.reference}" in output
    assert recent_case.reference not in output
    assert "caseload.person history" in output
    for text in PERSONAL:
        assert text.lower() not in output.lower()
        assert rows_mentioning(text) == stored[text]
    assert receipt.storage.exists(receipt.name)
    assert not Tombstone.objects.exists()
    run = RetentionRun.objects.get()
    assert (run.dry_run, run.summary["cases"]) == (True, [old_case.reference])


def test_a_second_run_does_nothing(old_case):
    run_command()
    events = {table: rows for table, rows in _event_counts().items()}

    output = run_command()

    assert "Anonymised 0 cases." in output
    assert _event_counts() == events
    assert Tombstone.objects.count() == 1
    second = RetentionRun.objects.order_by("-pk").first()
    assert second.summary["cases"] == []


def test_a_case_that_fails_is_left_whole_and_the_command_says_so(old_case, monkeypatch,
                                                                 caplog):
    def broken(case, using):
        raise RuntimeError("Marjorie Quennell")

    monkeypatch.setattr("privacy.retention._clear_subject_access", broken)

    with pytest.raises(CommandError, match=old_case.reference):
        run_command()

    assert old_case.people.get(relationship="main").name == "Marjorie Quennell"
    assert rows_mentioning("Tobyas")
    assert Purchase.objects.get(case=old_case, receipt__gt="").receipt.name
    assert not Tombstone.objects.exists()
    assert RetentionRun.objects.get().summary["failed"] == [old_case.reference]
    assert "Marjorie" not in caplog.text


def test_a_reopened_case_is_not_anonymised(old_case):
    old_case.reopen()

    run_command()

    assert old_case.people.get(relationship="main").name == "Marjorie Quennell"
    assert not Tombstone.objects.exists()


def test_the_retention_period_comes_from_settings(settings, old_case, recent_case):
    settings.RETENTION = {**settings.RETENTION, "closed_case_years": 8}

    run_command()

    assert not Tombstone.objects.exists()

    settings.RETENTION = {**settings.RETENTION, "closed_case_years": 4}
    run_command()

    assert set(Tombstone.objects.values_list("case_reference", flat=True)) == {
        old_case.reference, recent_case.reference}


def _event_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        counts = {}
        for table in connection.introspection.table_names():
            if table.endswith("event"):
                cursor.execute(f'SELECT count(*) FROM "{table}"')
                counts[table] = cursor.fetchone()[0]
        return counts


def test_admins_read_runs_and_tombstones_in_the_admin_but_cannot_change_them(
        old_case, signed_in, service_admin):
    run_command()
    tombstone = Tombstone.objects.get()
    client = signed_in(service_admin)

    response = client.get("/admin/privacy/tombstone/")
    assert response.status_code == 200
    assert old_case.reference in response.text
    assert client.get("/admin/privacy/retentionrun/").status_code == 200
    assert client.get("/admin/privacy/tombstone/add/").status_code == 403
    assert client.get(f"/admin/privacy/tombstone/{tombstone.pk}/delete/").status_code == 403
