"""The officials' and the curator's journeys (issue 4 §2, journeys 3, 4 and 5).

Each person has a browser context of their own, so that their sign-ins stay apart.
"""

import re

from django.core import mail
from playwright.sync_api import expect

from partnerships.models import Confirmation, Partnership
from registry.models import Representation, RepresentationState
from tests.browser.official_data import (
    OTHER,
    OWN,
    cooperatives,
    curator,
    database,
    field_container,
    files,
    fill_registration,
    media,
    migrated_data,
    nothing_saved,
    official,
    open_as,
)
from tests.factories import PASSWORD, CooperativeFactory, PartnershipFactory
from tests.partnerships.registration_data import stored_files

# Fixtures used by name in the tests below.
__all__ = ["cooperatives", "curator", "database", "files", "media", "migrated_data", "official", "open_as"]

REFERENCE = re.compile(r"/kerjasama/(KS-\d{4}-\d{6})/$")


def admin_action(page, row_text, action):
    """Tick the changelist row that shows `row_text`, choose the action and run it."""
    row = page.locator("#result_list tbody tr", has_text=row_text)
    row.locator("input.action-select").check()
    page.locator('select[name="action"]').select_option(action)
    page.locator('button[name="index"]').click()


def test_sign_up_represent_register_confirm_verify_and_find(
    live_server, open_as, cooperatives, curator, media, files, screen
):
    own, other = cooperatives["own"], cooperatives["other"]
    url = live_server.url

    # A new user signs up, opens the link mailed to them, then signs in.
    user = open_as(None)
    user.goto(url + "/akun/daftar/")
    user.locator("#id_username").fill("pengurus1")
    user.locator("#id_email").fill("pengurus1@example.org")
    user.locator("#id_password1").fill("Sawah-Subur-2026!")
    user.locator("#id_password2").fill("Sawah-Subur-2026!")
    user.get_by_role("button", name="Buat akun").click()
    user.wait_for_url(url + "/akun/daftar/terkirim/")
    (message,) = mail.outbox
    link = re.search(r"https?://\S+", message.body).group(0)
    user.goto(url + "/akun/email/" + link.split("/akun/email/", 1)[1])
    user.wait_for_url("**/akun/masuk/")
    expect(user.locator(".alert-success")).to_contain_text("pengurus1@example.org")
    user.locator("#id_username").fill("pengurus1")
    user.locator("#id_password").fill("Sawah-Subur-2026!")
    user.locator("form[action='/akun/masuk/'] button[type=submit]").click()
    user.wait_for_url(url + "/akun/")

    # They ask to represent their cooperative: search it, choose it, ask.
    user.get_by_role("link", name="Wakili koperasi").click()
    user.wait_for_url("**/akun/wakili/**")
    user.get_by_role("searchbox").or_(user.locator('input[name="q"]')).first.fill("Subur")
    user.get_by_role("button", name="Cari").click()
    user.get_by_label(OWN).check()
    user.get_by_role("button", name="Ajukan permohonan untuk mewakilinya").click()
    assert Representation.objects.get(user__username="pengurus1").state == RepresentationState.REQUESTED
    # Not an official yet: the registration form says what to do first.
    user.goto(url + "/kerjasama/baru/")
    expect(user.locator("main")).to_contain_text("Akun Anda belum mewakili koperasi mana pun")

    # kurator signs in to the admin (on the site's one sign-in page) and approves the request.
    admin = open_as(None)
    admin.goto(url + "/admin/login/?next=/admin/registry/representation/")
    admin.wait_for_url("**/akun/masuk/?next=*")
    admin.locator("#id_username").fill("kurator")
    admin.locator("#id_password").fill(PASSWORD)
    admin.locator('main button[type="submit"]').click()
    admin.wait_for_url("**/admin/registry/representation/")
    admin_action(admin, "pengurus1", "approve_selected")
    expect(admin.locator(".messagelist")).to_contain_text("1 perwakilan telah disetujui.")

    # The user registers a partnership with the other cooperative and a signed PDF.
    user.goto(url + "/kerjasama/baru/")
    expect(user.locator('select[name="cooperative"]')).to_have_value(str(own.pk))
    fill_registration(user, other, title="Pemasaran bersama gabah", start="2026-02-01", document=files["pdf"])
    # Both primary: horizontal is suggested, and ticked only when the official says so.
    expect(user.get_by_role("radio", name="Horizontal")).not_to_be_checked()
    user.get_by_role("button", name="Pakai saran ini").click()
    expect(user.get_by_role("radio", name="Horizontal")).to_be_checked()
    user.get_by_role("button", name="Daftarkan kerjasama").click()
    user.wait_for_url(REFERENCE)
    reference = REFERENCE.search(user.url)[1]
    partnership = Partnership.objects.get(reference=reference)
    assert [path.read_bytes() for path in stored_files(media)] == [files["pdf"].read_bytes()]
    expect(user.get_by_role("heading", level=1)).to_contain_text("Pemasaran bersama gabah")

    # The other cooperative's official confirms it from their dashboard.
    pengurus2 = open_as(cooperatives["pengurus2"])
    pengurus2.goto(url + "/akun/")
    waiting = pengurus2.locator("li.card", has_text=reference)
    expect(waiting).to_contain_text(OWN)
    waiting.get_by_role("button", name=re.compile(r"^Konfirmasi\b")).click()
    expect(pengurus2.locator("li.card", has_text=reference)).to_have_count(0)
    assert partnership.parties.get(cooperative=other).confirmation == Confirmation.CONFIRMED

    # kurator verifies it.
    admin.goto(url + "/admin/partnerships/partnership/")
    admin_action(admin, reference, "verify_selected")
    # The page lists it as it will be verified; its button verifies it.
    expect(admin.locator("#content")).to_contain_text(reference)
    admin.locator('#content form input[type="submit"]').click()
    expect(admin.locator(".messagelist")).to_be_visible()
    partnership.refresh_from_db()
    assert partnership.is_verified

    # A visitor finds it in the list and opens it.
    visitor = open_as(None)
    visitor.goto(url + "/kerjasama/")
    visitor.locator('input[name="q"]').fill("gabah")
    visitor.locator('input[name="q"]').press("Enter")
    visitor.wait_for_url("**/kerjasama/?*q=gabah*")
    visitor.get_by_role("link", name="Pemasaran bersama gabah").click()
    visitor.wait_for_url(f"**/kerjasama/{reference}/")
    expect(visitor.get_by_role("heading", level=1)).to_contain_text("Pemasaran bersama gabah")
    expect(visitor.locator("main")).to_contain_text(OWN)
    expect(visitor.locator("main")).to_contain_text(OTHER)
    expect(visitor.get_by_role("link", name="Perjanjian kerjasama")).to_be_visible()
    screen(visitor, "journey-3-partnership-found")


def assert_error_next_to(page, name, message):
    """The field `name` carries its error: the message shows inside the field's own
    block, right under the widget, and the widget points to it for screen readers."""
    widget = page.locator(f'[name="{name}"]')
    container = field_container(page, name)
    error = container.locator(".invalid-feedback")
    expect(error).to_be_visible()
    expect(error).to_contain_text(message)
    expect(widget).to_have_attribute("aria-invalid", "true")
    error_id = error.get_attribute("id")
    assert error_id in (widget.get_attribute("aria-describedby") or "").split()
    below = error.bounding_box()["y"] - (widget.bounding_box()["y"] + widget.bounding_box()["height"])
    assert 0 <= below < 40, f"the error of {name} is {below:.0f}px away from its field"


def test_refused_registration_says_why_next_to_each_field_and_saves_nothing(
    live_server, open_as, cooperatives, official, media, files, screen
):
    other = cooperatives["other"]
    page = open_as(official)
    summary = page.get_by_role("alert").filter(has_text="Kerjasama belum tersimpan")

    # A text file named .pdf.
    page.goto(live_server.url + "/kerjasama/baru/")
    fill_registration(page, other, title="Pemasaran bersama gabah", start="2026-02-01", document=files["fake"])
    page.get_by_role("button", name="Daftarkan kerjasama").click()
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Pilih kembali dokumennya")
    assert page.url == live_server.url + "/kerjasama/baru/"
    assert_error_next_to(page, "documents-0-file", "Hanya dokumen PDF, PNG, atau JPEG yang diterima")
    assert nothing_saved(media)
    # What was typed is kept; only the file must be chosen again.
    expect(page.locator('input[name="title"]')).to_have_value("Pemasaran bersama gabah")
    expect(page.locator('input[name="parties-0-organisation"]')).to_have_value(other.name)

    # A real PDF, but an end date before the start.
    page.goto(live_server.url + "/kerjasama/baru/")
    fill_registration(
        page, other, title="Pemasaran bersama gabah", start="2026-02-01", end="2025-12-31", document=files["pdf"]
    )
    page.get_by_role("button", name="Daftarkan kerjasama").click()
    expect(summary).to_be_visible()
    assert_error_next_to(page, "end_date", "Tanggal berakhir tidak boleh sebelum tanggal mulai.")
    assert nothing_saved(media)
    screen(page, "journey-4-registration-refused")


def test_another_cooperatives_pages_answer_not_found(live_server, open_as, cooperatives, official, screen):
    other = cooperatives["other"]
    third = CooperativeFactory(name="Koperasi Nelayan Bahari")
    pending = PartnershipFactory(
        title="Kerjasama yang belum diverifikasi", initiator=other, parties=[other, third], verification="pending"
    )
    page = open_as(official)
    for path in [f"/koperasi/{other.slug}/ubah/", f"/kerjasama/{pending.reference}/"]:
        response = page.goto(live_server.url + path)
        assert response.status == 404, path
        expect(page.get_by_role("heading", level=1)).to_have_text("Halaman tidak ditemukan")
        expect(page.locator("main")).not_to_contain_text(pending.title)
        expect(page.locator("main")).not_to_contain_text(other.name)
    # The official's own cooperative still opens: the 404 is about the other's pages.
    assert page.goto(live_server.url + f"/koperasi/{cooperatives['own'].slug}/ubah/").status == 200
    page.goto(live_server.url + f"/kerjasama/{pending.reference}/")
    screen(page, "journey-5-not-found")


def test_a_change_to_a_verified_profile_waits_for_the_curator_who_publishes_it(
    live_server, open_as, cooperatives, official, curator, screen
):
    own = cooperatives["own"]
    url = live_server.url
    page = open_as(official)
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(url + f"/koperasi/{own.slug}/ubah/")
    expect(page.locator("#revision-notice")).to_be_visible()
    page.locator("#id_phone").fill("+62 22 7654321")
    page.get_by_role("button", name="Simpan profil").click()
    page.wait_for_url(url + f"/koperasi/{own.slug}/")
    expect(page.locator("#pending-change")).to_contain_text("menunggu kurator Dekopin")
    screen(page, "journey-6-change-waits-375")
    # Visitors keep the verified profile.
    visitor = open_as(None)
    visitor.goto(url + f"/koperasi/{own.slug}/")
    expect(visitor.locator("main")).not_to_contain_text("+62 22 7654321")

    desk = open_as(curator)
    desk.goto(url + "/admin/kopnet/revision/")
    desk.locator("#result_list tbody tr", has_text=own.name).locator("th a, td a").first.click()
    expect(desk.locator("#content")).to_contain_text("+62 22 7654321")
    screen(desk, "journey-6-curator-reads-the-differences")
    # Published from the page that showed it, as read.
    desk.locator("input[name=_publish]").click()
    expect(desk.locator(".messagelist")).to_contain_text(own.name)

    visitor.goto(url + f"/koperasi/{own.slug}/")
    expect(visitor.locator("main")).to_contain_text("+62 22 7654321")


def test_a_change_to_a_verified_partnership_is_confirmed_by_the_other_party_and_published(
    live_server, open_as, cooperatives, official, curator, screen
):
    own, other = cooperatives["own"], cooperatives["other"]
    url = live_server.url
    partnership = PartnershipFactory(title="Pengadaan benih bersama", initiator=own, parties=[own, other])
    detail = url + f"/kerjasama/{partnership.reference}/"

    # The initiator's official changes the title on a phone.
    page = open_as(official)
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(detail + "ubah/")
    expect(page.locator("#revision-notice")).to_be_visible()
    page.locator("#id_title").fill("Pengadaan benih dan pupuk bersama")
    page.get_by_role("button", name="Simpan perubahan").click()
    page.wait_for_url(detail)
    expect(page.locator("#pending-change")).to_contain_text("Pengadaan benih dan pupuk bersama")
    screen(page, "journey-7-partnership-change-waits-375")
    visitor = open_as(None)
    visitor.goto(detail)
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Pengadaan benih bersama")

    # The other cooperative's official confirms it on the dashboard, in English.
    answering = open_as(cooperatives["pengurus2"])
    answering.context.add_cookies([{"name": "django_language", "value": "en", "url": url}])
    answering.set_viewport_size({"width": 1280, "height": 900})
    answering.goto(url + "/akun/")
    changes = answering.locator("#changes")
    expect(changes).to_contain_text("It changes: title")
    # What it changes, read on the partnership's page before answering.
    changes.get_by_role("link", name=re.compile("Read the change")).click()
    expect(answering.locator("#pending-change")).to_contain_text("Pengadaan benih dan pupuk bersama")
    answering.go_back()
    screen(answering, "journey-7-change-to-confirm-1280-en")
    changes.get_by_role("button", name=re.compile("Confirm the change")).click()
    expect(answering.locator(".alert-success")).to_contain_text("confirmed the change")

    # The curator reads it, with the answer, and publishes it from its page.
    desk = open_as(curator)
    desk.goto(url + "/admin/kopnet/revision/")
    desk.locator("#result_list tbody tr", has_text=partnership.reference).locator("th a, td a").first.click()
    expect(desk.locator("#content")).to_contain_text("Pengadaan benih dan pupuk bersama")
    expect(desk.locator("#content")).to_contain_text(OTHER)
    desk.locator("input[name=_publish]").click()
    expect(desk.locator(".messagelist")).to_contain_text(partnership.reference)

    visitor.goto(detail)
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Pengadaan benih dan pupuk bersama")
    assert Partnership.objects.get(pk=partnership.pk).verification == "verified"
