"""kopnet.db.execute_prepared(): a query PostgreSQL prepares once per connection and
executes with each call's parameters, with the rows a plain execute gives; SQLite (or
KOPNET_PREPARED_QUERIES off) runs it as it is."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kopnet.db import execute_prepared

pytestmark = pytest.mark.django_db
SQL = "SELECT %s + 1, %s || '%%', 'a%%b' WHERE %s >= 0"


def prepared_names():
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements WHERE name LIKE 'kn\\_%%'")
        return {name for (name,) in cursor.fetchall()}


def rows(sql, params):
    with connection.cursor() as cursor:
        execute_prepared(cursor, sql, params)
        return cursor.fetchall()


def test_the_rows_are_those_of_a_plain_execute():
    with connection.cursor() as cursor:
        cursor.execute(SQL, [1, "x", 0])
        expected = cursor.fetchall()
    assert expected == [(2, "x%", "a%b")]

    assert rows(SQL, [1, "x", 0]) == expected
    assert rows(SQL, [41, "y", 0]) == [(42, "y%", "a%b")]  # the same statement, other parameters
    assert rows(SQL, [1, "x", None]) == []
    assert rows("SELECT 7", []) == [(7,)]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite prepares nothing")
def test_postgresql_prepares_each_query_once_on_its_connection():
    sql = SQL + " -- a text no other test prepared on this connection"
    before = prepared_names()
    with CaptureQueriesContext(connection) as first:
        rows(sql, [1, "x", 0])
    made = prepared_names() - before
    assert len(made) == 1
    # The PREPARE is not one of the request's queries; the EXECUTE is.
    assert [query["sql"] for query in first.captured_queries] == [f"EXECUTE {made.pop()}(1, 'x', 0)"]

    assert rows(sql, [2, "z", 0]) == [(3, "z%", "a%b")]
    assert len(prepared_names() - before) == 1
    rows("SELECT %s + 0 -- another text", [3])
    assert len(prepared_names() - before) == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite prepares nothing")
def test_it_can_be_turned_off(settings):
    settings.KOPNET_PREPARED_QUERIES = False
    before = prepared_names()
    with CaptureQueriesContext(connection) as captured:
        assert rows(SQL, [1, "x", 0]) == [(2, "x%", "a%b")]
    assert prepared_names() == before
    assert captured.captured_queries[0]["sql"].startswith("SELECT 1 + 1")
