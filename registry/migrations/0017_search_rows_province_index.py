"""The search rows by province: a list filtered to a province and searched for a
common word read every row the word matches (36,907 for "bersama") to keep those of
the province; with this index PostgreSQL intersects the two (a BitmapAnd) and reads
the few hundred that are both. On kopnet_bench, "bersama" among Papua's primary
cooperatives by members: 41-52 -> 12 ms (the count and the page's keys, EXPLAIN
ANALYZE 11.6 ms); "sumber" in Jawa Timur 14.7 ms.

registry_search_rows_rebuild() drops the indexes before it fills the rows and makes
them again after: it now makes this one too.
"""

import importlib

from django.db import migrations

rows = importlib.import_module("registry.migrations.0016_cooperative_search_rows")

INDEXES = [*rows.INDEXES, f"CREATE INDEX IF NOT EXISTS coop_search_province ON {rows.ROWS} (province_id)"]

REBUILD = f"""
CREATE OR REPLACE FUNCTION registry_search_rows_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE {rows.ROWS};
    DROP INDEX IF EXISTS coop_search_haystack, coop_search_nik, coop_search_province;
    INSERT INTO {rows.ROWS} ({rows.NAMES})
        SELECT {rows.made_from("c")} FROM registry_cooperative c WHERE c.verification = 'verified';
    {"; ".join(INDEXES)};
    ANALYZE {rows.ROWS};
END
$$;
"""


def add(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite's search reads the cooperatives
    schema_editor.execute(INDEXES[-1])
    schema_editor.execute(REBUILD)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS coop_search_province")
    schema_editor.execute(rows.FUNCTIONS)


class Migration(migrations.Migration):
    dependencies = [("registry", "0016_cooperative_search_rows")]

    operations = [migrations.RunPython(add, remove)]
