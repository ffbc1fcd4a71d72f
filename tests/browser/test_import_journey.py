"""A curator prepares an import as a person would (issue 12): downloads the
cooperative template from the import page, fills in the example row's place with a
cooperative of their own, uploads it, confirms, and finds the new record pending in
the admin; the partner template's XLSX is downloaded and imported unchanged."""

import csv
import io

import openpyxl
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from registry.models import Cooperative, Partner
from tests.browser.session import sign_in


def download(page, link_name):
    with page.expect_download() as caught:
        page.get_by_role("link", name=link_name).click()
    return caught.value


def upload_and_confirm(page, path, file_format):
    page.locator("input[type=file]").set_input_files(str(path))
    page.locator("select[name=format]").select_option(label=file_format)
    page.locator("input[type=submit]").click()
    # The preview shows the rows; nothing is saved before confirming.
    page.locator("input[type=submit][name=confirm]").click()
    expect(page.locator(".messagelist")).to_be_visible()


def test_a_curator_imports_a_cooperative_from_the_downloaded_template(live_server, transactional_db, page, tmp_path, screen):
    curator = get_user_model().objects.create_superuser("pengimpor", "pengimpor@example.org", "sandi-yang-panjang-1")
    sign_in(page.context, live_server, curator)

    page.goto(live_server.url + "/admin/registry/cooperative/import/")
    expect(page.get_by_role("heading", name="Kode yang berlaku")).to_be_visible()
    screen(page, "admin-import-template-1280")
    template = download(page, "Templat (CSV)")
    rows = list(csv.reader(io.StringIO(template.path().read_text(encoding="utf-8"))))
    assert len(rows) == 2 and "name" in rows[0] and "tier" in rows[0]
    example = dict(zip(rows[0], rows[1]))
    example.update(name="Koperasi Impor Peramban", short_name="KIP")
    filled = tmp_path / "koperasi.csv"
    with filled.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(rows[0])
        writer.writerow([example.get(column, "") for column in rows[0]])
    upload_and_confirm(page, filled, "csv")
    imported = Cooperative.objects.get(name="Koperasi Impor Peramban")
    assert imported.verification == "pending" and imported.tier == example["tier"]

    page.goto(live_server.url + "/admin/registry/partner/import/")
    template = download(page, "Templat (XLSX)")
    with template.path().open("rb") as handle:
        sheet = openpyxl.load_workbook(handle).active
    header = [cell.value for cell in sheet[1]]
    assert "name" in header and "kind" in header
    upload_and_confirm(page, template.path(), "xlsx")
    assert Partner.objects.filter(name="PT Mitra Contoh").exists()
