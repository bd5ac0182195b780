"""Reporting pages read from a replica when one is configured (config/routers.py).

In tests the `replica` alias mirrors the test database through a connection of its own, which
sees only committed rows: these tests commit (transaction=True).
"""

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from config.routers import ReplicaRouter
from tests.factories import CaseFactory
from tests.purchases.factories import CardFactory, PurchaseFactory

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


def _tables(queries) -> str:
    return " ".join(query["sql"] for query in queries)


@pytest.fixture
def spend(caseworker, team):
    case = CaseFactory(team=team)
    return PurchaseFactory(case=case, worker=caseworker,
                           card=CardFactory(holder=caseworker, team=team),
                           merchant="Replica Stores")


def test_a_reporting_page_reads_from_the_replica_and_the_session_from_the_primary(
        settings, signed_in, leader, spend):
    settings.READ_REPLICA = True
    client = signed_in(leader)
    with (CaptureQueriesContext(connections["replica"]) as replica,
          CaptureQueriesContext(connections["default"]) as primary):
        response = client.get("/learning/")
    assert response.status_code == 200
    assert "purchases_purchase" in _tables(replica)
    assert "accounts_session" in _tables(primary)
    assert "accounts_session" not in _tables(replica)


def test_the_spend_overview_reads_its_figures_from_the_replica(settings, signed_in, leader,
                                                              spend):
    """Its totals are plain SQL (one grouped query, a prepared statement): that too goes to
    the replica, so a page's figures, names and references all come from the same database."""
    settings.READ_REPLICA = True
    client = signed_in(leader)
    with (CaptureQueriesContext(connections["replica"]) as replica,
          CaptureQueriesContext(connections["default"]) as primary):
        response = client.get(f"/purchases/overview?team={spend.team_id}")
    assert response.status_code == 200
    assert "EXECUTE purchase_totals_" in _tables(replica)
    assert "purchase_totals" not in _tables(primary)
    assert "purchases_purchase" not in _tables(primary)


def test_a_streamed_export_reads_its_rows_from_the_replica_and_logs_on_the_primary(
        settings, signed_in, auditor, spend):
    settings.READ_REPLICA = True
    client = signed_in(auditor)
    with (CaptureQueriesContext(connections["replica"]) as replica,
          CaptureQueriesContext(connections["default"]) as primary):
        response = client.get("/purchases/export?format=csv")
        body = b"".join(response.streaming_content).decode()
    assert "Replica Stores" in body
    assert 'FROM "purchases_purchase"' in _tables(replica)
    assert 'INSERT INTO "accounts_accesslog"' in _tables(primary)
    assert "INSERT" not in _tables(replica)


def test_other_pages_and_writes_stay_on_the_primary(settings, signed_in, caseworker, spend):
    settings.READ_REPLICA = True
    client = signed_in(caseworker)
    with CaptureQueriesContext(connections["replica"]) as replica:
        assert client.get("/cases/").status_code == 200
        assert client.get(f"/purchases/{spend.pk}/").status_code == 200
    assert len(replica) == 0


def test_without_a_replica_nothing_is_routed(settings, signed_in, leader, spend):
    settings.READ_REPLICA = False
    with CaptureQueriesContext(connections["replica"]) as replica:
        assert signed_in(leader).get("/learning/").status_code == 200
    assert len(replica) == 0


def test_the_replica_is_never_migrated():
    router = ReplicaRouter()
    assert router.allow_migrate("replica", "caseload") is False
    assert router.allow_migrate("default", "caseload") is None


def test_a_compiled_query_reads_where_the_router_says(settings, spend):
    """A query compiled once (accounts/compiled.py) is routed on every run, not only the
    first: the same query reads from the replica inside a reporting view, the primary
    outside."""
    from django.db.models import IntegerField

    from accounts.compiled import Compiled, Slot
    from config.routers import replica_reads
    from purchases.models import Purchase

    settings.READ_REPLICA = True
    merchants = Compiled(Purchase, lambda: Purchase.objects.filter(
        pk=Slot("pk", IntegerField())).values_list("merchant"))
    on_replica = replica_reads(lambda request: merchants.rows({"pk": spend.pk}))
    with (CaptureQueriesContext(connections["replica"]) as replica,
          CaptureQueriesContext(connections["default"]) as primary):
        assert merchants.rows({"pk": spend.pk}) == [("Replica Stores",)]
        assert on_replica(type("Request", (), {"method": "GET"})()) == [("Replica Stores",)]
        assert merchants.rows({"pk": spend.pk}) == [("Replica Stores",)]
    assert len(replica) == 1 and len(primary) == 2


def test_a_batch_over_two_databases_reads_each_from_its_own(settings, spend):
    """A batch's queries go to the database the router picks for each, one round trip each,
    and each answer is its own query's."""
    from django.db.models import BigIntegerField

    from accounts.compiled import Batch, Compiled, Slot
    from caseload.models import Case
    from config import routers

    settings.READ_REPLICA = True
    by_id = Compiled(Case, lambda: Case.objects.filter(pk=Slot("pk", BigIntegerField()))
                     .values_list("reference"), label="two_databases")
    other = CaseFactory(team=spend.case.team)
    batch = Batch()
    primary_answer = batch.rows(by_id, {"pk": spend.case.pk})
    token = routers._reading_from_replica.set(True)
    try:
        replica_answer = batch.rows(by_id, {"pk": other.pk})
    finally:
        routers._reading_from_replica.reset(token)
    with (CaptureQueriesContext(connections["replica"]) as replica,
          CaptureQueriesContext(connections["default"]) as primary):
        assert primary_answer == [(spend.case.reference,)]
        assert replica_answer == [(other.reference,)]
    assert [len(replica), len(primary)] == [1, 1]
    assert f"({other.pk})" in replica[0]["sql"] and f"({spend.case.pk})" in primary[0]["sql"]
