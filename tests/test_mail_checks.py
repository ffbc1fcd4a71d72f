"""kopnet.checks: production must choose its mail backend, and whether the admin asks for a second factor."""

import pytest

from kopnet.checks import admin_asks_for_a_second_factor, mail_is_sent

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


@pytest.mark.parametrize(
    "debug, required, chosen, warned",
    [
        (False, False, False, True),  # production, the inherited default: warned
        (False, False, True, False),  # production, KOPNET_ADMIN_2FA=0 on purpose
        (False, True, True, False),
        (True, False, False, False),  # development
    ],
)
def test_production_is_warned_when_the_admin_opens_to_a_password_alone(settings, debug, required, chosen, warned):
    settings.DEBUG, settings.KOPNET_ADMIN_2FA, settings.KOPNET_ADMIN_2FA_FROM_ENVIRONMENT = debug, required, chosen
    assert [message.id for message in admin_asks_for_a_second_factor(None)] == (["kopnet.W002"] if warned else [])
