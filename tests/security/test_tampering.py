"""The audit trail holds against the app's own database role (docs/operations.md#database-roles).

Each test makes a runtime role inside its transaction (the role and its grants roll back with
it), grants it with the routine production uses, and acts as it with SET ROLE. The test run
itself connects as the owner, like `migrate`.
"""

import uuid
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass

import pghistory
import pgtrigger
import pytest
from django.db import DatabaseError, connection, transaction

from accounts.database_roles import grant_runtime_role, quote_identifier
from accounts.models import AccessLog
from caseload.models import Case, Contact
from debriefs.models import Debrief, Entry
from issues.models import Issue
from purchases.models import Purchase
from tests.accounts.test_security import PRODUCTION_ENV, manage
from tests.factories import CaseFactory, ContactFactory
from tests.issues.factories import IssueFactory
from tests.purchases.factories import CardFactory, PurchaseFactory

pytestmark = pytest.mark.django_db

INSUFFICIENT_PRIVILEGE = "42501"


@pytest.fixture
def runtime_role(db) -> str:
    name = f"liberated_test_runtime_{uuid.uuid4().hex[:12]}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {quote_identifier(name)} NOLOGIN")
    grant_runtime_role(name, using="default")
    return name


@contextmanager
def acting_as(role: str):
    """Run the block as `role`. A database error inside rolls the block back and is raised."""
    with connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {quote_identifier(role)}")
    try:
        with transaction.atomic():
            yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")


def sqlstate(error: BaseException) -> str | None:
    """PostgreSQL's error code, from the driver's error under Django's."""
    while error is not None and not hasattr(error, "sqlstate"):
        error = error.__cause__
    return error and error.sqlstate


def sql(statement: str, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


# Tampering --------------------------------------------------------------------------------

@pytest.fixture
def trail(caseworker, team):
    """A case with its history event, and an access log entry, written as the owner."""
    with pghistory.context(user=caseworker.pk):
        case = CaseFactory(team=team, lead=caseworker, person=False)
    AccessLog.objects.create(user=caseworker, object_type="caseload.case",
                             object_id=str(case.pk), label=case.reference, path="/cases/")
    return case


def snapshot(case: Case) -> tuple:
    """The audit trail and the triggers that write and guard it, as they stand."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgname, tgenabled FROM pg_trigger WHERE NOT tgisinternal AND "
                       "tgrelid IN ('caseload_case'::regclass, 'accounts_accesslog'::regclass) "
                       "ORDER BY tgname")
        triggers = cursor.fetchall()
    events = list(Case.pgh_event_model.objects.order_by("pk").values())
    log = list(AccessLog.objects.order_by("pk").values())
    return triggers, events, log, Case.objects.get(pk=case.pk).closing_note


def update_case_without_history(case: Case):
    with pgtrigger.ignore("caseload.Case:update_update"):
        Case.objects.filter(pk=case.pk).update(closing_note="Changed with no trace")


ACCESS_LOG_TRIGGER = AccessLog._meta.triggers[0].get_pgid(AccessLog)

ROUTES: dict[str, Callable[[Case], None]] = {
    "ORM update of an audit event": lambda case: Case.pgh_event_model.objects.filter(
        pgh_obj=case).update(closing_note="Never said"),
    "ORM delete of an audit event": lambda case: Case.pgh_event_model.objects.filter(
        pgh_obj=case).delete(),
    "SQL UPDATE of the access log": lambda case: sql(
        "UPDATE accounts_accesslog SET label = 'nothing to see'"),
    "SQL DELETE of audit events": lambda case: sql("DELETE FROM caseload_caseevent"),
    "TRUNCATE of an event table": lambda case: sql("TRUNCATE caseload_caseevent"),
    "disable the history triggers": lambda case: sql(
        "ALTER TABLE caseload_case DISABLE TRIGGER ALL"),
    "drop the access log's append-only trigger": lambda case: sql(
        f"DROP TRIGGER {ACCESS_LOG_TRIGGER} ON accounts_accesslog"),
    "drop an event table": lambda case: sql("DROP TABLE caseload_caseevent"),
    "skip every trigger (session_replication_role)": lambda case: sql(
        "SET session_replication_role = replica"),
    "skip the history trigger (pgtrigger.ignore)": update_case_without_history,
}


@pytest.mark.parametrize("route", ROUTES, ids=list(ROUTES))
def test_runtime_role_cannot_tamper_with_the_audit_trail(runtime_role, trail, route):
    before = snapshot(trail)

    with pytest.raises(DatabaseError) as raised, acting_as(runtime_role):
        ROUTES[route](trail)

    assert sqlstate(raised.value) == INSUFFICIENT_PRIVILEGE, str(raised.value)
    assert snapshot(trail) == before


def test_the_same_routes_work_for_the_owner(trail):
    """The routes are real: as the owner, the first one changes the trail."""
    ROUTES["ORM update of an audit event"](trail)

    assert Case.pgh_event_model.objects.get(pgh_obj=trail).closing_note == "Never said"


def test_runtime_role_owns_nothing_and_may_not_truncate_or_add_triggers(runtime_role):
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_class WHERE relowner = %s::regrole",
                       [runtime_role])
        assert cursor.fetchone()[0] == 0
        cursor.execute("SELECT c.relname FROM pg_class c WHERE c.relnamespace = "
                       "current_schema()::regnamespace AND c.relkind = 'r' AND "
                       "(has_table_privilege(%s, c.oid, 'TRUNCATE') "
                       " OR has_table_privilege(%s, c.oid, 'TRIGGER'))",
                       [runtime_role, runtime_role])
        assert cursor.fetchall() == []


def test_grant_refuses_the_owner_or_a_superuser_as_the_runtime_role(db):
    with pytest.raises(ValueError, match="must be a role of its own"):
        grant_runtime_role(connection.settings_dict["USER"], using="default")


def test_deploy_check_warns_when_the_app_connects_as_the_owner():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "DATABASE_OWNER_URL"}
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)

    assert result.returncode != 0
    assert "liberated.W001" in result.stderr + result.stdout


# Write paths ------------------------------------------------------------------------------

@dataclass
class Tracked:
    """A tracked model, how to make one, and a text column the write paths change."""
    model: type
    make: Callable[[], object]
    column: str
    refuses_delete: bool = False


@pytest.fixture
def tracked(team, caseworker) -> list[Tracked]:
    case = CaseFactory(team=team, lead=caseworker)
    card = CardFactory(holder=caseworker, team=team)
    debrief = Debrief.objects.create(team=team, started_by=caseworker)
    return [
        Tracked(Case, lambda: Case.objects.create(team=team, lead=caseworker, source="self"),
                "closing_note"),
        Tracked(Contact, lambda: ContactFactory(case=case), "what_we_did"),
        Tracked(Purchase, lambda: PurchaseFactory(case=case, worker=caseworker, card=card),
                "purpose", refuses_delete=True),
        Tracked(Issue, lambda: IssueFactory(team=team, raised_by=caseworker), "description",
                refuses_delete=True),
        Tracked(Entry, lambda: Entry.objects.create(debrief=debrief, case=CaseFactory(
            team=team, lead=caseworker), progress="working", updated_by=caseworker), "note"),
    ]


def events(model, pk) -> list:
    return list(model.pgh_event_model.objects.filter(pgh_obj_id=pk).order_by("pk"))


def change(obj, column: str, value: str):
    setattr(obj, column, value)


WRITE_PATHS = {
    "save": lambda t, obj: (change(obj, t.column, "Saved"), obj.save()),
    "queryset update": lambda t, obj: t.model.objects.filter(pk=obj.pk).update(
        **{t.column: "Updated"}),
    "bulk update": lambda t, obj: (change(obj, t.column, "Bulk"),
                                   t.model.objects.bulk_update([obj], [t.column])),
    "raw SQL": lambda t, obj: sql(
        f"UPDATE {t.model._meta.db_table} SET {t.column} = %s WHERE id = %s",  # noqa: S608
        ["Raw", obj.pk]),
    "delete": lambda t, obj: obj.delete(),
}


def test_create_leaves_one_event_with_the_actor(runtime_role, tracked, coordinator):
    for t in tracked:
        with acting_as(runtime_role), pghistory.context(user=coordinator.pk):
            obj = t.make()

        assert [(e.pgh_label, e.pgh_context["user"]) for e in events(t.model, obj.pk)] == [
            ("insert", coordinator.pk)], t.model.__name__


@pytest.mark.parametrize("path", WRITE_PATHS, ids=list(WRITE_PATHS))
def test_every_write_path_leaves_one_event_with_the_actor(runtime_role, tracked, coordinator,
                                                          path):
    """Purchases and issues are never deleted: for them the delete path counts when the
    runtime role's delete is refused (no DELETE privilege, and a trigger behind it) and the
    record and its history stay as they were."""
    for t in tracked:
        obj = t.make()
        pk, before = obj.pk, events(t.model, obj.pk)

        if path == "delete" and t.refuses_delete:
            with pytest.raises(DatabaseError) as raised, acting_as(runtime_role), \
                    pghistory.context(user=coordinator.pk):
                WRITE_PATHS[path](t, obj)
            assert sqlstate(raised.value) == INSUFFICIENT_PRIVILEGE, t.model.__name__
            assert t.model.objects.filter(pk=pk).exists(), t.model.__name__
            assert events(t.model, pk) == before, t.model.__name__
            continue

        with acting_as(runtime_role), pghistory.context(user=coordinator.pk):
            WRITE_PATHS[path](t, obj)

        added = [e for e in events(t.model, pk) if e not in before]
        label = "delete" if path == "delete" else "update"
        assert [(e.pgh_label, e.pgh_context["user"]) for e in added] == [
            (label, coordinator.pk)], t.model.__name__


def test_runtime_role_can_only_move_a_change_stamp_on(runtime_role, team, caseworker):
    """What is kept under the stamps (accounts/stamps.py) relies on a count never repeating."""
    from accounts.models import ChangeStamp

    PurchaseFactory(case=CaseFactory(team=team, lead=caseworker), worker=caseworker)
    scope = f"spend:{team.pk}"
    before = ChangeStamp.objects.get(scope=scope).count
    for statement in ("DELETE FROM accounts_changestamp",
                      "UPDATE accounts_changestamp SET count = count - 1",
                      "UPDATE accounts_changestamp SET count = count",
                      "UPDATE accounts_changestamp SET scope = scope || 'x'"):
        with pytest.raises(DatabaseError), acting_as(runtime_role):
            sql(statement)
        assert ChangeStamp.objects.get(scope=scope).count == before, statement
    with acting_as(runtime_role):
        sql("UPDATE accounts_changestamp SET count = count + 1")
    assert ChangeStamp.objects.get(scope=scope).count == before + 1
