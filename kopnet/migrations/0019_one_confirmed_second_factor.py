"""One confirmed second factor an account, held by the database (kopnet.two_factor
changes the devices under the account's lock; this holds even without it). An
account that has more keeps its first (the one the sign-in used: lowest id)."""

from django.db import migrations

INDEX = "kopnet_one_confirmed_totpdevice"


def keep_the_first(apps, schema_editor):
    TOTPDevice = apps.get_model("otp_totp", "TOTPDevice")
    first = {}
    for pk, user_id in TOTPDevice.objects.filter(confirmed=True).order_by("pk").values_list("pk", "user_id"):
        first.setdefault(user_id, pk)
    TOTPDevice.objects.filter(confirmed=True).exclude(pk__in=first.values()).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("kopnet", "0018_api_tokens"),
        ("otp_totp", "0003_add_timestamps"),
    ]

    operations = [
        migrations.RunPython(keep_the_first, migrations.RunPython.noop),
        migrations.RunSQL(
            f"CREATE UNIQUE INDEX {INDEX} ON otp_totp_totpdevice (user_id) WHERE confirmed",
            f"DROP INDEX {INDEX}",
        ),
    ]
