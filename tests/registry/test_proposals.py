"""An official proposes that their cooperative join a federation; the federation's
officials (or a curator) confirm or refuse; the proposer's side may withdraw. Each
step through registry.services, told to the other side, with a clear 4xx for what
the rules refuse."""

import html
import re
from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from kopnet.models import Notification, NotificationKind, Verification
from registry import services
from registry.models import Membership, MembershipProposal, ProposalState, Scope, Tier
from tests.admin_actions import confirmed_action
from tests.factories import CooperativeFactory, MembershipFactory, RepresentationFactory, UserFactory

pytestmark = pytest.mark.django_db


def text_of(response):
    """The page's words, one space between them."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


@pytest.fixture
def federation():
    return CooperativeFactory(
        name="Pusat Koperasi Tani Jawa Barat", tier=Tier.SEKUNDER, scope=Scope.PROVINSI, individual_members=None
    )


@pytest.fixture
def federation_official(federation):
    user = UserFactory(username="ketua_puskop")
    RepresentationFactory(user=user, cooperative=federation)
    return user


@pytest.fixture
def official_user(official):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="official_a")


def propose(official, cooperative, chosen, **data):
    return official.post(
        f"/koperasi/{cooperative.slug}/gabung/",
        {"q": "Pusat", "federation": chosen.slug, "start_date": "2021-03-01", **data},
    )


def test_an_official_finds_the_federation_and_proposes(official, official_user, cooperative_a, federation, federation_official):
    CooperativeFactory(name="Pusat Koperasi Primer", tier=Tier.PRIMER)  # a primary takes no cooperatives
    page = official.get(f"/koperasi/{cooperative_a.slug}/gabung/?q=Pusat")
    assert page.status_code == 200
    assert federation.name in text_of(page) and "Pusat Koperasi Primer" not in text_of(page)

    response = propose(official, cooperative_a, federation, note="Keputusan RAT 2021.")
    proposal = MembershipProposal.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/keanggotaan/usulan/{proposal.pk}/"
    assert (proposal.member, proposal.federation, proposal.start_date) == (cooperative_a, federation, date(2021, 3, 1))
    assert (proposal.state, proposal.proposed_by, proposal.note) == (ProposalState.PROPOSED, official_user, "Keputusan RAT 2021.")
    assert not Membership.objects.exists()  # nothing recorded before the federation answers
    told = Notification.objects.get(user=federation_official)
    assert told.kind == NotificationKind.MEMBERSHIP_PROPOSED and told.url == f"/keanggotaan/usulan/{proposal.pk}/"
    assert cooperative_a.name in told.subject and "bergabung" in told.subject
    assert [message.to for message in mail.outbox] == [[federation_official.email]]
    # Both sides see it on their dashboards.
    assert "Menunggu federasi" in text_of(official.get("/akun/"))


def test_the_profile_offers_its_officials_the_proposal(official, cooperative_a, visitor):
    assert f"/koperasi/{cooperative_a.slug}/gabung/" in official.get(f"/koperasi/{cooperative_a.slug}/").content.decode()
    visitor.logout()
    assert f"/koperasi/{cooperative_a.slug}/gabung/" not in visitor.get(f"/koperasi/{cooperative_a.slug}/").content.decode()


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("future", "Tanggal ini berada di masa mendatang"),
        ("no federation", "Pilih federasi dari hasil pencarian"),
        ("forged federation", "Pilih federasi terverifikasi dari hasil pencarian"),
        ("primary", "Pilih federasi terverifikasi dari hasil pencarian"),
        ("higher tier", "tidak dapat menjadi anggota Koperasi sekunder"),
        ("already a member", "sudah menjadi anggota"),
        ("waiting", "sudah mengusulkan"),
        ("bad date", "Masukkan tanggal yang valid"),
    ],
)
def test_what_the_rules_refuse_is_a_400_at_its_field(official, cooperative_a, federation, case, expected):
    data = {}
    if case == "future":
        data["start_date"] = (timezone.localdate() + timedelta(days=2)).isoformat()
    elif case == "no federation":
        data["federation"] = ""
    elif case == "forged federation":
        data["federation"] = "tidak-ada\x00"
    elif case == "primary":
        data["federation"] = CooperativeFactory().slug
    elif case == "higher tier":
        cooperative_a.tier, cooperative_a.individual_members = Tier.INDUK, None
        cooperative_a.save()
    elif case == "already a member":
        MembershipFactory(member=cooperative_a, federation=federation)
    elif case == "waiting":
        propose(official, cooperative_a, federation)
    elif case == "bad date":
        data["start_date"] = "31-31-2021"
    before = MembershipProposal.objects.count()
    response = propose(official, cooperative_a, federation, **data)
    assert response.status_code == 400
    assert expected in text_of(response)
    assert MembershipProposal.objects.count() == before


def test_only_an_official_of_the_cooperative_proposes(other_official, cooperative_a, federation):
    assert propose(other_official, cooperative_a, federation).status_code == 404
    assert not MembershipProposal.objects.exists()


@pytest.fixture
def proposal(official, cooperative_a, federation, federation_official):
    propose(official, cooperative_a, federation)
    mail.outbox.clear()
    return MembershipProposal.objects.get()


def test_the_federation_confirms_and_the_membership_is_recorded(client, proposal, federation_official, official_user, cooperative_a):
    client.force_login(federation_official)
    page = client.get(f"/keanggotaan/usulan/{proposal.pk}/")
    assert "Konfirmasi keanggotaan" in text_of(page)
    assert "Menunggu jawaban Anda" in text_of(client.get("/akun/"))
    response = client.post(f"/keanggotaan/usulan/{proposal.pk}/konfirmasi/")
    assert response.status_code == 302
    proposal.refresh_from_db()
    membership = Membership.objects.get()
    assert (proposal.state, proposal.decided_by, proposal.membership) == (ProposalState.CONFIRMED, federation_official, membership)
    assert (membership.member, membership.federation, membership.start_date) == (cooperative_a, proposal.federation, date(2021, 3, 1))
    told = Notification.objects.get(user=official_user, kind=NotificationKind.MEMBERSHIP_DECIDED)
    assert "sekarang anggota" in told.subject
    assert [message.to for message in mail.outbox] == [[official_user.email]]
    # The profile shows the federation above it, for everyone.
    client.logout()
    assert proposal.federation.name in text_of(client.get(f"/koperasi/{cooperative_a.slug}/"))
    # Answered once: a second confirmation is told it was decided.
    client.force_login(federation_official)
    again = client.post(f"/keanggotaan/usulan/{proposal.pk}/konfirmasi/")
    assert again.status_code == 400 and "sudah diputuskan" in text_of(again)
    assert Membership.objects.count() == 1


def test_a_refusal_needs_a_reason_and_the_proposer_reads_it(client, proposal, federation_official, official_user):
    client.force_login(federation_official)
    response = client.post(f"/keanggotaan/usulan/{proposal.pk}/tolak/", {"reason": "  "})
    assert response.status_code == 400 and "Sebutkan alasan usulan ini ditolak." in text_of(response)
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.PROPOSED
    response = client.post(f"/keanggotaan/usulan/{proposal.pk}/tolak/", {"reason": "Belum membayar simpanan pokok."})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.state, proposal.reason) == (ProposalState.REFUSED, "Belum membayar simpanan pokok.")
    told = Notification.objects.get(user=official_user, kind=NotificationKind.MEMBERSHIP_DECIDED)
    assert "Belum membayar simpanan pokok." in told.body
    assert not Membership.objects.exists()


def test_the_proposer_withdraws_and_nobody_else_does(client, official, proposal, federation_official):
    # The federation answers; it does not withdraw. The member does not confirm its own.
    client.force_login(federation_official)
    assert client.post(f"/keanggotaan/usulan/{proposal.pk}/tarik/").status_code == 400
    official.force_login(proposal.proposed_by)
    assert official.post(f"/keanggotaan/usulan/{proposal.pk}/konfirmasi/").status_code == 400
    assert official.post(f"/keanggotaan/usulan/{proposal.pk}/tarik/").status_code == 302
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.WITHDRAWN
    assert Notification.objects.filter(user=federation_official, kind=NotificationKind.MEMBERSHIP_DECIDED).count() == 1
    client.force_login(federation_official)
    late = client.post(f"/keanggotaan/usulan/{proposal.pk}/konfirmasi/")
    assert late.status_code == 400 and "ditarik" in text_of(late)
    assert not Membership.objects.exists()


def test_nobody_else_sees_or_answers_a_proposal(client, proposal):
    stranger = UserFactory(username="orang_lain")
    client.force_login(stranger)
    for path in ("", "konfirmasi/", "tolak/", "tarik/"):
        method = client.get if not path else client.post
        assert method(f"/keanggotaan/usulan/{proposal.pk}/{path}").status_code == 404
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.PROPOSED


def test_a_rule_broken_meanwhile_is_told_at_confirmation(client, proposal, federation_official, curator_user):
    # A curator recorded the membership in the admin while the proposal waited.
    services.membership_save(
        user=curator_user, membership=Membership(member=proposal.member, federation=proposal.federation, start_date=date(2019, 1, 1))
    )
    client.force_login(federation_official)
    response = client.post(f"/keanggotaan/usulan/{proposal.pk}/konfirmasi/")
    assert response.status_code == 400 and "sudah menjadi anggota" in text_of(response)
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.PROPOSED and Membership.objects.count() == 1


def test_a_curator_decides_in_the_admin(curator, proposal, curator_user):
    curator.force_login(curator_user)  # the same client as the proposing official's
    assert "Usulan bergabung dengan federasi" in text_of(curator.get("/admin/"))
    confirmed_action(curator, "/admin/registry/membershipproposal/", "verify_selected", [proposal])
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.CONFIRMED and Membership.objects.filter(member=proposal.member).exists()


def test_a_curator_refuses_with_a_reason_in_the_admin(curator, proposal, curator_user):
    curator.force_login(curator_user)
    confirmed_action(curator, "/admin/registry/membershipproposal/", "reject_selected", [proposal], reason="Bukan anggota.")
    proposal.refresh_from_db()
    assert (proposal.state, proposal.reason) == (ProposalState.REFUSED, "Bukan anggota.")


def test_a_pending_federation_cannot_be_chosen(official, cooperative_a, federation):
    federation.verification = Verification.PENDING
    federation.save()
    response = propose(official, cooperative_a, federation)
    assert response.status_code == 400
    assert not MembershipProposal.objects.exists()
