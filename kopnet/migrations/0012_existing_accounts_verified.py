"""Every account that exists before sign-up asked for a proven address (the demo
users, the curators, officials) counts as verified, so that nothing existing breaks."""

from django.conf import settings
from django.db import migrations
from django.utils import timezone


def mark_existing(apps, schema_editor):
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    VerifiedEmail = apps.get_model("kopnet", "VerifiedEmail")
    now = timezone.now()
    VerifiedEmail.objects.bulk_create(
        [VerifiedEmail(user_id=pk, email=email, verified_at=now) for pk, email in User.objects.values_list("pk", "email")],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [("kopnet", "0011_verified_email"), migrations.swappable_dependency(settings.AUTH_USER_MODEL)]

    operations = [migrations.RunPython(mark_existing, migrations.RunPython.noop)]
