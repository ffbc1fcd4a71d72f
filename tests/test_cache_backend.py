"""kopnet.cache_backend.DatabaseCache: Django's database cache with one-statement writes."""

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kopnet import cache_backend
from kopnet.cache_backend import DatabaseCache

pytestmark = pytest.mark.django_db


@pytest.fixture
def table_cache():
    cache = DatabaseCache("kopnet_cache", {"OPTIONS": {"MAX_ENTRIES": 10, "CULL_FREQUENCY": 2}})
    cache.clear()
    return cache


def test_set_get_and_replace(table_cache):
    table_cache.set("halaman", ("Judul", "isi"), 60)
    assert table_cache.get("halaman") == ("Judul", "isi")
    table_cache.set("halaman", ("Judul", "isi baru"), 60)
    assert table_cache.get("halaman") == ("Judul", "isi baru")


def test_add_stores_only_where_nothing_live_is(table_cache):
    assert table_cache.add("penanda", 1, 60) is True
    assert table_cache.add("penanda", 2, 60) is False
    assert table_cache.get("penanda") == 1
    table_cache.set("lama", "kedaluwarsa", 1)
    time.sleep(2.1)  # expiry is stored to the second
    assert table_cache.add("lama", "baru", 60) is True
    assert table_cache.get("lama") == "baru"


def test_a_write_is_one_statement_and_the_table_is_counted_now_and_then(table_cache, monkeypatch):
    monkeypatch.setattr(DatabaseCache, "writes", 0)
    counted = 0
    for n in range(2 * cache_backend.CULL_EVERY):
        with CaptureQueriesContext(connection) as queries:
            table_cache.set(f"kunci-{n}", n, 60)
        writes = [q["sql"] for q in queries if "kopnet_cache" in q["sql"]]
        counted += sum("COUNT(*)" in sql for sql in writes)
        assert len([sql for sql in writes if sql.startswith("INSERT")]) == 1
    assert counted == 2


def test_a_full_table_is_culled(table_cache, monkeypatch):
    monkeypatch.setattr(cache_backend, "CULL_EVERY", 1)
    for n in range(30):
        table_cache.set(f"kunci-{n}", n, 60)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM kopnet_cache")
        assert cursor.fetchone()[0] <= 11
    assert table_cache.get("kunci-29") == 29


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL compresses what it stores (TOAST)")
def test_postgresql_compresses_a_stored_page_with_lz4(table_cache):
    """kopnet/migrations/0008_cache_lz4.py: pglz took longer than the rest of a write."""
    table_cache.set("halaman", "<tr><td>Koperasi Unit Desa</td></tr>" * 2000, 60)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_column_compression(value) FROM kopnet_cache WHERE cache_key LIKE %s", ["%halaman"])
        assert cursor.fetchall() == [("lz4",)]
