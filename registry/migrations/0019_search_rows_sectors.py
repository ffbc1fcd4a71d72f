"""The search rows carry their cooperative's sectors, and an index that walks a tier
and province by size with them: a profile's suggested partners take their pool from it.

A cooperative's suggested partners of its own tier come from the 200 largest
verified active cooperatives of its tier and province that share one of its sectors
(partnerships.selectors.horizontal_suggestions). Finding them walked the
cooperatives of the tier and province by size and looked up each one's sectors (a
primary cooperative in a populous province: some 830 lookups of four blocks each,
about 5 ms of the page's SQL). The search rows hold exactly the verified
cooperatives with their tier, province, status and member count; with the sectors'
ids beside them, in an index ordered for that walk, the walk reads the index alone.

Who keeps them: the search row's trigger (a cooperative written) makes its
`sector_ids` too, and a row trigger on the cooperatives' sectors (the many-to-many
table: a sector added or taken away, whatever writes) makes them again for that
cooperative, in the writing statement. TRUNCATE of the sectors empties them all.
registry_search_rows_rebuild() makes them with the rows.
"""

import importlib

from django.db import migrations

rows = importlib.import_module("registry.migrations.0016_cooperative_search_rows")
by_province = importlib.import_module("registry.migrations.0017_search_rows_province_index")

SECTORS = "registry_cooperative_sectors"
SECTOR_IDS = f"ARRAY(SELECT s.sector_id FROM {SECTORS} s WHERE s.cooperative_id = {{c}}.id ORDER BY s.sector_id)"
COLUMNS = {**rows.COLUMNS, "sector_ids": SECTOR_IDS}
NAMES = ", ".join(COLUMNS)
INDEXES = [
    *by_province.INDEXES,
    f"CREATE INDEX IF NOT EXISTS coop_search_pool ON {rows.ROWS} (tier, province_id, member_count DESC, id) "
    "INCLUDE (status, sector_ids)",
]


def made_from(c):
    return ", ".join(expression.format(c=c) for expression in COLUMNS.values())


FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION registry_search_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR NEW.verification <> 'verified' THEN
        DELETE FROM {rows.ROWS} WHERE id = OLD.id;
        RETURN NULL;
    END IF;
    INSERT INTO {rows.ROWS} ({NAMES}) SELECT {made_from("NEW")}
    ON CONFLICT (id) DO UPDATE SET {", ".join(f"{name} = EXCLUDED.{name}" for name in COLUMNS if name != "id")};
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION registry_search_row_sectors() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        UPDATE {rows.ROWS} AS r SET sector_ids = {SECTOR_IDS.format(c="r")} WHERE r.id = OLD.cooperative_id;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        UPDATE {rows.ROWS} AS r SET sector_ids = {SECTOR_IDS.format(c="r")} WHERE r.id = NEW.cooperative_id;
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION registry_search_rows_sectors_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE {rows.ROWS} SET sector_ids = '{{}}' WHERE sector_ids <> '{{}}';
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION registry_search_rows_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE {rows.ROWS};
    DROP INDEX IF EXISTS coop_search_haystack, coop_search_nik, coop_search_province, coop_search_pool;
    INSERT INTO {rows.ROWS} ({NAMES})
        SELECT {made_from("c")} FROM registry_cooperative c WHERE c.verification = 'verified';
    {"; ".join(INDEXES)};
    ANALYZE {rows.ROWS};
END
$$;
"""

TRIGGERS = f"""
CREATE TRIGGER registry_search_row_sectors AFTER INSERT OR UPDATE OR DELETE ON {SECTORS}
    FOR EACH ROW EXECUTE FUNCTION registry_search_row_sectors();
CREATE TRIGGER registry_search_rows_sectors_truncate AFTER TRUNCATE ON {SECTORS}
    FOR EACH STATEMENT EXECUTE FUNCTION registry_search_rows_sectors_truncate();
"""


def add(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite's suggestions read the cooperatives and their sectors
    schema_editor.execute(f"ALTER TABLE {rows.ROWS} ADD COLUMN sector_ids bigint[] NOT NULL DEFAULT '{{}}'")
    for statement in [FUNCTIONS, TRIGGERS, "SELECT registry_search_rows_rebuild()"]:
        schema_editor.execute(statement, params=None)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP TRIGGER IF EXISTS registry_search_row_sectors ON {SECTORS}")
    schema_editor.execute(f"DROP TRIGGER IF EXISTS registry_search_rows_sectors_truncate ON {SECTORS}")
    schema_editor.execute("DROP FUNCTION IF EXISTS registry_search_row_sectors()")
    schema_editor.execute("DROP FUNCTION IF EXISTS registry_search_rows_sectors_truncate()")
    schema_editor.execute("DROP INDEX IF EXISTS coop_search_pool")
    schema_editor.execute(f"ALTER TABLE {rows.ROWS} DROP COLUMN IF EXISTS sector_ids")
    schema_editor.execute(rows.FUNCTIONS, params=None)
    schema_editor.execute(by_province.REBUILD, params=None)


class Migration(migrations.Migration):
    dependencies = [("registry", "0018_member_rows")]

    operations = [migrations.RunPython(add, remove)]
