"""The official's dashboard (issue 12): Decline opens its reason only when chosen; a
decline sent without a reason says so on its own card (the others stay); with a
reason it is recorded; the list of the cooperatives' partnerships filters; at 375 px
nothing is wider than the phone."""

from django.conf import settings
from playwright.sync_api import expect

from partnerships.models import Confirmation
from tests.browser.official_data import cooperatives, database, migrated_data, official, open_as
from tests.browser.test_mobile import TOO_WIDE
from tests.factories import CooperativeFactory, PartnershipFactory

__all__ = ["cooperatives", "database", "migrated_data", "official", "open_as"]


def test_decline_asks_its_reason_on_its_card_and_the_list_filters(live_server, open_as, cooperatives, official, screen):
    own = cooperatives["own"]
    first = PartnershipFactory(title="Pengadaan pupuk bersama", initiator=CooperativeFactory(), verification="pending")
    second = PartnershipFactory(title="Simpan pinjam antarkoperasi", initiator=CooperativeFactory(), verification="pending")
    for partnership in (first, second):
        partnership.parties.create(cooperative=own)
    page = open_as(official)
    page.goto(live_server.url + "/akun/")

    cards = page.locator("li.card")
    expect(cards).to_have_count(2)
    card = cards.filter(has_text="Pengadaan pupuk bersama")
    reason = card.locator("textarea")
    expect(reason).to_be_hidden()
    card.get_by_role("button", name="Tolak").click()
    expect(reason).to_be_visible()
    expect(reason).to_be_focused()

    # Sent empty: the error on this card, the other card still there, nothing recorded.
    card.get_by_role("button", name="Tolak").click()
    card = page.locator("li.card").filter(has_text="Pengadaan pupuk bersama")
    expect(card.locator(".invalid-feedback")).to_be_visible()
    expect(page.locator("li.card")).to_have_count(2)
    assert first.parties.get(cooperative=own).confirmation == Confirmation.PENDING
    screen(page, "dashboard-decline-error")

    card.locator("textarea").fill("Harga pupuk belum disepakati")
    card.get_by_role("button", name="Tolak").click()
    expect(page.locator("li.card")).to_have_count(1)
    assert first.parties.get(cooperative=own).confirmation == Confirmation.DECLINED

    # The list of the cooperative's partnerships, filtered by a word of the title.
    page.get_by_label("Judul atau nomor referensi").fill("pinjam")
    page.get_by_role("button", name="Terapkan").click()
    rows = page.locator("section[aria-labelledby=registered-heading] tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Simpan pinjam antarkoperasi")

    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(live_server.url + "/akun/")
    assert page.evaluate(TOO_WIDE) == []
    screen(page, "dashboard-phone")
