"""CSV downloads: exactly the filtered rows of every page, streamed, UTF-8, stable header."""

import csv
import datetime
import io

import pytest

from kopnet.models import Verification
from registry.models import Scope, Tier
from tests.factories import CooperativeFactory, MembershipFactory, PartnerFactory, province, sector

COOPERATIVE_HEADER = (
    "slug,name,short_name,tier,type,sectors,province_code,province,regency,country,scope,status,"
    "members,founded,nik,legal_number,verified"
)
PARTNER_HEADER = "slug,name,kind,country,province_code,registration_number,website,verified"


def download(client, url, **params):
    response = client.get(url, {**params, "format": "csv"})
    assert response.status_code == 200
    assert response.streaming
    body = b"".join(response.streaming_content)
    return response, body


def rows(body):
    return list(csv.DictReader(io.StringIO(body.decode("utf-8"))))


@pytest.mark.django_db
def test_cooperative_csv_is_an_utf8_attachment_with_the_exact_header(visitor):
    CooperativeFactory()

    response, body = download(visitor, "/koperasi/")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="koperasi-')
    assert body.decode("utf-8").splitlines()[0] == COOPERATIVE_HEADER


@pytest.mark.django_db
def test_cooperative_csv_holds_exactly_the_filtered_rows_of_every_page(visitor):
    wanted = [CooperativeFactory(province=province("32"), sectors=[sector("perikanan")]) for _ in range(62)]
    CooperativeFactory(province=province("31"), sectors=[sector("perikanan")])
    CooperativeFactory(province=province("32"))
    CooperativeFactory(province=province("32"), sectors=[sector("perikanan")], verification=Verification.PENDING)

    _response, body = download(visitor, "/koperasi/", province="32", sector="perikanan", ordering="-name")

    slugs = [row["slug"] for row in rows(body)]
    assert slugs == [coop.slug for coop in sorted(wanted, key=lambda coop: coop.name, reverse=True)]
    page_one = visitor.get("/koperasi/", {"province": "32", "sector": "perikanan", "ordering": "-name"})
    assert page_one.context["paginator"].num_pages == 2
    assert slugs[:50] == [coop.slug for coop in page_one.context["object_list"]]


@pytest.mark.django_db
def test_cooperative_csv_columns_hold_codes_slugs_and_iso_values(visitor):
    coop = CooperativeFactory(
        name="Koperasi Wanita “Srikandi” Nusa Tenggara — Ende",
        short_name="KW Srikandi",
        tier=Tier.SEKUNDER,
        type="simpan_pinjam",
        scope=Scope.PROVINSI,
        status="tidak_aktif",
        individual_members=None,
        province=province("53"),
        regency="Kabupaten Ende",
        founded=datetime.date(1998, 7, 12),
        nik="5301234567890123",
        legal_number="518/BH/XVIII/1998",
        sectors=[sector("simpan-pinjam"), sector("perdagangan")],
    )
    MembershipFactory(federation=coop)

    _response, body = download(visitor, "/koperasi/", q="Srikandi")

    assert rows(body) == [
        {
            "slug": coop.slug,
            "name": "Koperasi Wanita “Srikandi” Nusa Tenggara — Ende",
            "short_name": "KW Srikandi",
            "tier": "sekunder",
            "type": "simpan_pinjam",
            "sectors": "perdagangan|simpan-pinjam",
            "province_code": "53",
            "province": "Nusa Tenggara Timur",
            "regency": "Kabupaten Ende",
            "country": "ID",
            "scope": "provinsi",
            "status": "tidak_aktif",
            "members": "1",
            "founded": "1998-07-12",
            "nik": "5301234567890123",
            "legal_number": "518/BH/XVIII/1998",
            "verified": "true",
        }
    ]


@pytest.mark.django_db
def test_cooperative_csv_leaves_unknown_values_empty_for_a_foreign_cooperative(visitor):
    CooperativeFactory(name="NCBA CLUSA", country="US", province=None, tier=Tier.INDUK, individual_members=None)

    _response, body = download(visitor, "/koperasi/", country="US")

    [row] = rows(body)
    assert (row["country"], row["province_code"], row["province"], row["founded"], row["nik"]) == ("US", "", "", "", "")


@pytest.mark.django_db
def test_curator_csv_includes_unverified_rows_marked_false(curator):
    CooperativeFactory(name="Koperasi Menunggu", verification=Verification.PENDING)
    CooperativeFactory(name="Koperasi Sah")

    _response, body = download(curator, "/koperasi/")

    assert [(row["name"], row["verified"]) for row in rows(body)] == [
        ("Koperasi Menunggu", "false"),
        ("Koperasi Sah", "true"),
    ]


@pytest.mark.django_db
def test_csv_with_an_invalid_filter_is_the_400_page_not_a_file(visitor):
    CooperativeFactory()

    response = visitor.get("/koperasi/", {"format": "csv", "tier": "foo"})

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "Content-Disposition" not in response
    assert 'id="id_tier_error"' in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/koperasi/", "/mitra/"])
@pytest.mark.parametrize("export", ["xlsx", "CSV", "json"])
def test_an_unknown_format_is_400(visitor, url, export):
    response = visitor.get(url, {"format": export})

    assert response.status_code == 400
    assert "format=csv" in response.content.decode()


@pytest.mark.django_db
def test_csv_ignores_the_page_number(visitor):
    for _ in range(3):
        CooperativeFactory()

    _response, body = download(visitor, "/koperasi/", page="99")

    assert len(rows(body)) == 3


@pytest.mark.django_db
def test_partner_csv_has_the_exact_header_and_filtered_rows(visitor):
    bank = PartnerFactory(
        name="PT Bank Pembangunan Daerah Jawa Barat dan Banten",
        kind="bumd",
        registration_number="AHU-0001",
        website="https://bjb.example.id",
    )
    PartnerFactory(name="Universitas Gadjah Mada", kind="universitas", province=province("34"))
    PartnerFactory(name="PT Menunggu", kind="bumd", verification=Verification.PENDING)

    response, body = download(visitor, "/mitra/", kind="bumd")

    assert response["Content-Disposition"].startswith('attachment; filename="mitra-')
    assert body.decode("utf-8").splitlines()[0] == PARTNER_HEADER
    assert rows(body) == [
        {
            "slug": bank.slug,
            "name": "PT Bank Pembangunan Daerah Jawa Barat dan Banten",
            "kind": "bumd",
            "country": "ID",
            "province_code": "32",
            "registration_number": "AHU-0001",
            "website": "https://bjb.example.id",
            "verified": "true",
        }
    ]


@pytest.mark.django_db
def test_partner_csv_spans_every_page(visitor):
    for _ in range(61):
        PartnerFactory(kind="swasta")

    _response, body = download(visitor, "/mitra/", kind="swasta")

    assert len(rows(body)) == 61


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ['=HYPERLINK("http://evil.example","klik")', "+62 21 555", "-1+1", "@SUM(A1)"])
def test_text_a_spreadsheet_would_run_as_a_formula_is_written_as_text(visitor, typed):
    CooperativeFactory(name=f"{typed} Koperasi", legal_number=typed)
    PartnerFactory(name=f"{typed} Mitra", registration_number=typed)

    _response, cooperatives = download(visitor, "/koperasi/")
    _response, partners = download(visitor, "/mitra/")

    cooperative, partner = rows(cooperatives)[0], rows(partners)[0]
    assert (cooperative["name"], cooperative["legal_number"]) == (f"'{typed} Koperasi", f"'{typed}")
    assert (partner["name"], partner["registration_number"]) == (f"'{typed} Mitra", f"'{typed}")


@pytest.mark.django_db
def test_plain_text_and_numbers_are_written_as_they_are(visitor):
    CooperativeFactory(name="Koperasi 2+2 = Empat", legal_number="518/BH/XII", individual_members=7)

    _response, body = download(visitor, "/koperasi/")

    row = rows(body)[0]
    assert (row["name"], row["legal_number"], row["members"]) == ("Koperasi 2+2 = Empat", "518/BH/XII", "7")
