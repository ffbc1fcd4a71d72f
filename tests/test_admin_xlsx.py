"""The admin's XLSX exports, written as the public lists' workbooks are
(kopnet.lists.xlsx_bytes): a sheet named after the list, readable column widths,
bold headings kept in view, dates as dates and amounts as numbers. The columns and
codes stay the importer's, so that the file a curator corrects imports again."""

import datetime
import decimal
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from kopnet import lists
from tests.factories import CooperativeFactory, PartnershipFactory

pytestmark = pytest.mark.django_db

XLSX_FORMAT = "1"  # VerifiableAdmin.formats = [CSV, XLSX]


def exported(client, model, language=None):
    if language:
        client.cookies["django_language"] = language
    app = "partnerships" if model == "partnership" else "registry"
    response = client.post(reverse(f"admin:{app}_{model}_export"), {"resource": "0", "format": XLSX_FORMAT})
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == lists.XLSX_TYPE
    return load_workbook(io.BytesIO(response.content)).active


def cells(sheet):
    header, *rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    return header, [dict(zip(header, row)) for row in rows]


def test_the_cooperatives_export_is_a_named_sheet_with_dates_numbers_and_widths(curator):
    CooperativeFactory(
        name="Koperasi Wanita Srikandi Sejahtera Bersama", founded=datetime.date(1998, 7, 12), individual_members=3406
    )

    sheet = exported(curator, "cooperative")
    header, (row,) = cells(sheet)

    assert sheet.title == "Koperasi"
    assert header[:3] == ["slug", "name", "short_name"]  # the importer's columns
    assert row["founded"] == datetime.datetime(1998, 7, 12)  # a date cell, not "1998-07-12"
    assert sheet.cell(row=2, column=header.index("founded") + 1).is_date
    assert row["individual_members"] == 3406  # a number
    assert row["tier"] == "primer"  # codes: the file imports back
    widths = {letter: dimension.width for letter, dimension in sheet.column_dimensions.items()}
    name_column = sheet.cell(row=1, column=header.index("name") + 1).column_letter
    assert widths[name_column] >= len("Koperasi Wanita Srikandi Sejahtera Bersama")  # as wide as its values
    assert all(lists.XLSX_WIDTHS[0] <= width <= lists.XLSX_WIDTHS[1] for width in widths.values())
    assert len(widths) == len(header)
    assert sheet.cell(row=1, column=1).font.bold
    assert sheet.freeze_panes == "A2"


def test_the_partnerships_export_writes_amounts_as_numbers_in_english(curator):
    PartnershipFactory(title="Pengadaan Pupuk", start_date=datetime.date(2022, 3, 1), value=decimal.Decimal("1500000.50"))

    sheet = exported(curator, "partnership", "en")
    header, (row,) = cells(sheet)

    assert sheet.title == "Partnerships"
    assert row["value"] == 1500000.5
    value_cell = sheet.cell(row=2, column=header.index("value") + 1)
    assert value_cell.data_type == "n" and value_cell.number_format == lists.XLSX_AMOUNT_FORMAT
    assert row["start_date"] == datetime.datetime(2022, 3, 1)
    assert row["end_date"] is None  # empty, not ""


def test_a_sheets_name_drops_what_excel_refuses():
    assert lists.xlsx_title("kerja sama: [2024]/*?") == "Kerja sama   2024"
    assert len(lists.xlsx_title("x" * 40)) == 31
