"""Statements prepared once per database connection (accounts/prepared.py)."""

import pytest
from django.db import connection, transaction

from accounts import prepared

pytestmark = pytest.mark.django_db

SQL = "select %s::int + 1, 'a%%b' where %s::text like 'x%%'"


def _statements() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("select name, statement from pg_prepared_statements")
        return dict(cursor.fetchall())


def _run(*params):
    with connection.cursor() as cursor:
        prepared.execute(cursor, SQL, list(params), label="sums")
        return cursor.fetchall()


def test_a_statement_is_prepared_once_and_runs_with_each_calls_values(
        django_assert_num_queries):
    with django_assert_num_queries(1):  # the PREPARE is not one of the page's queries
        assert _run(41, "xy") == [(42, "a%b")]
    assert _run(1, "xz") == [(2, "a%b")] and _run(1, "no") == []
    [(name, statement)] = [(n, s) for n, s in _statements().items() if "'a%b'" in s]
    assert statement.endswith("select $1::int + 1, 'a%b' where $2::text like 'x%'")
    assert name.startswith("sums_")


def test_a_prepared_statement_outlives_a_rolled_back_transaction():
    with pytest.raises(RuntimeError), transaction.atomic():
        assert _run(1, "x") == [(2, "a%b")]
        raise RuntimeError("roll back")
    assert _run(2, "x") == [(3, "a%b")]


@pytest.mark.django_db(transaction=True)  # closes the connection
def test_a_new_connection_prepares_it_again():
    _run(1, "x")
    connection.close()
    assert not any("'a%b'" in statement for statement in _statements().values())
    assert _run(5, "x") == [(6, "a%b")]


@pytest.mark.django_db(transaction=True)  # closes the connection
def test_every_signed_in_request_reads_its_session_and_user_through_a_prepared_statement(
        signed_in, caseworker):
    client = signed_in(caseworker)
    connection.close()  # a fresh connection: nothing prepared yet
    assert client.get("/").status_code == 200
    statements = " ".join(_statements().values())
    assert "from accounts_session s left join accounts_user u on u.id = s.user_id" in statements
    assert "where s.session_key = $1 and s.expire_date > $2" in statements


def test_behind_a_transaction_pooler_it_is_plain_sql(settings, django_assert_num_queries):
    settings.DATABASE_PREPARED_STATEMENTS = False
    before = _statements()
    with django_assert_num_queries(1) as queries:
        assert _run(41, "xy") == [(42, "a%b")]
    assert queries.captured_queries[0]["sql"].startswith("select 41::int + 1")
    assert _statements() == before
