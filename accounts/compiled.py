"""Querysets built and compiled once per process, then run with each request's values.

Building a queryset with a dozen subqueries and compiling it to SQL costs Django more CPU than
PostgreSQL spends running it (the debrief's order: about 8 ms of Python against 5 ms of SQL).
A `Compiled` query keeps the SQL that Django wrote, with a `Slot` in place of each value that
changes from one request to the next, so the rules stay in the models' querysets (the one place
that states them) while a request pays only for running the query.

The one rule for a builder: every value that can differ between two calls must be a Slot. A
value the builder reads for itself (`timezone.localdate()` inside a queryset method, say) would
be kept from the first call for the life of the process. A builder's keyword arguments choose
between query shapes (with or without a filter, say); each shape is compiled once.
"""

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections, router
from django.db.models import BigIntegerField, BooleanField, Expression, F, IntegerField, QuerySet
from django.db.transaction import TransactionManagementError

from accounts import prepared


class Slot(Expression):
    """A value given each time a compiled query runs: `filter(team_id=Slot("team"))`."""

    def __init__(self, name: str, output_field=None):
        super().__init__(output_field=output_field)
        self.name = name

    def as_sql(self, compiler, connection):
        return "%s", (self,)

    def prepare(self, value, connection):
        """The value as the database takes it. A whole number its column cannot hold matches
        no row, as Django's own lookups decide (EmptyResultSet)."""
        if value is None:
            return None
        if isinstance(self.output_field, IntegerField):
            value = self.output_field.get_prep_value(value)
            low, high = connection.ops.integer_field_range(self.output_field.get_internal_type())
            if not (low is None or low <= value) or not (high is None or value <= high):
                raise EmptyResultSet
        return self.output_field.get_db_prep_value(value, connection)

    def __repr__(self):
        return f"Slot({self.name!r})"


class TeamId(Slot):
    """One of the signed-in user's team ids, the `index`-th of the list given as `teams` each
    time the query runs (see Reach)."""

    def __init__(self, index: int):
        super().__init__("teams", output_field=BigIntegerField())
        self.index = index

    def prepare(self, value, connection):
        return super().prepare(value[self.index], connection)


class TeamIds(Expression):
    """The signed-in user's `count` team ids, for `team__in`: `IN (%s, %s)` (see Reach). No
    teams match nothing, as an empty list does (EmptyResultSet)."""

    def __init__(self, count: int):
        super().__init__(output_field=BigIntegerField())
        self.count = count

    def as_sql(self, compiler, connection):
        if not self.count:
            raise EmptyResultSet
        return ", ".join(["%s"] * self.count), tuple(TeamId(n) for n in range(self.count))


class AnyOf(Expression):
    """`column = ANY($n)`, for `filter()`: the column's value among a list given each time the
    query runs as one value (`AnyOf("case", "cases")`), so there is one query shape however
    long the list. For lookups by a handful of keys (a page's rows), not for ordered scans over
    a column's index (see TeamIds)."""

    conditional = True

    def __init__(self, column: str, slot: str, of=None):
        super().__init__(output_field=BooleanField())
        self.column = F(column)
        self.slot = Slot(slot, ArrayField(of or BigIntegerField()))

    def get_source_expressions(self):
        return [self.column, self.slot]

    def set_source_expressions(self, expressions):
        self.column, self.slot = expressions

    def as_sql(self, compiler, connection):
        column, column_params = compiler.compile(self.column)
        array, array_params = compiler.compile(self.slot)
        return f"{column} = ANY({array})", (*column_params, *array_params)


class Capabilities(NamedTuple):
    """What a compiled `for_user(Reach(capabilities))` query's shape depends on: the user's
    capabilities, and how many teams they are in."""

    perms: frozenset[str]
    teams: int


class Reach:
    """Stands in for the signed-in user while a query is compiled, so that the models' own
    `for_user` rules can be compiled: it has the user's capabilities, and their team ids, one
    value each, given with each run. `team__in` then compiles to `IN (%s, %s)`, a list of
    values as for the user themselves (User.team_ids), so PostgreSQL can read one team's rows
    in an index's order; an array in one parameter made it read every team's newest
    purchases and skip the others'."""

    def __init__(self, capabilities: Capabilities):
        self.capabilities = capabilities.perms
        self.team_ids = TeamIds(capabilities.teams)

    def has_perm(self, perm: str, obj=None) -> bool:
        return obj is None and perm in self.capabilities


def reach(user) -> tuple[Capabilities, list[int]]:
    """The shape and the value a compiled `for_user(Reach(shape))` query takes for `user`:
    their capabilities and number of teams, and their team ids (read with their access)."""
    teams = user.team_ids
    return Capabilities(frozenset(user.get_all_permissions()), len(teams)), teams


class Compiled:
    """`build(**shape)` gives a `values_list()` queryset of `model` whose changing values are
    Slots; `rows(values, **shape)` runs its SQL with `values` (by Slot name) and answers the
    rows as Django would (its converters applied). One query, counted and routed like any
    other: it reads from the database the router picks for `model`."""

    def __init__(self, model, build: Callable[..., QuerySet], *, label: str = "",
                 write: bool = False):
        """`label` names the query in the log (`EXECUTE label_1a2b…`); by default the
        model's table. With `write` (a `select_for_update()` read, inside the transaction
        that writes), it reads the database the router picks for writing `model`, and
        refuses to run outside a transaction, where it would lock nothing."""
        self.model, self.build, self.write = model, build, write
        self.label = label or model._meta.db_table
        self._kept: dict[tuple, tuple] = {}

    def rows(self, values: dict[str, Any], *, limit: int | None = None, offset: int = 0,
             **shape) -> list[tuple]:
        statement = self.statement(values, limit=limit, offset=offset, **shape)
        if statement is None:
            return []
        with connections[statement.alias].cursor() as cursor:
            prepared.execute(cursor, statement.sql, statement.params, label=self.label)
            return statement.finish(cursor.fetchall())

    def statement(self, values: dict[str, Any], *, limit: int | None = None, offset: int = 0,
                  **shape) -> "Statement | None":
        """What `rows` runs, and how its rows are finished; None when it can match nothing
        whatever the database holds."""
        alias = self.alias()
        connection = connections[alias]
        if self.write and connection.get_autocommit():  # as Django checks select_for_update(),
            # but on every run, not only when the query is compiled
            raise TransactionManagementError(
                f"{self.label}: a read for a write runs only inside a transaction")
        key = (alias, tuple(sorted(shape.items())))
        if key not in self._kept:
            self._kept[key] = _compile(self.build(**shape), connection)
        if self._kept[key] is None:  # the queryset is empty whatever the values (none())
            return None
        sql, params, converters, width = self._kept[key]
        try:
            params = [_prepared(value, values, connection) if isinstance(value, Slot)
                      else value for value in params]
        except EmptyResultSet:
            return None
        if limit is not None:  # as Django writes a slice
            # The limit (a caller's constant: a page's size) is written, so PostgreSQL plans
            # for so many rows, and the first page has no offset; a later page's is a
            # parameter (one statement for them all). With an unknown limit or offset, the
            # plan PostgreSQL keeps for every run was costed for a tenth of the rows, and
            # it planned each run afresh instead.
            sql = f"{sql} LIMIT {int(limit)}" + (" OFFSET %s" if offset else "")
            params += [offset] if offset else []

        def finish(rows: list[tuple]) -> list[tuple]:
            if width is not None:
                rows = [row[:width] for row in rows]
            if converters:
                rows = [_converted(row, converters, connection) for row in rows]
            return rows

        return Statement(alias, sql, params, self.label, finish)

    def alias(self) -> str:
        """The database this query reads now."""
        pick = router.db_for_write if self.write else router.db_for_read
        return pick(self.model) or DEFAULT_DB_ALIAS

    def forget(self) -> None:
        """Compile again on the next call (for tests that change the database settings)."""
        self._kept.clear()


def _compile(queryset: QuerySet, connection) -> tuple | None:
    compiler = queryset.query.get_compiler(connection=connection)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return None
    selected = [column for column, _sql, _alias in compiler.select[:compiler.col_count]]
    converters = compiler.get_converters(selected)
    width = compiler.col_count if len(compiler.select) > compiler.col_count else None
    sql, params = _constants_written(sql, params, connection)
    return sql, tuple(params), converters, width


def _constants_written(sql: str, params, connection) -> tuple[str, list]:
    """The SQL with the queryset's own constants written into it as literals, quoted by the
    driver as it quotes any value it binds on the client (`compose_sql`), and only the Slots
    left as parameters. PostgreSQL then plans the prepared statement knowing them: a partial
    index whose condition names them (`purchase_advice_oldest`: purchases whose advice is
    not given yet) can serve the plan it keeps for every run, where with a parameter in their
    place it had to plan each run afresh for the values given (the debrief's advice: 0.4 ms
    of the database's CPU a run, 0.1 ms with its plan kept)."""
    values = iter(params)
    kept = []

    def written(match) -> str:
        if match[1] == "%":
            return "%%"
        value = next(values)
        if isinstance(value, Slot):
            kept.append(value)
            return "%s"
        return connection.ops.compose_sql("%s", [value]).replace("%", "%%")

    return prepared.PLACEHOLDER.sub(written, sql), kept


def _prepared(slot: Slot, values: dict, connection):
    return slot.prepare(values[slot.name], connection)


def _converted(row: tuple, converters: dict, connection) -> tuple:
    """SQLCompiler.apply_converters, with this request's connection: the compiler that found
    the converters was made on the thread that first compiled the query."""
    row = list(row)
    for position, (functions, expression) in converters.items():
        value = row[position]
        for function in functions:
            value = function(value, expression, connection)
        row[position] = value
    return tuple(row)


class CompiledObjects:
    """A compiled query (see Compiled) that answers model instances, as the queryset would:
    `build(**shape)` gives a queryset of `model` (filters and order, Slots for the values);
    `related` names foreign keys read in the same query, as `select_related` reads them (a
    missing one is None). `objects(values, known={"case": case})` also sets each instance's
    `case` to an object the caller already has, as a related manager does, so reading it
    costs no query. `only` (`"date"`, `"case__reference"`) reads just those fields, with the
    primary keys and the related keys, and defers the rest, as the queryset's `only()` does
    for a model it names fields of; a related model it names no field of is read whole.
    `extra` names annotations of the queryset, read in the same query and set on each
    instance, as the queryset sets its annotations. `write` as for Compiled."""

    def __init__(self, model, build: Callable[..., QuerySet], *, related: tuple[str, ...] = (),
                 only: tuple[str, ...] = (), extra: tuple[str, ...] = (), write: bool = False):
        self.model, self.extra = model, extra
        self.fields = _attnames(model, [name for name in only if "__" not in name]
                                + list(related if only else ()))
        self.related = []  # (foreign key, model, its fields' attnames, where its primary key is)
        for name in related:
            foreign_key = model._meta.get_field(name)
            related_model = foreign_key.related_model
            attnames = _attnames(related_model, [field.removeprefix(f"{name}__")
                                                 for field in only
                                                 if field.startswith(f"{name}__")])
            self.related.append((foreign_key, related_model, attnames,
                                 attnames.index(related_model._meta.pk.attname)))
        columns = [*self.fields, *(f"{foreign_key.name}__{attname}"
                                   for foreign_key, _, attnames, _ in self.related
                                   for attname in attnames), *extra]
        self.compiled = Compiled(model, lambda **shape: build(**shape).values_list(*columns),
                                 write=write)

    def objects(self, values: dict[str, Any], *, known: dict | None = None,
                limit: int | None = None, offset: int = 0, **shape) -> list:
        return self.instances(self.compiled.rows(values, limit=limit, offset=offset, **shape),
                              known=known)

    def instances(self, rows: list[tuple], *, known: dict | None = None) -> list:
        """The model instances of the compiled query's rows (see `objects`)."""
        alias = self.compiled.alias()
        count = len(self.fields)
        known = [(self.model._meta.get_field(name), value) for name, value in (known or {}).items()]
        found = []
        for row in rows:
            instance = self.model.from_db(alias, self.fields, row[:count])
            start = count
            # Related objects are put in the instance's cache, as select_related puts them
            # (the row holds their keys already), not through the foreign key's setter.
            for foreign_key, related_model, attnames, primary_key in self.related:
                part = row[start:start + len(attnames)]
                start += len(attnames)
                foreign_key.set_cached_value(instance, None if part[primary_key] is None
                                             else related_model.from_db(alias, attnames, part))
            for foreign_key, value in known:
                foreign_key.set_cached_value(instance, value)
                setattr(instance, foreign_key.attname, value.pk)  # as the setter sets it
            for name, value in zip(self.extra, row[start:], strict=True):
                setattr(instance, name, value)
            found.append(instance)
        return found


class Statement(NamedTuple):
    """A compiled query with a call's values: the database it reads, its SQL and parameters
    (Django's placeholders), its label, and what makes the fetched rows Django's."""

    alias: str
    sql: str
    params: list
    label: str
    finish: Callable[[list[tuple]], list]


class Batch:
    """Compiled queries sent to PostgreSQL together, in one round trip
    (`prepared.execute_together`), the first time any of their answers is used. A page that
    shows a dozen small things asks for each as it would one at a time, and each answer is a
    list that is read when first used, as a queryset is:

        batch = Batch()
        people = batch.objects(PEOPLE, {"case": case.pk})
        spend = batch.rows(SPEND, {"case": case.pk})
        len(people)  # both are read now, in one query

    Each query is the one its app compiled (its rules stay its own); the batch only carries
    them. A query asked for after the batch has run starts the next round trip. A function
    that takes a batch to ask through can take a new one when its caller has none
    (`(batch or Batch()).rows(...)`): its answer is then read alone, one query, when used."""

    def __init__(self):
        self._waiting: list[tuple[Later, Statement]] = []

    def rows(self, query: Compiled, values: dict[str, Any], *, limit: int | None = None,
             offset: int = 0, then: Callable[[list], list] | None = None, **shape) -> "Later":
        """`query.rows(...)`, read with the batch; `then(rows)` (making each row a dataclass's
        instance, say) once they are read."""
        return self._later(query.statement(values, limit=limit, offset=offset, **shape), then)

    def objects(self, query: CompiledObjects, values: dict[str, Any], *,
                known: dict | None = None, limit: int | None = None, offset: int = 0,
                **shape) -> "Later":
        """`query.objects(...)`, read with the batch."""
        return self._later(query.compiled.statement(values, limit=limit, offset=offset, **shape),
                           lambda rows: query.instances(rows, known=known))

    def _later(self, statement: Statement | None, then=None) -> "Later":
        later = Later(self, then)
        if statement is None:  # it can match nothing: no rows, without asking
            later._answer = then([]) if then else []
        else:
            self._waiting.append((later, statement))
        return later

    def run(self) -> None:
        """Read every query asked for and not yet read, in one round trip per database."""
        waiting, self._waiting = self._waiting, []
        try:
            for alias in dict.fromkeys(statement.alias for _later, statement in waiting):
                mine = [(later, statement) for later, statement in waiting
                        if statement.alias == alias]
                with connections[alias].cursor() as cursor:
                    answers = prepared.execute_together(
                        cursor, [(statement.sql, statement.params, statement.label)
                                 for _later, statement in mine])
                for (later, statement), rows in zip(mine, answers, strict=True):
                    rows = statement.finish(rows)
                    later._answer = later._then(rows) if later._then else rows
        except BaseException:  # what was not read stays to be read, not lost as "no rows"
            self._waiting[:0] = [pair for pair in waiting if pair[0]._answer is None]
            raise


class Later(Sequence):
    """A batched query's answer (see Batch): a list, read with the rest of its batch when
    first used (its length, an item, a loop)."""

    __slots__ = ("_batch", "_then", "_answer")

    def __init__(self, batch: Batch, then: Callable[[list], list] | None = None):
        self._batch, self._then, self._answer = batch, then, None

    @property
    def answer(self) -> list:
        if self._answer is None:
            self._batch.run()
            if self._answer is None:  # a `then` reading this answer while it is worked out
                raise RuntimeError("A batched answer was used before it was read")
        return self._answer

    def __getitem__(self, index):
        return self.answer[index]

    def __len__(self) -> int:
        return len(self.answer)

    def __iter__(self):
        return iter(self.answer)

    def __eq__(self, other) -> bool:
        return self.answer == (other.answer if isinstance(other, Later) else other)

    __hash__ = None

    def __repr__(self) -> str:
        return f"Later({self._answer!r})" if self._answer is not None else "Later(not read yet)"


def _attnames(model, names: list[str]) -> list[str]:
    """The attnames of `model`'s concrete fields among `names` (a foreign key by its name),
    with the primary key; all of them when `names` is empty."""
    return [field.attname for field in model._meta.concrete_fields
            if not names or field.primary_key or field.name in names or field.attname in names]
