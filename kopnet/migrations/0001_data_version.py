"""The data version row and the triggers that change it on every write.

PostgreSQL: a deferred constraint trigger on each table changes the token once
per transaction, at commit, after every other lock the transaction takes (so the
version row never takes part in a deadlock), plus a statement trigger for
TRUNCATE. SQLite: row triggers (SQLite writers are serialised anyway).

A table added later must get the same triggers in its own migration:
tests/test_cache.py fails for any registry or partnerships table without them.
"""

from django.db import migrations, models

# Every table whose rows a public page shows (history, sequences and users excluded).
TABLES = [
    "registry_province",
    "registry_sector",
    "registry_cooperative",
    "registry_cooperative_sectors",
    "registry_membership",
    "registry_partner",
    "registry_representation",
    "partnerships_objective",
    "partnerships_cooperationfield",
    "partnerships_partnership",
    "partnerships_partnership_objectives",
    "partnerships_partnership_fields",
    "partnerships_partnershipparty",
    "partnerships_partnershipdocument",
]

POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION kopnet_bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('kopnet.data_version_txid', true) IS DISTINCT FROM txid_current()::text THEN
        PERFORM set_config('kopnet.data_version_txid', txid_current()::text, true);
        UPDATE kopnet_dataversion SET token = md5(random()::text || clock_timestamp()::text) WHERE id = 1;
    END IF;
    RETURN NULL;
END $$;
"""


def postgres_triggers(table):
    return [
        f'CREATE CONSTRAINT TRIGGER kopnet_data_version AFTER INSERT OR UPDATE OR DELETE ON "{table}" '
        "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION kopnet_bump_data_version()",
        f'CREATE TRIGGER kopnet_data_version_truncate AFTER TRUNCATE ON "{table}" '
        "FOR EACH STATEMENT EXECUTE FUNCTION kopnet_bump_data_version()",
    ]


def sqlite_triggers(table):
    return [
        f'CREATE TRIGGER "kopnet_data_version_{table}_{event.lower()}" AFTER {event} ON "{table}" '
        "BEGIN UPDATE kopnet_dataversion SET token = lower(hex(randomblob(16))) WHERE id = 1; END"
        for event in ("INSERT", "UPDATE", "DELETE")
    ]


def add_triggers(apps, schema_editor, tables=TABLES):
    vendor = schema_editor.connection.vendor
    statements = []
    if vendor == "postgresql":
        statements.append(POSTGRES_FUNCTION)
        for table in tables:
            statements += postgres_triggers(table)
    elif vendor == "sqlite":
        for table in tables:
            statements += sqlite_triggers(table)
    else:
        raise NotImplementedError(f"No data version triggers for {vendor}: cached pages would go stale.")
    for statement in statements:
        schema_editor.execute(statement)


def drop_triggers(schema_editor, tables):
    """The triggers of these tables (a later migration's own tables: the function stays)."""
    vendor = schema_editor.connection.vendor
    for table in tables:
        if vendor == "postgresql":
            schema_editor.execute(f'DROP TRIGGER IF EXISTS kopnet_data_version ON "{table}"')
            schema_editor.execute(f'DROP TRIGGER IF EXISTS kopnet_data_version_truncate ON "{table}"')
        elif vendor == "sqlite":
            for event in ("insert", "update", "delete"):
                schema_editor.execute(f'DROP TRIGGER IF EXISTS "kopnet_data_version_{table}_{event}"')


def for_tables(tables):
    """RunPython functions (add, remove) of a later migration's own tables' triggers."""

    def add(apps, schema_editor):
        add_triggers(apps, schema_editor, tables=tables)

    def remove(apps, schema_editor):
        drop_triggers(schema_editor, tables)

    return add, remove


def remove_triggers(apps, schema_editor, tables=TABLES):
    drop_triggers(schema_editor, tables)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS kopnet_bump_data_version()")


def first_version(apps, schema_editor):
    apps.get_model("kopnet", "DataVersion").objects.using(schema_editor.connection.alias).create(
        id=1, token="initial"
    )


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("registry", "0006_partner_proposed_by"),
        ("partnerships", "0003_dekopin_group"),
    ]

    operations = [
        migrations.CreateModel(
            name="DataVersion",
            fields=[
                ("id", models.PositiveSmallIntegerField(primary_key=True, serialize=False)),
                ("token", models.CharField(max_length=32)),
            ],
            options={"verbose_name": "data version"},
        ),
        migrations.RunPython(first_version, migrations.RunPython.noop),
        migrations.RunPython(add_triggers, remove_triggers),
    ]
