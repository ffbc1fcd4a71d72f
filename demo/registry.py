"""The demo registry, as plain data: what `manage.py seed_demo` loads (demo/load.py).

Two kinds of records live here:

- The organisations the source texts name (shared/domain/*.txt): Dekopin, the
  ASEAN Cooperative Organisation (founded at the first ASEAN cooperative conference
  in Jakarta on 5 December 1977, initiated by Dekopin), the apex bodies of
  Malaysia, the Philippines, Singapore and Thailand that founded it with Dekopin
  (by their names today), the International Co-operative Alliance, Induk Koperasi
  Pegawai Negeri (IKPRI) with provincial PKPRI, and the US development co-ops.
  Only what the texts (or common knowledge beyond doubt, such as ICA sitting in
  Belgium) say is filled in; every other field is left blank rather than invented.
- Generated cooperatives and partners: fictional names, numbers and dates made by a
  seeded random.Random, so that every run generates the same records (the few
  fictional ones abroad carry "(demo)" in their names). Membership dates the texts
  do not give are illustrative, and so is the membership of the ACO in the ICA:
  the demo needs an apex body inside an apex body.

The partnerships between them are demo/partnerships.py's.
"""

import datetime
import random
from dataclasses import dataclass, field

from django.utils.text import slugify

from demo.names import KPRI_WORDS, PRIMER_KINDS, PROVINCES, STREETS, WORDS, place_name
from kopnet.models import Verification
from registry.models import CooperativeStatus, CooperativeType, PartnerKind, Scope, Tier

DEMO_PASSWORD = "kopnet-demo"
SEED = 1977

# No generated date comes after this one, so the data stays the same whatever day
# it is loaded (and no date is ever in the future).
LATEST_DATE = datetime.date(2024, 12, 31)
# The start of a membership the texts do not date (illustrative).
UNDATED_START = datetime.date(2000, 1, 2)

GENERATED_PRIMERS_PER_PROVINCE = 7
KPRI_PER_PKPRI = 3

T, ST = Tier, CooperativeStatus
K = CooperativeType

# theme: (provincial secondary's name prefix, its type, sectors, the national induk it joins)
THEMES = {
    "tani": ("Pusat Koperasi Tani", K.PRODUSEN, ["pertanian", "perkebunan"], "induk-koperasi-tani-nusantara"),
    "nelayan": ("Pusat Koperasi Nelayan", K.PRODUSEN, ["perikanan"], "induk-koperasi-nelayan-nusantara"),
    "simpan_pinjam": ("Pusat Koperasi Simpan Pinjam", K.SIMPAN_PINJAM, ["simpan-pinjam"], "induk-koperasi-simpan-pinjam-nusantara"),
    "usaha": ("Pusat Koperasi Serba Usaha", K.SERBA_USAHA, ["perdagangan", "jasa"], "induk-koperasi-serba-usaha-nusantara"),
}

REJECTION_REASONS = [
    "Pengesahan badan hukum tidak dapat ditemukan.",
    "NIK Koperasi tidak cocok dengan data kementerian.",
    "Duplikat: koperasi ini sudah terdaftar dengan nama lain.",
    "Pengurus tidak dapat dihubungi untuk konfirmasi data.",
]
PKPRI_PROVINCES = ["12", "31", "32", "33", "34", "35", "51", "73"]


# --- The named organisations --------------------------------------------------------

NAMED_COOPERATIVES = [
    dict(
        slug="dekopin", name="Dewan Koperasi Indonesia", short_name="Dekopin", tier=T.APEX, type=K.JASA,
        country="ID", province="31", scope=Scope.NASIONAL,
    ),
    dict(
        slug="asean-cooperative-organisation", name="ASEAN Cooperative Organisation", short_name="ACO",
        tier=T.APEX, type=K.JASA, country="ID", province="31", scope=Scope.INTERNASIONAL,
        founded=datetime.date(1977, 12, 5),
        # The texts say where it was founded, not where its secretariat sits.
        address="Dibentuk pada Konferensi Koperasi ASEAN pertama di Jakarta, 5 Desember 1977, "
        "atas prakarsa Dewan Koperasi Indonesia (Dekopin). Alamat sekretariat belum tercatat.",
    ),
    dict(
        slug="international-co-operative-alliance", name="International Co-operative Alliance", short_name="ICA",
        tier=T.APEX, type=K.JASA, country="BE", scope=Scope.INTERNASIONAL, website="https://ica.coop/",
    ),
    dict(
        # "Induk Koperasi Pegawai Negeri" in the source text.
        slug="ikpri", name="Induk Koperasi Pegawai Republik Indonesia", short_name="IKPRI", tier=T.INDUK,
        type=K.SERBA_USAHA, country="ID", province="31", scope=Scope.NASIONAL,
        sectors=["simpan-pinjam", "konsumsi"],
    ),
    # The US organisations of the second text: national bodies that build cooperatives abroad.
    dict(
        slug="nreca", name="National Rural Electric Cooperative Association", short_name="NRECA", tier=T.INDUK,
        type=K.JASA, country="US", scope=Scope.INTERNASIONAL, sectors=["listrik-energi"],
    ),
    dict(
        slug="ncba-clusa", name="National Cooperative Business Association CLUSA International",
        short_name="NCBA CLUSA", tier=T.INDUK, type=K.SERBA_USAHA, country="US", scope=Scope.INTERNASIONAL,
        sectors=["pertanian", "jasa"],
    ),
    dict(
        slug="cuna", name="Credit Union National Association", short_name="CUNA", tier=T.INDUK,
        type=K.SIMPAN_PINJAM, country="US", scope=Scope.INTERNASIONAL, sectors=["simpan-pinjam"],
    ),
    dict(
        slug="federation-of-cooperative-housing", name="Federation of Cooperative Housing", short_name="FCH",
        tier=T.INDUK, type=K.JASA, country="US", scope=Scope.INTERNASIONAL, sectors=["perumahan"],
    ),
    dict(
        slug="agricultural-cooperative-development-international",
        name="Agricultural Cooperative Development International", short_name="ACDI", tier=T.INDUK,
        type=K.PEMASARAN, country="US", scope=Scope.INTERNASIONAL, sectors=["pertanian", "perdagangan"],
    ),
    # The apex bodies of the cooperative movements that founded the ACO with Dekopin
    # in 1977 (Malaysia, the Philippines, Singapore, Thailand), by their names today.
    dict(
        slug="angkasa", name="Angkatan Koperasi Kebangsaan Malaysia Berhad", short_name="ANGKASA", tier=T.APEX,
        type=K.JASA, country="MY", scope=Scope.NASIONAL,
    ),
    dict(
        slug="cooperative-union-of-the-philippines", name="Cooperative Union of the Philippines", short_name="CUP",
        tier=T.APEX, type=K.JASA, country="PH", scope=Scope.NASIONAL,
    ),
    dict(
        slug="singapore-national-co-operative-federation", name="Singapore National Co-operative Federation",
        short_name="SNCF", tier=T.APEX, type=K.JASA, country="SG", scope=Scope.NASIONAL,
    ),
    dict(
        slug="cooperative-league-of-thailand", name="Cooperative League of Thailand", short_name="CLT",
        tier=T.APEX, type=K.JASA, country="TH", scope=Scope.NASIONAL,
    ),
]

# Fictional cooperatives abroad, parties to generated international partnerships
# (marked "demo" so that nobody takes them for real ones): (slug, name, tier, type,
# country, city, sectors).
FOREIGN_COOPERATIVES = [
    ("davao-farmers-cooperative-demo", "Davao Farmers Cooperative (demo)", T.PRIMER, K.PRODUSEN, "PH", "Davao City", ["pertanian"]),
    ("chiang-mai-coffee-growers-cooperative-demo", "Chiang Mai Coffee Growers Cooperative (demo)", T.PRIMER, K.PRODUSEN, "TH", "Chiang Mai", ["perkebunan"]),
    ("penang-fishermens-cooperative-demo", "Penang Fishermen's Cooperative (demo)", T.PRIMER, K.PRODUSEN, "MY", "George Town", ["perikanan"]),
    ("hokkaido-dairy-cooperative-demo", "Hokkaido Dairy Cooperative (demo)", T.PRIMER, K.PRODUSEN, "JP", "Sapporo", ["peternakan"]),
    ("rotterdam-fair-trade-cooperative-demo", "Rotterdam Fair Trade Cooperative (demo)", T.SEKUNDER, K.PEMASARAN, "NL", "Rotterdam", ["perdagangan"]),
]

# (member, federation, start); None starts on UNDATED_START.
NAMED_MEMBERSHIPS = [
    ("ikpri", "dekopin", None),
    # Dekopin initiated the conference that founded the ACO.
    ("dekopin", "asean-cooperative-organisation", datetime.date(1977, 12, 5)),
    ("asean-cooperative-organisation", "international-co-operative-alliance", None),
    ("angkasa", "asean-cooperative-organisation", None),
    ("cooperative-union-of-the-philippines", "asean-cooperative-organisation", None),
    ("singapore-national-co-operative-federation", "asean-cooperative-organisation", None),
    ("cooperative-league-of-thailand", "asean-cooperative-organisation", None),
]

# The two cooperatives of the demo officials: verified primers in one province
# sharing a sector, so that suggestions between them have something to show.
OFFICIAL_COOPERATIVES = {
    "pengurus1": dict(
        slug="koperasi-tani-sejahtera-garut", name="Koperasi Tani Sejahtera Garut", tier=T.PRIMER,
        type=K.PRODUSEN, country="ID", province="32", regency="Kabupaten Garut", scope=Scope.KABUPATEN_KOTA,
        address="Jl. Raya Desa No. 12, Kabupaten Garut", nik="3205010100000101",
        legal_number="118/BH/XIII/1998", legal_date=datetime.date(1998, 3, 2), founded=datetime.date(1997, 8, 17),
        individual_members=412, phone="+62 812-2201-1998", email="pengurus@tani-sejahtera-garut.example",
        sectors=["pertanian", "perkebunan"],
    ),
    "pengurus2": dict(
        slug="ksu-mitra-usaha-tasikmalaya", name="KSU Mitra Usaha Tasikmalaya", short_name="KSU Mitra Usaha",
        tier=T.PRIMER, type=K.SERBA_USAHA, country="ID", province="32", regency="Kabupaten Tasikmalaya",
        scope=Scope.KABUPATEN_KOTA, address="Jl. Pasar Baru No. 5, Kabupaten Tasikmalaya",
        nik="3206010100000102", legal_number="AHU-0004512.AH.01.26.Tahun 2019",
        legal_date=datetime.date(2019, 6, 14), founded=datetime.date(2018, 11, 3), individual_members=186,
        sectors=["pertanian", "perdagangan"],
    ),
}

GENERATED_INDUK = [
    ("induk-koperasi-tani-nusantara", "Induk Koperasi Tani Nusantara", K.PRODUSEN, ["pertanian", "perkebunan"]),
    ("induk-koperasi-nelayan-nusantara", "Induk Koperasi Nelayan Nusantara", K.PRODUSEN, ["perikanan"]),
    ("induk-koperasi-simpan-pinjam-nusantara", "Induk Koperasi Simpan Pinjam Nusantara", K.SIMPAN_PINJAM, ["simpan-pinjam"]),
    ("induk-koperasi-serba-usaha-nusantara", "Induk Koperasi Serba Usaha Nusantara", K.SERBA_USAHA, ["perdagangan", "jasa"]),
]


# --- Partners -----------------------------------------------------------------------

P = PartnerKind
# (name, kind, country, province code or None, website): organisations beyond doubt,
# with what is certain about them; registration numbers are left blank.
NAMED_PARTNERS = [
    ("PT Bank Rakyat Indonesia (Persero) Tbk", P.BANK, "ID", "31", "https://bri.co.id/"),
    ("PT Bank Negara Indonesia (Persero) Tbk", P.BANK, "ID", "31", "https://www.bni.co.id/"),
    ("PT Bank Mandiri (Persero) Tbk", P.BANK, "ID", "31", "https://www.bankmandiri.co.id/"),
    ("PT Bank Tabungan Negara (Persero) Tbk", P.BANK, "ID", "31", "https://www.btn.co.id/"),
    ("PT Bank Syariah Indonesia Tbk", P.BANK, "ID", "31", ""),
    ("PT Bank Pembangunan Daerah Jawa Barat dan Banten Tbk", P.BANK, "ID", "32", ""),
    ("PT Bank Pembangunan Daerah Jawa Timur Tbk", P.BANK, "ID", "35", ""),
    ("PT Bank DKI", P.BANK, "ID", "31", ""),
    ("PT Bank Pembangunan Daerah Sumatera Barat (Bank Nagari)", P.BANK, "ID", "13", ""),
    ("PT Pertamina (Persero)", P.BUMN, "ID", "31", "https://www.pertamina.com/"),
    ("PT PLN (Persero)", P.BUMN, "ID", "31", ""),
    ("Perum Bulog", P.BUMN, "ID", "31", "https://www.bulog.co.id/"),
    ("PT Pupuk Indonesia (Persero)", P.BUMN, "ID", "31", ""),
    ("PT Pos Indonesia (Persero)", P.BUMN, "ID", "32", ""),
    ("PT Pegadaian", P.BUMN, "ID", "31", ""),
    ("PT Permodalan Nasional Madani", P.BUMN, "ID", "31", ""),
    ("Perumda Pasar Jaya", P.BUMD, "ID", "31", ""),
    ("Kementerian Koperasi Republik Indonesia", P.PEMERINTAH, "ID", "31", ""),
    ("Kementerian Pertanian Republik Indonesia", P.PEMERINTAH, "ID", "31", ""),
    ("Otoritas Jasa Keuangan", P.PEMERINTAH, "ID", "31", "https://www.ojk.go.id/"),
    ("Lembaga Pengelola Dana Bergulir Koperasi, Usaha Mikro, Kecil dan Menengah", P.PEMERINTAH, "ID", "31", ""),
    ("Universitas Gadjah Mada", P.UNIVERSITAS, "ID", "34", "https://ugm.ac.id/"),
    ("IPB University", P.UNIVERSITAS, "ID", "32", "https://www.ipb.ac.id/"),
    ("Universitas Padjadjaran", P.UNIVERSITAS, "ID", "32", ""),
    ("Institut Koperasi Indonesia", P.UNIVERSITAS, "ID", "32", ""),
    ("Universitas Brawijaya", P.UNIVERSITAS, "ID", "35", ""),
    ("Universitas Hasanuddin", P.UNIVERSITAS, "ID", "73", ""),
    ("Universitas Udayana", P.UNIVERSITAS, "ID", "51", ""),
    ("Wageningen University & Research", P.UNIVERSITAS, "NL", None, "https://www.wur.nl/"),
    ("Yayasan Bina Swadaya", P.LSM, "ID", "31", ""),
    ("Agriterra", P.LSM, "NL", None, ""),
    ("We Effect", P.LSM, "SE", None, ""),
    ("Food and Agriculture Organization of the United Nations", P.INTERNASIONAL, "IT", None, "https://www.fao.org/"),
    ("International Labour Organization", P.INTERNASIONAL, "CH", None, "https://www.ilo.org/"),
    ("International Fund for Agricultural Development", P.INTERNASIONAL, "IT", None, "https://www.ifad.org/"),
    ("Asian Development Bank", P.INTERNASIONAL, "PH", None, "https://www.adb.org/"),
    ("The World Bank", P.INTERNASIONAL, "US", None, "https://www.worldbank.org/"),
    ("Deutsche Gesellschaft für Internationale Zusammenarbeit (GIZ)", P.INTERNASIONAL, "DE", None, "https://www.giz.de/"),
    ("Japan International Cooperation Agency (JICA)", P.INTERNASIONAL, "JP", None, "https://www.jica.go.jp/"),
    ("Kamar Dagang dan Industri Indonesia", P.LAINNYA, "ID", "31", ""),
    ("Asosiasi Pengusaha Indonesia", P.LAINNYA, "ID", "31", ""),
]

# Fictional partners: (name, kind, province code).
GENERATED_PARTNERS = [
    ("PT Agro Mandiri Nusantara", P.SWASTA, "32"),
    ("PT Mitra Dagang Sejahtera", P.SWASTA, "31"),
    ("CV Sumber Tani Lestari", P.SWASTA, "33"),
    ("PT Samudra Hasil Laut Sentosa", P.SWASTA, "71"),
    ("PT Kopi Dataran Tinggi Nusantara", P.SWASTA, "11"),
    ("CV Karya Kerajinan Bersama", P.SWASTA, "34"),
    ("PT Logistik Desa Terpadu", P.SWASTA, "35"),
    ("PT Pangan Lestari Abadi", P.SWASTA, "18"),
    ("PT Energi Surya Desa", P.SWASTA, "53"),
    ("CV Berkah Niaga Borneo", P.SWASTA, "64"),
    ("PT Sawit Rakyat Makmur", P.SWASTA, "14"),
    ("PT Agro Niaga Daerah Jawa Tengah (Perseroda)", P.BUMD, "33"),
    ("Perumda Pasar Kota Kupang Sejahtera", P.BUMD, "53"),
    ("PT Pembangunan Daerah Sulawesi Selatan Mandiri (Perseroda)", P.BUMD, "73"),
    ("Perumda Perikanan Maluku Bahari", P.BUMD, "81"),
    ("Dinas Koperasi dan UKM Provinsi Jawa Barat", P.PEMERINTAH, "32"),
    ("Dinas Koperasi dan UKM Provinsi Papua", P.PEMERINTAH, "91"),
    ("Yayasan Pemberdayaan Petani Nusantara", P.LSM, "33"),
    ("Lembaga Pendamping Nelayan Pesisir", P.LSM, "74"),
    ("Perkumpulan Literasi Keuangan Desa", P.LSM, "61"),
    ("Forum Pengembangan Ekonomi Lokal Bali", P.LAINNYA, "51"),
    # The partners with whom IKPRI founded its bank (the texts do not name them).
    ("PT Mitra Dana Pegawai Nusantara", P.SWASTA, "31"),
    ("PT Graha Niaga Pegawai", P.SWASTA, "31"),
    # The bank they founded (partnership 000 links it as its new legal entity).
    ("Bank Koperasi Pegawai (demo)", P.BANK, "31"),
]
# Fictional partners abroad: (name, kind, country).
FOREIGN_PARTNERS = [
    ("Nordic Cooperative Development Fund (demo)", P.LSM, "SE"),
    ("Pacific Fair Trade Importers Ltd (demo)", P.SWASTA, "AU"),
    ("Asia Cooperative Microfinance Facility (demo)", P.INTERNASIONAL, "SG"),
]
# Generated partners waiting for a curator, and one the curator turned down.
PENDING_PARTNERS = {"CV Berkah Niaga Borneo", "PT Sawit Rakyat Makmur", "Perumda Perikanan Maluku Bahari", "Perkumpulan Literasi Keuangan Desa"}
REJECTED_PARTNERS = {"Forum Pengembangan Ekonomi Lokal Bali": "Tidak ada dokumen pendirian yang dapat diperiksa."}
GENERATED_NOTE = "Mitra fiktif untuk demo KopNet."

# username: flags
DEMO_USERS = {
    "admin": dict(is_staff=True, is_superuser=True),
    "kurator": dict(is_staff=True),
    "pengurus1": {},
    "pengurus2": {},
}


# --- Generation ---------------------------------------------------------------------



@dataclass
class Plan:
    """Everything the demo holds, as plain data, before touching the database."""

    cooperatives: list = field(default_factory=list)
    memberships: list = field(default_factory=list)  # (member slug, federation slug, start, end)
    partners: list = field(default_factory=list)


class Generator:
    """Makes the same plan on every run: one seeded random.Random, no database reads."""

    def __init__(self, seed=SEED):
        self.random = random.Random(seed)
        self.plan = Plan()
        self.slugs = set()
        self.niks = set()
        self.founded = {}

    def build(self):
        for spec in NAMED_COOPERATIVES:
            self.add(dict(spec, verification=Verification.VERIFIED))
        for member, federation, start in NAMED_MEMBERSHIPS:
            self.plan.memberships.append((member, federation, start or UNDATED_START, None))
        for slug, name, type_, sectors in GENERATED_INDUK:
            founded = self.date(1975, 2000)
            self.add(self.registered(dict(
                slug=slug, name=name, tier=T.INDUK, type=type_, country="ID", province="31",
                regency="Kota Administrasi Jakarta Pusat", scope=Scope.NASIONAL, sectors=sectors,
                verification=Verification.VERIFIED,
            ), founded))
            self.join(slug, "dekopin")
        for spec in OFFICIAL_COOPERATIVES.values():
            self.add(dict(spec, verification=Verification.VERIFIED))
            # Jawa Barat's secondary is a farmers' one (see PROVINCES).
            self.join(spec["slug"], "pusat-koperasi-tani-jawa-barat")
        for code in PROVINCES:
            self.province(code)
        self.partner_plan()
        # Last, so that the records above stay what they were before these were added.
        for slug, name, tier, type_, country, city, sectors in FOREIGN_COOPERATIVES:
            self.add(dict(
                slug=slug, name=name, tier=tier, type=type_, country=country, regency=city,
                scope=Scope.KABUPATEN_KOTA if tier == T.PRIMER else Scope.NASIONAL, sectors=sectors,
                individual_members=self.random.randint(40, 900) if tier == T.PRIMER else None,
                verification=Verification.VERIFIED,
            ))
        return self.plan

    def province(self, code):
        province_name, theme, regencies = PROVINCES[code]
        prefix, type_, sectors, induk = THEMES[theme]
        secondary = self.secondary(code, f"{prefix} {province_name}", type_, sectors, regencies[0], induk)
        kinds = [kind for kind in PRIMER_KINDS if kind[3] == theme]
        for number in range(GENERATED_PRIMERS_PER_PROVINCE):
            # Most primers follow the province's main line of business; the rest vary.
            kind = self.random.choice(kinds if number < 4 else PRIMER_KINDS)
            joins = secondary if kind[3] == theme else None
            self.primer(code, kind, regencies, joins)
        if code in PKPRI_PROVINCES:
            pkpri = self.pkpri(code, province_name)
            for _number in range(KPRI_PER_PKPRI):
                kind = ("KPRI {word} {place}", self.random.choice([K.SERBA_USAHA, K.SIMPAN_PINJAM]),
                        ["simpan-pinjam", "konsumsi"], "kpri")
                self.primer(code, kind, regencies, pkpri, words=KPRI_WORDS)

    def secondary(self, code, name, type_, sectors, regency, induk):
        founded = self.date(1970, 2012)
        spec = self.registered(dict(
            slug=slugify(name), name=name, tier=T.SEKUNDER, type=type_, country="ID", province=code,
            regency=regency, scope=Scope.PROVINSI, sectors=sectors, verification=Verification.VERIFIED,
            address=f"{self.random.choice(STREETS)} No. {self.random.randint(1, 200)}, {regency}",
        ), founded)
        self.add(spec)
        self.join(spec["slug"], induk)
        return spec

    def pkpri(self, code, province_name):
        # A real body of each province: generated numbers and dates would be false
        # facts about it, so only its place in the IKPRI tree is recorded.
        spec = dict(
            slug=f"pkpri-{slugify(province_name)}", name=f"Pusat Koperasi Pegawai Republik Indonesia {province_name}",
            short_name=f"PKPRI {province_name}", tier=T.SEKUNDER, type=K.SERBA_USAHA, country="ID", province=code,
            scope=Scope.PROVINSI, sectors=["simpan-pinjam", "konsumsi"], verification=Verification.VERIFIED,
        )
        self.add(spec)
        self.join(spec["slug"], "ikpri")
        return spec

    def primer(self, code, kind, regencies, federation, words=WORDS):
        pattern, type_, sectors, _theme = kind
        regency = self.random.choice(regencies)
        name = self.unique_name(pattern, place_name(regency), words)
        roll = self.random.random()
        verification = (
            Verification.PENDING if roll < 0.06 else Verification.REJECTED if roll < 0.1 else Verification.VERIFIED
        )
        roll = self.random.random()
        status = ST.DIBUBARKAN if roll < 0.05 else ST.TIDAK_AKTIF if roll < 0.14 else ST.AKTIF
        founded = self.date(1960, 2022)
        spec = dict(
            slug=slugify(name), name=name, tier=T.PRIMER, type=type_, country="ID", province=code,
            regency=regency, scope=Scope.KABUPATEN_KOTA, sectors=sectors, status=status,
            verification=verification, individual_members=self.random.randint(20, 3500),
            address=f"{self.random.choice(STREETS)} No. {self.random.randint(1, 200)}, {regency}",
        )
        if verification == Verification.REJECTED:
            spec["verification_note"] = self.random.choice(REJECTION_REASONS)
        spec = self.registered(spec, founded, with_nik=self.random.random() < 0.85)
        self.contacts(spec)
        self.add(spec)
        if federation and verification == Verification.VERIFIED and self.random.random() < 0.85:
            # A dissolved cooperative's membership has ended.
            self.join(spec["slug"], federation["slug"], ended=status == ST.DIBUBARKAN)

    def registered(self, spec, founded, with_nik=True):
        """Founding date, legal entity number and date and NIK Koperasi of a generated cooperative."""
        legal_date = min(founded + datetime.timedelta(days=self.random.randint(30, 400)), LATEST_DATE)
        if legal_date.year >= 2019:
            legal_number = f"AHU-{self.random.randint(1, 9999999):07d}.AH.01.26.Tahun {legal_date.year}"
        else:
            legal_number = f"{self.random.randint(1, 999)}/BH/{spec['province']}/{legal_date.year}"
        spec.update(founded=founded, legal_date=legal_date, legal_number=legal_number)
        if with_nik:
            spec["nik"] = self.nik(spec["province"])
        return spec

    def contacts(self, spec):
        host = spec["slug"][:40].strip("-")
        if self.random.random() < 0.4:
            spec["phone"] = f"+62 81{self.random.randint(1, 9)}-{self.random.randint(1000, 9999)}-{self.random.randint(1000, 9999)}"
        if self.random.random() < 0.3:
            spec["email"] = f"pengurus@{host}.example"
        if self.random.random() < 0.15:
            spec["website"] = f"https://{host}.example/"

    def nik(self, province_code):
        while True:
            nik = f"{province_code}{self.random.randint(0, 10**14 - 1):014d}"
            if nik not in self.niks:
                self.niks.add(nik)
                return nik

    def unique_name(self, pattern, place, words):
        for _attempt in range(50):
            name = pattern.format(word=self.random.choice(words), place=place)
            if slugify(name) not in self.slugs:
                return name
        number = 2
        while slugify(f"{name} {number}") in self.slugs:
            number += 1
        return f"{name} {number}"

    def date(self, first_year, last_year):
        start = datetime.date(first_year, 1, 1)
        days = (datetime.date(last_year, 12, 31) - start).days
        return start + datetime.timedelta(days=self.random.randint(0, days))

    def after(self, day):
        """A day some months or years after `day`, never after LATEST_DATE."""
        return min(day + datetime.timedelta(days=self.random.randint(30, 3650)), LATEST_DATE)

    def join(self, member, federation, ended=False):
        """A membership starting after both were founded (on UNDATED_START when neither date is known)."""
        known = [day for day in (self.founded.get(member), self.founded.get(federation)) if day]
        start = self.after(max(known)) if known else UNDATED_START
        end = self.after(start) if ended else None
        self.plan.memberships.append((member, federation, start, end))

    def add(self, spec):
        assert spec["slug"] not in self.slugs, spec["slug"]
        self.slugs.add(spec["slug"])
        self.founded[spec["slug"]] = spec.get("founded")
        if spec.get("nik"):
            self.niks.add(spec["nik"])
        self.plan.cooperatives.append(spec)

    def partner_plan(self):
        for name, kind, country, province, website in NAMED_PARTNERS:
            self.plan.partners.append(dict(
                slug=slugify(name), name=name, kind=kind, country=country, province=province, website=website,
                verification=Verification.VERIFIED,
            ))
        for name, kind, province in GENERATED_PARTNERS:
            spec = dict(
                slug=slugify(name), name=name, kind=kind, country="ID", province=province,
                registration_number=f"{self.random.randint(10**12, 10**13 - 1)}", description=GENERATED_NOTE,
                verification=Verification.VERIFIED,
            )
            if name in PENDING_PARTNERS:
                spec["verification"] = Verification.PENDING
            if name in REJECTED_PARTNERS:
                spec.update(verification=Verification.REJECTED, verification_note=REJECTED_PARTNERS[name])
            self.plan.partners.append(spec)
        for name, kind, country in FOREIGN_PARTNERS:
            self.plan.partners.append(dict(
                slug=slugify(name), name=name, kind=kind, country=country, province=None, description=GENERATED_NOTE,
                verification=Verification.VERIFIED,
            ))
