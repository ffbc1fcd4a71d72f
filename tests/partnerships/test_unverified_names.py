"""A verified partnership names verified organisations only, and no public page, CSV
or JSON shows the name of an organisation the curators have not verified, nor why a
party declined: the parties and the curators still read what concerns them."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from kopnet.models import Verification
from partnerships import services
from partnerships.models import Confirmation, Partnership
from registry.models import Cooperative, Partner, RepresentationState
from tests.factories import (
    CooperativeFactory,
    CuratorFactory,
    PartnerFactory,
    PartnershipFactory,
    PartyFactory,
    RepresentationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

SECRET = "PT Belum Diverifikasi Sama Sekali"
PLACEHOLDER = "Organisasi yang menunggu verifikasi"


@pytest.fixture
def pending_partner():
    return PartnerFactory(name=SECRET, verification=Verification.PENDING)


@pytest.fixture
def verified_with_pending_partner(cooperative_a, cooperative_b, pending_partner):
    """A verified partnership whose partner is not verified (data from before the
    rule, or a partner rejected after the partnership was verified)."""
    return PartnershipFactory(
        initiator=cooperative_a, parties=[cooperative_a, cooperative_b, pending_partner], title="Kerjasama Gula"
    )


# --- the rule ----------------------------------------------------------------------


def waiting_partnership(cooperative_a, cooperative_b, organisation):
    partnership = PartnershipFactory(
        initiator=cooperative_a, parties=[cooperative_a, cooperative_b, organisation],
        verification=Verification.PENDING,
    )  # fmt: skip
    return partnership


def test_verify_is_refused_while_a_party_organisation_is_unverified_and_names_it(
    cooperative_a, cooperative_b, pending_partner
):
    partnership = waiting_partnership(cooperative_a, cooperative_b, pending_partner)

    with pytest.raises(ValidationError) as refused:
        services.partnership_verify(curator=CuratorFactory(), pk=partnership.pk)

    assert refused.value.code == "unverified"
    assert SECRET in " ".join(refused.value.messages)
    partnership.refresh_from_db()
    assert partnership.verification == Verification.PENDING


def test_the_curator_verifies_the_organisations_in_the_same_step(cooperative_a, cooperative_b, pending_partner):
    pending_cooperative = CooperativeFactory(name="Koperasi Baru Daftar", verification=Verification.PENDING)
    partnership = waiting_partnership(cooperative_a, cooperative_b, pending_partner)
    PartyFactory(partnership=partnership, organisation=pending_cooperative)
    curator = CuratorFactory()

    services.partnership_verify(curator=curator, pk=partnership.pk, verify_organisations=True)

    assert Partnership.objects.get(pk=partnership.pk).verification == Verification.VERIFIED
    assert Partner.objects.get(pk=pending_partner.pk).verification_by == curator
    assert Cooperative.objects.get(pk=pending_cooperative.pk).verification == Verification.VERIFIED


def test_a_declined_party_is_never_verified_by_an_override_note(cooperative_a, cooperative_b):
    partnership = PartnershipFactory(
        initiator=cooperative_a, parties=[cooperative_a, cooperative_b], verification=Verification.PENDING
    )
    partnership.parties.filter(cooperative=cooperative_b).update(
        confirmation=Confirmation.DECLINED, decline_reason="Tidak pernah sepakat"
    )

    with pytest.raises(ValidationError) as refused:
        services.partnership_verify(curator=CuratorFactory(), pk=partnership.pk, override_note="Sudah ditelepon")

    assert refused.value.code == "declined"
    assert Partnership.objects.get(pk=partnership.pk).verification == Verification.PENDING


# --- what visitors read ------------------------------------------------------------


def test_the_partnership_page_hides_the_name_from_visitors(visitor, verified_with_pending_partner):
    response = visitor.get(reverse("partnerships:partnership_detail", args=[verified_with_pending_partner.reference]))

    content = response.content.decode()
    assert response.status_code == 200
    assert SECRET not in content
    assert PLACEHOLDER in content


def test_the_list_and_its_csv_hide_the_name_from_visitors(visitor, verified_with_pending_partner):
    page = visitor.get("/kerjasama/")
    csv = visitor.get("/kerjasama/?format=csv")

    assert "Kerjasama Gula" in page.content.decode()
    assert SECRET not in page.content.decode()
    body = b"".join(csv.streaming_content).decode()
    assert "Kerjasama Gula" in body
    assert SECRET not in body
    assert PLACEHOLDER in body


def test_searching_for_the_name_finds_nothing_for_visitors(visitor, verified_with_pending_partner):
    response = visitor.get("/kerjasama/", {"q": "Belum Diverifikasi"})

    assert response.status_code == 200
    assert list(response.context["object_list"]) == []


def test_the_network_data_of_the_other_cooperative_hides_the_name(visitor, verified_with_pending_partner, cooperative_b):
    response = visitor.get(reverse("registry:cooperative_detail", args=[cooperative_b.slug]))

    content = response.content.decode()
    assert response.status_code == 200
    assert "Kerjasama Gula" in content  # the partnership is there, drawn and listed
    assert SECRET not in content
    assert PLACEHOLDER in content


def test_the_cooperative_network_page_never_names_an_unverified_organisation(
    visitor, verified_with_pending_partner, cooperative_a, cooperative_b, page_cache
):
    # The renamed one stays pending: its new name is unchecked.
    renamed = CooperativeFactory(name="Koperasi Sah")
    PartnershipFactory(initiator=cooperative_a, parties=[cooperative_a, renamed], title="Kerjasama Ikan")
    Cooperative.objects.filter(pk=renamed.pk).update(
        name="UNVERIFIED NEW NAME - call 0800-SCAM", verification=Verification.PENDING
    )

    for cooperative in (cooperative_a, cooperative_b):
        url = reverse("partnerships:cooperative_network", args=[cooperative.slug])
        page_cache.warm(url)  # a curator, who reads the names, asked for it first
        response = visitor.get(url)

        content = response.content.decode()
        assert response.status_code == 200
        assert "Kerjasama Gula" in content  # the partnership is drawn
        assert SECRET not in content
        assert "0800-SCAM" not in content
        assert PLACEHOLDER in content


def test_a_renamed_cooperative_sent_back_to_verification_is_not_named(visitor, cooperative_a, cooperative_b):
    PartnershipFactory(initiator=cooperative_a, parties=[cooperative_a, cooperative_b], title="Kerjasama Ikan")
    Cooperative.objects.filter(pk=cooperative_b.pk).update(
        name="UNVERIFIED NEW NAME - call 0800-SCAM", verification=Verification.PENDING
    )

    pages = [
        visitor.get(reverse("registry:cooperative_detail", args=[cooperative_a.slug])),
        visitor.get("/kerjasama/"),
        visitor.get("/kerjasama/", {"q": "SCAM"}),
    ]

    assert all(page.status_code == 200 for page in pages)
    assert not any("0800-SCAM" in page.content.decode() for page in pages)
    assert b"0800-SCAM" not in b"".join(visitor.get("/kerjasama/?format=csv").streaming_content)


# --- what the parties and curators read --------------------------------------------


def test_the_parties_officials_and_curators_still_read_the_name_of_a_waiting_partnership(
    client, cooperative_a, cooperative_b, pending_partner, curator_user
):
    partnership = waiting_partnership(cooperative_a, cooperative_b, pending_partner)
    official_b = UserFactory()
    RepresentationFactory(user=official_b, cooperative=cooperative_b)
    url = reverse("partnerships:partnership_detail", args=[partnership.reference])

    for user in (official_b, curator_user):
        client.force_login(user)
        assert SECRET in client.get(url).content.decode()


def test_a_decline_reason_is_read_by_the_parties_not_by_visitors(
    client, cooperative_a, cooperative_b, pending_partner
):
    partnership = PartnershipFactory(initiator=cooperative_a, parties=[cooperative_a, cooperative_b])
    partnership.parties.filter(cooperative=cooperative_b).update(
        confirmation=Confirmation.DECLINED, decline_reason="Alasan rahasia kami"
    )
    url = reverse("partnerships:partnership_detail", args=[partnership.reference])

    assert "Alasan rahasia kami" not in client.get(url).content.decode()
    official_a = UserFactory()
    RepresentationFactory(user=official_a, cooperative=cooperative_a)
    client.force_login(official_a)
    assert "Alasan rahasia kami" in client.get(url).content.decode()


# --- links and search follow the policy's "view" and names -------------------------


OWN_PENDING = "Koperasi Baru Kami Menunggu"


@pytest.fixture
def official_with_pending_organisations(cooperative_a, cooperative_b):
    """Official of cooperative_a, who proposed a pending partner and asked to represent
    a pending cooperative; a waiting partnership of theirs names both, and forms that
    pending cooperative as its new entity."""
    user = UserFactory()
    RepresentationFactory(user=user, cooperative=cooperative_a)
    partner = PartnerFactory(name=SECRET, verification=Verification.PENDING, proposed_by=user)
    pending_cooperative = CooperativeFactory(name=OWN_PENDING, verification=Verification.PENDING)
    RepresentationFactory(user=user, cooperative=pending_cooperative, state=RepresentationState.REQUESTED)
    partnership = PartnershipFactory(
        initiator=cooperative_a, parties=[cooperative_a, cooperative_b, partner, pending_cooperative],
        verification=Verification.PENDING, title="Kerjasama Menunggu",
        new_entity=True, new_entity_name="Entitas Baru", new_entity_cooperative=pending_cooperative,
    )  # fmt: skip
    return user, partner, pending_cooperative, partnership


def test_an_official_links_to_their_own_pending_organisations(client, official_with_pending_organisations):
    user, partner, pending_cooperative, partnership = official_with_pending_organisations
    partner_url = reverse("registry:partner_detail", args=[partner.slug])
    cooperative_url = reverse("registry:cooperative_detail", args=[pending_cooperative.slug])
    client.force_login(user)

    # They may open both pages, so they are linked wherever they are named.
    assert client.get(partner_url).status_code == client.get(cooperative_url).status_code == 200
    page = client.get(reverse("partnerships:partnership_detail", args=[partnership.reference])).content.decode()
    assert f'href="{partner_url}"' in page
    # The party's link and the new entity's.
    assert page.count(f'href="{cooperative_url}"') == 2
    listed = client.get("/kerjasama/").content.decode()
    assert f'href="{partner_url}"' in listed and f'href="{cooperative_url}"' in listed


def test_another_partys_official_reads_the_names_without_a_link(
    client, cooperative_b, official_with_pending_organisations
):
    _, partner, pending_cooperative, partnership = official_with_pending_organisations
    official_b = UserFactory()
    RepresentationFactory(user=official_b, cooperative=cooperative_b)
    client.force_login(official_b)

    page = client.get(reverse("partnerships:partnership_detail", args=[partnership.reference])).content.decode()
    assert SECRET in page and OWN_PENDING in page
    assert reverse("registry:partner_detail", args=[partner.slug]) not in page
    assert reverse("registry:cooperative_detail", args=[pending_cooperative.slug]) not in page


def test_curators_link_to_pending_organisations_and_visitors_do_not(
    client, visitor, curator_user, verified_with_pending_partner, pending_partner
):
    partner_url = reverse("registry:partner_detail", args=[pending_partner.slug])
    page_url = reverse("partnerships:partnership_detail", args=[verified_with_pending_partner.reference])
    for url in (page_url, "/kerjasama/"):
        assert partner_url not in visitor.get(url).content.decode()
    client.force_login(curator_user)
    for url in (page_url, "/kerjasama/"):
        assert f'href="{partner_url}"' in client.get(url).content.decode()


def found(client, text):
    return [row.reference for row in client.get("/kerjasama/", {"q": text}).context["object_list"]]


def test_a_curator_finds_a_partnership_by_a_pending_partys_name(
    client, visitor, curator_user, cooperative_a, cooperative_b, verified_with_pending_partner
):
    pending_cooperative = CooperativeFactory(name=OWN_PENDING, verification=Verification.PENDING)
    waiting = waiting_partnership(cooperative_a, cooperative_b, pending_cooperative)

    assert found(visitor, "Belum Diverifikasi") == found(visitor, "Baru Kami") == []
    client.force_login(curator_user)
    assert found(client, "Belum Diverifikasi") == [verified_with_pending_partner.reference]
    assert found(client, "Baru Kami") == [waiting.reference]


def test_an_official_finds_a_partnership_by_their_own_pending_organisations_names(
    client, official_with_pending_organisations
):
    user, _, _, partnership = official_with_pending_organisations
    client.force_login(user)

    assert found(client, "Belum Diverifikasi") == found(client, "Baru Kami") == [partnership.reference]
    # Verified parties' names as for everyone.
    assert found(client, "Nelayan Sejahtera") == [partnership.reference]
