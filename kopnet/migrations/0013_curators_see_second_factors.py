"""Curators see which staff accounts have a second factor (/admin/otp_totp/totpdevice/),
never its secret (OTP_ADMIN_HIDE_SENSITIVE_DATA). Only superusers remove one: a
curator who could would, with another curator's password, take over their account."""

from django.db import migrations

from kopnet.permissions import grant_to_curators


def grant(apps, schema_editor):
    grant_to_curators(apps, {"totpdevice": ["view"]}, "otp_totp")


class Migration(migrations.Migration):
    dependencies = [
        ("kopnet", "0012_existing_accounts_verified"),
        ("otp_totp", "0003_add_timestamps"),
        ("registry", "0004_dekopin_group"),
    ]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
