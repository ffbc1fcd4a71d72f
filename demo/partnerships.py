"""The demo partnerships, as plain data: what `manage.py seed_demo` loads after the
demo registry (demo/load.py).

Two kinds of partnerships live here:

- The ones the source texts describe (shared/domain/*.txt): the founding of the
  ASEAN Cooperative Organisation in Jakarta on 5 December 1977, initiated by
  Dekopin with the apex bodies of Malaysia, the Philippines, Singapore and
  Thailand; the bank Induk Koperasi Pegawai Negeri (IKPRI) founded with its
  business partners; the US organisations' programmes with Indonesian
  cooperatives (rural electricity, the management of farmers' cooperatives, credit
  unions, housing, marketing); a primary cooperative's business partnership with a
  large company, without a new legal entity; vertical and horizontal partnerships
  between cooperatives with the benefits the texts name; Dekopin with the national
  federations, for the ideals the texts give the movement. Where the texts name no
  party, date or name, the demo uses its generated cooperatives, fictional
  partners and illustrative dates, and says so in the description.
- About 1,200 generated partnerships (2 to 6 parties each) of every category,
  direction, status and verification state, made by a seeded random.Random from
  the registry's plan, so every run makes the same ones. They join only generated
  cooperatives and fictional partners: no invented facts about real organisations.
  A few of pengurus1's registrations wait for pengurus2's confirmation.

Every partnership has a stable reference (KS-2024-9xxxxx), by which a second run
finds it and creates nothing.
"""

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from demo.names import place_name
from demo.registry import LATEST_DATE, OFFICIAL_COOPERATIVES, SEED, UNDATED_START
from kopnet.models import Verification
from partnerships.models import Confirmation, Direction, NewEntityKind, PartnershipStatus, PartyRole
from registry.models import CooperativeStatus, Tier

REFERENCE_YEAR = 2024
FIRST_NAMED = 900001
FIRST_GENERATED = 901001
GENERATED_COUNT = 1200

S, D, R, C = PartnershipStatus, Direction, PartyRole, Confirmation
V = Verification
COOP, PARTNER = "coop", "partner"

PENGURUS1_COOP = OFFICIAL_COOPERATIVES["pengurus1"]["slug"]
PENGURUS2_COOP = OFFICIAL_COOPERATIVES["pengurus2"]["slug"]

ILLUSTRATIVE = "Tanggal dalam demo ini ilustratif."
GENERATED_NOTE = "Kerjasama fiktif untuk demo KopNet."
DECLINE_REASONS = [
    "Belum dibahas dalam rapat anggota.",
    "Pengurus tidak mengenal kerjasama ini.",
    "Nilai kerjasama tidak sesuai kesepakatan.",
    "Koperasi kami tidak ikut dalam kerjasama ini.",
]
REJECTION_REASONS = [
    "Dokumen perjanjian tidak dapat diperiksa.",
    "Pihak yang disebut menolak kerjasama ini.",
    "Duplikat dari kerjasama yang sudah terdaftar.",
    "Tanggal dan nilai kerjasama tidak konsisten dengan dokumen.",
]
OVERRIDE_NOTES = [
    "Koperasi mitra mengonfirmasi lewat surat resmi; akunnya belum aktif.",
    "Dikonfirmasi pengurus melalui telepon oleh staf Dekopin.",
    "Perjanjian bertanda tangan semua pihak sudah diperiksa.",
]


@dataclass
class PartySpec:
    kind: str  # COOP or PARTNER
    slug: str
    role: str = R.MEMBER
    confirmation: str = C.CONFIRMED
    decline_reason: str = ""
    confirmed_by: str | None = None  # a demo username


@dataclass
class PartnershipSpec:
    reference: str
    title: str
    initiator: str
    parties: list
    start_date: datetime.date
    direction: str = ""
    description: str = ""
    status: str = S.BERJALAN
    end_date: datetime.date | None = None
    objectives: list = field(default_factory=list)
    fields: list = field(default_factory=list)
    new_entity: bool = False
    new_entity_name: str = ""
    new_entity_kind: str = ""
    new_entity_cooperative: str | None = None
    new_entity_partner: str | None = None
    value: Decimal | None = None
    currency: str = "IDR"
    verification: str = V.VERIFIED
    verification_note: str = ""
    verification_override: str = ""
    created_by: str | None = None


def reference(number):
    return f"KS-{REFERENCE_YEAR}-{number:06d}"


def coop(slug, role=R.MEMBER, **kwargs):
    return PartySpec(COOP, slug, role, **kwargs)


def partner(slug, role=R.MEMBER, **kwargs):
    # Partners have no accounts: their parties wait until the curator checks them.
    return PartySpec(PARTNER, slug, role, confirmation=C.PENDING, **kwargs)


class Catalogue:
    """The registry plan, looked up the ways the partnerships need it."""

    def __init__(self, plan):
        self.cooperatives = {spec["slug"]: spec for spec in plan.cooperatives}
        self.partners = {spec["slug"]: spec for spec in plan.partners}
        self.members = defaultdict(list)
        for member, federation, _start, end in plan.memberships:
            if end is None:
                self.members[federation].append(member)

    def usable(self, spec):
        return spec.get("verification") == V.VERIFIED and spec.get("status", CooperativeStatus.AKTIF) == CooperativeStatus.AKTIF

    def cooperatives_where(self, **wanted):
        """Verified, active cooperatives matching every condition (`sector` is one of theirs)."""
        sector = wanted.pop("sector", None)
        prefix = wanted.pop("name_startswith", None)
        found = []
        for spec in self.cooperatives.values():
            if not self.usable(spec) or spec["slug"] in (PENGURUS1_COOP, PENGURUS2_COOP):
                continue
            if sector and sector not in spec.get("sectors", []):
                continue
            if prefix and not spec["name"].startswith(prefix):
                continue
            if all(spec.get(key) == value for key, value in wanted.items()):
                found.append(spec)
        return found

    def founded(self, slug):
        return self.cooperatives.get(slug, {}).get("founded")

    def place(self, slug):
        spec = self.cooperatives[slug]
        return place_name(spec.get("regency") or "") or spec["name"]


def after_founding(catalogue, slugs, years=1):
    """A day some time after the youngest of these cooperatives was founded."""
    known = [day for day in (catalogue.founded(slug) for slug in slugs) if day]
    if not known:
        return UNDATED_START
    return min(max(known) + datetime.timedelta(days=365 * years), LATEST_DATE)


def ended(start, years):
    return min(start + datetime.timedelta(days=365 * years), LATEST_DATE)


# --- The partnerships the texts describe ---------------------------------------------


def named_partnerships(catalogue):
    numbers = iter(range(FIRST_NAMED, FIRST_GENERATED))
    specs = []

    def add(**kwargs):
        specs.append(PartnershipSpec(reference=reference(next(numbers)), **kwargs))

    # 001: the founding of the ACO.
    aco_day = datetime.date(1977, 12, 5)
    add(
        title="Pembentukan ASEAN Cooperative Organisation (ACO)",
        description=(
            "Konferensi pertama koperasi ASEAN di Jakarta, 5 Desember 1977, atas prakarsa Dewan Koperasi "
            "Indonesia (Dekopin), membentuk Organisasi Koperasi ASEAN (ACO). Pernyataan bersama wakil-wakil "
            "gerakan koperasi negara-negara ASEAN bertujuan: (a) bersama-sama menumbuhkan dan mengembangkan "
            "saling pengertian dan kerjasama yang efektif gerakan koperasi negara-negara ASEAN; (b) membentuk "
            "landasan dan daya upaya regional untuk mengembangkan perkoperasian. Kerjasama dititikberatkan pada "
            "bidang ideal koperasi, usaha, perdagangan, peminjaman modal dan konsultasi. Gerakan koperasi tiap "
            "negara dicatat dengan badan apexnya saat ini."
        ),
        initiator="dekopin",
        parties=[
            coop("dekopin", R.INITIATOR),
            coop("angkasa"),
            coop("cooperative-union-of-the-philippines"),
            coop("singapore-national-co-operative-federation"),
            coop("cooperative-league-of-thailand"),
        ],
        direction=D.HORIZONTAL,
        status=S.SELESAI,
        start_date=aco_day,
        end_date=aco_day,
        objectives=["cita-cita-koperasi", "pengetahuan-keterampilan"],
        fields=["usaha-produksi", "perdagangan", "permodalan", "konsultasi-manajemen"],
        new_entity=True,
        new_entity_name="ASEAN Cooperative Organisation (ACO)",
        new_entity_kind=NewEntityKind.LAINNYA,
        new_entity_cooperative="asean-cooperative-organisation",
    )

    # 000: the bank IKPRI founded with its business partners.
    add(
        title="Pendirian bank oleh Induk Koperasi Pegawai Negeri bersama mitra usaha",
        description=(
            "Induk Koperasi Pegawai Negeri bersama mitra usahanya mendirikan bank untuk meningkatkan pelayanan "
            "kepada anggota-anggotanya, koperasi primer dan koperasi sekunder, berupa pemberian kredit untuk "
            "mengembangkan usaha maupun menunjang kebutuhan hidup anggota perorangan. Nama bank dan mitra "
            f"dalam demo ini fiktif. {ILLUSTRATIVE}"
        ),
        initiator="ikpri",
        parties=[
            coop("ikpri", R.INITIATOR),
            partner("pt-mitra-dana-pegawai-nusantara", R.FUNDER),
            partner("pt-graha-niaga-pegawai", R.FUNDER),
        ],
        status=S.BERJALAN,
        start_date=UNDATED_START,
        objectives=["kredit-modal", "layanan-anggota", "pengetahuan-keterampilan"],
        fields=["permodalan"],
        new_entity=True,
        new_entity_name="Bank Koperasi Pegawai (demo)",
        new_entity_kind=NewEntityKind.BANK,
        new_entity_partner="bank-koperasi-pegawai-demo",
    )

    # 001: the US organisations' programmes, with generated Indonesian cooperatives.
    programmes = [
        (
            "nreca", "Program pengembangan koperasi listrik pedesaan bersama NRECA",
            "NRECA, perhimpunan koperasi listrik pedesaan nasional Amerika Serikat, membantu membangun "
            "koperasi listrik pedesaan di negara-negara berkembang di Amerika Latin dan Asia.",
            catalogue.cooperatives_where(tier=Tier.PRIMER, sector="listrik-energi")[:2], None, S.SELESAI,
            ["layanan-anggota", "pengetahuan-keterampilan"], ["usaha-produksi", "pendidikan-pelatihan"],
        ),
        (
            "ncba-clusa", "Pendampingan manajemen koperasi pertanian bersama NCBA CLUSA",
            "CLUSA, liga koperasi Amerika Serikat, membantu di bidang manajemen kegiatan koperasi-koperasi "
            "pertanian di Amerika Latin, Afrika dan Asia.",
            catalogue.cooperatives_where(tier=Tier.PRIMER, name_startswith="Koperasi Unit Desa")[:2],
            "induk-koperasi-tani-nusantara", S.SELESAI,
            ["pengetahuan-keterampilan", "layanan-anggota"], ["konsultasi-manajemen", "pendidikan-pelatihan"],
        ),
        (
            "cuna", "Pengembangan koperasi kredit (credit union) bersama CUNA",
            "CUNA, perhimpunan nasional simpan pinjam Amerika Serikat, membantu mendirikan koperasi simpan "
            "pinjam (credit union) di berbagai negara.",
            catalogue.cooperatives_where(tier=Tier.PRIMER, name_startswith="Koperasi Kredit")[:2],
            "induk-koperasi-simpan-pinjam-nusantara", S.BERJALAN,
            ["kredit-modal", "pengetahuan-keterampilan"], ["permodalan", "pendidikan-pelatihan"],
        ),
        (
            "federation-of-cooperative-housing", "Pendirian koperasi perumahan bersama FCH",
            "FCH (Federation of Cooperative Housing) memberikan bantuan untuk mendirikan koperasi-koperasi "
            "perumahan di seluruh dunia.",
            catalogue.cooperatives_where(tier=Tier.PRIMER, sector="perumahan")[:2], None, S.SELESAI,
            ["layanan-anggota"], ["usaha-produksi", "konsultasi-manajemen"],
        ),
        (
            "agricultural-cooperative-development-international", "Pemasaran hasil pertanian koperasi bersama ACDI",
            "ACDI (Agricultural Cooperative Development International) memberikan bantuan dalam berbagai bentuk "
            "di bidang pemasaran hasil koperasi pertanian.",
            catalogue.cooperatives_where(tier=Tier.PRIMER, name_startswith="Koperasi Pemasaran Hasil Bumi")[:2],
            "induk-koperasi-tani-nusantara", S.BERJALAN,
            ["akses-pasar", "daya-tawar"], ["pemasaran", "perdagangan"],
        ),
    ]  # fmt: skip
    for us_body, title, text, locals_, federation, status, objectives, fields in programmes:
        local_slugs = [spec["slug"] for spec in locals_]
        initiator = federation or local_slugs[0]
        parties = [coop(initiator, R.INITIATOR)] if federation else []
        parties += [coop(slug, R.INITIATOR if slug == initiator else R.RECIPIENT) for slug in local_slugs]
        parties.append(coop(us_body, R.FACILITATOR))
        start = after_founding(catalogue, [initiator, *local_slugs])
        add(
            title=title,
            description=f"{text} Koperasi Indonesia yang disebut di sini adalah koperasi demo. {ILLUSTRATIVE}",
            initiator=initiator,
            parties=parties,
            direction=D.VERTIKAL,  # national bodies with primary cooperatives: across tiers
            status=status,
            start_date=start,
            end_date=ended(start, 5) if status == S.SELESAI else None,
            objectives=objectives,
            fields=fields,
            value=Decimal("250000.00"),
            currency="USD",
        )

    # 000: a primary cooperative with a large company, without a new legal entity.
    add(
        title="Kemitraan pemasaran hasil panen dengan PT Agro Mandiri Nusantara",
        description=(
            "Kemitraan usaha koperasi primer dengan perusahaan besar tanpa membentuk wadah baru berbadan hukum: "
            "koperasi memasok hasil panen anggota, perusahaan membeli dengan harga yang disepakati dan melatih "
            f"anggota. Perusahaan dalam demo ini fiktif. {ILLUSTRATIVE}"
        ),
        initiator=PENGURUS1_COOP,
        parties=[
            coop(PENGURUS1_COOP, R.SUPPLIER, confirmed_by="pengurus1"),
            partner("pt-agro-mandiri-nusantara", R.BUYER),
        ],
        direction=D.VERTIKAL,
        start_date=datetime.date(2021, 4, 1),
        objectives=["akses-pasar", "layanan-anggota", "pengetahuan-keterampilan"],
        fields=["pemasaran", "perdagangan"],
        value=Decimal("750000000.00"),
        created_by="pengurus1",
    )

    # 000: vertical between cooperatives: primary cooperatives and their secondary one.
    pusat = "pusat-koperasi-tani-jawa-barat"
    suppliers = [slug for slug in catalogue.members[pusat] if slug not in (PENGURUS1_COOP, PENGURUS2_COOP)]
    suppliers = [
        slug
        for slug in suppliers
        if catalogue.usable(catalogue.cooperatives[slug]) and "pertanian" in catalogue.cooperatives[slug]["sectors"]
    ][:2]
    start = after_founding(catalogue, [pusat, *suppliers])
    add(
        title="Pemasaran gabah anggota melalui Pusat Koperasi Tani Jawa Barat",
        description=(
            "Kerjasama vertikal: koperasi primer memasok gabah anggotanya kepada pusat koperasinya, yang "
            "memasarkannya bersama. Pusat koperasi terjamin bahan bakunya, biaya transaksi turun dan produksi "
            f"besar memberi keuntungan. {ILLUSTRATIVE}"
        ),
        initiator=pusat,
        parties=[coop(pusat, R.INITIATOR), *[coop(slug, R.SUPPLIER) for slug in suppliers]],
        direction=D.VERTIKAL,
        start_date=start,
        objectives=["biaya-transaksi", "bahan-baku", "skala-ekonomi"],
        fields=["pemasaran", "perdagangan"],
    )

    # 000: horizontal between cooperatives: fishermen's cooperatives of one province.
    by_province = defaultdict(list)
    for spec in catalogue.cooperatives_where(tier=Tier.PRIMER, sector="perikanan", country="ID"):
        by_province[spec["province"]].append(spec["slug"])
    province, fishers = max(by_province.items(), key=lambda item: (len(item[1]), item[0]))
    fishers = fishers[:3]
    start = after_founding(catalogue, fishers)
    add(
        title=f"Pemasaran bersama hasil tangkapan nelayan {catalogue.place(fishers[0])}",
        description=(
            "Kerjasama horizontal: koperasi-koperasi nelayan pada tahap usaha yang sama menjual hasil tangkapan "
            "bersama, sehingga daya tawar terhadap pihak ketiga naik dan kemampuan bersaing meningkat. "
            f"{ILLUSTRATIVE}"
        ),
        initiator=fishers[0],
        parties=[coop(fishers[0], R.INITIATOR), *[coop(slug) for slug in fishers[1:]]],
        direction=D.HORIZONTAL,
        start_date=start,
        objectives=["daya-tawar", "daya-saing", "skala-ekonomi"],
        fields=["pemasaran", "perdagangan"],
    )

    # 000: the movement: Dekopin with the national federations.
    federations = ["ikpri", *sorted(slug for slug in catalogue.members["dekopin"] if slug != "ikpri")][:5]
    add(
        title="Memajukan dan menyatukan koperasi Indonesia: Dekopin dan induk-induk koperasi",
        description=(
            "Jalinan kerja sama koperasi-koperasi di Indonesia untuk memajukan dan menyatukannya, menyebarkan, "
            "memelihara dan mempertahankan cita-cita koperasi, memperhatikan dan membantu kepentingan "
            "perkumpulan koperasi, serta membela hak hidup dan berkembang secara bebas bagi perkumpulan "
            f"koperasi. {ILLUSTRATIVE}"
        ),
        initiator="dekopin",
        parties=[coop("dekopin", R.INITIATOR), *[coop(slug) for slug in federations]],
        direction=D.VERTIKAL,
        start_date=UNDATED_START,
        objectives=["cita-cita-koperasi", "pengetahuan-keterampilan"],
        fields=["advokasi", "pendidikan-pelatihan"],
    )

    # Primary cooperatives founding their secondary one: a new entity in the registry.
    for federation in sorted(catalogue.members):
        spec = catalogue.cooperatives[federation]
        founded = spec.get("founded")
        if spec["tier"] != Tier.SEKUNDER or not founded or not catalogue.usable(spec):
            continue
        founders = [
            slug
            for slug in catalogue.members[federation]
            if catalogue.usable(catalogue.cooperatives[slug])
            and (catalogue.founded(slug) or founded) < founded
            and catalogue.cooperatives[slug]["tier"] == Tier.PRIMER
        ][:3]
        if len(founders) < 2:
            continue
        add(
            title=f"Pendirian {spec['name']}",
            description=(
                "Koperasi-koperasi primer mendirikan koperasi sekunder tingkat provinsi sebagai wadah baru "
                f"berbadan hukum untuk usaha bersama. {ILLUSTRATIVE}"
            ),
            initiator=founders[0],
            parties=[coop(founders[0], R.INITIATOR), *[coop(slug) for slug in founders[1:]]],
            direction=D.HORIZONTAL,
            status=S.SELESAI,
            start_date=founded,
            end_date=founded,
            objectives=["skala-ekonomi", "daya-tawar"],
            fields=["usaha-produksi"],
            new_entity=True,
            new_entity_name=spec["name"],
            new_entity_kind=NewEntityKind.SEKUNDER,
            new_entity_cooperative=federation,
        )
        break

    # pengurus1's registrations that wait for pengurus2's confirmation.
    third = catalogue.cooperatives_where(tier=Tier.PRIMER, province="32", sector="pertanian")[0]["slug"]
    waiting = [
        ("Pemasaran bersama hasil tani Garut dan Tasikmalaya", D.HORIZONTAL, [],
         ["daya-tawar", "daya-saing"], ["pemasaran"]),
        ("Pengadaan benih padi bersama", D.HORIZONTAL, [coop(third, confirmation=C.PENDING)],
         ["skala-ekonomi", "daya-tawar"], ["perdagangan"]),
        ("Pelatihan pengurus koperasi bersama Dinas Koperasi Jawa Barat", D.HORIZONTAL,
         [partner("dinas-koperasi-dan-ukm-provinsi-jawa-barat", R.FACILITATOR)],
         ["pengetahuan-keterampilan"], ["pendidikan-pelatihan"]),
    ]  # fmt: skip
    for title, direction, others, objectives, fields in waiting:
        add(
            title=title,
            description=f"Didaftarkan oleh pengurus koperasi pemrakarsa; menunggu konfirmasi mitra. {ILLUSTRATIVE}",
            initiator=PENGURUS1_COOP,
            parties=[
                coop(PENGURUS1_COOP, R.INITIATOR, confirmed_by="pengurus1"),
                coop(PENGURUS2_COOP, confirmation=C.PENDING),
                *others,
            ],
            direction=direction,
            status=S.DIUSULKAN,
            start_date=datetime.date(2024, 11, 1),
            objectives=objectives,
            fields=fields,
            verification=V.PENDING,
            created_by="pengurus1",
        )
    return specs


# --- Generated partnerships --------------------------------------------------------------

THEME_OF_SECTOR = {
    "pertanian": "tani", "perkebunan": "tani", "peternakan": "tani", "perikanan": "nelayan",
    "simpan-pinjam": "simpan_pinjam",
}  # fmt: skip
# theme: (titles of horizontal partnerships, their fields)
HORIZONTAL = {
    "tani": (["Pengadaan pupuk bersama", "Pemasaran bersama hasil panen", "Gudang dan pengering gabah bersama",
              "Pembelian bersama sarana produksi pertanian"], ["usaha-produksi", "perdagangan", "pemasaran"]),
    "nelayan": (["Pemasaran bersama hasil tangkapan", "Cold storage bersama", "Pengadaan BBM nelayan bersama"],
                ["usaha-produksi", "pemasaran"]),
    "simpan_pinjam": (["Jaringan simpan pinjam antarkoperasi", "Dana likuiditas bersama",
                       "Pelatihan pengelola simpan pinjam bersama"], ["permodalan", "pendidikan-pelatihan"]),
    "usaha": (["Toko bersama produk koperasi", "Promosi bersama produk anggota", "Angkutan barang bersama"],
              ["perdagangan", "pemasaran"]),
}  # fmt: skip
VERTICAL_TITLES = [
    ("Pasokan hasil anggota kepada {federation}", ["pemasaran", "perdagangan"], ["biaya-transaksi", "bahan-baku"]),
    ("Penyaluran kredit {federation} kepada koperasi anggota", ["permodalan"], ["kredit-modal", "layanan-anggota"]),
    ("Pendampingan manajemen oleh {federation}", ["konsultasi-manajemen", "pendidikan-pelatihan"],
     ["pengetahuan-keterampilan", "layanan-anggota"]),
    ("Pengadaan barang anggota melalui {federation}", ["perdagangan"], ["biaya-transaksi", "skala-ekonomi"]),
]  # fmt: skip
BUSINESS_TITLES = [
    ("Kemitraan pasokan dengan {partner}", R.BUYER, ["perdagangan", "pemasaran"], ["akses-pasar", "layanan-anggota"]),
    ("Pembiayaan modal kerja dari {partner}", R.FUNDER, ["permodalan"], ["kredit-modal", "layanan-anggota"]),
    ("Pelatihan anggota bersama {partner}", R.FACILITATOR, ["pendidikan-pelatihan"], ["pengetahuan-keterampilan"]),
    ("Penyaluran produk anggota melalui {partner}", R.BUYER, ["pemasaran"], ["akses-pasar", "daya-tawar"]),
    ("Pasokan sarana produksi dari {partner}", R.SUPPLIER, ["usaha-produksi"], ["bahan-baku", "biaya-transaksi"]),
]  # fmt: skip
INTERNATIONAL_TITLES = [
    "Pertukaran pengetahuan koperasi dengan {abroad}",
    "Ekspor bersama melalui {abroad}",
    "Program pengembangan koperasi bersama {abroad}",
]
NEW_ENTITY_WORDS = ["Sinergi", "Mitra Bersama", "Karya Koperasi", "Nusa Makmur", "Bina Sejahtera", "Tunas Niaga"]
PARTY_COUNTS = ([2, 3, 4, 5, 6], [50, 25, 12, 8, 5])
PATTERNS = (["horizontal", "vertical", "business", "international", "new_entity"], [30, 25, 30, 10, 5])


class Generator:
    """Makes the same partnerships on every run from the registry's plan."""

    def __init__(self, catalogue, seed=SEED):
        self.catalogue = catalogue
        self.random = random.Random(seed * 7 + 3)
        primers = catalogue.cooperatives_where(tier=Tier.PRIMER, country="ID")
        self.primers_by_province_sector = defaultdict(list)
        for spec in primers:
            for sector in spec.get("sectors", []):
                self.primers_by_province_sector[(spec["province"], sector)].append(spec["slug"])
        self.groups = sorted(key for key, slugs in self.primers_by_province_sector.items() if len(slugs) >= 2)
        self.primers = [spec["slug"] for spec in primers]
        self.federations = sorted(
            slug
            for slug, members in catalogue.members.items()
            if slug in catalogue.cooperatives
            and catalogue.usable(catalogue.cooperatives[slug])
            and catalogue.cooperatives[slug]["tier"] in (Tier.SEKUNDER, Tier.INDUK)
            and catalogue.cooperatives[slug]["country"] == "ID"
            and [m for m in members if catalogue.usable(catalogue.cooperatives[m])]
        )
        self.secondaries = [s["slug"] for s in catalogue.cooperatives_where(tier=Tier.SEKUNDER, country="ID")]
        fictional = [
            spec
            for spec in catalogue.partners.values()
            if spec.get("description") and spec.get("verification") == V.VERIFIED
        ]
        self.partners_home = [spec["slug"] for spec in fictional if spec["country"] == "ID"]
        self.partners_abroad = [spec["slug"] for spec in fictional if spec["country"] != "ID"]
        self.cooperatives_abroad = [
            spec["slug"] for spec in catalogue.cooperatives.values() if spec["slug"].endswith("-demo")
        ]

    def build(self, count=GENERATED_COUNT, first=FIRST_GENERATED):
        specs = []
        for number in range(first, first + count):
            pattern = self.random.choices(*PATTERNS)[0]
            size = self.random.choices(*PARTY_COUNTS)[0]
            spec = getattr(self, pattern)(reference(number), size)
            self.state(spec)
            specs.append(spec)
        return specs

    # Shapes ------------------------------------------------------------------

    def horizontal(self, ref, size):
        province, sector = self.random.choice(self.groups)
        slugs = self.primers_by_province_sector[(province, sector)][:]
        self.random.shuffle(slugs)
        slugs = slugs[:size]
        titles, fields = HORIZONTAL[THEME_OF_SECTOR.get(sector, "usaha")]
        objectives = self.some(["daya-tawar", "daya-saing", "skala-ekonomi", "akses-pasar"])
        return self.spec(
            ref, f"{self.random.choice(titles)} {self.catalogue.place(slugs[0])}", slugs[0],
            [coop(slug) for slug in slugs], D.HORIZONTAL, objectives, self.some(fields),
        )

    def vertical(self, ref, size):
        federation = self.random.choice(self.federations)
        members = [m for m in self.catalogue.members[federation] if self.catalogue.usable(self.catalogue.cooperatives[m])]
        members = [m for m in members if m not in (PENGURUS1_COOP, PENGURUS2_COOP)] or members
        self.random.shuffle(members)
        members = members[: size - 1]
        title, fields, objectives = self.random.choice(VERTICAL_TITLES)
        name = self.catalogue.cooperatives[federation].get("short_name") or self.catalogue.cooperatives[federation]["name"]
        initiator = self.random.choice([federation, members[0]])
        parties = [coop(federation, R.BUYER if "Pasokan" in title else R.FUNDER if "kredit" in title else R.FACILITATOR)]
        parties += [coop(slug, R.SUPPLIER if "Pasokan" in title else R.RECIPIENT) for slug in members]
        return self.spec(ref, title.format(federation=name), initiator, parties, D.VERTIKAL, objectives, fields)

    def business(self, ref, size):
        partners = self.random.sample(self.partners_home, min(self.random.choice([1, 1, 2, 3]), size - 1))
        group = self.random.choice(self.groups)
        cooperatives = self.primers_by_province_sector[group][:]
        self.random.shuffle(cooperatives)
        cooperatives = cooperatives[: size - len(partners)]
        title, role, fields, objectives = self.random.choice(BUSINESS_TITLES)
        name = self.catalogue.partners[partners[0]]["name"]
        direction = self.random.choices(["", D.VERTIKAL, D.HORIZONTAL], [50, 35, 15])[0]
        parties = [coop(slug) for slug in cooperatives] + [partner(slug, role) for slug in partners]
        return self.spec(ref, title.format(partner=name), cooperatives[0], parties, direction, objectives, fields)

    def international(self, ref, size):
        abroad = self.random.choice(self.cooperatives_abroad + self.partners_abroad)
        is_coop = abroad in self.cooperatives_abroad
        home = self.random.sample(self.primers + self.secondaries, min(size - 1, 3))
        name = (self.catalogue.cooperatives if is_coop else self.catalogue.partners)[abroad]["name"]
        parties = [coop(slug) for slug in home]
        parties.append(coop(abroad, R.BUYER) if is_coop else partner(abroad, R.FACILITATOR))
        tiers = {self.catalogue.cooperatives[slug]["tier"] for slug in home + ([abroad] if is_coop else [])}
        direction = (D.VERTIKAL if len(tiers) > 1 else D.HORIZONTAL) if is_coop else self.random.choice(["", D.HORIZONTAL])
        spec = self.spec(
            ref, self.random.choice(INTERNATIONAL_TITLES).format(abroad=name), home[0], parties, direction,
            self.some(["pengetahuan-keterampilan", "akses-pasar", "cita-cita-koperasi"]),
            self.some(["pendidikan-pelatihan", "perdagangan", "pemasaran"]),
        )
        spec.currency = "USD"
        return spec

    def new_entity(self, ref, size):
        if self.random.random() < 0.5:
            # Cooperatives of one province found a company together.
            spec = self.horizontal(ref, max(size, 2))
            word = self.random.choice(NEW_ENTITY_WORDS)
            spec.title = f"Pendirian PT {word} {self.catalogue.place(spec.initiator)}"
            spec.new_entity_name = f"PT {word} {self.catalogue.place(spec.initiator)} (demo)"
            spec.new_entity_kind = NewEntityKind.PT
        else:
            # A federation and business partners found a people's credit bank or a company.
            federation = self.random.choice(self.secondaries)
            partners = self.random.sample(self.partners_home, min(size - 1, 2))
            kind = self.random.choice([NewEntityKind.BANK, NewEntityKind.PT, NewEntityKind.LAINNYA])
            word = self.random.choice(NEW_ENTITY_WORDS)
            label = {NewEntityKind.BANK: "PT BPR", NewEntityKind.PT: "PT", NewEntityKind.LAINNYA: "Yayasan"}[kind]
            name = f"{label} {word} {self.catalogue.place(federation)} (demo)"
            spec = self.spec(
                ref, f"Pendirian {name}", federation,
                [coop(federation, R.INITIATOR), *[partner(slug, R.FUNDER) for slug in partners]],
                "", ["kredit-modal", "layanan-anggota"] if kind == NewEntityKind.BANK else ["skala-ekonomi"],
                ["permodalan"] if kind == NewEntityKind.BANK else ["usaha-produksi"],
            )
            spec.new_entity_name, spec.new_entity_kind = name, kind
        spec.new_entity = True
        return spec

    # Common ------------------------------------------------------------------

    def spec(self, ref, title, initiator, parties, direction, objectives, fields):
        for party in parties:
            if party.kind == COOP and party.slug == initiator:
                party.role = R.INITIATOR
        if initiator not in [party.slug for party in parties if party.kind == COOP]:
            parties.insert(0, coop(initiator, R.INITIATOR))
        cooperatives = [party.slug for party in parties if party.kind == COOP]
        start = self.start_after(cooperatives)
        return PartnershipSpec(
            reference=ref, title=title, description=GENERATED_NOTE, initiator=initiator, parties=parties,
            start_date=start, direction=direction, objectives=list(objectives), fields=list(fields),
        )  # fmt: skip

    def some(self, choices):
        return self.random.sample(choices, self.random.randint(1, min(3, len(choices))))

    def start_after(self, cooperatives):
        known = [day for day in (self.catalogue.founded(slug) for slug in cooperatives) if day]
        earliest = max([datetime.date(1995, 1, 1), *known]) + datetime.timedelta(days=60)
        return self.between(min(earliest, LATEST_DATE), LATEST_DATE)

    def between(self, first, last):
        return first + datetime.timedelta(days=self.random.randint(0, max((last - first).days, 0)))

    def state(self, spec):
        """Verification, status, dates, confirmations and value, as the workflow leaves them."""
        roll = self.random.random()
        if roll < 0.70:
            spec.verification = V.VERIFIED
            spec.status = self.random.choices([S.BERJALAN, S.SELESAI, S.DIHENTIKAN, S.DIUSULKAN], [45, 30, 10, 15])[0]
        elif roll < 0.88:
            spec.verification = V.PENDING
            spec.status = self.random.choices([S.DIUSULKAN, S.BERJALAN], [60, 40])[0]
        else:
            spec.verification = V.REJECTED
            spec.verification_note = self.random.choice(REJECTION_REASONS)
            spec.status = self.random.choices([S.DIUSULKAN, S.DIHENTIKAN], [70, 30])[0]
        if spec.status == S.DIUSULKAN:
            spec.start_date = max(spec.start_date, self.between(datetime.date(2024, 1, 1), LATEST_DATE))
        elif spec.status in (S.SELESAI, S.DIHENTIKAN):
            spec.end_date = min(spec.start_date + datetime.timedelta(days=self.random.randint(90, 2400)), LATEST_DATE)
        others = [party for party in spec.parties if party.kind == COOP and party.slug != spec.initiator]
        if spec.verification == V.VERIFIED:
            if others and self.random.random() < 0.04:
                self.random.choice(others).confirmation = C.PENDING
                spec.verification_override = self.random.choice(OVERRIDE_NOTES)
        else:
            for party in others:
                party.confirmation = self.random.choices([C.CONFIRMED, C.PENDING, C.DECLINED], [50, 40, 10])[0]
                if party.confirmation == C.DECLINED:
                    party.decline_reason = self.random.choice(DECLINE_REASONS)
        if self.random.random() < 0.45:
            if spec.currency == "USD":
                spec.value = Decimal(self.random.randint(5, 500) * 1000)
            else:
                spec.value = Decimal(self.random.randint(10, 5000) * 1_000_000)


def plan(registry_plan, seed=SEED, count=GENERATED_COUNT):
    """The specs of every demo partnership: the named ones, then the generated ones."""
    catalogue = Catalogue(registry_plan)
    return named_partnerships(catalogue) + Generator(catalogue, seed).build(count)
