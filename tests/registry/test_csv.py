"""CSV downloads: exactly the filtered rows of every page, streamed, UTF-8, stable header."""

import csv
import datetime
import io

import pytest

from kopnet.models import Verification
from registry.models import Regency, Scope, Sector, Tier
from tests.factories import CooperativeFactory, MembershipFactory, PartnerFactory, province, sector

COOPERATIVE_HEADER = (
    "slug,name,short_name,tier,type,sectors,province_code,province,regency,country,scope,status,"
    "members,founded,nik,legal_number,verified,url,regency_code"
)
PARTNER_HEADER = "slug,name,kind,country,province_code,registration_number,website,verified,url,regency_code"
# Every download ends with the record's page on SITE_URL (tests/settings: the default).
SITE = "http://127.0.0.1:8000"


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
        regency="Kab. Ende",  # typed: the coded regency's own name is written in its place
        regency_place=Regency.objects.create(code="53.08", province_id="53", name="Kabupaten Ende"),
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
            "url": f"{SITE}/koperasi/{coop.slug}/",
            "regency_code": "53.08",
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
@pytest.mark.parametrize("export", ["XLSX", "CSV", "json"])
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
            "url": f"{SITE}/mitra/{bank.slug}/",
            "regency_code": "",
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


@pytest.fixture
def ordered_cooperatives(db):
    """Cooperatives with sectors whose names, member counts and founding dates sort
    differently, two of them equal but for their key."""
    for name, members, founded, sectors in [
        ("Bima", 300, datetime.date(1990, 1, 1), ["pertanian", "jasa"]),
        ("Arjuna", 20, datetime.date(2010, 6, 1), []),
        ("Cakra", 4000, None, ["perikanan"]),
        ("Dewi", 300, datetime.date(1990, 1, 1), ["jasa", "pertanian", "perikanan"]),
    ]:
        CooperativeFactory(name=name, individual_members=members, founded=founded, sectors=[sector(s) for s in sectors])


@pytest.mark.parametrize("ordering", [None, "name", "-name", "members", "-members", "founded", "-founded"])
def test_cooperative_csv_rows_come_in_the_list_order(visitor, ordered_cooperatives, ordering):
    params = {"ordering": ordering} if ordering else {}

    _response, body = download(visitor, "/koperasi/", **params)

    listed = visitor.get("/koperasi/", params).context["object_list"]
    assert [row["slug"] for row in rows(body)] == [coop.slug for coop in listed]


@pytest.mark.django_db
def test_cooperative_csv_sorts_sector_slugs_as_python_does_and_leaves_none_empty(visitor):
    # Code point order: "-" before digits, capitals, "_" and small letters.
    slugs = ["jasa_a", "Jasa", "jasa-z", "jasaa", "jasa9"]
    terms = [Sector.objects.create(slug=slug, name=f"Sektor {slug}", name_en=f"Sector {slug}") for slug in slugs]
    CooperativeFactory(name="Koperasi Banyak Sektor", sectors=terms)
    CooperativeFactory(name="Koperasi Tanpa Sektor")

    _response, body = download(visitor, "/koperasi/")

    assert [row["sectors"] for row in rows(body)] == ["|".join(sorted(slugs)), ""]


def written_as_before(coop):
    """A cooperative's row as the export wrote it from the model, field by field."""
    return {
        "slug": coop.slug,
        "name": coop.name,
        "short_name": coop.short_name,
        "tier": coop.tier,
        "type": coop.type,
        "sectors": "|".join(sorted(coop.sectors.values_list("slug", flat=True))),
        "province_code": coop.province_id or "",
        "province": coop.province.name if coop.province else "",
        "regency": coop.regency,
        "country": str(coop.country),
        "scope": coop.scope,
        "status": coop.status,
        "members": str(coop.member_count),
        "founded": coop.founded.isoformat() if coop.founded else "",
        "nik": coop.nik or "",
        "legal_number": coop.legal_number,
        "verified": "true" if coop.verification == Verification.VERIFIED else "false",
        "url": f"{SITE}/koperasi/{coop.slug}/",
        "regency_code": coop.regency_place_id or "",
    }


@pytest.mark.django_db
def test_curator_csv_in_many_chunks_holds_every_cooperatives_values(curator, monkeypatch):
    # Chunks of 3 rows: the rows, their sectors and the formula check cross chunk ends.
    monkeypatch.setattr("kopnet.lists.CSV_CHUNK", 3)
    monkeypatch.setattr("registry.views.CSV_CHUNK", 3)
    cooperatives = [
        CooperativeFactory(
            name=f"Koperasi {n:02d}",
            short_name=["", "KSP", "-KS"][n % 3],
            province=province(["31", "32", "53"][n % 3]),
            regency=["", "Kota Bandung", "Kabupaten, \"Ende\""][n % 3],
            founded=datetime.date(1990 + n, 1 + n % 12, 1) if n % 4 else None,
            nik=f"32012345678901{n:02d}" if n % 2 else None,
            legal_number=["", "518/BH/XVIII/1998", "=1+1"][n % 3],
            verification=[Verification.VERIFIED, Verification.PENDING][n % 2],
            sectors=[sector(slug) for slug in ["perikanan", "jasa", "pertanian"][: n % 4]],
        )
        for n in range(10)
    ]
    cooperatives.append(CooperativeFactory(name="NCBA CLUSA", country="US", province=None))

    _response, body = download(curator, "/koperasi/")

    expected = [written_as_before(coop) for coop in sorted(cooperatives, key=lambda coop: coop.name)]
    for row in expected:
        row.update({key: f"'{value}" for key, value in row.items() if value.startswith(("=", "-"))})
    assert rows(body) == expected
