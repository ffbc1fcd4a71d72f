"""Every filter and every sort order of the cooperative and partner lists, through the URL."""

import datetime

import pytest

from kopnet.models import Verification
from registry.models import CooperativeStatus, CooperativeType, PartnerKind, Scope, Tier
from tests.factories import CooperativeFactory, MembershipFactory, PartnerFactory, province, sector

COOPERATIVES = "/koperasi/"
PARTNERS = "/mitra/"


def federation(tier=Tier.SEKUNDER, **fields):
    return CooperativeFactory(tier=tier, individual_members=None, **fields)


def listed(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.content.decode()[:2000]
    return [row.name for row in response.context["object_list"]]


@pytest.mark.django_db
def test_search_finds_cooperatives_by_name_short_name_nik_and_legal_number(visitor):
    by_name = CooperativeFactory(name="Koperasi Unit Desa Sumber Rejeki")
    by_short = CooperativeFactory(name="Induk Koperasi Pegawai Republik Indonesia", short_name="IKPRI", tier=Tier.INDUK)
    by_nik = CooperativeFactory(name="Koperasi Bukan Cocok", nik="3201234567890123")
    by_legal = CooperativeFactory(name="Koperasi Hukum", legal_number="AHU-0012345.AH.01.26")
    CooperativeFactory(name="Koperasi Lain Sama Sekali")

    assert listed(visitor, COOPERATIVES, q="sumber rejeki") == [by_name.name]
    assert listed(visitor, COOPERATIVES, q="ikpri") == [by_short.name]
    assert listed(visitor, COOPERATIVES, q="3201234567890123") == [by_nik.name]
    assert listed(visitor, COOPERATIVES, q="0012345.AH") == [by_legal.name]


@pytest.mark.django_db
def test_search_by_nik_matches_the_whole_number_only(visitor):
    CooperativeFactory(name="Koperasi Bernomor", nik="3201234567890123")

    assert listed(visitor, COOPERATIVES, q="32012345") == []


@pytest.mark.django_db
def test_blank_search_lists_everything(visitor):
    CooperativeFactory(name="Koperasi Satu")
    CooperativeFactory(name="Koperasi Dua")

    assert listed(visitor, COOPERATIVES, q="   ") == ["Koperasi Dua", "Koperasi Satu"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("param", "wanted", "other", "extra"),
    [
        ("tier", Tier.SEKUNDER, Tier.PRIMER, {"scope": Scope.PROVINSI}),
        ("tier", Tier.APEX, Tier.INDUK, {"scope": Scope.NASIONAL}),
        ("type", CooperativeType.SIMPAN_PINJAM, CooperativeType.KONSUMEN, {}),
        ("type", CooperativeType.PEMASARAN, CooperativeType.SERBA_USAHA, {}),
        ("status", CooperativeStatus.DIBUBARKAN, CooperativeStatus.AKTIF, {}),
        ("status", CooperativeStatus.TIDAK_AKTIF, CooperativeStatus.AKTIF, {}),
        ("scope", Scope.NASIONAL, Scope.KABUPATEN_KOTA, {}),
        ("scope", Scope.INTERNASIONAL, Scope.PROVINSI, {}),
    ],
)
def test_choice_filter_keeps_matching_cooperatives_only(visitor, param, wanted, other, extra):
    individual = {"individual_members": None} if param == "tier" else {}
    CooperativeFactory(name="Koperasi Yang Dicari", **{param: wanted}, **individual)
    CooperativeFactory(name="Koperasi Yang Lain", **{param: other}, **individual)

    assert listed(visitor, COOPERATIVES, **{param: wanted.value}) == ["Koperasi Yang Dicari"]


@pytest.mark.django_db
def test_sector_filter_keeps_cooperatives_with_that_sector(visitor):
    CooperativeFactory(name="Koperasi Tani", sectors=[sector("pertanian"), sector("perdagangan")])
    CooperativeFactory(name="Koperasi Nelayan", sectors=[sector("perikanan")])
    CooperativeFactory(name="Koperasi Tanpa Sektor")

    assert listed(visitor, COOPERATIVES, sector="pertanian") == ["Koperasi Tani"]
    assert listed(visitor, COOPERATIVES, sector="perdagangan") == ["Koperasi Tani"]
    assert listed(visitor, COOPERATIVES, sector="perikanan") == ["Koperasi Nelayan"]


@pytest.mark.django_db
def test_sector_filter_lists_a_cooperative_with_two_matching_rows_once(visitor):
    CooperativeFactory(name="Koperasi Tani", sectors=[sector("pertanian"), sector("perkebunan")])

    response = visitor.get(COOPERATIVES, {"sector": "pertanian"})

    assert [row.name for row in response.context["object_list"]] == ["Koperasi Tani"]
    assert response.context["paginator"].count == 1


@pytest.mark.django_db
def test_province_filter_takes_the_two_digit_code(visitor):
    CooperativeFactory(name="Koperasi Bandung", province=province("32"))
    CooperativeFactory(name="Koperasi Jakarta", province=province("31"))

    assert listed(visitor, COOPERATIVES, province="32") == ["Koperasi Bandung"]
    assert listed(visitor, COOPERATIVES, province="31") == ["Koperasi Jakarta"]


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["US", "us"])
def test_country_filter_takes_the_iso_code_in_either_case(visitor, code):
    federation(Tier.INDUK, name="National Rural Electric Cooperative Association", country="US", province=None)
    CooperativeFactory(name="Koperasi Indonesia")

    assert listed(visitor, COOPERATIVES, country=code) == ["National Rural Electric Cooperative Association"]
    assert listed(visitor, COOPERATIVES, country="ID") == ["Koperasi Indonesia"]


@pytest.mark.django_db
def test_filters_combine(visitor):
    federation(name="Sekunder Jabar", province=province("32"))
    federation(name="Sekunder Jakarta", province=province("31"))
    CooperativeFactory(name="Primer Jabar", province=province("32"))

    assert listed(visitor, COOPERATIVES, tier="sekunder", province="32") == ["Sekunder Jabar"]


@pytest.fixture
def three_cooperatives(db):
    """Three cooperatives whose names, member counts and founding dates sort differently."""
    CooperativeFactory(name="Bima", individual_members=300, founded=datetime.date(1990, 1, 1))
    CooperativeFactory(name="Arjuna", individual_members=20, founded=datetime.date(2010, 6, 1))
    CooperativeFactory(name="Cakra", individual_members=4000, founded=None)


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        (None, ["Arjuna", "Bima", "Cakra"]),
        ("name", ["Arjuna", "Bima", "Cakra"]),
        ("-name", ["Cakra", "Bima", "Arjuna"]),
        ("members", ["Arjuna", "Bima", "Cakra"]),
        ("-members", ["Cakra", "Bima", "Arjuna"]),
        # An unknown founding date sorts last both ways.
        ("founded", ["Bima", "Arjuna", "Cakra"]),
        ("-founded", ["Arjuna", "Bima", "Cakra"]),
    ],
)
def test_every_ordering_sorts_the_cooperatives(visitor, three_cooperatives, ordering, expected):
    params = {"ordering": ordering} if ordering else {}

    assert listed(visitor, COOPERATIVES, **params) == expected


@pytest.mark.django_db
def test_members_ordering_counts_member_cooperatives_of_federations(visitor):
    big = federation(name="Puskop Besar")
    small = federation(name="Puskop Kecil")
    for _ in range(3):
        MembershipFactory(federation=big, member=CooperativeFactory(individual_members=1))
    MembershipFactory(federation=small, member=CooperativeFactory(individual_members=1))

    assert listed(visitor, COOPERATIVES, tier="sekunder", ordering="-members") == ["Puskop Besar", "Puskop Kecil"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("ordering", "ascending"), [("members", True), ("-members", False), ("founded", True), ("-founded", False)]
)
def test_equal_values_keep_a_stable_order_by_id(visitor, ordering, ascending):
    rows = [CooperativeFactory(name=name, individual_members=50, founded=datetime.date(2000, 1, 1)) for name in "CAB"]
    by_id = [row.name for row in sorted(rows, key=lambda row: row.pk, reverse=not ascending)]

    assert listed(visitor, COOPERATIVES, ordering=ordering) == by_id


@pytest.mark.django_db
def test_partner_search_finds_name_and_registration_number(visitor):
    PartnerFactory(name="PT Pupuk Indonesia", registration_number="NIB-9120001234567")
    PartnerFactory(name="Bank Rakyat Indonesia", registration_number="")

    assert listed(visitor, PARTNERS, q="pupuk") == ["PT Pupuk Indonesia"]
    assert listed(visitor, PARTNERS, q="9120001234") == ["PT Pupuk Indonesia"]
    assert listed(visitor, PARTNERS, q="bank rakyat") == ["Bank Rakyat Indonesia"]


@pytest.mark.django_db
@pytest.mark.parametrize("kind", [PartnerKind.BANK, PartnerKind.BUMN, PartnerKind.UNIVERSITAS])
def test_partner_kind_filter(visitor, kind):
    PartnerFactory(name="Mitra Dicari", kind=kind)
    PartnerFactory(name="Mitra Lain", kind=PartnerKind.LAINNYA)

    assert listed(visitor, PARTNERS, kind=kind.value) == ["Mitra Dicari"]


@pytest.mark.django_db
def test_partner_country_and_province_filters(visitor):
    PartnerFactory(name="USAID", kind=PartnerKind.INTERNASIONAL, country="US", province=None)
    PartnerFactory(name="Bank Jabar", kind=PartnerKind.BUMD, province=province("32"))
    PartnerFactory(name="Bank DKI", kind=PartnerKind.BUMD, province=province("31"))

    assert listed(visitor, PARTNERS, country="US") == ["USAID"]
    assert listed(visitor, PARTNERS, country="ID") == ["Bank DKI", "Bank Jabar"]
    assert listed(visitor, PARTNERS, province="32") == ["Bank Jabar"]


@pytest.mark.django_db
@pytest.mark.parametrize(("ordering", "expected"), [("name", ["Alfa", "Beta"]), ("-name", ["Beta", "Alfa"])])
def test_partner_orderings(visitor, ordering, expected):
    PartnerFactory(name="Beta")
    PartnerFactory(name="Alfa")

    assert listed(visitor, PARTNERS, ordering=ordering) == expected


@pytest.mark.django_db
def test_filters_never_show_unverified_cooperatives_to_visitors(visitor):
    federation(name="Koperasi Menunggu", verification=Verification.PENDING)
    federation(name="Koperasi Terverifikasi")

    assert listed(visitor, COOPERATIVES, tier="sekunder") == ["Koperasi Terverifikasi"]
