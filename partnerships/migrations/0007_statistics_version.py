"""A data version of its own for the statistics page (kopnet.cache, scope "statistics").

The general data version (kopnet/migrations/0001_data_version.py) changes with any
write to a table the pages show, so a cooperative's new phone number emptied the
statistics, the dearest page to render. This one changes only with the writes the
statistics show: rows added or removed, and updates of the columns they count by
(a partnership's verification, category, direction, international flag and start
date; a party's partnership and organisation; a cooperative's verification, tier,
type and province; a partner's province; the fields of cooperation and provinces
named). Like the general one: once per transaction at commit on PostgreSQL (deferred
constraint triggers), row triggers on SQLite. A migration that rebuilds one of these
tables on SQLite (adding a column with a default) must put them back
(`add_triggers` below; the builders are in kopnet/migrations/0005).
"""

import importlib

from django.db import migrations

# The function and the trigger builders of the scoped versions.
scoped = importlib.import_module("kopnet.migrations.0005_scoped_version_function")

SCOPE = 2  # kopnet.cache.SCOPES["statistics"]

# table: the columns whose change the statistics show (None: any change).
WATCHED = {
    "registry_province": None,
    "registry_cooperative": ["verification", "tier", "type", "province_id"],
    "registry_partner": ["province_id"],
    "partnerships_cooperationfield": None,
    "partnerships_partnership": ["verification", "category", "direction", "international", "start_date"],
    "partnerships_partnership_fields": None,
    "partnerships_partnershipparty": ["partnership_id", "cooperative_id", "partner_id"],
}

add_triggers, remove_triggers = scoped.triggers("kopnet_data_version_scoped", SCOPE, WATCHED)


class Migration(migrations.Migration):
    dependencies = [
        ("kopnet", "0005_scoped_version_function"),
        ("registry", "0010_record_version"),
        ("partnerships", "0006_change_answers"),
    ]

    operations = [
        migrations.RunPython(*scoped.scope_row(SCOPE)),
        migrations.RunPython(add_triggers, remove_triggers),
    ]
