"""The table of the database cache (settings.CACHES), so that `migrate` alone makes a
working site: Django otherwise needs `manage.py createcachetable` run by hand."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("kopnet", "0001_data_version")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
