"""The debrief's people are kept until a write moves the team's caseload stamp (or its spend,
or a name): debriefs.services.debrief_people, accounts/stamps.py. These tests commit
(transaction=True), as requests do: inside a transaction nothing is kept."""

import datetime
import re
import threading

import pytest
from django.utils import timezone

from accounts.stamps import stamp
from caseload.models import Case, Contact, Hold, Person, WhatMatters
from debriefs.models import Debrief, Entry
from tests.debriefs.test_debrief import entry_post
from tests.factories import CaseFactory, ContactFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("committed")]


def _caseload(team) -> int:
    return stamp(Case, [f"caseload:{team.pk}"])


def test_every_write_to_a_teams_cases_moves_its_caseload_stamp_and_only_its(
        team, other_team, caseworker, coordinator):
    case = CaseFactory(team=team, lead=caseworker)
    other = _caseload(other_team)
    writes = {
        "a case opened": lambda: CaseFactory(team=team, lead=caseworker),
        "a case's lead changed": lambda: Case.objects.filter(pk=case.pk).update(
            lead=coordinator),
        "a person renamed": lambda: Person.objects.filter(case=case).update(name="Jo Robson"),
        "a person added": lambda: Person.objects.create(case=case, name="Sam Robson",
                                                        relationship="partner"),
        "a person removed": lambda: Person.objects.filter(case=case, name="Sam Robson").delete(),
        "what matters written": lambda: WhatMatters.objects.create(
            case=case, what_matters="Keeping the house warm", written_by=caseworker),
        "what matters changed": lambda: WhatMatters.objects.filter(case=case).update(
            good_life="Warm and dry"),
        "what matters removed": lambda: WhatMatters.objects.filter(case=case).delete(),
        "a contact logged": lambda: ContactFactory(case=case),
        "a contact corrected": lambda: Contact.objects.filter(case=case).update(
            what_happened="Rang back"),
        "a hold asked for": lambda: Hold.objects.create(
            case=case, kind="bailiff", reason="Working with them", requested_by=caseworker),
        "a hold granted": lambda: Hold.objects.filter(case=case).update(
            status="granted", review_on=timezone.localdate()),
        "a hold removed": lambda: Hold.objects.filter(case=case).delete(),
        "a contact deleted": lambda: Contact.objects.filter(case=case).delete(),
        "a case closed": lambda: Case.objects.filter(pk=case.pk).update(
            status="closed", closed_on=timezone.localdate()),
        "a case deleted": lambda: Case.objects.filter(pk=case.pk).delete(),
    }
    for name, write in writes.items():
        before = _caseload(team)
        write()
        assert _caseload(team) > before, name
    assert _caseload(other_team) == other


def test_entries_move_it_unless_they_are_of_the_teams_latest_debrief(team, caseworker,
                                                                    coordinator):
    """Today's entries, written one after another at the huddle, cannot change today's order
    (it counts earlier days' discussions); an earlier debrief's corrections can."""
    case = CaseFactory(team=team, lead=caseworker)
    today = timezone.localdate()
    earlier = Debrief.objects.create(team=team, held_on=today - datetime.timedelta(days=1),
                                     started_by=coordinator)
    latest = Debrief.objects.create(team=team, held_on=today, started_by=coordinator)
    before = _caseload(team)
    entry = Entry.objects.create(debrief=latest, case=case, progress="working",
                                 updated_by=coordinator)
    Entry.objects.filter(pk=entry.pk).update(progress="stuck")
    assert _caseload(team) == before
    Entry.objects.create(debrief=earlier, case=case, progress="working", updated_by=coordinator)
    assert _caseload(team) == before + 1
    Debrief.objects.create(team=team, held_on=today + datetime.timedelta(days=1),
                           started_by=coordinator)  # today's is no longer the latest
    Entry.objects.filter(pk=entry.pk).update(progress="working")
    assert _caseload(team) == before + 2
    Entry.objects.filter(debrief=earlier).delete()
    assert _caseload(team) == before + 3
    Entry.objects.filter(pk=entry.pk).update(debrief=earlier)  # moved to an earlier day
    assert _caseload(team) == before + 4
    Entry.objects.filter(pk=entry.pk).delete()
    assert _caseload(team) == before + 5
    Entry.objects.create(debrief=latest, case=case, progress="stuck", updated_by=coordinator)
    assert _caseload(team) == before + 6
    latest.delete()  # with its entries
    assert _caseload(team) == before + 7


def test_the_kept_order_is_shared_at_the_huddle_and_shows_a_new_contact_at_once(
        signed_in, coordinator, caseworker, team, debrief):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    quiet = CaseFactory(team=team, lead=caseworker, person__name="Quiet Person")
    busy = CaseFactory(team=team, lead=caseworker, person__name="Busy Person")
    client = signed_in(coordinator)
    address = f"/debriefs/{debrief.pk}/"

    def view() -> tuple[list[str], str, int]:
        """The people in order, the page, and how many times it read their order."""
        with CaptureQueriesContext(connection) as queries:
            page = client.get(address).text
        names = sorted(("Quiet Person", "Busy Person"), key=page.index)
        return names, page, sum(q["sql"].startswith("EXECUTE debrief_people_")
                                for q in queries)

    assert view()[::2] == (["Quiet Person", "Busy Person"], 1)  # by case number
    assert entry_post(client, debrief, busy, "working").status_code == 200
    names, page, reads = view()  # today's answer read afresh, the order kept
    assert (names, reads) == (["Quiet Person", "Busy Person"], 0)
    assert re.search(rf'id="case{busy.pk}-progress-working"[^>]* checked', page)
    assert not re.search(rf'id="case{quiet.pk}-progress-working"[^>]* checked', page)
    ContactFactory(case=busy, what_happened="Gas back on", happened_at=timezone.now())
    names, page, reads = view()
    assert (names, reads) == (["Busy Person", "Quiet Person"], 1)  # new: first
    assert "Gas back on" in page


def _in_another_connection(work) -> str:
    """Run `work` on a connection of its own, waiting at most 300 ms for a lock: "done", or
    "waited" if the lock was not free."""
    from django.db import OperationalError, connection, transaction

    outcome = []

    def run():
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '300ms'")
                work()
            outcome.append("done")
        except OperationalError as error:
            assert error.__cause__.sqlstate == "55P03", error  # lock_not_available
            outcome.append("waited")
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return outcome[0]


def test_a_new_debrief_and_an_entry_of_the_latest_wait_for_each_other(team, caseworker,
                                                                      coordinator):
    """An entry of the team's latest debrief moves no stamp. So a debrief started while one is
    being saved waits for it (the new day's order then counts it), and an entry saved while
    a debrief is being started waits for that, then sees it and moves the stamp."""
    from django.db import transaction

    case = CaseFactory(team=team, lead=caseworker)
    today = timezone.localdate()
    latest = Debrief.objects.create(team=team, held_on=today - datetime.timedelta(days=1),
                                    started_by=coordinator)
    entry = Entry.objects.create(debrief=latest, case=case, progress="working",
                                 updated_by=coordinator)

    def start_today():
        Debrief.objects.create(team=team, held_on=today, started_by=coordinator)

    def correct_the_entry():
        Entry.objects.filter(pk=entry.pk).update(progress="stuck")

    with transaction.atomic():
        correct_the_entry()
        assert _in_another_connection(start_today) == "waited"
    with transaction.atomic():
        start_today()
        assert _in_another_connection(correct_the_entry) == "waited"
    before = _caseload(team)
    assert _in_another_connection(correct_the_entry) == "done"
    assert _caseload(team) == before + 1  # no longer the latest's


def test_the_kept_order_follows_the_teams_spend_and_everyones_names(
        signed_in, coordinator, caseworker, team, debrief):
    from tests.purchases.factories import PurchaseFactory

    quiet = CaseFactory(team=team, lead=caseworker, person__name="Quiet Person")
    client = signed_in(coordinator)
    address = f"/debriefs/{debrief.pk}/"
    page = client.get(address).text
    assert "spend flagged for advice" not in page and "lead Casey Bell" in page
    PurchaseFactory(case=quiet, worker=caseworker, advice_asked=True)  # moves spend:<team>
    assert "spend flagged for advice" in client.get(address).text
    caseworker.first_name = "Cassie"  # moves names
    caseworker.save()
    assert "lead Cassie Bell" in client.get(address).text
