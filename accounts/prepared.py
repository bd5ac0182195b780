"""Statements that PostgreSQL plans once per connection, for the queries every request runs.

Planning the signed-in user's query (the user with their roles, capabilities and teams: five
joins and a union) took PostgreSQL five times as long as running it: 0.96 ms a query against
0.18 ms prepared, measured on the large council's data. Every signed-in page paid that, on the
same two cores as the app. `execute` prepares a statement the first time a connection runs it
(`PREPARE`, named after the SQL), then runs it with `EXECUTE`. PostgreSQL keeps a statement for
the life of the connection, whatever happens to transactions; a new connection prepares afresh.

Only for statements whose best plan does not depend on their values (a lookup by primary key,
a team's rows): after five runs PostgreSQL may keep one plan for all values, if it costs no
more than the plans made for each run's values; otherwise it plans every run afresh, as for
plain SQL (a compiled query writes its constants and page size into the SQL so that the
kept plan is costed for what it reads: accounts/compiled.py). A connection
pooler must give each client the server connection it prepared its statements on; PgBouncer in
transaction mode does not, so behind it set `DATABASE_PREPARED_STATEMENTS=false` and each
statement runs as plain SQL (docs/operations.md).
"""

import hashlib
import re
import weakref

import psycopg
from django.conf import settings

# The names of the statements prepared on each database connection (psycopg's connection).
_prepared: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
# Django's placeholders in SQL: `%s` (a value) and `%%` (a percent sign).
PLACEHOLDER = re.compile(r"%([s%])")


def execute(cursor, sql: str, params, *, label: str) -> None:
    """`cursor.execute(sql, params)` (a Django cursor, Django's `%s` placeholders), as a
    statement prepared once per connection. The query is counted and logged as Django logs any
    other, as `EXECUTE label_1a2b…(…)`, where `label` (letters, digits and underscores) says
    what it reads; the PREPARE is not: it is not one of the page's queries."""
    cursor.execute(_statement(cursor, sql, params, label), params)


def execute_together(cursor, statements: list[tuple[str, list, str]]) -> list[list[tuple]]:
    """Each statement's rows, for statements `(sql, params, label)` as `execute` takes them,
    sent to PostgreSQL in one message: one round trip, counted and logged as one query (the
    statements joined by semicolons). A page that reads a dozen small things (the case page's
    sections) paid a round trip each: ten small statements took 0.49 ms of the worker's CPU
    and 0.37 ms of the database's one at a time, 0.16 and 0.12 ms in one message (measured
    with psycopg alone; Django's cursor adds its own cost to each query). PostgreSQL runs them
    one after another in one transaction, as it runs any message of several statements.

    Each is sent apart on a connection that binds values on the server (the
    `server_side_binding` option), which takes one statement at a time, and while anything
    wraps the connection's queries (Django's `execute_wrapper`): a wrapper may change what a
    message holds and which of its answers the cursor is on (django-pghistory's, while a
    write request is tracked, puts its own statement first and moves to the last answer)."""
    if (len(statements) == 1 or cursor.db.execute_wrappers
            or not issubclass(cursor.db.connection.cursor_factory, psycopg.ClientCursor)):
        answers = []
        for sql, params, label in statements:
            execute(cursor, sql, params, label=label)
            answers.append(cursor.fetchall())
        return answers
    cursor.execute("; ".join(_statement(cursor, sql, params, label)
                             for sql, params, label in statements),
                   [value for _sql, params, _label in statements for value in params])
    answers = [cursor.fetchall()]
    while cursor.nextset():
        answers.append(cursor.fetchall())
    return answers


def _statement(cursor, sql: str, params, label: str) -> str:
    """What runs `sql` with `params` (Django's placeholders): `EXECUTE` of its statement,
    prepared first if this connection has not prepared it yet; or `sql` itself when prepared
    statements are off."""
    if not settings.DATABASE_PREPARED_STATEMENTS:
        return sql
    # PostgreSQL cuts a name at 63 bytes: the label is cut first, so the SQL's hash stays whole.
    name = f"{label[:40]}_{hashlib.blake2b(sql.encode(), digest_size=8).hexdigest()}"
    connection = cursor.db.connection
    names = _prepared.setdefault(connection, set())
    if name not in names:
        cursor.cursor.execute(f"PREPARE {name} AS {_numbered(sql)}")
        names.add(name)
    return f"EXECUTE {name}({', '.join(['%s'] * len(params))})" if params else f"EXECUTE {name}"


def _numbered(sql: str) -> str:
    """Django's placeholders as PostgreSQL's: `%s` becomes `$1`, `$2`…, `%%` a `%`."""
    count = 0

    def number(match):
        nonlocal count
        if match[1] == "%":
            return "%"
        count += 1
        return f"${count}"

    return PLACEHOLDER.sub(number, sql)
