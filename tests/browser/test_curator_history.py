"""A curator's journey: the admin's address sends to the one sign-in page and back;
a pending cooperative verified with the button on its own page; its history read
in words (the label "Terverifikasi", the reason as a sentence, who); a
partnership's history with its party's answer and its document, in both languages
and on a phone, with no serious accessibility problem."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from kopnet.models import Verification
from partnerships import services as partnership_services
from partnerships.models import Confirmation, PartnershipDocument
from registry.models import Cooperative
from tests.browser.test_accessibility import axe_violations, set_language
from tests.factories import (
    PASSWORD,
    CooperativeFactory,
    CuratorFactory,
    PartnershipFactory,
    PartyFactory,
    RepresentationFactory,
    UserFactory,
)

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def no_sideways_scroll(page):
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def test_a_curator_verifies_on_the_records_page_and_reads_its_history(
    live_server, transactional_db, page, settings, tmp_path, screen
):
    settings.MEDIA_ROOT = tmp_path / "media"
    curator = CuratorFactory(username="kurator")
    pending = CooperativeFactory(name="Koperasi Tani Harapan", verification=Verification.PENDING)
    initiator = CooperativeFactory(name="Koperasi Pemrakarsa")
    partnership = PartnershipFactory(
        title="Pemasaran Bersama Gabah", initiator=initiator, parties=[initiator], verification=Verification.PENDING
    )
    party = PartyFactory(partnership=partnership, organisation=pending, confirmation=Confirmation.PENDING)
    official = UserFactory(username="pengurus_harapan")
    RepresentationFactory(user=official, cooperative=pending)
    partnership_services.party_confirm(user=official, party_id=party.pk)
    partnership_services.attach_documents(
        partnership,
        [PartnershipDocument(title="Surat Perjanjian", date=datetime.date(2024, 3, 1), file=SimpleUploadedFile("mou.pdf", PDF))],
        official,
    )
    change = f"/admin/registry/cooperative/{pending.pk}/change/"

    # The admin's address sends to the site's sign-in page, and back.
    page.goto(live_server.url + change)
    page.wait_for_url("**/akun/masuk/?next=*")
    expect(page.get_by_role("heading", name="Masuk")).to_be_visible()
    assert axe_violations(page) == []
    screen(page, "sign-in-from-admin-1280")
    page.set_viewport_size({"width": 375, "height": 800})
    assert no_sideways_scroll(page)
    screen(page, "sign-in-from-admin-375")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.locator("#id_username").fill("kurator")
    page.locator("#id_password").fill(PASSWORD)
    page.locator('main button[type="submit"]').click()
    page.wait_for_url(f"**{change}")

    # Verify, with the button under the record's own form.
    page.locator('input[name="_verify"]').click()
    expect(page.locator(".messagelist")).to_be_visible()
    assert Cooperative.objects.get(pk=pending.pk).verification == Verification.VERIFIED

    # Its history, in words.
    page.locator("a.historylink").click()
    page.wait_for_url("**/history/")
    table = page.locator("#change-history")
    expect(table).to_contain_text("Terverifikasi")
    expect(table).to_contain_text("Menunggu verifikasi")
    expect(table).to_contain_text("Diverifikasi oleh kurator.")
    expect(table).to_contain_text("kurator")
    expect(page.get_by_role("button", name="Kembalikan")).to_have_count(0)
    assert axe_violations(page) == []
    screen(page, "admin-history-cooperative-1280")
    # A version's own page is to read: no "Revert" (Kembalikan) on it.
    page.locator("#change-history a").last.click()
    page.wait_for_url("**/history/*/")
    expect(page.locator("#content")).to_be_visible()
    expect(page.locator('input[name="_save"]')).to_have_count(0)
    screen(page, "admin-history-version-1280")

    # A partnership's history: its party's answer and its document among its own lines.
    history = f"{live_server.url}/admin/partnerships/partnership/{partnership.pk}/history/"
    page.goto(history)
    table = page.locator("#change-history")
    expect(table).to_contain_text("Pihak Koperasi Tani Harapan")
    expect(table).to_contain_text("Menunggu konfirmasi")
    expect(table).to_contain_text("Dokumen diunggah: Surat Perjanjian")
    expect(table).to_contain_text("Koperasi yang menjadi pihak mengonfirmasi kerja sama ini.")
    assert axe_violations(page) == []
    screen(page, "admin-history-partnership-1280")

    # On a phone: each line a card, nothing wider than the screen.
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(history)
    expect(page.locator("#change-history")).to_be_visible()
    assert no_sideways_scroll(page)
    screen(page, "admin-history-partnership-375")

    # In English.
    set_language(page.context, live_server, "en")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(history)
    table = page.locator("#change-history")
    expect(table).to_contain_text("Party added: Koperasi Tani Harapan")
    expect(table).to_contain_text("Document uploaded: Surat Perjanjian")
    expect(table).to_contain_text("Waiting for confirmation")
    assert axe_violations(page) == []
    screen(page, "admin-history-partnership-en-1280")
