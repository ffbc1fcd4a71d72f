"""Joining a federation (issue 12, officials' profile): an official proposes on their
cooperative's profile that it join a federation, finds it by name, sends the form in
its sections (a date in the future is refused at its field first); the federation's
official sees it waiting on the dashboard, opens it and confirms; the member's
profile then shows the federation above it, for everyone. axe finds no serious
problem on the proposal's pages."""

import datetime

from django.utils import timezone
from playwright.sync_api import expect

from kopnet.models import NotificationKind
from registry.models import Membership, MembershipProposal, ProposalState, Scope, Tier
from tests.browser.official_data import cooperatives, curator, database, migrated_data, official, open_as
from tests.browser.test_accessibility import axe_violations, set_language
from tests.factories import CooperativeFactory, RepresentationFactory, UserFactory

__all__ = ["cooperatives", "curator", "database", "migrated_data", "official", "open_as"]


def test_an_official_proposes_and_the_federation_confirms(live_server, open_as, cooperatives, official, screen):
    own = cooperatives["own"]
    federation = CooperativeFactory(
        name="Pusat Koperasi Tani Priangan", tier=Tier.SEKUNDER, scope=Scope.PROVINSI, individual_members=None
    )
    chair = UserFactory(username="ketua_puskop", email="ketua@example.org")
    RepresentationFactory(user=chair, cooperative=federation)

    page = open_as(official)
    page.goto(f"{live_server.url}/koperasi/{own.slug}/")
    page.get_by_role("link", name="Usulkan bergabung dengan federasi").click()
    page.get_by_label("Nama, nama singkat, NIK Koperasi, atau nomor badan hukum").fill("Priangan")
    page.get_by_role("button", name="Cari").click()
    page.get_by_label("Pusat Koperasi Tani Priangan").check()
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    page.get_by_label("Anggota sejak").fill(tomorrow.isoformat())
    page.get_by_label("Catatan untuk federasi (opsional)").fill("Keputusan RAT 2025.")
    page.get_by_role("button", name="Usulkan keanggotaan").click()
    # Refused at its field; the choice and the note survive.
    expect(page.locator("#id_start_date_error")).to_contain_text("masa mendatang")
    expect(page.get_by_label("Pusat Koperasi Tani Priangan")).to_be_checked()
    expect(page.get_by_label("Catatan untuk federasi (opsional)")).to_have_value("Keputusan RAT 2025.")
    assert axe_violations(page) == []
    page.get_by_label("Anggota sejak").fill("2025-01-15")
    page.get_by_role("button", name="Usulkan keanggotaan").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"{own.name} mengusulkan bergabung dengan {federation.name}")
    expect(page.get_by_text("Menunggu federasi")).to_be_visible()
    screen(page, "proposal-sent")

    # The federation's official: on the dashboard, then on the proposal's page; it
    # reads the same in English, on a phone too.
    chair_page = open_as(chair)
    set_language(chair_page.context, live_server, "en")
    chair_page.goto(page.url)
    expect(chair_page.get_by_role("heading", level=1)).to_contain_text(f"{own.name} proposes to join {federation.name}")
    expect(chair_page.get_by_role("button", name="Confirm the membership")).to_be_visible()
    assert axe_violations(chair_page) == []
    screen(chair_page, "proposal-answer-en")
    chair_page.set_viewport_size({"width": 375, "height": 800})
    screen(chair_page, "proposal-answer-en-375")
    chair_page.set_viewport_size({"width": 1280, "height": 900})
    set_language(chair_page.context, live_server, "id")
    chair_page.goto(f"{live_server.url}/akun/")
    proposals = chair_page.locator("#proposals")
    expect(proposals).to_contain_text(f"{own.name} mengusulkan bergabung dengan {federation.name}")
    expect(chair_page.locator("#notifications")).to_contain_text(f"{own.name} mengusulkan bergabung")
    proposals.get_by_role("link", name="Jawab").click()
    assert axe_violations(chair_page) == []
    chair_page.get_by_role("button", name="Konfirmasi keanggotaan").click()
    expect(chair_page.get_by_text(f"{own.name} sekarang anggota {federation.name}.")).to_be_visible()

    proposal = MembershipProposal.objects.get()
    assert proposal.state == ProposalState.CONFIRMED
    assert Membership.objects.filter(member=own, federation=federation, start_date=datetime.date(2025, 1, 15)).exists()
    assert official.notifications.filter(kind=NotificationKind.MEMBERSHIP_DECIDED).count() == 1

    # Everyone sees the federation above the member.
    visitor = open_as(None)
    visitor.goto(f"{live_server.url}/koperasi/{own.slug}/")
    expect(visitor.locator("section[aria-labelledby=federations-heading]")).to_contain_text(federation.short_name or federation.name)
