"""The tables of issue 13 (a record's former slugs, the pairs curators found to be
different organisations, the places) change the data version like every registry
table (kopnet/migrations/0001_data_version.py); tests/test_cache.py holds every table
to it."""

import importlib

from django.db import migrations

versions = importlib.import_module("kopnet.migrations.0001_data_version")
TABLES = [
    "registry_formerslug", "registry_dismissedduplicate", "registry_regency", "registry_district", "registry_village",
]


add, remove = versions.for_tables(TABLES)


class Migration(migrations.Migration):
    dependencies = [("registry", "0028_places"), ("kopnet", "0001_data_version")]
    operations = [migrations.RunPython(add, remove)]
