"""System checks of the production settings (`manage.py check --deploy`)."""

import os

from django.conf import settings
from django.core import checks

DEVELOPMENT_MAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
}


@checks.register(checks.Tags.compatibility, deploy=True)
def mail_is_delivered(app_configs, **kwargs):
    """With DEBUG off, mail must really leave: a console or locmem delivery backend
    (the development default) would drop every password reset and notice silently,
    unless the environment's EMAIL_BACKEND asks for it on purpose."""
    if settings.DEBUG or "EMAIL_BACKEND" in os.environ:
        return []
    if settings.EMAIL_DELIVERY_BACKEND in DEVELOPMENT_MAIL_BACKENDS:
        return [
            checks.Error(
                f"EMAIL_DELIVERY_BACKEND is {settings.EMAIL_DELIVERY_BACKEND} with DEBUG off: no mail would be sent.",
                hint="Set EMAIL_BACKEND in the environment, e.g. django.core.mail.backends.smtp.EmailBackend.",
                id="kopnet.E001",
            )
        ]
    return []
