"""The mail queue: every email KopNet sends goes through the outbox.

settings.EMAIL_BACKEND is QueueBackend, so every sender (send_mail, send_mass_mail,
EmailMessage.send(), Django's password reset form) stores its messages as
OutboxMessage rows on the default database, inside whatever transaction the caller
has open: the mail commits or rolls back with the change that causes it.
`manage.py send_queued_mail` (with --loop, the worker `make run` starts) hands them to
settings.EMAIL_DELIVERY_BACKEND (the environment's EMAIL_BACKEND: SMTP in
production), retrying a failed message after 1, 2, 4 ... minutes (at most
RETRY_MAX_DELAY apart) and giving up after MAX_ATTEMPTS.

Why an outbox of our own rather than django-mailer: the worker claims its batch with
SELECT ... FOR UPDATE SKIP LOCKED on PostgreSQL, so two workers never send one
message twice and neither waits for the other, and each message keeps its own
attempts and next attempt time for the backoff; django-mailer retries deferred
messages all together when `retry_deferred` runs, without a per-message backoff, and
serialises its workers with a lock. The whole queue is this module, one model and one
command.
"""

import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.utils import timezone

from kopnet.models import OutboxMessage

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
RETRY_FIRST_DELAY = datetime.timedelta(minutes=1)
RETRY_MAX_DELAY = datetime.timedelta(hours=6)
BATCH = 50


class QueueBackend(BaseEmailBackend):
    """Stores each message in the outbox instead of sending it."""

    def send_messages(self, email_messages):
        rows = []
        for message in email_messages:
            recipients = message.recipients()
            if not recipients:
                continue
            if message.attachments:
                raise ValueError("The mail queue does not store attachments.")
            rows.append(
                OutboxMessage(
                    subject=str(message.subject),
                    body=str(message.body),
                    from_email=str(message.from_email or settings.DEFAULT_FROM_EMAIL),
                    to=[str(a) for a in message.to],
                    cc=[str(a) for a in message.cc],
                    bcc=[str(a) for a in message.bcc],
                    reply_to=[str(a) for a in message.reply_to],
                    headers={str(k): str(v) for k, v in message.extra_headers.items()},
                    alternatives=[[str(c), m] for c, m in getattr(message, "alternatives", [])],
                )
            )
        OutboxMessage.objects.bulk_create(rows)
        return len(rows)


def retry_delay(attempts):
    """The wait after the `attempts`-th failed attempt: doubling, capped."""
    return min(RETRY_FIRST_DELAY * 2 ** (attempts - 1), RETRY_MAX_DELAY)


def as_email(row, connection):
    email = EmailMultiAlternatives(
        subject=row.subject,
        body=row.body,
        from_email=row.from_email,
        to=row.to,
        cc=row.cc,
        bcc=row.bcc,
        reply_to=row.reply_to,
        headers=row.headers,
        connection=connection,
    )
    for content, mimetype in row.alternatives:
        email.attach_alternative(content, mimetype)
    return email


def send_due(now=None):
    """Send the messages due now, one batch; returns (sent, failed) counts.

    The batch's rows stay locked (FOR UPDATE SKIP LOCKED on PostgreSQL) until their
    outcome is written, so another worker skips them rather than sending them again.
    """
    now = now or timezone.now()
    sent = failed = 0
    with transaction.atomic():
        due = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(sent_at__isnull=True, failed_at__isnull=True, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "pk")[:BATCH]
        )
        if not due:
            return 0, 0
        connection = get_connection(settings.EMAIL_DELIVERY_BACKEND, fail_silently=False)
        for row in due:
            row.attempts += 1
            try:
                as_email(row, connection).send()
            except Exception as error:  # any failure of the mail server: retry later
                failed += 1
                row.last_error = f"{type(error).__name__}: {error}"[:2000]
                if row.attempts >= MAX_ATTEMPTS:
                    row.failed_at = now
                    logger.error("Gave up on outbox message %s after %s attempts: %s", row.pk, row.attempts, error)
                else:
                    row.next_attempt_at = now + retry_delay(row.attempts)
                    logger.warning("Outbox message %s failed (attempt %s): %s", row.pk, row.attempts, error)
            else:
                sent += 1
                row.sent_at = now
                row.last_error = ""
            row.save(update_fields=["attempts", "next_attempt_at", "sent_at", "failed_at", "last_error"])
    return sent, failed


def send_again(pks):
    """Put the messages among `pks` that the queue gave up on back in it, due now, with
    their attempts counted afresh (a curator's action, once the mail server is fixed).

    Returns how many went back. Their rows are locked first: of two curators asking at
    once, one puts each message back and the other finds it already waiting, so a
    message is never queued, and sent, twice.
    """
    with transaction.atomic():
        failed = list(
            OutboxMessage.objects.select_for_update()
            .filter(pk__in=pks, sent_at__isnull=True, failed_at__isnull=False)
            .order_by("pk")
        )
        for row in failed:
            row.attempts = 0
            row.failed_at = None
            row.next_attempt_at = timezone.now()
            row.save(update_fields=["attempts", "failed_at", "next_attempt_at"])
    return len(failed)
