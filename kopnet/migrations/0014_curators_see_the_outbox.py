"""Curators see the mail queue (/admin/kopnet/outboxmessage/) and put the messages it
gave up on back in it (its "send again" action needs the change permission; nothing
is edited there). Only superusers delete a message."""

from django.db import migrations

from kopnet.permissions import grant_to_curators


def grant(apps, schema_editor):
    grant_to_curators(apps, {"outboxmessage": ["view", "change"]}, "kopnet")


class Migration(migrations.Migration):
    dependencies = [
        ("kopnet", "0013_curators_see_second_factors"),
        ("registry", "0004_dekopin_group"),
    ]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
