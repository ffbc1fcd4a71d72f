"""KopNet's own system checks (registered in kopnet/apps.py)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register

# Backends that send nothing: mail written to the log or kept in memory.
NOT_SENDING = ("django.core.mail.backends.console.EmailBackend", "django.core.mail.backends.locmem.EmailBackend")


@register(Tags.security, deploy=True)
def mail_is_sent(app_configs, **kwargs):
    """In production the mail backend must be chosen, not inherited: the default (the
    console) printed password-reset links, tokens and all, to the server's log and
    sent nothing."""
    backend = settings.EMAIL_DELIVERY_BACKEND  # what the mail queue's worker sends through (kopnet/mail.py)
    if settings.DEBUG or settings.EMAIL_BACKEND_FROM_ENVIRONMENT or backend not in NOT_SENDING:
        return []
    return [
        Warning(
            f"EMAIL_BACKEND is {backend}, the development default: no mail is sent, and "
            "password-reset links are written to the log.",
            hint="Set EMAIL_BACKEND (django.core.mail.backends.smtp.EmailBackend and EMAIL_HOST...) in the "
            "environment; set it to the console backend explicitly if that is really meant.",
            id="kopnet.W001",
        )
    ]
