"""Statements that PostgreSQL plans once per connection, for the queries every request runs.

Planning the signed-in user's query (the user with their roles, capabilities and teams: five
joins and a union) took PostgreSQL five times as long as running it: 0.96 ms a query against
0.18 ms prepared, measured on the large council's data. Every signed-in page paid that, on the
same two cores as the app. `execute` prepares a statement the first time a connection runs it
(`PREPARE`, named after the SQL), then runs it with `EXECUTE`. PostgreSQL keeps a statement for
the life of the connection, whatever happens to transactions; a new connection prepares afresh.

Only for statements whose best plan does not depend on their values (a lookup by primary key,
a team's rows): after five runs PostgreSQL may keep one plan for all values. A connection
pooler must give each client the server connection it prepared its statements on; PgBouncer in
transaction mode does not, so behind it set `DATABASE_PREPARED_STATEMENTS=false` and each
statement runs as plain SQL (docs/operations.md).
"""

import hashlib
import re
import weakref

from django.conf import settings

# The names of the statements prepared on each database connection (psycopg's connection).
_prepared: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_PLACEHOLDER = re.compile(r"%([s%])")


def execute(cursor, sql: str, params, *, label: str) -> None:
    """`cursor.execute(sql, params)` (a Django cursor, Django's `%s` placeholders), as a
    statement prepared once per connection. The query is counted and logged as Django logs any
    other, as `EXECUTE label_1a2b…(…)`, where `label` (letters, digits and underscores) says
    what it reads; the PREPARE is not: it is not one of the page's queries."""
    if not settings.DATABASE_PREPARED_STATEMENTS:
        cursor.execute(sql, params)
        return
    # PostgreSQL cuts a name at 63 bytes: the label is cut first, so the SQL's hash stays whole.
    name = f"{label[:40]}_{hashlib.blake2b(sql.encode(), digest_size=8).hexdigest()}"
    connection = cursor.db.connection
    names = _prepared.setdefault(connection, set())
    if name not in names:
        cursor.cursor.execute(f"PREPARE {name} AS {_numbered(sql)}")
        names.add(name)
    cursor.execute(f"EXECUTE {name}({', '.join(['%s'] * len(params))})" if params
                   else f"EXECUTE {name}", params)


def _numbered(sql: str) -> str:
    """Django's placeholders as PostgreSQL's: `%s` becomes `$1`, `$2`…, `%%` a `%`."""
    count = 0

    def number(match):
        nonlocal count
        if match[1] == "%":
            return "%"
        count += 1
        return f"${count}"

    return _PLACEHOLDER.sub(number, sql)
