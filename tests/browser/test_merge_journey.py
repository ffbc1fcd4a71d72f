"""Issue 13 §5 in the browser: a curator opens the candidate duplicates from the
admin's index, reads why two cooperatives look like one (the same legal entity
number, names alike), keeps the verified record and merges the later one into it;
the merged record's address then leads a visitor to the one kept, with its
partnerships. axe finds no serious problem on the page."""

import datetime

from playwright.sync_api import expect

from kopnet.models import Verification
from tests.browser.session import sign_in
from tests.browser.test_accessibility import axe_violations
from tests.factories import CooperativeFactory, CuratorFactory, PartnerFactory, PartnershipFactory


def test_a_curator_merges_two_duplicates_and_the_old_address_leads_to_the_one_kept(
    live_server, transactional_db, page, screen
):
    kept = CooperativeFactory(name="Koperasi Nelayan Bahari Sejahtera", legal_number="AHU-0042.AH.01.26")
    duplicate = CooperativeFactory(
        name="Koperasi Nelayan Bahari Sejahtera Pangandaran", legal_number="AHU-0042.AH.01.26",
        verification=Verification.PENDING, founded=datetime.date(2001, 1, 1),
    )  # fmt: skip
    partner = PartnerFactory(name="PT Perikanan Samudra")
    PartnershipFactory(title="Pemasaran ikan tangkapan", initiator=duplicate, parties=[duplicate, partner])
    sign_in(page.context, live_server, CuratorFactory(username="kurator_ganda"))

    page.goto(f"{live_server.url}/admin/")
    page.locator("#curator-queue").get_by_role("link", name="koperasi", exact=True).click()
    expect(page.get_by_role("heading", name="Calon data ganda: koperasi")).to_be_visible()
    pair = page.locator("tr.kopnet-duplicate")
    expect(pair).to_have_count(1)
    expect(pair).to_contain_text("Nomor badan hukum yang sama: AHU-0042.AH.01.26")
    expect(pair).to_contain_text("Nama mirip")
    assert axe_violations(page) == []
    screen(page, "admin-duplicates")

    pair.get_by_role("button", name=f"Pertahankan {kept.name}, gabungkan yang lain ke dalamnya").click()
    expect(page.locator(".messagelist")).to_contain_text(f"{duplicate.name} digabungkan ke {kept.name}")
    expect(page.locator("tr.kopnet-duplicate")).to_have_count(0)

    visitor = page.context.browser.new_page()
    visitor.goto(f"{live_server.url}/koperasi/{duplicate.slug}/")
    expect(visitor).to_have_url(f"{live_server.url}/koperasi/{kept.slug}/")
    expect(visitor.get_by_role("heading", level=1)).to_contain_text(kept.name)
    expect(visitor.get_by_role("link", name="Pemasaran ikan tangkapan")).to_be_visible()
    visitor.close()
