"""Spreadsheet import and export of cooperatives and partners, through the real admin views."""

import csv
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kopnet.models import Verification
from registry.models import Cooperative, Partner, Tier
from tests.factories import CooperativeFactory, PartnerFactory, province, sector

CSV_FORMAT, XLSX_FORMAT = "0", "1"


@pytest.fixture(autouse=True)
def _english_and_fast_passwords(client, settings):
    # Messages are read in English here; Django's own ones come translated otherwise.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    # Every test makes users; the production hasher's slowness protects nothing here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

COOPERATIVE_HEADER = [
    "slug", "name", "short_name", "tier", "type", "sectors", "province_code", "country", "regency",
    "address", "scope", "status", "individual_members", "founded", "nik", "legal_number", "legal_date",
    "website", "email", "phone",
]  # fmt: skip
PARTNER_HEADER = [
    "slug", "name", "kind", "country", "province_code", "registration_number", "website", "description",
]  # fmt: skip


def cooperative_row(**values):
    row = {
        "slug": "",
        "name": "Koperasi Impor",
        "short_name": "",
        "tier": "primer",
        "type": "konsumen",
        "sectors": "pertanian|perikanan",
        "province_code": "32",
        "country": "ID",
        "regency": "Kabupaten Bandung",
        "address": "",
        "scope": "kabupaten_kota",
        "status": "aktif",
        "individual_members": "120",
        "founded": "2001-05-17",
        "nik": "",
        "legal_number": "",
        "legal_date": "",
        "website": "",
        "email": "",
        "phone": "",
    }
    row.update(values)
    return row


def partner_row(**values):
    row = {
        "slug": "",
        "name": "PT Mitra Impor",
        "kind": "swasta",
        "country": "ID",
        "province_code": "32",
        "registration_number": "",
        "website": "",
        "description": "",
    }
    row.update(values)
    return row


def csv_file(header, rows, name="data.csv"):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header)
    writer.writeheader()
    writer.writerows(rows)
    return SimpleUploadedFile(name, out.getvalue().encode("utf-8"), content_type="text/csv")


def xlsx_file(header, rows, name="data.xlsx"):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append([row[column] for column in header])
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile(
        name, out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )


def upload(client, model, file, file_format=CSV_FORMAT):
    return client.post(
        reverse(f"admin:registry_{model}_import"),
        {"resource": "0", "format": file_format, "import_file": file},
    )


def confirm(client, model, preview):
    """Post the confirm form the preview offered, as the curator's browser would."""
    form = preview.context["confirm_form"]
    data = {name: form[name].value() for name in form.fields}
    return client.post(reverse(f"admin:registry_{model}_process_import"), data)


def page_text(response):
    return " ".join(response.content.decode().split())


def assert_refused(response):
    """The file was looked at, refused, and the confirm step is not offered."""
    assert response.status_code == 200
    assert response.context.get("confirm_form") is None
    assert "process_import" not in response.content.decode()


# --- a bad row among good rows: nothing saved, the row and the reason named ----------


@pytest.mark.parametrize("make_file, file_format", [(csv_file, CSV_FORMAT), (xlsx_file, XLSX_FORMAT)])
def test_import_with_one_bad_row_saves_nothing_and_names_the_row(curator, make_file, file_format):
    existing = CooperativeFactory(name="Koperasi Lama", slug="koperasi-lama")
    rows = [
        cooperative_row(name="Koperasi Baik Satu"),
        cooperative_row(name="Koperasi Buruk", province_code="99"),
        cooperative_row(slug="koperasi-lama", name="Koperasi Lama Berganti Nama"),
    ]

    response = upload(curator, "cooperative", make_file(COOPERATIVE_HEADER, rows), file_format)

    assert_refused(response)
    text = page_text(response)
    assert "Row 3" in text  # the header is row 1: the second data row
    assert "Unknown province code “99”" in text
    assert "Row 2" not in text and "Row 4" not in text
    assert list(Cooperative.objects.values_list("name", flat=True)) == ["Koperasi Lama"]
    existing.refresh_from_db()
    assert existing.name == "Koperasi Lama"


def test_import_lists_every_bad_row_with_its_reason(curator):
    rows = [
        cooperative_row(name="Koperasi Sektor Asing", sectors="pertanian|bukan-sektor"),
        cooperative_row(name="Koperasi Tingkat Asing", tier="pusat"),
        cooperative_row(name="Koperasi Baik"),
        cooperative_row(name="Koperasi NIK Pendek", nik="123"),
        cooperative_row(name="Koperasi Luar Negeri Berprovinsi", country="MY"),
        cooperative_row(name="Koperasi Sekunder Beranggota", tier="sekunder", individual_members="50"),
        cooperative_row(name="Koperasi Tanggal Salah", founded="17/05/2001"),
        cooperative_row(name=""),
    ]

    response = upload(curator, "cooperative", csv_file(COOPERATIVE_HEADER, rows))

    assert_refused(response)
    text = page_text(response)
    assert "Row 2" in text and "Unknown sector “bukan-sektor”" in text
    assert "Row 3" in text and "Unknown tier “pusat”: use one of primer, sekunder, induk, apex." in text
    assert "Row 4" not in text
    assert "Row 5" in text and "NIK Koperasi is exactly 16 digits." in text
    assert "Row 6" in text and "Only Indonesian organisations have a province." in text
    assert "Row 7" in text and "Only primary cooperatives have individual members" in text
    assert "Row 8" in text and "Enter a date as YYYY-MM-DD" in text
    assert "Row 9" in text and "This field cannot be blank." in text
    assert not Cooperative.objects.exists()


def test_import_refuses_a_nik_already_registered(curator):
    CooperativeFactory(nik="3201234567890123")

    response = upload(curator, "cooperative", csv_file(COOPERATIVE_HEADER, [cooperative_row(nik="3201234567890123")]))

    assert_refused(response)
    assert "Another cooperative already has this NIK Koperasi." in page_text(response)
    assert Cooperative.objects.count() == 1


def test_import_refuses_the_same_slug_twice_in_one_file(curator):
    rows = [cooperative_row(slug="koperasi-kembar"), cooperative_row(slug="koperasi-kembar", name="Kembar Dua")]

    response = upload(curator, "cooperative", csv_file(COOPERATIVE_HEADER, rows))

    assert_refused(response)
    assert "Row 3" in page_text(response)
    assert "This slug is already used by row 2 of this file." in page_text(response)
    assert not Cooperative.objects.exists()


def test_import_refuses_a_tier_change_that_breaks_a_membership(curator):
    from tests.factories import MembershipFactory

    membership = MembershipFactory()
    federation = membership.federation
    row = cooperative_row(slug=federation.slug, name=federation.name, tier="primer", individual_members="")

    response = upload(curator, "cooperative", csv_file(COOPERATIVE_HEADER, [row]))

    assert_refused(response)
    assert "a primary cooperative takes none" in page_text(response)
    federation.refresh_from_db()
    assert federation.tier == Tier.SEKUNDER


# --- files that are not what they claim: a message, never a 500 ---------------------


@pytest.mark.parametrize(
    "content, file_format",
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe\x00\x01", CSV_FORMAT),  # binary junk
        ("name,tier\nKoperasi Café,primer\n".encode("latin-1"), CSV_FORMAT),  # not UTF-8
        (b"slug,name\nkoperasi,Koperasi\n", XLSX_FORMAT),  # CSV sent as XLSX
        (b"PK\x03\x04 broken zip", XLSX_FORMAT),
    ],
    ids=["binary-junk", "latin-1", "csv-as-xlsx", "broken-xlsx"],
)
def test_unreadable_file_gives_a_message(curator, content, file_format):
    response = upload(curator, "cooperative", SimpleUploadedFile("file", content), file_format)

    assert_refused(response)
    assert "This file could not be read in the chosen format." in page_text(response)
    assert "slug, name, short_name, tier" in page_text(response)  # the columns it expects
    assert not Cooperative.objects.exists()


def test_nul_byte_in_a_cell_names_the_row(curator):
    rows = [cooperative_row(name="Koperasi Baik"), cooperative_row(name="Koperasi\x00Nol")]

    response = upload(curator, "cooperative", csv_file(COOPERATIVE_HEADER, rows))

    assert_refused(response)
    text = page_text(response)
    assert "Row 3" in text and "This cell contains a NUL character; remove it." in text
    assert not Cooperative.objects.exists()


def test_file_without_known_columns_gives_a_message(curator):
    response = upload(curator, "cooperative", csv_file(["nama", "alamat"], [{"nama": "Koperasi", "alamat": "Jl."}]))

    assert_refused(response)
    assert "The first row must name the columns; this file has none of:" in page_text(response)
    assert not Cooperative.objects.exists()


def test_empty_file_gives_a_message(curator):
    response = upload(curator, "cooperative", csv_file(COOPERATIVE_HEADER, []))

    assert_refused(response)
    assert "No valid data to import." in page_text(response)


# --- good imports --------------------------------------------------------------------


@pytest.mark.parametrize("make_file, file_format", [(csv_file, CSV_FORMAT), (xlsx_file, XLSX_FORMAT)])
def test_good_import_creates_pending_rows_after_confirmation(curator, curator_user, make_file, file_format):
    rows = [
        cooperative_row(name="Koperasi Baru Satu", nik="3201234567890123"),
        cooperative_row(name="Koperasi Baru Dua", tier="sekunder", scope="provinsi", individual_members="", sectors=""),
    ]

    preview = upload(curator, "cooperative", make_file(COOPERATIVE_HEADER, rows), file_format)
    assert preview.context["confirm_form"] is not None
    assert not Cooperative.objects.exists()  # the preview is a dry run
    response = confirm(curator, "cooperative", preview)

    assert response.status_code == 302
    two, one = Cooperative.objects.order_by("name")  # "Dua" sorts before "Satu"
    assert (one.name, one.slug, one.province, one.nik) == (
        "Koperasi Baru Satu", "koperasi-baru-satu", province("32"), "3201234567890123",
    )  # fmt: skip
    assert (two.tier, two.nik, two.individual_members, list(two.sectors.all())) == (Tier.SEKUNDER, None, None, [])
    assert {coop.verification for coop in (one, two)} == {Verification.PENDING}
    assert set(one.sectors.values_list("slug", flat=True)) == {"pertanian", "perikanan"}
    assert one.member_count == 120
    assert one.history.first().history_user == curator_user
    assert one.history.first().history_change_reason == "imported"


def test_import_updates_by_slug_and_keeps_verification(curator):
    verified = CooperativeFactory(name="Koperasi Terverifikasi", slug="koperasi-terverifikasi")
    row = cooperative_row(slug="koperasi-terverifikasi", name="Koperasi Terverifikasi Baru", sectors="jasa")

    response = confirm(curator, "cooperative", upload(curator, "cooperative", csv_file(COOPERATIVE_HEADER, [row])))

    assert response.status_code == 302
    before = verified.version
    verified.refresh_from_db()
    assert verified.name == "Koperasi Terverifikasi Baru"
    assert verified.verification == Verification.VERIFIED
    assert list(verified.sectors.values_list("slug", flat=True)) == ["jasa"]
    assert Cooperative.objects.count() == 1
    # An edit form or a pending change opened before the import is now stale.
    assert verified.version == before + 1


def test_exported_file_imports_back_unchanged(curator):
    CooperativeFactory(name="Koperasi Bolak Balik", sectors=[sector("pertanian")], nik="3201234567890123")
    exported = export(curator, "cooperative", CSV_FORMAT)

    preview = upload(curator, "cooperative", SimpleUploadedFile("export.csv", exported.content))

    assert preview.context["confirm_form"] is not None
    assert preview.context["result"].totals["skip"] == 1


def test_partner_import_with_a_bad_row_saves_nothing(curator):
    rows = [partner_row(name="PT Baik"), partner_row(name="PT Buruk", kind="koperasi")]

    response = upload(curator, "partner", csv_file(PARTNER_HEADER, rows))

    assert_refused(response)
    assert "Row 3" in page_text(response)
    assert "Unknown kind “koperasi”" in page_text(response)
    assert not Partner.objects.exists()


def test_partner_import_creates_pending_partners(curator):
    rows = [partner_row(name="PT Baik"), partner_row(name="ICA Partner", country="be", province_code="")]

    response = confirm(curator, "partner", upload(curator, "partner", xlsx_file(PARTNER_HEADER, rows), XLSX_FORMAT))

    assert response.status_code == 302
    assert sorted(Partner.objects.values_list("name", "country", "verification")) == [
        ("ICA Partner", "BE", Verification.PENDING),
        ("PT Baik", "ID", Verification.PENDING),
    ]


def test_import_is_for_users_who_may_add(client, db):
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_staff=True))

    assert client.get(reverse("admin:registry_cooperative_import")).status_code == 403


# --- export ------------------------------------------------------------------------


def export(client, model, file_format, query=""):
    return client.post(reverse(f"admin:registry_{model}_export") + query, {"resource": "0", "format": file_format})


def test_export_csv_has_the_header_and_the_filtered_rows(curator):
    CooperativeFactory(name="Koperasi Primer Ekspor", sectors=[sector("pertanian"), sector("jasa")])
    federation = CooperativeFactory(
        name="Pusat Koperasi Ekspor", tier=Tier.SEKUNDER, scope="provinsi", verification=Verification.PENDING
    )

    response = export(curator, "cooperative", CSV_FORMAT, "?tier__exact=sekunder")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert list(rows[0]) == [*COOPERATIVE_HEADER, "verification"]
    assert [(row["slug"], row["tier"], row["verification"]) for row in rows] == [
        (federation.slug, "sekunder", "pending")
    ]


def test_export_csv_writes_codes(curator):
    CooperativeFactory(
        name="Koperasi Kode", sectors=[sector("pertanian"), sector("jasa")], nik="3201234567890123"
    )

    response = export(curator, "cooperative", CSV_FORMAT)

    (row,) = csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))
    assert (row["sectors"], row["province_code"], row["country"], row["nik"], row["individual_members"]) == (
        "jasa|pertanian", "32", "ID", "3201234567890123", "100",
    )  # fmt: skip


def test_export_xlsx_opens_with_the_header_and_rows(curator):
    PartnerFactory(name="PT Ekspor", registration_number="AHU-1")

    response = export(curator, "partner", XLSX_FORMAT)

    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert list(rows[0]) == [*PARTNER_HEADER, "verification"]
    assert rows[1][1:3] == ("PT Ekspor", "swasta")
    assert rows[1][-1] == "verified"


def test_export_queries_do_not_grow_with_rows(curator, db):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert export(curator, "cooperative", CSV_FORMAT).status_code == 200
        return len(captured)

    CooperativeFactory(sectors=[sector("pertanian")])
    with_one = queries()
    for _ in range(20):
        CooperativeFactory(sectors=[sector("pertanian"), sector("jasa")])
    assert queries() == with_one


def test_xlsx_numbers_and_dates_are_read_as_the_codes_people_typed(curator):
    import datetime

    row = cooperative_row(
        name="Koperasi Angka", province_code=32, nik=3201234567890123, individual_members=250.0,
        founded=datetime.datetime(2001, 5, 17),
    )  # fmt: skip

    response = confirm(curator, "cooperative", upload(curator, "cooperative", xlsx_file(COOPERATIVE_HEADER, [row]), XLSX_FORMAT))

    assert response.status_code == 302
    coop = Cooperative.objects.get()
    assert (coop.province_id, coop.nik, coop.individual_members, coop.founded.isoformat()) == (
        "32", "3201234567890123", 250, "2001-05-17",
    )  # fmt: skip


# --- formulas: written as text, read back as they were ----------------------------------

FORMULAS = {"name": "=1+1 Koperasi", "short_name": "@SUM(A1:A9)", "regency": "-2+3", "phone": "+62 21 5550123"}


@pytest.mark.parametrize("file_format", [CSV_FORMAT, XLSX_FORMAT], ids=["csv", "xlsx"])
def test_the_export_writes_formulas_as_text_and_imports_back_unchanged(curator, file_format):
    """Anyone may register a cooperative named "=1+1": the curators' export wrote it
    as a live formula. It is now text (a leading apostrophe), as in the public CSVs,
    and importing the export gives back the values, not the apostrophes."""
    cooperative = CooperativeFactory(sectors=[sector("pertanian")], **FORMULAS)

    response = export(curator, "cooperative", file_format)

    if file_format == CSV_FORMAT:
        (row,) = csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))
        cells = {column: row[column] for column in FORMULAS}
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        header = [cell.value for cell in sheet[1]]
        cells = {column: sheet.cell(row=2, column=header.index(column) + 1) for column in FORMULAS}
        assert {cell.data_type for cell in cells.values()} == {"s"}  # text, no formula
        cells = {column: cell.value for column, cell in cells.items()}
    assert cells == {column: f"'{value}" for column, value in FORMULAS.items()}

    name = "export.csv" if file_format == CSV_FORMAT else "export.xlsx"
    preview = upload(curator, "cooperative", SimpleUploadedFile(name, response.content), file_format)
    assert preview.context["result"].totals["skip"] == 1  # nothing changed: the values came back as they were
    confirm(curator, "cooperative", preview)
    cooperative.refresh_from_db()
    assert {column: getattr(cooperative, column) for column in FORMULAS} == FORMULAS
