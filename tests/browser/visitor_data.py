"""A small, realistic registry for the visitors' journeys in the browser.

Four provinces and every tier; a federation chain KUD Sumber Rejeki (primer) →
PUSKUD Jawa Tengah (sekunder) → INKUD (induk) → Dekopin (apex); 55 verified
primary cooperatives in Jawa Tengah (one filter, two pages of 50) with one more
waiting for verification that nobody but curators sees; and the founding of the
ACO in 1977: Dekopin with the apex bodies of Malaysia, the Philippines, Singapore
and Thailand, an international partnership beside two domestic ones.
"""

import datetime
from dataclasses import dataclass

import pytest

from kopnet.models import Verification
from registry.models import Cooperative, CooperativeType, Scope, Tier
from tests.factories import (
    CooperativeFactory,
    MembershipFactory,
    PartnerFactory,
    PartnershipFactory,
    province,
    sector,
)

# The filter of journey 1: primary cooperatives in Jawa Tengah.
FILTER_TIER = Tier.PRIMER
FILTER_PROVINCE = "33"
FILTER_COUNT = 55

REGENCIES = [
    "Kabupaten Boyolali", "Kabupaten Klaten", "Kabupaten Semarang", "Kabupaten Magelang", "Kabupaten Sragen",
    "Kabupaten Kudus", "Kabupaten Pati", "Kabupaten Banyumas", "Kabupaten Cilacap", "Kota Surakarta",
]  # fmt: skip
KINDS = [
    ("Koperasi Tani", CooperativeType.PRODUSEN, "pertanian"),
    ("Koperasi Simpan Pinjam", CooperativeType.SIMPAN_PINJAM, "simpan-pinjam"),
    ("Koperasi Konsumen", CooperativeType.KONSUMEN, "perdagangan"),
    ("Koperasi Peternak Sapi Perah", CooperativeType.PRODUSEN, "peternakan"),
    ("Koperasi Serba Usaha", CooperativeType.SERBA_USAHA, "jasa"),
]
WORDS = ["Makmur", "Sejahtera", "Maju Bersama", "Sido Rukun", "Tunas Harapan", "Karya Mandiri", "Mekar Sari",
         "Rukun Santoso", "Gemah Ripah", "Bina Usaha", "Manunggal"]  # fmt: skip


@dataclass
class Registry:
    dekopin: Cooperative
    inkud: Cooperative
    puskud: Cooperative
    kud: Cooperative  # the bottom of the chain, the smallest of the filter: last on page 2
    apex_abroad: dict  # country code -> the apex body that founded the ACO with Dekopin
    aco_founding: object
    domestic: list


def apex_abroad(name, short_name, slug, country):
    return CooperativeFactory(
        name=name, short_name=short_name, slug=slug, tier=Tier.APEX, type=CooperativeType.JASA,
        country=country, province=None, scope=Scope.NASIONAL,
    )  # fmt: skip


def build_registry():
    jakarta, jabar, jateng, jatim = (province(code) for code in ("31", "32", "33", "35"))

    dekopin = CooperativeFactory(
        name="Dewan Koperasi Indonesia", short_name="Dekopin", slug="dekopin", tier=Tier.APEX,
        type=CooperativeType.JASA, province=jakarta, regency="Kota Jakarta Selatan", scope=Scope.NASIONAL,
    )  # fmt: skip
    inkud = CooperativeFactory(
        name="Induk Koperasi Unit Desa", short_name="INKUD", slug="inkud", tier=Tier.INDUK,
        type=CooperativeType.SERBA_USAHA, province=jakarta, scope=Scope.NASIONAL, sectors=[sector("pertanian")],
    )  # fmt: skip
    puskud = CooperativeFactory(
        name="Pusat Koperasi Unit Desa Jawa Tengah", short_name="PUSKUD Jateng", slug="puskud-jawa-tengah",
        tier=Tier.SEKUNDER, type=CooperativeType.SERBA_USAHA, province=jateng, regency="Kota Semarang",
        scope=Scope.PROVINSI, sectors=[sector("pertanian")],
    )  # fmt: skip
    kud = CooperativeFactory(
        name="KUD Sumber Rejeki Boyolali", slug="kud-sumber-rejeki-boyolali", tier=Tier.PRIMER,
        type=CooperativeType.SERBA_USAHA, province=jateng, regency="Kabupaten Boyolali",
        individual_members=35, founded=datetime.date(1978, 3, 1), sectors=[sector("pertanian")],
    )  # fmt: skip
    MembershipFactory(member=kud, federation=puskud)
    MembershipFactory(member=puskud, federation=inkud)
    MembershipFactory(member=inkud, federation=dekopin)

    # The rest of the filter: 54 more verified primers in Jawa Tengah, all larger than
    # the KUD, and one waiting for verification that the list must not show.
    for number in range(FILTER_COUNT - 1):
        prefix, kind, sector_slug = KINDS[number % len(KINDS)]
        regency = REGENCIES[number % len(REGENCIES)]
        place = regency.split(" ", 1)[1]
        coop = CooperativeFactory(
            name=f"{prefix} {WORDS[number % len(WORDS)]} {place} {number + 1}", type=kind, province=jateng,
            regency=regency, individual_members=60 + 37 * number, sectors=[sector(sector_slug)],
            founded=datetime.date(1980 + number % 40, 1 + number % 12, 1),
        )  # fmt: skip
        if number < 3:
            MembershipFactory(member=coop, federation=puskud)
    CooperativeFactory(
        name="Koperasi Tani Belum Terverifikasi Klaten", province=jateng, verification=Verification.PENDING
    )

    # Other tiers and provinces, which the filter leaves out.
    CooperativeFactory(
        name="Pusat Koperasi Pegawai Republik Indonesia Jawa Tengah", short_name="PKPRI Jateng",
        tier=Tier.SEKUNDER, province=jateng, scope=Scope.PROVINSI,
    )  # fmt: skip
    CooperativeFactory(name="Koperasi Sumber Rejeki Bandung", province=jabar, regency="Kota Bandung")
    for number, name in enumerate(["Koperasi Nelayan Mina Sejahtera", "Koperasi Tani Subur Cianjur"]):
        CooperativeFactory(name=name, province=jabar, individual_members=200 + number)
    for name in ["Koperasi Wanita Setia Budi Malang", "KUD Tani Makmur Jember", "Koperasi Karyawan Sinar Surabaya"]:
        CooperativeFactory(name=name, province=jatim)

    abroad = {
        "MY": apex_abroad("Angkatan Koperasi Kebangsaan Malaysia Berhad", "ANGKASA", "angkasa", "MY"),
        "PH": apex_abroad(
            "Cooperative Union of the Philippines", "CUP", "cooperative-union-of-the-philippines", "PH"
        ),
        "SG": apex_abroad(
            "Singapore National Co-operative Federation", "SNCF", "singapore-national-co-operative-federation", "SG"
        ),
        "TH": apex_abroad("Cooperative League of Thailand", "CLT", "cooperative-league-of-thailand", "TH"),
    }
    aco = CooperativeFactory(
        name="ASEAN Cooperative Organisation", short_name="ACO", slug="asean-cooperative-organisation",
        tier=Tier.APEX, type=CooperativeType.JASA, province=jakarta, scope=Scope.INTERNASIONAL,
        founded=datetime.date(1977, 12, 5),
    )  # fmt: skip
    aco_day = datetime.date(1977, 12, 5)
    aco_founding = PartnershipFactory(
        title="Pembentukan ASEAN Cooperative Organisation (ACO)",
        description="Konferensi pertama koperasi ASEAN di Jakarta, 5 Desember 1977, atas prakarsa Dekopin.",
        initiator=dekopin,
        parties=[dekopin, *abroad.values()],
        start_date=aco_day,
        end_date=aco_day,
        status="selesai",
        new_entity=True,
        new_entity_name="ASEAN Cooperative Organisation (ACO)",
        new_entity_kind="lainnya",
        new_entity_cooperative=aco,
    )
    bank = PartnerFactory(name="PT Bank Rakyat Indonesia (Persero) Tbk", kind="bank", province=jakarta)
    domestic = [
        PartnershipFactory(
            title="Pengembangan usaha KUD bersama Dekopin", initiator=dekopin, parties=[dekopin, inkud],
            direction="vertikal", status="berjalan", start_date=datetime.date(2019, 4, 1),
        ),  # fmt: skip
        PartnershipFactory(
            title="Kredit usaha tani untuk anggota KUD", initiator=kud, parties=[kud, bank],
            direction="", status="berjalan", start_date=datetime.date(2022, 2, 14),
        ),  # fmt: skip
    ]
    return Registry(
        dekopin=dekopin, inkud=inkud, puskud=puskud, kud=kud, apex_abroad=abroad, aco_founding=aco_founding,
        domestic=domestic,
    )  # fmt: skip


@pytest.fixture(name="registry")
def registry_fixture(migrated_data, transactional_db):
    """The registry above, for a test against live_server (which needs transactional_db).

    A test module using it imports `migrated_data` too (tests.browser.migrated_data).
    """
    return build_registry()


def filtered_slugs():
    """The slugs journey 1's filter shows, in the order "most members first" gives."""
    return list(
        Cooperative.objects.verified()
        .filter(tier=FILTER_TIER, province_id=FILTER_PROVINCE)
        .order_by("-member_count", "-id")
        .values_list("slug", flat=True)
    )
