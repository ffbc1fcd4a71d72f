"""Notifications (kopnet.notifications, issue 12): each change that concerns an official
is a row on their dashboard and an email in their language, linking to the record;
email can be turned off per kind; a failed send keeps the message queued; following a
record tells of its verified changes."""

from datetime import date

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend

from kopnet import notifications
from kopnet.models import Follow, Notification, NotificationKind, OutboxMessage, Verification
from kopnet.mail import send_due
from partnerships import services
from partnerships.models import Direction, Partnership, PartnershipParty
from registry import services as registry_services
from registry.models import Representation, RepresentationState
from tests.factories import CooperativeFactory, CuratorFactory, PartnerFactory, RepresentationFactory, UserFactory

pytestmark = pytest.mark.django_db


def official(cooperative, username, email=None, language=None):
    user = UserFactory(username=username, email=email or f"{username}@example.org")
    RepresentationFactory(user=user, cooperative=cooperative)
    if language:
        notifications.remember_language(user=user, language=language)
    return user


@pytest.fixture
def two():
    coop_a, coop_b = CooperativeFactory(name="Koperasi Alfa"), CooperativeFactory(name="Koperasi Beta")
    user_a, user_b = official(coop_a, "pengurus_a"), official(coop_b, "pengurus_b", language="en")
    partnership = services.partnership_register(
        user=user_a,
        partnership=Partnership(
            title="Pemasaran gabah bersama", start_date=date(2026, 1, 15), direction=Direction.HORIZONTAL,
            initiator=coop_a,
        ),
        parties=[PartnershipParty(cooperative=coop_a), PartnershipParty(cooperative=coop_b)],
    )  # fmt: skip
    mail.outbox.clear()
    return partnership, user_a, user_b


def mine(user, kind=None):
    rows = Notification.objects.filter(user=user)
    return list(rows.filter(kind=kind) if kind else rows)


def sent_to(address):
    return [message for message in mail.outbox if address in message.to]


def test_a_party_declining_tells_the_initiators_officials_with_the_reason_in_their_language(two):
    partnership, user_a, user_b = two
    party_b = partnership.parties.get(cooperative__name="Koperasi Beta")

    services.party_decline(user=user_b, party_id=party_b.pk, reason="Harga belum disepakati")

    [row] = mine(user_a, NotificationKind.PARTY_ANSWERED)
    assert row.subject == f"Koperasi Beta menolak kerjasama {partnership.reference}"
    assert "Alasannya: Harga belum disepakati" in row.body
    assert row.url == f"/kerjasama/{partnership.reference}/"
    [email] = sent_to("pengurus_a@example.org")
    assert email.subject == f"KopNet: {row.subject}"
    assert f"/kerjasama/{partnership.reference}/" in email.body and "/akun/" not in email.body
    assert mine(user_b, NotificationKind.PARTY_ANSWERED) == []  # not told of their own answer


def test_a_verification_tells_every_party_official_each_in_their_language(two):
    partnership, user_a, user_b = two
    services.party_confirm(user=user_b, party_id=partnership.parties.get(cooperative__name="Koperasi Beta").pk)
    mail.outbox.clear()

    services.partnership_verify(curator=CuratorFactory(), pk=partnership.pk)

    assert mine(user_a, NotificationKind.PARTNERSHIP_DECIDED)[0].subject == f"Kerjasama {partnership.reference} sudah diverifikasi"
    assert mine(user_b, NotificationKind.PARTNERSHIP_DECIDED)[0].subject == f"Partnership {partnership.reference} was verified"
    assert len(sent_to("pengurus_a@example.org")) == len(sent_to("pengurus_b@example.org")) == 1


def test_a_rejection_says_the_curators_reason(two):
    partnership, user_a, _user_b = two

    services.partnership_reject(curator=CuratorFactory(), pk=partnership.pk, reason="Dokumen tidak terbaca")

    [row] = mine(user_a, NotificationKind.PARTNERSHIP_DECIDED)
    assert row.subject == f"Kerjasama {partnership.reference} ditolak"
    assert "Alasannya: Dokumen tidak terbaca" in row.body


def test_a_representation_decided_is_told_to_its_person(db):
    cooperative = CooperativeFactory(name="Koperasi Gamma")
    user = UserFactory(username="peminta", email="peminta@example.org")
    representation = RepresentationFactory(user=user, cooperative=cooperative, state=RepresentationState.REQUESTED)

    registry_services.representation_decide(curator=CuratorFactory(), pk=representation.pk, decision="refuse")

    [row] = mine(user, NotificationKind.REPRESENTATION_DECIDED)
    assert row.subject == "Permohonan Anda untuk mewakili Koperasi Gamma ditolak"
    assert row.url == f"/koperasi/{cooperative.slug}/"
    assert len(sent_to("peminta@example.org")) == 1


def test_a_cooperative_profile_verified_or_rejected_is_told_to_its_officials(db):
    waiting = CooperativeFactory(name="Koperasi Delta", verification=Verification.PENDING)
    asked = UserFactory(username="pendaftar", email="pendaftar@example.org")
    RepresentationFactory(user=asked, cooperative=waiting, state=RepresentationState.REQUESTED)

    registry_services.cooperative_reject(curator=CuratorFactory(), pk=waiting.pk, reason="NIK tidak cocok")

    [row] = mine(asked, NotificationKind.COOPERATIVE_DECIDED)
    assert row.subject == "Profil Koperasi Delta ditolak" and "NIK tidak cocok" in row.body


def test_email_turned_off_for_a_kind_keeps_the_row_and_sends_nothing(two):
    partnership, user_a, user_b = two
    notifications.set_email_off(user=user_a, kinds=[NotificationKind.PARTY_ANSWERED, "not-a-kind"])

    services.party_confirm(user=user_b, party_id=partnership.parties.get(cooperative__name="Koperasi Beta").pk)

    assert len(mine(user_a, NotificationKind.PARTY_ANSWERED)) == 1
    assert sent_to("pengurus_a@example.org") == []
    assert notifications.settings_of([user_a])[user_a.pk].email_off == [NotificationKind.PARTY_ANSWERED]


class MailServerDown(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionRefusedError("mail server down")


def test_a_failed_send_keeps_the_notifications_email_queued(two, settings):
    settings.EMAIL_BACKEND = "kopnet.mail.QueueBackend"
    settings.EMAIL_DELIVERY_BACKEND = f"{__name__}.MailServerDown"
    partnership, user_a, _user_b = two

    services.partnership_reject(curator=CuratorFactory(), pk=partnership.pk, reason="Belum lengkap")
    send_due()

    waiting = OutboxMessage.objects.get(subject__startswith=f"KopNet: Kerjasama {partnership.reference} ditolak")
    assert waiting.sent_at is None and waiting.attempts == 1 and waiting.failed_at is None
    assert len(mine(user_a, NotificationKind.PARTNERSHIP_DECIDED)) == 1


def test_the_dashboard_lists_them_and_opening_one_marks_it_read_and_goes_to_the_record(two, client):
    partnership, user_a, user_b = two
    services.party_confirm(user=user_b, party_id=partnership.parties.get(cooperative__name="Koperasi Beta").pk)
    client.force_login(user_a)

    page = client.get("/akun/").content.decode()
    [row] = mine(user_a)
    assert row.subject in page and "1 belum dibaca" in page

    response = client.get(f"/akun/pemberitahuan/{row.pk}/")
    assert response["Location"] == f"/kerjasama/{partnership.reference}/"
    row.refresh_from_db()
    assert row.read_at is not None
    assert "belum dibaca" not in client.get("/akun/").content.decode()


def test_nobody_opens_anothers_notification(two, client):
    partnership, user_a, user_b = two
    services.party_confirm(user=user_b, party_id=partnership.parties.get(cooperative__name="Koperasi Beta").pk)
    [row] = mine(user_a)
    client.force_login(user_b)

    assert client.get(f"/akun/pemberitahuan/{row.pk}/").status_code == 404
    row.refresh_from_db()
    assert row.read_at is None


def test_the_settings_page_turns_email_off_and_on(client, db):
    user = UserFactory()
    client.force_login(user)

    assert client.get("/akun/pemberitahuan/").status_code == 200
    kept = [kind.value for kind in NotificationKind if kind != NotificationKind.FOLLOWED]
    response = client.post("/akun/pemberitahuan/", {"email": kept})
    assert response.status_code == 302
    assert notifications.settings_of([user])[user.pk].email_off == [NotificationKind.FOLLOWED]
    assert client.post("/akun/pemberitahuan/", {"email": ["nonsense"]}).status_code == 400


def test_the_language_switch_is_the_language_kopnet_writes_in(client, db):
    user = UserFactory()
    client.force_login(user)

    client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    assert notifications.settings_of([user])[user.pk].language == "en"


# --- Following ---------------------------------------------------------------------


def test_a_follower_is_told_of_a_new_verified_partnership_of_the_cooperative(two, client):
    partnership, _user_a, user_b = two
    follower = UserFactory(username="pengikut", email="pengikut@example.org")
    client.force_login(follower)
    alfa = partnership.initiator
    assert client.post(f"/ikuti/koperasi/{alfa.slug}/")["Location"] == f"/koperasi/{alfa.slug}/"
    client.post(f"/ikuti/koperasi/{alfa.slug}/")  # twice: still one follow
    assert Follow.objects.filter(user=follower).count() == 1
    services.party_confirm(user=user_b, party_id=partnership.parties.get(cooperative__name="Koperasi Beta").pk)
    assert mine(follower) == []  # a confirmation is no verified change

    services.partnership_verify(curator=CuratorFactory(), pk=partnership.pk)

    [row] = mine(follower, NotificationKind.FOLLOWED)
    assert row.subject == "Kerjasama baru terverifikasi: Pemasaran gabah bersama"
    assert row.url == f"/kerjasama/{partnership.reference}/"


def test_a_follower_is_told_when_a_followed_partner_is_verified_and_can_stop(client, db):
    partner = PartnerFactory(name="PT Mitra Ikut", verification=Verification.VERIFIED)
    follower = UserFactory()
    client.force_login(follower)
    client.post(f"/ikuti/mitra/{partner.slug}/")
    client.post(f"/ikuti/mitra/{partner.slug}/", {"action": "unfollow"})

    assert Follow.objects.count() == 0


def test_visitors_cannot_follow_and_nobody_follows_what_they_cannot_see(client, db):
    hidden = CooperativeFactory(verification=Verification.PENDING)
    visible = CooperativeFactory()

    assert client.post(f"/ikuti/koperasi/{visible.slug}/").status_code == 302  # to sign in
    assert Follow.objects.count() == 0
    client.force_login(UserFactory())
    assert client.post(f"/ikuti/koperasi/{hidden.slug}/").status_code == 404
    assert client.post("/ikuti/nothing/x/").status_code == 404
    assert client.get(f"/ikuti/koperasi/{visible.slug}/").status_code == 405
    assert Follow.objects.count() == 0


def test_the_follow_button_shows_to_signed_in_readers_only(client, db):
    cooperative = CooperativeFactory()

    assert "/ikuti/" not in client.get(f"/koperasi/{cooperative.slug}/").content.decode()
    client.force_login(UserFactory())
    assert f'action="/ikuti/koperasi/{cooperative.slug}/"' in client.get(f"/koperasi/{cooperative.slug}/").content.decode()


def test_a_follower_is_told_of_a_verified_change_in_their_language_and_not_before(client):
    from kopnet.models import Revision
    from kopnet.services import revision_verify
    from registry.models import Cooperative

    cooperative = CooperativeFactory(name="Koperasi Ikut Ubah")
    changer = official(cooperative, "pengurus_ubah")
    follower = UserFactory(username="pengikut_ubah")
    notifications.remember_language(user=follower, language="en")
    client.force_login(follower)
    client.post(f"/ikuti/koperasi/{cooperative.slug}/")
    edited = Cooperative.objects.get(pk=cooperative.pk)
    edited.phone, edited.website = "022-555-1234", "https://koperasi-ikut.example.org"
    registry_services.cooperative_update(user=changer, cooperative=edited, sectors=[], version=edited.version)
    assert mine(follower) == []  # proposed only: visitors still see the verified profile
    revision = Revision.objects.get()

    revision_verify(curator=CuratorFactory(), pk=revision.pk, seen=revision.base_version)

    [row] = mine(follower, NotificationKind.FOLLOWED)
    assert row.subject == "Koperasi Ikut Ubah changed"
    assert row.body.endswith("Changed: website, phone.")  # the model's order, in English
    assert row.url == f"/koperasi/{cooperative.slug}/"
    assert mine(changer) == []  # the official follows nothing


def test_a_curators_edit_of_a_verified_record_tells_its_followers(db):
    from kopnet.services import curator_save

    partner = PartnerFactory(name="PT Diikuti")
    follower = UserFactory(username="pengikut_mitra")
    notifications.follow(user=follower, record=partner)
    partner.name = "PT Diikuti Baru"
    curator_save(curator=CuratorFactory(), record=partner, fields=["name"], version=partner.version)

    [row] = mine(follower, NotificationKind.FOLLOWED)
    assert (row.subject, row.url) == ("PT Diikuti Baru berubah", f"/mitra/{partner.slug}/")
    assert "Diubah: nama." in row.body

    pending = PartnerFactory(name="PT Belum", verification=Verification.PENDING)
    notifications.follow(user=follower, record=pending)
    pending.name = "PT Belum Juga"
    curator_save(curator=CuratorFactory(), record=pending, fields=["name"], version=pending.version)
    assert len(mine(follower)) == 1  # nothing public changed
