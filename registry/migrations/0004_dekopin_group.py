"""The Dekopin group: curators verify, edit and import registry records.

Curators delete nothing: records are ended, dissolved or rejected instead.
"""

from django.db import migrations

from kopnet.permissions import grant_to_curators

CURATOR_PERMISSIONS = {
    "province": ["view"],
    "sector": ["view", "add", "change"],
    "cooperative": ["view", "add", "change"],
    "membership": ["view", "add", "change"],
    "partner": ["view", "add", "change"],
    "representation": ["view", "add", "change"],
}


def grant(apps, schema_editor):
    grant_to_curators(apps, CURATOR_PERMISSIONS, "registry")


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0003_sectors"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
