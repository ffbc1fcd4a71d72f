"""Page versions by key (kopnet.models.PageVersion) and the builders of their triggers.

An app's migration describes, for a table, which page keys a write to one of its rows
changes, as SELECTs of one column `k` in which `{row}` stands for the written row
(NEW, or OLD for the row as it was):

    own    the keys of the pages that show the row at all (any change of it);
    shown  the keys of the pages that show it among others, changed only when one of
           `columns` changes, on a delete, and on an insert for which `insert_when`
           holds (a pending record inserted is on no other page).

`page_triggers(...)` turns that into PostgreSQL deferred constraint triggers (once
per row, at commit, each after taking the commit turn, kopnet_commit_turn(): one
committing writer at a time changes page versions, so two transactions never
change them in opposite orders and never deadlock on them) and SQLite row
triggers. A TRUNCATE changes "r", which every profile shows.
"""

from django.db import migrations, models

# The advisory lock of the commit turn (any constant no other code uses).
COMMIT_TURN = 20260802

POSTGRES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION kopnet_commit_turn() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    -- One committing writer at a time changes shared versions and counts: the data
    -- version's row first (every writing transaction updates it at commit), then an
    -- advisory lock, which holds where that row is missing (a test's emptied
    -- database); always in this order, so two writers never deadlock on them.
    PERFORM 1 FROM kopnet_dataversion WHERE id = 1 FOR UPDATE;
    PERFORM pg_advisory_xact_lock({COMMIT_TURN});
END $$;
CREATE OR REPLACE FUNCTION kopnet_bump_pages(keys text[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM kopnet_commit_turn();
    INSERT INTO kopnet_pageversion (key, token)
    SELECT k, md5(random()::text || clock_timestamp()::text)
    FROM (SELECT DISTINCT k FROM unnest(keys) AS k WHERE k IS NOT NULL) AS distinct_keys
    ORDER BY k
    ON CONFLICT (key) DO UPDATE SET token = EXCLUDED.token;
END $$;
CREATE OR REPLACE FUNCTION kopnet_pages_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM kopnet_bump_pages(ARRAY['r']);
    RETURN NULL;
END $$;
"""


def union(selects, row):
    return " UNION ALL ".join(select.format(row=row) for select in selects)


def postgres_page_triggers(name, table, own, shown=(), columns=(), insert_when="true"):
    changed = f"({', '.join(f'OLD.{c}' for c in columns)}) IS DISTINCT FROM ({', '.join(f'NEW.{c}' for c in columns)})"
    shown_part = ""
    if shown:
        insert_when = insert_when.format(row="NEW")
        shown_part = f"""
    IF TG_OP = 'DELETE' OR (TG_OP = 'INSERT' AND ({insert_when})) OR (TG_OP = 'UPDATE' AND {changed}) THEN
        IF TG_OP <> 'DELETE' THEN keys := keys || ARRAY({union(shown, 'NEW')}); END IF;
        IF TG_OP <> 'INSERT' THEN keys := keys || ARRAY({union(shown, 'OLD')}); END IF;
    END IF;"""
    own_part = ""
    if own:
        own_part = f"""
    IF TG_OP <> 'DELETE' THEN keys := keys || ARRAY({union(own, 'NEW')}); END IF;
    IF TG_OP <> 'INSERT' THEN keys := keys || ARRAY({union(own, 'OLD')}); END IF;"""
    function = f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    keys text[] := '{{}}';
BEGIN{own_part}{shown_part}
    PERFORM kopnet_bump_pages(keys);
    RETURN NULL;
END $$;
"""
    return [
        function,
        f'CREATE CONSTRAINT TRIGGER {name} AFTER INSERT OR UPDATE OR DELETE ON "{table}" '
        f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {name}()",
        f'CREATE TRIGGER {name}_truncate AFTER TRUNCATE ON "{table}" FOR EACH STATEMENT EXECUTE FUNCTION kopnet_pages_truncate()',
    ]


def sqlite_bump(selects, rows):
    keys = " UNION ALL ".join(union(selects, row) for row in rows)
    # WHERE before ON CONFLICT: SQLite's upsert after a SELECT needs one.
    return (
        f"INSERT INTO kopnet_pageversion (key, token) SELECT k, lower(hex(randomblob(16))) FROM ({keys}) "
        "WHERE k IS NOT NULL GROUP BY k ON CONFLICT (key) DO UPDATE SET token = excluded.token;"
    )


def sqlite_page_triggers(name, table, own, shown=(), columns=(), insert_when="1"):
    def trigger(suffix, event, statement, when=""):
        when = f" WHEN {when}" if when else ""
        return f'CREATE TRIGGER "{name}_{suffix}" AFTER {event} ON "{table}" FOR EACH ROW{when} BEGIN {statement} END'

    statements = [trigger("delete", "DELETE", sqlite_bump([*own, *shown], ["OLD"]))]
    if own:
        statements += [
            trigger("insert", "INSERT", sqlite_bump(own, ["NEW"])),
            trigger("update", "UPDATE", sqlite_bump(own, ["NEW", "OLD"])),
        ]
    if shown:
        changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns)
        statements += [
            trigger("insert_shown", "INSERT", sqlite_bump(shown, ["NEW"]), insert_when.format(row="NEW")),
            trigger("update_shown", "UPDATE", sqlite_bump(shown, ["NEW", "OLD"]), changed),
        ]
    return statements


def page_triggers(name, table, own, shown=(), columns=(), insert_when=None):
    """RunPython functions (add, remove) for the page-version triggers `name` on `table`."""

    def add(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        options = {} if insert_when is None else {"insert_when": insert_when}
        if vendor == "postgresql":
            statements = postgres_page_triggers(name, table, own, shown, columns, **options)
        elif vendor == "sqlite":
            statements = sqlite_page_triggers(name, table, own, shown, columns, **options)
        else:
            raise NotImplementedError(f"No page version triggers for {vendor}: cached pages would go stale.")
        for statement in statements:
            schema_editor.execute(statement)

    def remove(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f'DROP TRIGGER IF EXISTS {name} ON "{table}"')
            schema_editor.execute(f'DROP TRIGGER IF EXISTS {name}_truncate ON "{table}"')
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}()")
        else:
            for suffix in ("insert", "update", "delete", "insert_shown", "update_shown"):
                schema_editor.execute(f'DROP TRIGGER IF EXISTS "{name}_{suffix}"')

    return add, remove


def add_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_FUNCTION)


def remove_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS kopnet_pages_truncate()")
        schema_editor.execute("DROP FUNCTION IF EXISTS kopnet_bump_pages(text[])")
        schema_editor.execute("DROP FUNCTION IF EXISTS kopnet_commit_turn()")


class Migration(migrations.Migration):
    dependencies = [("kopnet", "0005_scoped_version_function")]

    operations = [
        migrations.CreateModel(
            name="PageVersion",
            fields=[
                ("key", models.CharField(max_length=24, primary_key=True, serialize=False)),
                ("token", models.CharField(max_length=32)),
            ],
            options={"verbose_name": "page version"},
        ),
        migrations.RunPython(add_function, remove_function),
    ]
