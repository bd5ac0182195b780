"""The two database roles: the owner, which owns the tables and runs the migrations, and the
runtime role the app connects as for requests (docs/operations.md#database-roles).

The runtime role reads and writes the records, but can only add to the audit trail: on the
history (pghistory event) tables and the append-only tables it may SELECT and INSERT, never
UPDATE, DELETE or TRUNCATE. It owns nothing, so it cannot drop, alter or disable a table or a
trigger, and it may not skip a trigger with `pgtrigger.ignore` either.
"""

import pghistory.models
import pgtrigger
from django.apps import apps
from django.conf import settings
from django.db import connections, transaction
from pgtrigger import features

READ_WRITE = frozenset({"SELECT", "INSERT", "UPDATE", "DELETE"})
ADD_ONLY = frozenset({"SELECT", "INSERT"})
# Tables Django keeps outside the app registry: the runtime role only reads them.
READ_ONLY_TABLES = {"django_migrations": frozenset({"SELECT"})}

# pgtrigger's own function, as every trigger migration installs it, with one change: a role
# that is not a member of the owner role cannot ask for a trigger to be skipped. The triggers
# run as the role that writes, so without this the runtime role could write a change with no
# history event by setting `pgtrigger.ignore`. Reinstalled by grant_runtime_role after every
# migrate, because a migration that adds a trigger puts pgtrigger's version back.
OWNER_ONLY_IGNORE_FUNCTION = """
CREATE OR REPLACE FUNCTION {function}(trigger_name NAME)
RETURNS BOOLEAN AS $$
    DECLARE
        _pgtrigger_ignore TEXT[];
        _result BOOLEAN;
    BEGIN
        BEGIN
            SELECT INTO _pgtrigger_ignore CURRENT_SETTING('pgtrigger.ignore');
            EXCEPTION WHEN OTHERS THEN
        END;
        IF _pgtrigger_ignore IS NOT NULL THEN
            SELECT trigger_name = ANY(_pgtrigger_ignore) INTO _result;
            IF _result AND NOT pg_has_role(current_user, {owner}, 'MEMBER') THEN
                RAISE EXCEPTION 'permission denied to ignore trigger %', trigger_name
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
            RETURN _result;
        ELSE
            RETURN FALSE;
        END IF;
    END;
$$ LANGUAGE plpgsql;
"""


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def refused_by_triggers(model) -> set[str]:
    """Operations an unconditional pgtrigger.Protect refuses on the model's table. They are not
    granted either, so the refusal does not rest on the trigger alone."""
    refused = set()
    for trigger in getattr(model._meta, "triggers", []):
        if isinstance(trigger, pgtrigger.Protect) and trigger.condition is None:
            refused |= {op for op in ("UPDATE", "DELETE") if op in str(trigger.operation)}
    return refused


def runtime_privileges() -> dict[str, frozenset[str]]:
    """What the runtime role may do on each table, by table name."""
    privileges = dict(READ_ONLY_TABLES)
    for model in apps.get_models(include_auto_created=True):
        if not model._meta.managed or model._meta.proxy:
            continue
        if issubclass(model, pghistory.models.Event | pghistory.models.Context):
            allowed = ADD_ONLY
        else:
            allowed = READ_WRITE - refused_by_triggers(model)
        privileges[model._meta.db_table] = allowed
    return privileges


def runtime_role_name() -> str:
    return settings.DATABASES["default"]["USER"]


def owner_role_name(using: str = "owner") -> str:
    return settings.DATABASES[using]["USER"]


def grant_runtime_role(role: str, *, using: str = "owner") -> dict[str, frozenset[str]]:
    """Give the runtime role exactly its privileges on the database behind `using` (which must
    connect as the owner), taking away any others. Returns the privileges granted, by table.

    Runs one query per table; safe to run again (after every migrate).
    """
    connection = connections[using]
    wanted = runtime_privileges()
    who = quote_identifier(role)
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute("SELECT current_database(), current_schema(), current_user, "
                       "rolsuper OR pg_has_role(%s, current_user, 'MEMBER') "
                       "FROM pg_roles WHERE rolname = %s", [role, role])
        row = cursor.fetchone()
        if row is None:
            raise ValueError(f"There is no database role called {role}.")
        database, schema, owner, too_strong = row
        if too_strong:
            raise ValueError(f"{role} is a superuser or a member of the owner role {owner}: "
                             "the runtime role must be a role of its own.")
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s", [schema])
        tables = {name for (name,) in cursor.fetchall()}
        in_schema = quote_identifier(schema)
        cursor.execute(f"GRANT CONNECT ON DATABASE {quote_identifier(database)} TO {who}")
        cursor.execute(f"GRANT USAGE ON SCHEMA {in_schema} TO {who}")
        cursor.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA {in_schema} FROM {who}")
        cursor.execute(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {in_schema} FROM {who}")
        granted = {table: wanted[table] for table in sorted(tables & wanted.keys())}
        for table, allowed in granted.items():
            cursor.execute(f"GRANT {', '.join(sorted(allowed))} ON TABLE "
                           f"{in_schema}.{quote_identifier(table)} TO {who}")
        cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {in_schema} TO {who}")
        function = f"{quote_identifier(features.schema())}._pgtrigger_should_ignore"
        cursor.execute(OWNER_ONLY_IGNORE_FUNCTION.format(function=function,
                                                         owner=quote_literal(owner)))
    return granted
