"""Each case keeps when its latest contact happened (Case.last_contact_at), kept by triggers
from its contacts: whatever writes the contacts or the case, it is what the contacts say."""

import datetime

import pytest
from django.utils import timezone

from caseload.models import Case, Contact
from tests.factories import CaseFactory, ContactFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)


def days_ago(days: int) -> datetime.datetime:
    return NOW - datetime.timedelta(days=days)


def kept(case) -> datetime.datetime | None:
    return Case.objects.values_list("last_contact_at", flat=True).get(pk=case.pk)


def test_it_follows_every_write_to_the_cases_contacts(team):
    case, other = CaseFactory(team=team), CaseFactory(team=team)
    assert kept(case) is None
    older = ContactFactory(case=case, happened_at=days_ago(10))
    assert kept(case) == days_ago(10)
    latest = ContactFactory(case=case, happened_at=days_ago(2))
    ContactFactory(case=case, happened_at=days_ago(30))  # an older visit written up late
    assert kept(case) == days_ago(2)
    latest.happened_at = days_ago(20)  # corrected: it was earlier
    latest.save()
    assert kept(case) == days_ago(10)
    Contact.objects.filter(pk=older.pk).update(case=other)  # moved to the other case
    assert (kept(case), kept(other)) == (days_ago(20), days_ago(10))
    Contact.objects.filter(case=case).delete()
    assert kept(case) is None and kept(other) == days_ago(10)


def test_many_contacts_in_one_statement_keep_each_cases_latest(team, caseworker):
    cases = [CaseFactory(team=team), CaseFactory(team=team)]
    Contact.objects.bulk_create([
        Contact(case=case, happened_at=days_ago(n), kind="phone_call", worker=caseworker,
                author=caseworker, what_happened="Rang")
        for case in cases for n in (9, 3, 6)])
    assert [kept(case) for case in cases] == [days_ago(3), days_ago(3)]


def test_a_case_saved_from_an_old_copy_or_told_another_time_keeps_what_its_contacts_say(team):
    case = CaseFactory(team=team)
    stale = Case.objects.get(pk=case.pk)  # read before the contact, as an open form is
    ContactFactory(case=case, happened_at=days_ago(1))
    stale.closing_note = "Written from the old copy"
    stale.save()
    assert kept(case) == days_ago(1)
    Case.objects.filter(pk=case.pk).update(last_contact_at=days_ago(400))
    assert kept(case) == days_ago(1)


def test_keeping_it_makes_no_audit_event_but_a_change_to_the_case_still_does(team):
    case = CaseFactory(team=team)
    events = case.events.count()
    ContactFactory(case=case, happened_at=days_ago(1))
    assert case.events.count() == events
    case.closing_note = "Moved away"
    case.save()
    assert case.events.count() == events + 1


def test_the_caseload_lists_the_longest_without_contact_first(signed_in, caseworker, team):
    never = CaseFactory(team=team, lead=caseworker, person__name="Nia Never")
    for name, days in (("Ola Recent", 1), ("Pat Long", 60), ("Rex Month", 30)):
        case = CaseFactory(team=team, lead=caseworker, person__name=name)
        ContactFactory(case=case, happened_at=days_ago(days + 5))
        ContactFactory(case=case, happened_at=days_ago(days))
    page = signed_in(caseworker).get("/cases/").text
    order = [name for name in ("Pat Long", "Rex Month", "Ola Recent", "Nia Never")
             if name in page]
    assert sorted(order, key=page.index) == ["Pat Long", "Rex Month", "Ola Recent",
                                             "Nia Never"]
    assert "60 days ago" in page and never.reference in page


@pytest.mark.django_db(transaction=True)
def test_two_transactions_writing_one_cases_contacts_leave_its_latest(team):
    """One transaction deletes the latest contact while another logs one in between: the second
    waits (for the team's caseload stamp, then the case's row), then works the last contact
    out from what is committed by then."""
    import threading

    import psycopg
    from django.db import connection

    case = CaseFactory(team=team)
    ContactFactory(case=case, happened_at=days_ago(10))
    latest = ContactFactory(case=case, happened_at=days_ago(2))
    first = psycopg.connect(**connection.get_connection_params())
    try:
        first.execute("DELETE FROM caseload_contact WHERE id = %s", [latest.pk])  # not committed
        logged = threading.Thread(target=lambda: (
            ContactFactory(case=case, happened_at=days_ago(5)), connection.close()))
        logged.start()
        logged.join(timeout=1)
        assert logged.is_alive()  # waiting for the first to commit
        first.commit()
        logged.join(timeout=10)
    finally:
        first.close()
    assert not logged.is_alive()
    assert kept(case) == days_ago(5)
