"""Curators see user accounts (read-only), to pick the user of a representation
request and to follow "changed by" links in the history."""

from django.db import migrations

from kopnet.permissions import grant_to_curators


def grant(apps, schema_editor):
    grant_to_curators(apps, {"user": ["view"]}, "auth")


class Migration(migrations.Migration):
    dependencies = [("registry", "0004_dekopin_group")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
