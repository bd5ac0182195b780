"""Change stamps: a number for each scope (one team's spend, one team's caseload, people's
names) that every committed write to what the scope covers makes larger.

PostgreSQL's own triggers move them (`moved_by_writes`, declared beside each model), so no
path can write without moving the stamp: not a form, not a queryset's `update()`, not an
import. A result that costs a lot to work out and depends only on what some scopes cover can
then be kept, keyed by the sum of their stamps, and used again exactly until one moves
(`kept`): it is never stale, and there is no time limit to choose. The spend overview is kept
so (purchases/services.py): a team's figures are read far more often than its spend changes;
and the order of a debrief's people (debriefs/services.py), which everyone at the huddle
reads while they write today's entries, which do not change it.

A stamp is read in the same way as the data it covers (from the replica, when the page reads
from it), and before that data: what is kept under a stamp is at least as new as the stamp. A
counter only grows over committed history, so the sum of several is a version of all of them.
Within a transaction the stamps may include its own writes, which could still be rolled back,
so nothing is kept there. A database restored from a backup, or a replica promoted after its
primary was lost, may count the same numbers again for different data: restart the app
servers after either, which empties what each process keeps (docs/operations.md).
"""

from collections.abc import Callable, Iterable

import pgtrigger
from django.core.cache import cache
from django.db import connections, router

from accounts import prepared

TABLE = "accounts_changestamp"
KEPT_SECONDS = 24 * 60 * 60  # a key no longer current is never asked for again: let it go


def _moved(scope: str, *tables: str) -> str:
    """A trigger body moving by one each stamp `scope` (an SQL expression over a row of
    `tables`, called `written`; NULL moves nothing) names in their rows, each once whatever
    the number of rows, in a fixed order: two statements writing the same teams take their
    stamps' row locks in the same order. (Two transactions writing two teams in separate
    statements, in opposite orders, can still deadlock: docs/scaling.md.) Only the models'
    own constants are put in."""
    select = "SELECT {} AS scope FROM {} AS written"
    scopes = " UNION ".join(select.format(scope, table) for table in tables)
    return (f"INSERT INTO {TABLE} (scope, count) SELECT DISTINCT scope, 1 "  # noqa: S608  # nosec B608
            f"FROM ({scopes}) AS s WHERE scope IS NOT NULL ORDER BY scope "
            f"ON CONFLICT (scope) DO UPDATE SET count = {TABLE}.count + 1; RETURN NULL;")


def moved_by_writes(name: str, scope: str, *, delete: bool = True,
                    first: str = "") -> list[pgtrigger.Trigger]:
    """Triggers moving the stamp `scope` (an SQL expression over the table's columns, such as
    `'spend:' || team_id`, or over `written`, the row, where a subquery needs to tell its
    columns apart) once per statement for each value it takes in the rows inserted,
    updated (before and after) or deleted. Once per statement, not per row: a bulk write of
    thousands of rows moves each stamp once. `first`, a statement run before the stamps are
    worked out, in which `{written}` stands for the rows written (to take locks: the move's
    statement then reads what was committed while it waited)."""
    def statement(operation, **tables) -> pgtrigger.Trigger:
        every = "SELECT * FROM {}"
        written = " UNION ALL ".join(every.format(table) for table in tables.values())
        return pgtrigger.Trigger(
            name=f"{name}_stamp_{operation.name.lower()}", level=pgtrigger.Statement,
            when=pgtrigger.After, operation=operation,
            referencing=pgtrigger.Referencing(**tables),
            func=first.format(written=f"({written})") + _moved(scope, *tables.values()))

    return [statement(pgtrigger.Insert, new="new_rows"),
            statement(pgtrigger.Update, old="old_rows", new="new_rows"),
            *([statement(pgtrigger.Delete, old="old_rows")] if delete else [])]


def moved_by_changes(name: str, scope: str, *fields: str) -> pgtrigger.Trigger:
    """A trigger moving the stamp `scope` (a constant) whenever a row's `fields` change."""
    return pgtrigger.Trigger(
        name=f"{name}_stamp", when=pgtrigger.After, operation=pgtrigger.UpdateOf(*fields),
        condition=pgtrigger.AnyChange(*fields), func=_moved(f"'{scope}'", "(VALUES (1))"))


def stamp(model, scopes: Iterable[str]) -> int:
    """The sum of the scopes' stamps, read from the database `model` is read from."""
    with connections[router.db_for_read(model)].cursor() as cursor:
        prepared.execute(cursor, f"SELECT coalesce(sum(count), 0) FROM {TABLE} "  # noqa: S608
                                 "WHERE scope = ANY(%s)", [list(scopes)],  # nosec B608: constant
                         label="change_stamp")
        return cursor.fetchone()[0]


def kept(key: str, model, scopes: Iterable[str], work_out: Callable):
    """`work_out()`, kept in this process's cache under `key` and the scopes' stamps, which
    must cover everything it reads from `model`'s database; worked out again once a write
    moves one of them. Inside a transaction it is worked out every time (see above)."""
    if connections[router.db_for_read(model)].in_atomic_block:
        return work_out()
    full_key = f"{key}:{stamp(model, scopes)}"
    found = cache.get(full_key)
    if found is None:
        found = work_out()
        cache.set(full_key, found, KEPT_SECONDS)
    return found
