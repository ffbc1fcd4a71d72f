"""The partnership CSV: exactly the filtered rows of every page, with a fixed header."""

import csv
import io

import pytest

from kopnet.models import Verification
from tests.factories import CooperativeFactory, PartnerFactory
from tests.partnerships.public_data import day, foreign_partner, partnership

pytestmark = pytest.mark.django_db

HEADER = (
    "reference,title,category,direction,international,status,start_date,end_date,"
    "parties,objectives,fields,new_entity,new_entity_name,verified,url,"
    # Added after the address by issue 13 (the columns before keep their order).
    "new_entity_kind,new_entity_url,corroboration"
)


def download(client, **params):
    response = client.get("/kerjasama/", {**params, "format": "csv"})
    assert response.status_code == 200
    assert response.streaming
    return response, b"".join(response.streaming_content).decode("utf-8")


def rows(body):
    return list(csv.DictReader(io.StringIO(body)))


def test_csv_is_an_utf8_attachment_with_the_exact_header(visitor):
    partnership()

    response, body = download(visitor)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="kerjasama-')
    assert body.splitlines()[0] == HEADER


def test_csv_holds_exactly_the_filtered_rows_of_every_page(visitor):
    coop = CooperativeFactory()
    wanted = [partnership(coop, CooperativeFactory(), start_date=day(2000 + n % 20, 1 + n % 12, 1 + n % 28)) for n in range(62)]
    partnership()  # another cooperative's
    partnership(coop, CooperativeFactory(), verification=Verification.PENDING)

    _response, body = download(visitor, cooperative=coop.slug, ordering="start")

    references = [row["reference"] for row in rows(body)]
    expected = sorted(wanted, key=lambda record: (record.start_date, record.pk))
    assert references == [record.reference for record in expected]
    first_page = visitor.get("/kerjasama/", {"cooperative": coop.slug, "ordering": "start"})
    assert first_page.context["paginator"].num_pages == 2
    assert references[:50] == [record.reference for record in first_page.context["object_list"]]


def test_csv_columns_hold_codes_slugs_iso_dates_and_true_false(visitor):
    coop = CooperativeFactory(name="Koperasi Pegawai Negeri")
    bank = foreign_partner(name="NCBA CLUSA")
    record = partnership(
        coop,
        bank,
        title="Bank bersama",
        start_date=day(1990, 5, 17),
        end_date=day(2000, 12, 31),
        status="selesai",
        direction="vertikal",
        new_entity=True,
        new_entity_name="Bank Kesejahteraan Ekonomi",
        new_entity_kind="bank",
        objectives=["kredit-modal", "daya-tawar"],
        fields=["permodalan"],
    )

    (row,) = rows(download(visitor)[1])

    assert row == {
        "reference": record.reference,
        "title": "Bank bersama",
        "category": "kemitraan_usaha",
        "direction": "vertikal",
        "international": "true",
        "status": "selesai",
        "start_date": "1990-05-17",
        "end_date": "2000-12-31",
        "parties": "Koperasi Pegawai Negeri|NCBA CLUSA",
        "objectives": "daya-tawar|kredit-modal",
        "fields": "permodalan",
        "new_entity": "true",
        "new_entity_name": "Bank Kesejahteraan Ekonomi",
        "verified": "true",
        "url": f"http://127.0.0.1:8000/kerjasama/{record.reference}/",
        "new_entity_kind": "bank",
        "new_entity_url": "",  # named only: no record of the bank in the registry
        "corroboration": "confirmed",
    }


def test_csv_of_a_domestic_partnership_without_entity_says_false_and_leaves_end_empty(visitor):
    partnership(CooperativeFactory(), PartnerFactory(), end_date=None)

    (row,) = rows(download(visitor)[1])

    assert (row["international"], row["new_entity"], row["end_date"], row["new_entity_name"]) == ("false", "false", "", "")


def test_csv_holds_only_what_the_reader_may_see(visitor, curator):
    verified = partnership()
    waiting = partnership(verification=Verification.PENDING)

    # `visitor` and `curator` share one client: the curator fixture signed it in.
    curator_refs = {row["reference"]: row["verified"] for row in rows(download(curator)[1])}
    curator.logout()
    visitor_refs = [row["reference"] for row in rows(download(visitor)[1])]

    assert curator_refs == {verified.reference: "true", waiting.reference: "false"}
    assert visitor_refs == [verified.reference]


def test_invalid_filter_gives_400_instead_of_a_csv(visitor):
    response = visitor.get("/kerjasama/", {"format": "csv", "category": "nope"})

    assert response.status_code == 400
    assert not response.streaming


def test_a_title_a_spreadsheet_would_run_as_a_formula_is_written_as_text(visitor):
    partnership(title='=HYPERLINK("http://evil.example","klik")')

    _response, body = download(visitor)

    assert rows(body)[0]["title"] == '\'=HYPERLINK("http://evil.example","klik")'
