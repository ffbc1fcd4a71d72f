"""A data version of its own for the lists of cooperatives and partners (kopnet.cache,
scope "registry").

Those lists show only the registry's rows (cooperatives with their province, sectors
and member counts; partners): a partnership registered or a party's confirmation,
the commonest writes, no longer empties them. Triggers on the registry's tables the
lists read bump it, built as the other scoped versions are
(kopnet/migrations/0005_scoped_version_function.py). A migration that rebuilds one of
these tables on SQLite (adding a column with a default) must put them back.
"""

import importlib

from django.db import migrations

scoped = importlib.import_module("kopnet.migrations.0005_scoped_version_function")

SCOPE = 3  # kopnet.cache.SCOPES["registry"]
WATCHED = {
    "registry_province": None,
    "registry_sector": None,
    "registry_cooperative": None,
    "registry_cooperative_sectors": None,
    "registry_partner": None,
}

add_triggers, remove_triggers = scoped.triggers("kopnet_data_version_registry", SCOPE, WATCHED)


class Migration(migrations.Migration):
    dependencies = [
        ("kopnet", "0005_scoped_version_function"),
        ("registry", "0010_record_version"),
    ]

    operations = [
        migrations.RunPython(*scoped.scope_row(SCOPE)),
        migrations.RunPython(add_triggers, remove_triggers),
    ]
