"""The proposals to join a federation change the data version like every registry
table (kopnet/migrations/0001_data_version.py): a confirmation writes the membership
in the same transaction, and tests/test_cache.py holds every table to it."""

import importlib

from django.db import migrations

versions = importlib.import_module("kopnet.migrations.0001_data_version")
TABLES = ["registry_membershipproposal"]


add, remove = versions.for_tables(TABLES)


class Migration(migrations.Migration):
    dependencies = [("registry", "0023_curators_decide_proposals"), ("kopnet", "0001_data_version")]
    operations = [migrations.RunPython(add, remove)]
