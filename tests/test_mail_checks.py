"""kopnet.checks.mail_is_sent: production must choose its mail backend."""

import pytest

from kopnet.checks import mail_is_sent

CONSOLE = "django.core.mail.backends.console.EmailBackend"
SMTP = "django.core.mail.backends.smtp.EmailBackend"


@pytest.mark.parametrize(
    "debug, backend, chosen, warned",
    [
        (False, CONSOLE, False, True),  # production, the inherited default: refused
        (False, "django.core.mail.backends.locmem.EmailBackend", False, True),
        (False, CONSOLE, True, False),  # production, the console chosen on purpose
        (False, SMTP, False, False),
        (True, CONSOLE, False, False),  # development
    ],
)
def test_the_console_or_memory_backend_is_refused_in_production_unless_chosen(settings, debug, backend, chosen, warned):
    settings.DEBUG, settings.EMAIL_DELIVERY_BACKEND, settings.EMAIL_BACKEND_FROM_ENVIRONMENT = debug, backend, chosen
    assert [message.id for message in mail_is_sent(None)] == (["kopnet.W001"] if warned else [])
