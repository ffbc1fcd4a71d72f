"""The registry's search (partnerships.search) finds partnerships by the start of their
reference ("KS-2024-9012", "2024-9012"): `reference LIKE 'KS-2024-9012%'`, which the
unique index on reference cannot answer under a non-C collation. A B-tree with
varchar_pattern_ops can, on PostgreSQL; SQLite has no use for it."""

from django.db import migrations

NAME = "partnership_reference_prefix"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f'CREATE INDEX IF NOT EXISTS "{NAME}" ON "partnerships_partnership" ("reference" varchar_pattern_ops)'
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'DROP INDEX IF EXISTS "{NAME}"')


class Migration(migrations.Migration):
    dependencies = [("partnerships", "0018_title_trigram")]

    operations = [migrations.RunPython(create, drop)]
