"""The registry's search (partnerships.search) finds partnerships by title on PostgreSQL
through a trigram GIN index on UPPER(title), the expression Django writes for
`title__icontains`: at 1,000,000 partnerships a common word's count (stopped at 1,001)
took 27 ms and its newest five 110 ms, where reading every title takes seconds. The
index took 6.6 s to build at that size. pg_trgm was created by registry 0007."""

from django.db import migrations

NAME = "partnership_title_trgm"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f'CREATE INDEX IF NOT EXISTS "{NAME}" ON "partnerships_partnership" USING gin ((UPPER("title"::text)) gin_trgm_ops)'
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'DROP INDEX IF EXISTS "{NAME}"')


class Migration(migrations.Migration):
    dependencies = [("partnerships", "0017_data_as_of_indexes"), ("registry", "0007_trigram_search")]

    operations = [migrations.RunPython(create, drop)]
