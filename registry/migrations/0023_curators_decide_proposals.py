"""Curators see the proposals to join a federation and decide those no federation
official answers (/admin/registry/membershipproposal/); nobody deletes one."""

from django.db import migrations

from kopnet.permissions import grant_to_curators


def grant(apps, schema_editor):
    grant_to_curators(apps, {"membershipproposal": ["view", "change"]}, "registry")


class Migration(migrations.Migration):
    dependencies = [("registry", "0022_membership_proposals")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
