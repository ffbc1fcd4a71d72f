"""The mail queue (kopnet/mail.py): mail is stored with the change that causes it,
sent by the worker once, retried with backoff while the mail server is down; links
in mails start with SITE_URL; production refuses a mail backend that sends nothing."""

import datetime
import io

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from kopnet import mail as queue
from kopnet.models import OutboxMessage
from partnerships import services
from partnerships.models import Partnership, PartnershipParty
from tests.factories import RepresentationFactory, UserFactory


class MailServerDown(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionRefusedError("mail server down")


@pytest.fixture
def queued(settings):
    """Production's mail path: the queue, delivered to locmem's mail.outbox."""
    settings.EMAIL_BACKEND = "kopnet.mail.QueueBackend"
    settings.EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return settings


def register(cooperative_a, cooperative_b):
    user = UserFactory(username="initiator", email="a@example.org")
    RepresentationFactory(user=user, cooperative=cooperative_a)
    RepresentationFactory(user=UserFactory(username="official_b", email="b@example.org"), cooperative=cooperative_b)
    partnership = Partnership(
        title="Kerjasama simpan pinjam", start_date="2025-03-01", direction="horizontal", initiator=cooperative_a
    )
    parties = [PartnershipParty(cooperative=cooperative_a), PartnershipParty(cooperative=cooperative_b)]
    return services.partnership_register(user=user, partnership=partnership, parties=parties)


@pytest.mark.django_db(transaction=True)
def test_a_registration_succeeds_while_the_mail_server_is_down_and_its_mail_goes_once_it_is_back(
    queued, cooperative_a, cooperative_b
):
    queued.EMAIL_DELIVERY_BACKEND = "tests.test_mail.MailServerDown"
    partnership = register(cooperative_a, cooperative_b)

    assert Partnership.objects.filter(pk=partnership.pk).exists()
    assert queue.send_due() == (0, 1)
    row = OutboxMessage.objects.get()
    assert row.to == ["b@example.org"] and row.sent_at is None and row.attempts == 1
    assert "mail server down" in row.last_error
    # Not retried before its backoff is over.
    assert row.next_attempt_at >= timezone.now() + datetime.timedelta(seconds=50)
    assert queue.send_due() == (0, 0)

    queued.EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    later = timezone.now() + datetime.timedelta(minutes=2)
    assert queue.send_due(now=later) == (1, 0)
    assert queue.send_due(now=later) == (0, 0)
    out = io.StringIO()
    call_command("send_queued_mail", stdout=out)
    assert out.getvalue().strip() == "sent 0, failed 0"

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["b@example.org"]
    assert partnership.reference in mail.outbox[0].subject
    assert OutboxMessage.objects.get().sent_at is not None


@pytest.mark.django_db
def test_mail_of_a_change_rolled_back_is_never_sent(queued, cooperative_a, cooperative_b):
    with pytest.raises(RuntimeError), transaction.atomic():
        register(cooperative_a, cooperative_b)
        assert OutboxMessage.objects.count() == 1
        raise RuntimeError("refused late")

    assert OutboxMessage.objects.count() == 0
    assert queue.send_due() == (0, 0)
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_worker_backs_off_doubling_and_gives_up_after_its_attempts(queued):
    queued.EMAIL_DELIVERY_BACKEND = "tests.test_mail.MailServerDown"
    mail.send_mail("Subjek", "Isi", None, ["x@example.org"])
    now = timezone.now()
    waits = []
    for _ in range(queue.MAX_ATTEMPTS):
        row = OutboxMessage.objects.get()
        now = row.next_attempt_at
        assert queue.send_due(now=now) == (0, 1)
        waits.append(OutboxMessage.objects.get().next_attempt_at - now)
    row = OutboxMessage.objects.get()
    assert row.failed_at is not None and row.attempts == queue.MAX_ATTEMPTS
    assert waits[:3] == [datetime.timedelta(minutes=m) for m in (1, 2, 4)]
    assert waits[-2] == datetime.timedelta(minutes=2**8)
    assert queue.retry_delay(20) == queue.RETRY_MAX_DELAY
    assert queue.send_due(now=now + datetime.timedelta(days=30)) == (0, 0)


def given_up(queued, subject="Reset kata sandi", body="https://kopnet.example.org/akun/sandi/reset/MQ/rahasia/"):
    """A message the queue gave up on: the mail server refused it MAX_ATTEMPTS times."""
    queued.EMAIL_DELIVERY_BACKEND = "tests.test_mail.MailServerDown"
    mail.send_mail(subject, body, None, ["pengurus@example.org"])
    row = OutboxMessage.objects.get(subject=subject)
    for _ in range(queue.MAX_ATTEMPTS):
        queue.send_due(now=OutboxMessage.objects.get(pk=row.pk).next_attempt_at)
    row.refresh_from_db()
    assert row.failed_at is not None
    return row


def test_curators_see_what_the_queue_gave_up_on_without_the_bodies_and_send_it_again(queued, curator):
    row = given_up(queued)
    mail.send_mail("Sudah terkirim", "Isi", None, ["lain@example.org"])
    queued.EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    queue.send_due()

    listed = curator.get("/admin/kopnet/outboxmessage/?state=failed").content.decode()
    assert "Reset kata sandi" in listed and "pengurus@example.org" in listed
    assert "Sudah terkirim" not in listed
    assert "ConnectionRefusedError: mail server down" in curator.get(
        f"/admin/kopnet/outboxmessage/{row.pk}/change/"
    ).content.decode()
    assert "rahasia" not in curator.get(f"/admin/kopnet/outboxmessage/{row.pk}/change/").content.decode()
    assert "Reset kata sandi" in curator.get("/admin/kopnet/outboxmessage/?q=pengurus%40example").content.decode()

    response = curator.post(
        "/admin/kopnet/outboxmessage/", {"action": "send_again_selected", "_selected_action": [row.pk]}
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.failed_at, row.attempts) == (None, 0)
    assert queue.send_due() == (1, 0)
    assert [message.subject for message in mail.outbox] == ["Sudah terkirim", "Reset kata sandi"]
    # Sent, it is not put back again.
    assert queue.send_again([row.pk]) == 0


def test_curators_cannot_write_or_delete_messages(queued, curator):
    row = given_up(queued)
    assert curator.get("/admin/kopnet/outboxmessage/add/").status_code == 403
    assert curator.post(f"/admin/kopnet/outboxmessage/{row.pk}/change/", {"subject": "x"}).status_code == 403
    assert curator.post(f"/admin/kopnet/outboxmessage/{row.pk}/delete/", {"post": "yes"}).status_code == 403
    assert OutboxMessage.objects.filter(pk=row.pk, subject="Reset kata sandi").exists()


def test_an_official_cannot_see_the_queue(client, db):
    client.force_login(UserFactory(is_staff=False))
    assert client.get("/admin/kopnet/outboxmessage/").status_code == 302  # to the admin's sign-in
