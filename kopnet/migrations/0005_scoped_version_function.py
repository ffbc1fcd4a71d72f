"""The PostgreSQL function behind the scoped data versions (kopnet.cache.SCOPES).

A page that shows less than everything is keyed by a data version of its own, which
triggers of the app that owns the page bump: `kopnet_bump_scoped_version('<row id>')`
changes that row's token once per transaction (like kopnet_bump_data_version for the
general one, 0001). The triggers: partnerships/migrations/0007_statistics_version.py
(the statistics).
"""

from django.db import migrations

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


def add_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_FUNCTION)


def scope_row(scope):
    """RunPython functions (make, remove) for the version row of `scope`."""

    def rows(apps, schema_editor):
        return apps.get_model("kopnet", "DataVersion").objects.using(schema_editor.connection.alias)

    def make(apps, schema_editor):
        rows(apps, schema_editor).get_or_create(id=scope, defaults={"token": "initial"})

    def remove(apps, schema_editor):
        rows(apps, schema_editor).filter(id=scope).delete()

    return make, remove


def sqlite_triggers(name, scope, table, columns=None):
    """Row triggers that bump `scope` on SQLite (`columns`: only updates that change one)."""
    bump = f"BEGIN UPDATE kopnet_dataversion SET token = lower(hex(randomblob(16))) WHERE id = {scope}; END"
    when = "WHEN " + " OR ".join(f'OLD."{c}" IS NOT NEW."{c}"' for c in columns) + " " if columns else ""
    return [
        f'CREATE TRIGGER "{name}_{table}_insert" AFTER INSERT ON "{table}" {bump}',
        f'CREATE TRIGGER "{name}_{table}_delete" AFTER DELETE ON "{table}" {bump}',
        f'CREATE TRIGGER "{name}_{table}_update" AFTER UPDATE ON "{table}" FOR EACH ROW {when}{bump}',
    ]


def postgres_triggers(name, scope, table, columns=None):
    """Deferred constraint triggers (once per transaction, at commit) that bump `scope`."""
    call = f"EXECUTE FUNCTION kopnet_bump_scoped_version('{scope}')"
    deferred = "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW"
    truncate = f'CREATE TRIGGER {name}_truncate AFTER TRUNCATE ON "{table}" FOR EACH STATEMENT {call}'
    if columns is None:
        return [f'CREATE CONSTRAINT TRIGGER {name} AFTER INSERT OR UPDATE OR DELETE ON "{table}" {deferred} {call}', truncate]
    changed = " OR ".join(f'OLD."{c}" IS DISTINCT FROM NEW."{c}"' for c in columns)
    return [
        f'CREATE CONSTRAINT TRIGGER {name} AFTER INSERT OR DELETE ON "{table}" {deferred} {call}',
        f'CREATE CONSTRAINT TRIGGER {name}_update AFTER UPDATE ON "{table}" {deferred} WHEN ({changed}) {call}',
        truncate,
    ]


def triggers(name, scope, watched):
    """RunPython functions (add, remove) for `watched` ({table: columns or None})."""

    def add(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        build = {"postgresql": postgres_triggers, "sqlite": sqlite_triggers}.get(vendor)
        if build is None:
            raise NotImplementedError(f"No data version triggers for {vendor}: cached pages would go stale.")
        for table, columns in watched.items():
            for statement in build(name, scope, table, columns):
                schema_editor.execute(statement)

    def remove(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        for table in watched:
            if vendor == "postgresql":
                for trigger in (name, f"{name}_update", f"{name}_truncate"):
                    schema_editor.execute(f'DROP TRIGGER IF EXISTS {trigger} ON "{table}"')
            else:
                for event in ("insert", "delete", "update"):
                    schema_editor.execute(f'DROP TRIGGER IF EXISTS "{name}_{table}_{event}"')

    return add, remove


class Migration(migrations.Migration):
    dependencies = [("kopnet", "0004_pending_change_history_and_curators")]

    operations = [migrations.RunPython(add_function, migrations.RunPython.noop)]
