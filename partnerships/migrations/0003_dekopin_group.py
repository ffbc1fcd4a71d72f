"""Curators verify, edit and import partnerships; they delete nothing but a
party or document entered by mistake."""

from django.db import migrations

from kopnet.permissions import grant_to_curators

CURATOR_PERMISSIONS = {
    "objective": ["view", "add", "change"],
    "cooperationfield": ["view", "add", "change"],
    "partnership": ["view", "add", "change"],
    "partnershipparty": ["view", "add", "change", "delete"],
    "partnershipdocument": ["view", "add", "change", "delete"],
}


def grant(apps, schema_editor):
    grant_to_curators(apps, CURATOR_PERMISSIONS, "partnerships")


class Migration(migrations.Migration):
    dependencies = [
        ("partnerships", "0002_objectives_and_fields"),
        ("registry", "0004_dekopin_group"),
    ]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
