"""A data version of its own for the statistics page (kopnet.cache, scope "statistics").

The general data version (kopnet/migrations/0001_data_version.py) changes with any
write to a table the pages show, so a cooperative's new phone number emptied the
statistics, the dearest page to render. This one changes only with the writes the
statistics show: rows added or removed, and updates of the columns they count by
(a partnership's verification, category, direction, international flag and start
date; a party's partnership and organisation; a cooperative's verification, tier,
type and province; a partner's province; the fields of cooperation and provinces
named). Like the general one: once per transaction at commit on PostgreSQL (deferred
constraint triggers), row triggers on SQLite. A migration that rebuilds one of these
tables on SQLite (adding a column with a default) must put them back
(`add_triggers` below).
"""

from django.db import migrations

SCOPE = 2  # kopnet.cache.SCOPES["statistics"]

# table: the columns whose change the statistics show (None: any change).
WATCHED = {
    "registry_province": None,
    "registry_cooperative": ["verification", "tier", "type", "province_id"],
    "registry_partner": ["province_id"],
    "partnerships_cooperationfield": None,
    "partnerships_partnership": ["verification", "category", "direction", "international", "start_date"],
    "partnerships_partnership_fields": None,
    "partnerships_partnershipparty": ["partnership_id", "cooperative_id", "partner_id"],
}

POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION kopnet_bump_scoped_version() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    setting text := 'kopnet.data_version_txid_' || TG_ARGV[0];
BEGIN
    IF current_setting(setting, true) IS DISTINCT FROM txid_current()::text THEN
        PERFORM set_config(setting, txid_current()::text, true);
        UPDATE kopnet_dataversion SET token = md5(random()::text || clock_timestamp()::text)
        WHERE id = TG_ARGV[0]::integer;
    END IF;
    RETURN NULL;
END $$;
"""


def changed(columns, differ):
    return " OR ".join(f'OLD."{column}" {differ} NEW."{column}"' for column in columns)


def postgres_triggers(table, columns):
    call = f"EXECUTE FUNCTION kopnet_bump_scoped_version('{SCOPE}')"
    deferred = "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW"
    if columns is None:
        return [
            f'CREATE CONSTRAINT TRIGGER kopnet_data_version_scoped AFTER INSERT OR UPDATE OR DELETE ON "{table}" '
            f"{deferred} {call}",
            f'CREATE TRIGGER kopnet_data_version_scoped_truncate AFTER TRUNCATE ON "{table}" FOR EACH STATEMENT {call}',
        ]
    return [
        f'CREATE CONSTRAINT TRIGGER kopnet_data_version_scoped AFTER INSERT OR DELETE ON "{table}" {deferred} {call}',
        f'CREATE CONSTRAINT TRIGGER kopnet_data_version_scoped_update AFTER UPDATE ON "{table}" {deferred} '
        f"WHEN ({changed(columns, 'IS DISTINCT FROM')}) {call}",
        f'CREATE TRIGGER kopnet_data_version_scoped_truncate AFTER TRUNCATE ON "{table}" FOR EACH STATEMENT {call}',
    ]


def sqlite_triggers(table, columns):
    bump = f"BEGIN UPDATE kopnet_dataversion SET token = lower(hex(randomblob(16))) WHERE id = {SCOPE}; END"
    statements = [
        f'CREATE TRIGGER "kopnet_data_version_scoped_{table}_{event.lower()}" AFTER {event} ON "{table}" {bump}'
        for event in ("INSERT", "DELETE")
    ]
    when = f"WHEN {changed(columns, 'IS NOT')} " if columns else ""
    statements.append(
        f'CREATE TRIGGER "kopnet_data_version_scoped_{table}_update" AFTER UPDATE ON "{table}" FOR EACH ROW {when}{bump}'
    )
    return statements


def add_triggers(apps, schema_editor, tables=tuple(WATCHED)):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        statements = [POSTGRES_FUNCTION]
        for table in tables:
            statements += postgres_triggers(table, WATCHED[table])
    elif vendor == "sqlite":
        statements = [statement for table in tables for statement in sqlite_triggers(table, WATCHED[table])]
    else:
        raise NotImplementedError(f"No data version triggers for {vendor}: cached pages would go stale.")
    for statement in statements:
        schema_editor.execute(statement)


def remove_triggers(apps, schema_editor, tables=tuple(WATCHED)):
    vendor = schema_editor.connection.vendor
    for table in tables:
        if vendor == "postgresql":
            for name in ("kopnet_data_version_scoped", "kopnet_data_version_scoped_update",
                         "kopnet_data_version_scoped_truncate"):  # fmt: skip
                schema_editor.execute(f'DROP TRIGGER IF EXISTS {name} ON "{table}"')
        elif vendor == "sqlite":
            for event in ("insert", "delete", "update"):
                schema_editor.execute(f'DROP TRIGGER IF EXISTS "kopnet_data_version_scoped_{table}_{event}"')


def scope_row(apps, schema_editor):
    apps.get_model("kopnet", "DataVersion").objects.using(schema_editor.connection.alias).get_or_create(
        id=SCOPE, defaults={"token": "initial"}
    )


def no_scope_row(apps, schema_editor):
    apps.get_model("kopnet", "DataVersion").objects.using(schema_editor.connection.alias).filter(id=SCOPE).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("kopnet", "0004_pending_change_history_and_curators"),
        ("registry", "0010_record_version"),
        ("partnerships", "0006_change_answers"),
    ]

    operations = [
        migrations.RunPython(scope_row, no_scope_row),
        migrations.RunPython(add_triggers, remove_triggers),
    ]
