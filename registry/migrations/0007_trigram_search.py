"""Name search that does not read every row, on PostgreSQL.

The search filter is `icontains`, which Django writes as
`UPPER(column::text) LIKE UPPER('%text%')`: trigram GIN indexes on exactly those
expressions answer it for any text of three letters or more. pg_trgm is a trusted
extension, so the database owner may create it. Other databases keep the scan
(fine at the sizes SQLite serves).
"""

from django.db import migrations

INDEXES = {
    "coop_name_trgm": ("registry_cooperative", "name"),
    "coop_short_name_trgm": ("registry_cooperative", "short_name"),
    "coop_legal_number_trgm": ("registry_cooperative", "legal_number"),
    "partner_name_trgm": ("registry_partner", "name"),
    "partner_registration_trgm": ("registry_partner", "registration_number"),
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, (table, column) in INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("registry", "0006_partner_proposed_by")]

    operations = [migrations.RunPython(create, drop)]
