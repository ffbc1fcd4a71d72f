"""A change to a verified partnership waits beside it: the initiator proposes it, the
public keeps the verified partnership (its title, parties and documents), the other
cooperatives confirm a change of substance on their dashboards, and a curator reads
the differences and answers in the admin and publishes or rejects it."""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from kopnet.models import Revision, RevisionState, Verification
from kopnet.services import revision_reject, revision_verify
from partnerships import services
from partnerships.models import ChangeAnswer, Confirmation, Partnership, PartnershipDocument
from tests.factories import CuratorFactory, PartnerFactory, RepresentationFactory, UserFactory
from tests.partnerships.registration_data import edit_data, pdf
from tests.partnerships.test_register import registered

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def curator_user():
    return CuratorFactory(username="curator")


@pytest.fixture
def official_b(cooperative_b):
    user = UserFactory(username="official_b", email="b@example.org")
    RepresentationFactory(user=user, cooperative=cooperative_b)
    client = Client()
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def partnership(official, official_b, cooperative_a, cooperative_b, curator_user):
    """A verified partnership of cooperative A (initiator) and B, both confirmed."""
    user_a = get_user_model().objects.get(username="official_a")
    partnership = registered(user_a, cooperative_a, cooperative_b, title="Kerjasama simpan pinjam")
    party_b = partnership.parties.get(cooperative=cooperative_b)
    services.party_confirm(user=official_b.user, party_id=party_b.pk)
    services.partnership_verify(curator=curator_user, pk=partnership.pk)
    partnership.refresh_from_db()
    assert partnership.verification == Verification.VERIFIED
    mail.outbox.clear()
    return partnership


def propose(official, partnership, others, **changes):
    response = official.post(
        reverse("partnerships:partnership_update", args=[partnership.reference]),
        edit_data(partnership, others, **changes),
    )
    assert response.status_code == 302, problems(response)
    return Revision.objects.get(state=RevisionState.PENDING, object_id=partnership.pk)


def problems(response):
    registration = response.context["registration"]
    return (registration.form.errors, registration.parties.errors, registration.parties.non_form_errors(),
            registration.party_errors, registration.documents.errors)  # fmt: skip


def status_of(client, url):
    response = client.get(url)
    if response.streaming:
        # Read to its end: the test client then closes the file without closing the
        # connection the test's transaction runs on.
        b"".join(response.streaming_content)
    return response.status_code


def page(client, partnership):
    return client.get(reverse("partnerships:partnership_detail", args=[partnership.reference])).content.decode()


def test_the_public_keeps_the_verified_partnership_while_the_change_waits(official, partnership, cooperative_b):
    revision = propose(official, partnership, [cooperative_b], title="Judul baru yang belum diperiksa", value="999000000000")

    stored = Partnership.objects.get(pk=partnership.pk)
    assert (stored.title, stored.verification, stored.value) == ("Kerjasama simpan pinjam", Verification.VERIFIED, None)
    assert revision.changes["title"] == "Judul baru yang belum diperiksa"
    public = page(Client(), partnership)
    assert "Kerjasama simpan pinjam" in public and "Judul baru" not in public
    assert 'id="pending-change"' not in public
    mine = page(official, partnership)
    assert 'id="pending-change"' in mine and "Judul baru yang belum diperiksa" in mine
    assert "Perubahan menunggu" in official.get(reverse("partnerships:dashboard")).content.decode()


def test_a_change_of_substance_asks_the_other_cooperative_and_a_typo_fix_does_not(
    official, official_b, partnership, cooperative_b, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        propose(official, partnership, [cooperative_b], description="Salah ketik diperbaiki.")
    assert not ChangeAnswer.objects.exists()
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        revision = propose(official, partnership, [cooperative_b], title="Judul baru")

    answer = ChangeAnswer.objects.get()
    assert (answer.revision_id, answer.cooperative_id, answer.confirmation) == (revision.pk, cooperative_b.pk, Confirmation.PENDING)
    assert [message.to for message in mail.outbox] == [["b@example.org"]]
    # The confirmation of the verified partnership stands: it concerns what is published.
    assert partnership.parties.get(cooperative=cooperative_b).confirmation == Confirmation.CONFIRMED
    dashboard = official_b.get(reverse("partnerships:dashboard")).content.decode()
    assert 'id="changes"' in dashboard and f"/kerjasama/{partnership.reference}/#pending-change" in dashboard


def test_the_curator_cannot_publish_before_the_other_cooperative_confirms(official, official_b, partnership, cooperative_b, curator_user):
    revision = propose(official, partnership, [cooperative_b], title="Judul baru")

    with pytest.raises(ValidationError, match="Koperasi Nelayan Sejahtera") as refused:
        revision_verify(curator=curator_user, pk=revision.pk, seen=revision.base_version)
    assert refused.value.code == "pending"

    answer = ChangeAnswer.objects.get()
    version = Partnership.objects.get(pk=partnership.pk).version
    response = official_b.post(reverse("partnerships:change_confirm", args=[answer.pk]), {"version": version})
    assert response.status_code == 302
    revision_verify(curator=curator_user, pk=revision.pk, seen=revision.base_version)

    stored = Partnership.objects.get(pk=partnership.pk)
    assert (stored.title, stored.verification) == ("Judul baru", Verification.VERIFIED)
    assert "Judul baru" in page(Client(), partnership)


def test_a_declined_change_is_not_published_and_the_reason_reaches_the_curator(official, official_b, partnership, cooperative_b, curator_user):
    revision = propose(official, partnership, [cooperative_b], title="Judul baru")
    answer = ChangeAnswer.objects.get()
    version = Partnership.objects.get(pk=partnership.pk).version

    refused = official_b.post(reverse("partnerships:change_decline", args=[answer.pk]), {"version": version, "reason": ""})
    assert refused.status_code == 400
    official_b.post(reverse("partnerships:change_decline", args=[answer.pk]), {"version": version, "reason": "Judulnya keliru"})

    with pytest.raises(ValidationError, match="Koperasi Nelayan Sejahtera") as refused:
        revision_verify(curator=curator_user, pk=revision.pk, seen=revision.base_version)
    assert refused.value.code == "declined"
    curator = Client()
    curator.force_login(curator_user)
    admin_page = curator.get(reverse("admin:kopnet_revision_change", args=[revision.pk])).content.decode()
    assert "Judulnya keliru" in admin_page
    again = official_b.post(reverse("partnerships:change_confirm", args=[answer.pk]), {"version": version})
    assert again.status_code == 400  # already answered
    assert Partnership.objects.get(pk=partnership.pk).title == "Kerjasama simpan pinjam"


def test_only_the_asked_cooperative_answers(official, partnership, cooperative_b, client):
    propose(official, partnership, [cooperative_b], title="Judul baru")
    answer = ChangeAnswer.objects.get()
    stranger = Client()
    stranger.force_login(UserFactory(username="stranger"))

    assert stranger.post(reverse("partnerships:change_confirm", args=[answer.pk]), {}).status_code == 404
    assert official.post(reverse("partnerships:change_confirm", args=[answer.pk]), {}).status_code == 404
    assert Client().post(reverse("partnerships:change_confirm", args=[answer.pk]), {}).status_code == 302  # sign in
    assert ChangeAnswer.objects.get().confirmation == Confirmation.PENDING


def test_new_documents_wait_with_the_change_and_are_published_with_it(official, official_b, partnership, cooperative_b, curator_user):
    revision = propose(official, partnership, [cooperative_b], documents=[("Adendum", pdf("adendum.pdf"))])
    document = PartnershipDocument.objects.get(title="Adendum")
    url = reverse("partnerships:document_download", args=[partnership.reference, document.pk])

    assert document.published is False and revision.changes["documents"] == [document.pk]
    assert status_of(Client(), url) == 404
    assert "Adendum" not in page(Client(), partnership)
    assert status_of(official_b, url) == 200

    version = Partnership.objects.get(pk=partnership.pk).version
    official_b.post(reverse("partnerships:change_confirm", args=[ChangeAnswer.objects.get().pk]), {"version": version})
    revision_verify(curator=curator_user, pk=revision.pk, seen=revision.base_version)

    assert status_of(Client(), url) == 200
    assert "Adendum" in page(Client(), partnership)


def test_a_rejected_change_drops_its_documents(official, partnership, cooperative_b, curator_user, media_root):
    revision = propose(official, partnership, [cooperative_b], documents=[("Adendum", pdf("adendum.pdf"))])

    revision_reject(curator=curator_user, pk=revision.pk, reason="Dokumen tidak terbaca")

    assert not PartnershipDocument.objects.filter(title="Adendum").exists()
    assert Partnership.objects.get(pk=partnership.pk).verification == Verification.VERIFIED
    assert "Dokumen tidak terbaca" in page(official, partnership)


def test_new_parties_wait_and_an_unverified_one_blocks_publishing(official, official_b, partnership, cooperative_b, curator_user):
    bank = PartnerFactory(name="Bank Contoh Terverifikasi")
    # A partner the official proposed earlier: theirs to name while it waits.
    user_a = get_user_model().objects.get(username="official_a")
    pending = PartnerFactory(name="CV Belum Diperiksa", verification=Verification.PENDING, proposed_by=user_a)
    revision = propose(official, partnership, [cooperative_b, (bank, "funder"), (pending, "supplier")])

    assert sorted(row[1] or 0 for row in revision.changes["parties"]) == sorted([0, 0, bank.pk, pending.pk])
    public = page(Client(), partnership)
    assert "Bank Contoh" not in public and "CV Belum Diperiksa" not in public
    version = Partnership.objects.get(pk=partnership.pk).version
    official_b.post(reverse("partnerships:change_confirm", args=[ChangeAnswer.objects.get().pk]), {"version": version})
    with pytest.raises(ValidationError, match="CV Belum Diperiksa") as refused:
        revision_verify(curator=curator_user, pk=revision.pk, seen=revision.base_version)
    assert refused.value.code == "unverified"

    official.post(
        reverse("partnerships:partnership_update", args=[partnership.reference]),
        edit_data(partnership, [cooperative_b, (bank, "funder")]),
    )
    revision = Revision.objects.get(state=RevisionState.PENDING, object_id=partnership.pk)
    # The parties changed again: the other cooperative is asked again.
    assert ChangeAnswer.objects.get().confirmation == Confirmation.PENDING
    version = Partnership.objects.get(pk=partnership.pk).version
    official_b.post(reverse("partnerships:change_confirm", args=[ChangeAnswer.objects.get().pk]), {"version": version})
    revision_verify(curator=curator_user, pk=revision.pk, seen=revision.base_version)

    stored = Partnership.objects.get(pk=partnership.pk)
    assert stored.category == "kemitraan_usaha"
    assert sorted(str(party.organisation) for party in stored.parties.all()) == [
        "Bank Contoh Terverifikasi", "Koperasi Nelayan Sejahtera", "Koperasi Tani Makmur",
    ]  # fmt: skip
    assert all(party.confirmation == Confirmation.CONFIRMED for party in stored.parties.all())


def test_the_edit_form_opens_with_the_waiting_change(official, partnership, cooperative_b):
    propose(official, partnership, [cooperative_b], title="Judul baru")

    response = official.get(reverse("partnerships:partnership_update", args=[partnership.reference]))

    assert response.context["form"]["title"].value() == "Judul baru"
    assert 'id="revision-notice"' in response.content.decode()


def test_an_answer_to_a_change_replaced_meanwhile_is_refused(official, official_b, partnership, cooperative_b):
    propose(official, partnership, [cooperative_b], title="Judul baru")
    answer = ChangeAnswer.objects.get()
    opened = Partnership.objects.get(pk=partnership.pk).version
    propose(official, partnership, [cooperative_b], title="Judul lain lagi")

    response = official_b.post(reverse("partnerships:change_confirm", args=[answer.pk]), {"version": opened})

    assert response.status_code == 400
    assert "periksa kembali" in response.content.decode()  # "review it again", in the default language
    assert ChangeAnswer.objects.get().confirmation == Confirmation.PENDING
