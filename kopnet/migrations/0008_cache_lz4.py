"""PostgreSQL compresses the database cache's entries with lz4 instead of pglz.

An entry larger than about 2 KB is compressed as it is written (TOAST), and a page is
one: a cooperative's profile is 30 to 110 KB as the cache stores it (pickled, in
base64). pglz, PostgreSQL's default, took more time than the rest of the write; lz4
(PostgreSQL 14 and later, when built with it, as Debian's is) compresses several times
faster and reads back faster too. Entries already stored keep pglz until rewritten.
"""

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.db import BaseDatabaseCache
from django.db import migrations


def cache_tables():
    return {caches[alias]._table for alias in settings.CACHES if isinstance(caches[alias], BaseDatabaseCache)}


def lz4_available(cursor):
    cursor.execute("SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'")
    row = cursor.fetchone()
    return bool(row) and "lz4" in row[0]


def compress_with_lz4(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        if not lz4_available(cursor):
            return
        for table in sorted(cache_tables() & existing):
            cursor.execute(f"ALTER TABLE {connection.ops.quote_name(table)} ALTER COLUMN value SET COMPRESSION lz4")


class Migration(migrations.Migration):
    dependencies = [("kopnet", "0007_page_versions_once")]

    operations = [migrations.RunPython(compress_with_lz4, migrations.RunPython.noop)]
