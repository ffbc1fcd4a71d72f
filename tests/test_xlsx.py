"""The lists' Excel download: the same filtered rows as the CSV, for a person to open
in Excel whatever its locale (an Indonesian Excel splits a CSV on ";", not ","):
a sheet named after the list, headings, labels instead of codes, dates as dates,
numbers as numbers, the record's address last, nothing a spreadsheet would run."""

import datetime
import io

import pytest
from openpyxl import load_workbook

from kopnet import lists
from kopnet.models import Verification
from registry.models import Scope, Tier
from tests.factories import CooperativeFactory, PartnerFactory, province
from tests.partnerships.public_data import day, foreign_partner, partnership

pytestmark = pytest.mark.django_db


def workbook(client, url, **params):
    response = client.get(url, {**params, "format": "xlsx"})
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == lists.XLSX_TYPE
    assert response["Content-Disposition"].startswith('attachment; filename="')
    return load_workbook(io.BytesIO(response.content)).active


def test_cooperatives_as_a_workbook_with_labels_dates_numbers_and_addresses(visitor):
    coop = CooperativeFactory(
        name="Koperasi Wanita Srikandi", tier=Tier.SEKUNDER, scope=Scope.PROVINSI, province=province("53"),
        individual_members=None, founded=datetime.date(1998, 7, 12), legal_number="=1+1",
    )  # fmt: skip
    CooperativeFactory(name="Koperasi Menunggu", verification=Verification.PENDING)

    sheet = workbook(visitor, "/koperasi/", q="Srikandi")
    header, *rows = [list(row) for row in sheet.iter_rows(values_only=True)]

    assert sheet.title == "Koperasi"
    assert header[:5] == ["Slug", "Nama", "Nama singkat", "Tingkat", "Jenis"]
    assert header[-2:] == ["Halaman di KopNet", "Kode kabupaten/kota"]  # the columns added since after the page
    (row,) = rows
    from registry.views import CooperativeListView

    cells = dict(zip(CooperativeListView().export_columns, row))
    assert cells["name"] == "Koperasi Wanita Srikandi"
    assert cells["tier"] == "Koperasi sekunder"  # a label, not "sekunder"
    assert cells["country"] == "Indonesia"
    assert cells["founded"] == datetime.datetime(1998, 7, 12)  # a date cell
    assert isinstance(cells["members"], int)
    assert cells["legal_number"] == "'=1+1"  # text, never a formula
    assert cells["verified"] == "Ya"
    assert cells["url"] == f"http://127.0.0.1:8000/koperasi/{coop.slug}/"
    assert cells["regency_code"] is None  # not coded: an empty cell


def test_partnerships_as_a_workbook_in_english(visitor):
    record = partnership(CooperativeFactory(), foreign_partner(), start_date=day(2020, 7, 1), title="Ekspor kopi")
    visitor.cookies["django_language"] = "en"

    sheet = workbook(visitor, "/kerjasama/")
    header, row = [list(values) for values in sheet.iter_rows(values_only=True)]
    cells = dict(zip(header, row))

    assert sheet.title == "Partnerships"
    assert cells["Title"] == "Ekspor kopi"
    assert cells["Start date"] == datetime.datetime(2020, 7, 1)
    assert cells["International"] == "Yes"
    assert cells["Page in KopNet"].endswith(f"/kerjasama/{record.reference}/")


def test_partners_as_a_workbook(visitor):
    bank = PartnerFactory(name="PT Bank Contoh", kind="bumd")
    sheet = workbook(visitor, "/mitra/")
    header, row = [list(values) for values in sheet.iter_rows(values_only=True)]
    assert sheet.title == "Mitra"
    assert row[1] == "PT Bank Contoh" and row[-2].endswith(f"/mitra/{bank.slug}/")
    assert row[2] != "bumd"  # the kind's label


def test_a_workbook_past_its_rows_sends_to_the_csv_with_a_400(visitor, monkeypatch):
    monkeypatch.setattr(lists, "XLSX_MAX_ROWS", 2)
    for _ in range(3):
        CooperativeFactory()

    response = visitor.get("/koperasi/", {"format": "xlsx"})

    assert response.status_code == 400
    assert "paling banyak 2 baris" in response.content.decode()
    assert visitor.get("/koperasi/", {"format": "xlsx", "tier": "apex"}).status_code == 200


def test_the_downloads_are_offered_only_for_rows(visitor):
    CooperativeFactory(name="Koperasi Ada")
    page = visitor.get("/koperasi/").content.decode()
    assert "format=xlsx" in page and "format=csv" in page
    empty = visitor.get("/koperasi/", {"q": "tidak-ada-yang-cocok"}).content.decode()
    assert "format=xlsx" not in empty and "format=csv" not in empty


def test_the_workbooks_limit_is_written_in_the_readers_language(visitor, monkeypatch):
    monkeypatch.setattr(lists, "XLSX_MAX_ROWS", 1000)
    from registry.views import CooperativeListView

    monkeypatch.setattr(CooperativeListView, "known_count", lambda self: 1001)
    assert "paling banyak 1.000 baris" in visitor.get("/koperasi/", {"format": "xlsx"}).content.decode()
    visitor.cookies["django_language"] = "en"
    assert "at most 1,000 rows" in visitor.get("/koperasi/", {"format": "xlsx"}).content.decode()
