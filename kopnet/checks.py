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


@register(Tags.security, deploy=True)
def admin_asks_for_a_second_factor(app_configs, **kwargs):
    """In production the admin (every verification, every export) should not open to
    a password alone: KOPNET_ADMIN_2FA=1, or =0 said on purpose."""
    if settings.DEBUG or settings.KOPNET_ADMIN_2FA or settings.KOPNET_ADMIN_2FA_FROM_ENVIRONMENT:
        return []
    return [
        Warning(
            "KOPNET_ADMIN_2FA is off by default: staff accounts without a second factor enter the admin "
            "with their password alone.",
            hint="Set KOPNET_ADMIN_2FA=1 in the environment (staff then set up an authenticator app at "
            "/akun/dua-faktor/), or KOPNET_ADMIN_2FA=0 if that is really meant.",
            id="kopnet.W002",
        )
    ]
