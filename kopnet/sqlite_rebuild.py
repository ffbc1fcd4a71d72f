"""Migrations that make SQLite rebuild a table keep its triggers.

SQLite cannot add a constraint or a column with a default to a table in place:
Django's schema editor rebuilds it (a new table, the rows copied, the old table
dropped, the new one renamed). The old table's triggers (the data and page versions'
of kopnet/migrations/0001 and 0006, written in SQL) go with it, and the triggers of
other tables that name it stop the rename ("no such table" while it has none). A
migration that rebuilds such a table wraps its operations:

    operations = keeping_sqlite_triggers("partnerships_partnership", [...])

Before them the table's triggers are remembered and renames run the legacy way
(PRAGMA legacy_alter_table: other triggers' text is not checked against a table
that is briefly missing); after them the triggers are made again. PostgreSQL alters
tables in place: nothing to do there.
"""

from django.db import migrations

_kept = {}


def keeping_sqlite_triggers(table, operations):
    def remember(apps, schema_editor):
        if schema_editor.connection.vendor != "sqlite":
            return
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table])
            _kept[table] = cursor.fetchall()
            cursor.execute("PRAGMA legacy_alter_table = ON")

    def restore(apps, schema_editor):
        if schema_editor.connection.vendor != "sqlite":
            return
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table])
            present = {name for (name,) in cursor.fetchall()}
            for name, sql in _kept.pop(table, []):
                if name not in present:
                    cursor.execute(sql)
            cursor.execute("PRAGMA legacy_alter_table = OFF")

    return [
        migrations.RunPython(remember, remember),
        *operations,
        migrations.RunPython(restore, restore),
    ]
