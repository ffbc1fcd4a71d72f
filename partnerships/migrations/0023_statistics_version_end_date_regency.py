"""The statistics' own data version (0007) follows the two things they count since:
a partnership's end date (the active partnerships of each year, 0022) and a
cooperative's regency/city (a province's page breaks it down by regency,
registry/migrations/0030). Before, ending a partnership left the cached statistics
counting it as active."""

import importlib

from django.db import migrations

before = importlib.import_module("partnerships.migrations.0007_statistics_version")
scoped = importlib.import_module("kopnet.migrations.0005_scoped_version_function")

WATCHED = before.WATCHED | {
    "registry_cooperative": [*before.WATCHED["registry_cooperative"], "regency_place_id"],
    "partnerships_partnership": [*before.WATCHED["partnerships_partnership"], "end_date"],
}
add_triggers, remove_triggers = scoped.triggers("kopnet_data_version_scoped", before.SCOPE, WATCHED)


class Migration(migrations.Migration):
    dependencies = [
        ("partnerships", "0022_statistics_end_years"),
        ("registry", "0030_places_of_organisations"),
    ]

    operations = [
        # The same triggers' names on the same tables: 0007's go, these come.
        migrations.RunPython(before.remove_triggers, before.add_triggers),
        migrations.RunPython(add_triggers, remove_triggers),
    ]
