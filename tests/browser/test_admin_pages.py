"""The curators' admin in a real browser under the Content-Security-Policy: its lists,
forms, histories, the import page with a bad file, the export page, an action that
asks for a note, the curators' queue and a rejection from a record's own page all work, and the browser reports nothing (tests/browser/conftest.py
fails a test on any CSP violation or console error)."""

from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.test import Client
from playwright.sync_api import expect

from registry.models import Cooperative
from tests.factories import CooperativeFactory
from tests.pages import build_pages


def test_admin_pages_work_under_the_policy(live_server, transactional_db, page, monkeypatch, settings, tmp_path, screen):
    build_pages(monkeypatch, settings, tmp_path)
    superuser = get_user_model().objects.create_superuser("pengelola", "pengelola@example.org", "sandi-yang-panjang-1")
    client = Client()
    client.force_login(superuser)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    cooperative = Cooperative.objects.order_by("pk").first()
    url = live_server.url + "/admin/registry/cooperative/"

    for path in ("/admin/", "/admin/registry/cooperative/", "/admin/registry/cooperative/add/",
                 f"/admin/registry/cooperative/{cooperative.pk}/change/",
                 f"/admin/registry/cooperative/{cooperative.pk}/history/",
                 "/admin/partnerships/partnership/", "/admin/axes/accessattempt/", "/admin/kopnet/outboxmessage/",
                 "/admin/otp_totp/totpdevice/"):  # fmt: skip
        assert page.goto(live_server.url + path).status == 200, path
        expect(page.locator("#content")).to_be_visible()

    # The export page (ExportForm: no selectable fields, whose template has inline code).
    page.goto(url + "export/")
    expect(page.locator("select[name=format]")).to_be_visible()

    # The import page with a file whose row is bad: the errors, styled from admin.css.
    page.goto(url + "import/")
    bad = tmp_path / "koperasi.csv"
    bad.write_text("slug,name,tier\n,,bukan-tingkat\n", encoding="utf-8")
    page.locator("input[type=file]").set_input_files(str(bad))
    page.locator("select[name=format]").select_option(label="csv")
    page.locator("input[type=submit]").click()
    expect(page.locator("h2").first).to_be_visible()
    screen(page, "admin-import-errors")

    # The second factor's set-up: its QR code drawn inline as SVG, under the policy.
    page.goto(live_server.url + "/akun/dua-faktor/")
    expect(page.locator(".kn-qr-code svg")).to_be_visible()
    screen(page, "second-factor-setup")

    # An action that asks for a note first.
    page.goto(url)
    page.locator("#result_list tbody tr").first.locator("input.action-select").check()
    page.locator('select[name="action"]').select_option("reject_selected")
    page.locator('button[name="index"]').click()
    expect(page.locator("textarea")).to_be_visible()
    screen(page, "admin-action-note")

    # What waits, on the index; a pending record decided from its own page, whose
    # Reject… asks the reason on the action's page.
    pending = CooperativeFactory(name="Koperasi Menunggu Peramban", verification="pending")
    page.goto(live_server.url + "/admin/")
    expect(page.locator("#curator-queue")).to_be_visible()
    screen(page, "admin-curator-queue")
    page.goto(f"{url}{pending.pk}/change/")
    expect(page.locator('input[name="_verify"]')).to_be_visible()
    page.locator('input[name="_reject"]').click()
    page.locator("textarea").fill("Alamat tidak jelas")
    page.locator("input[type=submit].default").click()
    expect(page.locator(".messagelist")).to_contain_text("ditolak")
    assert Cooperative.objects.get(pk=pending.pk).verification == "rejected"


def test_a_curator_in_wita_sees_no_time_zone_note_under_dates_and_one_under_date_and_time(
    live_server, transactional_db, new_context
):
    """The server keeps WIB (Asia/Jakarta); a browser in Makassar is an hour ahead.
    Under a date-only field the admin's note would mean nothing (admin.css hides it);
    under a date and a time it stays, true (tests/test_wording.py)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.factories import UserFactory

    superuser = get_user_model().objects.create_superuser("pengelola", "pengelola@example.org", "sandi-yang-panjang-1")
    device = TOTPDevice.objects.create(user=UserFactory(), name="aplikasi", confirmed=True)
    cooperative = CooperativeFactory()
    client = Client()
    client.force_login(superuser)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    context = new_context(timezone_id="Asia/Makassar")
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    page = context.new_page()

    page.goto(f"{live_server.url}/admin/registry/cooperative/{cooperative.pk}/change/")
    expect(page.locator("#id_founded")).to_be_visible()
    notes = page.locator("p.date .timezonewarning")
    expect(notes.first).to_be_attached()  # Django wrote it: the browser is an hour ahead
    for index in range(notes.count()):
        expect(notes.nth(index)).to_be_hidden()

    page.goto(f"{live_server.url}/admin/otp_totp/totpdevice/{device.pk}/change/")
    expect(page.locator("p.datetime .timezonewarning")).to_be_visible()
