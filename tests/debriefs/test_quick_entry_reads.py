"""The quick entry's own reads (debriefs.permissions.debrief_case, debriefs.services'
LOCKED_ENTRY), compiled once: the same answers and the same guarantees as the ORM's queries
they replaced: only a case of the debrief's team, and the entry's row locked while it is
changed."""

import threading

import pytest
from django.db import OperationalError, connection, transaction
from django.db.transaction import TransactionManagementError

from config.routers import _reading_from_replica
from debriefs.models import Entry
from debriefs.permissions import TEAM_CASE, debrief_case
from debriefs.services import LOCKED_ENTRY
from tests.debriefs.test_debrief import entry_post
from tests.factories import CaseFactory


@pytest.mark.django_db
def test_a_case_of_another_team_is_not_found_and_nothing_is_saved(
        signed_in, coordinator, debrief, other_team):
    elsewhere = CaseFactory(team=other_team)
    response = entry_post(signed_in(coordinator), debrief, elsewhere, "working")
    assert response.status_code == 404
    assert not Entry.objects.exists()


@pytest.mark.django_db
def test_the_debriefs_case_is_read_with_its_reference_as_the_orm_reads_it(debrief, team):
    case = CaseFactory(team=team)
    found = debrief_case(debrief, case.pk)
    assert (found.pk, found.reference, found.team_id) == (case.pk, case.reference, team.pk)
    assert found.get_deferred_fields() >= {"status", "opened_on"}  # as .only("reference")


@pytest.mark.django_db(transaction=True)
def test_the_entry_read_for_a_change_is_locked_until_the_change_commits(
        debrief, team, coordinator):
    case = CaseFactory(team=team)
    entry = Entry.objects.create(debrief=debrief, case=case, progress="stuck", note="Rent",
                                 updated_by=coordinator)
    refused = []

    def other_writer():  # another request, on a connection of its own
        try:
            with transaction.atomic():
                list(Entry.objects.select_for_update(nowait=True).filter(pk=entry.pk))
        except OperationalError as error:
            refused.append(error)
        finally:
            connection.close()

    with transaction.atomic():
        [locked] = LOCKED_ENTRY.objects({"debrief": debrief.pk, "case": case.pk},
                                        known={"debrief": debrief, "case": case})
        writer = threading.Thread(target=other_writer)
        writer.start()
        writer.join()
    assert len(refused) == 1 and "could not obtain lock" in str(refused[0])
    with pytest.raises(TransactionManagementError):  # outside a transaction it would lock
        LOCKED_ENTRY.objects({"debrief": debrief.pk, "case": case.pk})  # nothing
    assert (locked.pk, locked.progress, locked.note, locked.version) == (
        entry.pk, "stuck", "Rent", 1)
    assert locked.debrief is debrief and locked.case is case


def test_a_locked_read_goes_to_the_primary_while_reports_read_from_the_replica(settings):
    settings.READ_REPLICA = True
    token = _reading_from_replica.set(True)
    try:
        assert TEAM_CASE.compiled.alias() == "replica"
        assert LOCKED_ENTRY.compiled.alias() == "default"
    finally:
        _reading_from_replica.reset(token)
