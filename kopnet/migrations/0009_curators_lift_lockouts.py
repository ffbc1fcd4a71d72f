"""Curators see who is locked out after too many wrong passwords (django-axes) and lift
a lockout by deleting its attempts in the admin (/admin/axes/accessattempt/)."""

from django.db import migrations

from kopnet.permissions import grant_to_curators

CURATOR_PERMISSIONS = {
    "accessattempt": ["view", "delete"],
    "accesslog": ["view"],
    "accessfailurelog": ["view"],
}


def grant(apps, schema_editor):
    grant_to_curators(apps, CURATOR_PERMISSIONS, "axes")


class Migration(migrations.Migration):
    dependencies = [
        ("kopnet", "0008_cache_lz4"),
        ("axes", "0010_accessattemptexpiration"),
        ("registry", "0004_dekopin_group"),
    ]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
