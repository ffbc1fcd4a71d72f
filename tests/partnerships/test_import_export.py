"""Spreadsheet import and export of partnerships, through the real admin views, as a curator."""

import csv
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kopnet.models import Verification
from partnerships.models import Category, Confirmation, Partnership, ReferenceSequence
from registry.models import Tier
from tests.factories import CooperativeFactory, PartnerFactory, PartnershipFactory

CSV_FORMAT, XLSX_FORMAT = "0", "1"

HEADER = [
    "reference", "title", "description", "direction", "status", "start_date", "end_date", "initiator",
    "parties", "objectives", "fields", "new_entity", "new_entity_name", "new_entity_kind", "value", "currency",
    "new_entity_record",
]  # fmt: skip
EXPORT_HEADER = [
    "reference", "title", "description", "category", "direction", "international", "status", "start_date",
    "end_date", "initiator", "parties", "objectives", "fields", "new_entity", "new_entity_name",
    "new_entity_kind", "value", "currency", "verification", "new_entity_record",
]  # fmt: skip


@pytest.fixture(autouse=True)
def _english(client, settings):
    # Messages are read in English here; Django's own ones come translated otherwise.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def orgs(db):
    return {
        "tani": CooperativeFactory(name="Koperasi Tani Makmur", slug="koperasi-tani-makmur"),
        "nelayan": CooperativeFactory(name="Koperasi Nelayan Sejahtera", slug="koperasi-nelayan-sejahtera"),
        "pusat": CooperativeFactory(
            name="Pusat Koperasi Tani", slug="pusat-koperasi-tani", tier=Tier.SEKUNDER, individual_members=None
        ),
        "cuna": CooperativeFactory(
            name="CUNA", slug="cuna", tier=Tier.INDUK, country="US", province=None, individual_members=None
        ),
        "pt": PartnerFactory(name="PT Agro Mandiri", slug="pt-agro-mandiri"),
    }


def row(**values):
    data = {
        "reference": "",
        "title": "Pemasaran Bersama Gabah",
        "description": "",
        "direction": "horizontal",
        "status": "berjalan",
        "start_date": "2022-03-01",
        "end_date": "",
        "initiator": "koperasi-tani-makmur",
        "parties": "coop:koperasi-tani-makmur|coop:koperasi-nelayan-sejahtera",
        "objectives": "daya-tawar|skala-ekonomi",
        "fields": "pemasaran",
        "new_entity": "false",
        "new_entity_name": "",
        "new_entity_kind": "",
        "value": "",
        "currency": "IDR",
        "new_entity_record": "",
    }
    data.update(values)
    return data


def csv_file(rows, header=HEADER, name="kerjasama.csv"):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header)
    writer.writeheader()
    writer.writerows(rows)
    return SimpleUploadedFile(name, out.getvalue().encode("utf-8"), content_type="text/csv")


def xlsx_file(rows, header=HEADER, name="kerjasama.xlsx"):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for values in rows:
        sheet.append([values[column] for column in header])
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile(
        name, out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )


def upload(client, file, file_format=CSV_FORMAT):
    return client.post(
        reverse("admin:partnerships_partnership_import"),
        {"resource": "0", "format": file_format, "import_file": file},
    )


def confirm(client, preview):
    """Post the confirm form the preview offered, as the curator's browser would."""
    form = preview.context["confirm_form"]
    data = {name: form[name].value() for name in form.fields}
    return client.post(reverse("admin:partnerships_partnership_process_import"), data)


def page_text(response):
    return " ".join(response.content.decode().split())


def assert_refused(response):
    """The file was looked at, refused, and the confirm step is not offered."""
    assert response.status_code == 200
    assert response.context.get("confirm_form") is None
    assert "process_import" not in response.content.decode()


# --- a bad row among good rows: nothing saved, the row and the reason named ----------------


@pytest.mark.parametrize("make_file, file_format", [(csv_file, CSV_FORMAT), (xlsx_file, XLSX_FORMAT)])
def test_import_with_one_bad_row_saves_nothing_and_names_the_row(curator, orgs, make_file, file_format):
    existing = PartnershipFactory(title="Kerjasama Lama", initiator=orgs["tani"], parties=[orgs["tani"], orgs["pusat"]])
    rows = [
        row(title="Kerjasama Baik"),
        row(title="Kerjasama Buruk", parties="coop:koperasi-tani-makmur|coop:tidak-ada"),
        row(reference=existing.reference, title="Kerjasama Lama Berganti Nama", direction="vertikal",
            parties="coop:koperasi-tani-makmur|coop:pusat-koperasi-tani"),
    ]  # fmt: skip

    response = upload(curator, make_file(rows), file_format)

    assert_refused(response)
    text = page_text(response)
    assert "Row 3" in text and "No cooperative has the slug “tidak-ada”." in text
    assert "Row 2" not in text and "Row 4" not in text
    assert list(Partnership.objects.values_list("title", flat=True)) == ["Kerjasama Lama"]


def test_import_lists_every_bad_row_with_its_reason(curator, orgs):
    rows = [
        row(title="Satu Pihak", parties="coop:koperasi-tani-makmur"),
        row(title="Pemrakarsa Bukan Pihak", initiator="pusat-koperasi-tani"),
        row(title="Baik"),
        row(title="Tanpa Arah", direction=""),
        row(title="Tujuan Asing", objectives="daya-tawar|bukan-tujuan"),
        row(title="Tanggal Terbalik", start_date="2022-03-01", end_date="2021-01-01"),
        row(title="Badan Baru Tanpa Nama", new_entity="true"),
        row(title="Pihak Salah Tulis", parties="koperasi-tani-makmur|coop:koperasi-nelayan-sejahtera"),
        row(title="Referensi Dikarang", reference="KS-2020-123456"),
        row(title="Status Asing", status="aktif"),
        row(title="Pihak Ganda", parties="coop:koperasi-tani-makmur|coop:koperasi-tani-makmur"),
        row(title=""),
        row(title="Nilai Bukan Angka", value="NaN"),
    ]

    response = upload(curator, csv_file(rows))

    assert_refused(response)
    text = page_text(response)
    assert "Row 2" in text and "A partnership has at least two parties." in text
    assert "Row 3" in text and "The initiating cooperative must be one of the parties." in text
    assert "Row 4 " not in text
    assert "Row 5" in text and "A partnership between cooperatives is vertical or horizontal: choose one." in text
    assert "Row 6" in text and "Unknown objective “bukan-tujuan”" in text
    assert "Row 7" in text and "The end date cannot be before the start date." in text
    assert "Row 8" in text and "Name the new legal entity." in text
    assert "Row 9" in text and "“koperasi-tani-makmur” is not a party" in text
    assert "Row 10" in text and "No partnership has the reference “KS-2020-123456”" in text
    assert "Row 11" in text and "Unknown status “aktif”" in text
    assert "Row 12" in text and "Each organisation appears only once among the parties." in text
    assert "Row 13" in text and "This field cannot be blank." in text
    assert "Row 14" in text and "Enter an amount such as 1500000.00, not “NaN”." in text
    assert not Partnership.objects.exists()


def test_a_file_without_our_columns_is_refused(curator, db):
    response = upload(curator, csv_file([{"a": "1", "b": "2"}], header=["a", "b"]))

    assert_refused(response)
    assert "The first row must name the columns" in page_text(response)


def test_a_failed_preview_gives_no_reference_away(curator, orgs):
    upload(curator, csv_file([row(), row(title="Buruk", initiator="tidak-ada")]))

    assert not ReferenceSequence.objects.filter(last_number__gt=0).exists()


# --- good files ---------------------------------------------------------------------------------


def test_import_adds_pending_partnerships_with_parties_and_derived_category(curator, curator_user, orgs):
    rows = [
        row(title="Kemitraan Pupuk", direction="", parties="coop:koperasi-tani-makmur|partner:pt-agro-mandiri",
            value="1500000.50"),
        row(title="Program Credit Union", direction="vertikal", initiator="koperasi-nelayan-sejahtera",
            parties="coop:koperasi-nelayan-sejahtera|coop:cuna", currency="usd"),
    ]  # fmt: skip

    preview = upload(curator, csv_file(rows))
    assert preview.context["confirm_form"] is not None
    assert not Partnership.objects.exists()
    response = confirm(curator, preview)

    assert response.status_code == 302
    business = Partnership.objects.get(title="Kemitraan Pupuk")
    assert (business.category, business.international, business.verification) == (
        Category.KEMITRAAN_USAHA,
        False,
        Verification.PENDING,
    )
    assert str(business.value) == "1500000.50"
    assert set(business.objectives.values_list("slug", flat=True)) == {"daya-tawar", "skala-ekonomi"}
    assert business.created_by == curator_user
    initiator_party = business.parties.get(cooperative=orgs["tani"])
    assert (initiator_party.role, initiator_party.confirmation) == ("initiator", Confirmation.PENDING)
    abroad = Partnership.objects.get(title="Program Credit Union")
    assert (abroad.category, abroad.international, abroad.currency) == (Category.ANTAR_KOPERASI, True, "USD")
    assert abroad.reference != business.reference
    assert abroad.history.first().history_change_reason == "imported"


def test_import_updates_parties_by_reference_and_recomputes_the_category(curator, orgs):
    partnership = PartnershipFactory(
        title="Kerjasama Lama", initiator=orgs["tani"], parties=[orgs["tani"], orgs["nelayan"]]
    )
    kept = partnership.parties.get(cooperative=orgs["nelayan"])
    rows = [
        row(reference=partnership.reference, title="Kerjasama Lama", direction="",
            parties="coop:koperasi-tani-makmur|coop:koperasi-nelayan-sejahtera|partner:pt-agro-mandiri")
    ]  # fmt: skip

    response = confirm(curator, upload(curator, csv_file(rows)))

    assert response.status_code == 302
    partnership.refresh_from_db()
    assert partnership.category == Category.KEMITRAAN_USAHA
    assert partnership.parties.count() == 3
    kept.refresh_from_db()
    assert kept.confirmation == Confirmation.CONFIRMED  # a party that stays keeps its answer
    assert partnership.verification == Verification.VERIFIED  # imports never change verification

    rows[0]["parties"] = "coop:koperasi-tani-makmur|coop:koperasi-nelayan-sejahtera"
    rows[0]["direction"] = "horizontal"
    confirm(curator, upload(curator, csv_file(rows)))

    partnership.refresh_from_db()
    assert partnership.category == Category.ANTAR_KOPERASI
    assert not partnership.parties.filter(partner=orgs["pt"]).exists()


# --- export ---------------------------------------------------------------------------------------


def export(client, file_format=CSV_FORMAT, query=""):
    return client.post(
        reverse("admin:partnerships_partnership_export") + query,
        {"format": file_format, "resource": "0", **{f"partnershipresource_{name}": "on" for name in EXPORT_HEADER}},
    )


def exported_rows(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_export_has_the_header_and_the_parties_by_slug(curator, orgs):
    partnership = PartnershipFactory(
        title="Kemitraan Pupuk", initiator=orgs["tani"], parties=[orgs["tani"], orgs["pt"]], direction=""
    )

    response = export(curator)

    assert response.status_code == 200
    header, *rows = exported_rows(response)
    assert header == EXPORT_HEADER
    values = dict(zip(header, rows[0]))
    assert values["reference"] == partnership.reference
    assert values["parties"] == "coop:koperasi-tani-makmur|partner:pt-agro-mandiri"
    assert (values["category"], values["international"], values["new_entity"]) == ("kemitraan_usaha", "false", "false")
    assert values["initiator"] == "koperasi-tani-makmur"


def test_exported_file_imports_again_unchanged(curator, orgs):
    PartnershipFactory(title="Kerjasama Satu", initiator=orgs["tani"], parties=[orgs["tani"], orgs["nelayan"]])
    header, *rows = exported_rows(export(curator))
    rows = [dict(zip(header, values)) for values in rows]

    preview = upload(curator, csv_file(rows, header=header))

    assert preview.context["confirm_form"] is not None
    assert preview.context["result"].totals["skip"] == 1


def test_export_xlsx(curator, orgs):
    PartnershipFactory(initiator=orgs["tani"], parties=[orgs["tani"], orgs["nelayan"]])

    response = export(curator, XLSX_FORMAT)

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [cell.value for cell in sheet[1]] == EXPORT_HEADER


def test_export_queries_do_not_grow_with_rows(curator, orgs):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            exported_rows(export(curator))
        return len(captured)

    PartnershipFactory(initiator=orgs["tani"], parties=[orgs["tani"], orgs["nelayan"]])
    with_one = queries()
    for _ in range(10):
        PartnershipFactory(initiator=orgs["tani"], parties=[orgs["tani"], orgs["pt"]], direction="")

    # session, user, both permission queries, the changelist's filter choices and
    # count, then per chunk of rows (the export pages through them): the rows with
    # their initiators, their parties with the organisations, objectives, fields.
    assert queries() == with_one


# --- the new entity's own record (issue 13 §1) ---------------------------------------------


FOUNDING = {"new_entity": "true", "new_entity_name": "PT Agro Mandiri", "new_entity_kind": "pt"}


def test_import_links_the_new_entity_to_its_record_and_export_writes_it_back(curator, orgs):
    rows = [
        row(title="Mendirikan Perusahaan", new_entity_record="partner:PT-Agro-Mandiri", **FOUNDING),
        row(title="Mendirikan Pusat", new_entity="true", new_entity_name="Pusat Koperasi Tani",
            new_entity_kind="sekunder", new_entity_record="coop:pusat-koperasi-tani"),
    ]  # fmt: skip

    confirm(curator, upload(curator, csv_file(rows)))

    company = Partnership.objects.get(title="Mendirikan Perusahaan")
    centre = Partnership.objects.get(title="Mendirikan Pusat")
    assert (company.new_entity_partner, company.new_entity_cooperative) == (orgs["pt"], None)
    assert (centre.new_entity_cooperative, centre.new_entity_partner) == (orgs["pusat"], None)
    header, *exported = exported_rows(export(curator))
    records = {values[header.index("title")]: values[header.index("new_entity_record")] for values in exported}
    assert records == {"Mendirikan Perusahaan": "partner:pt-agro-mandiri", "Mendirikan Pusat": "coop:pusat-koperasi-tani"}


@pytest.mark.parametrize("value", ["partner:tidak-ada", "coop:pt-agro-mandiri", "pt-agro-mandiri", "coop:"])
def test_a_new_entity_record_that_names_nothing_refuses_the_file(curator, orgs, value):
    response = upload(curator, csv_file([row(title="Mendirikan", new_entity_record=value, **FOUNDING)]))

    assert_refused(response)
    assert "names no record of the registry" in page_text(response)
    assert not Partnership.objects.exists()


def test_a_row_that_only_links_the_new_entity_is_imported_not_skipped(curator, orgs):
    partnership = PartnershipFactory(
        title="Mendirikan", initiator=orgs["tani"], parties=[orgs["tani"], orgs["nelayan"]], **{
            "new_entity": True, "new_entity_name": "PT Agro Mandiri", "new_entity_kind": "pt",
        },
    )  # fmt: skip
    header, *rows = exported_rows(export(curator))
    values = dict(zip(header, rows[0]))
    values["new_entity_record"] = "partner:pt-agro-mandiri"

    preview = upload(curator, csv_file([values], header=header))
    assert preview.context["result"].totals["update"] == 1
    confirm(curator, preview)

    partnership.refresh_from_db()
    assert partnership.new_entity_partner == orgs["pt"]
