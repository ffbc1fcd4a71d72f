"""A registry at national scale for the benchmark: `python -m bench.seed_scale`.

Generates cooperatives of every tier in every province, their federation
memberships (a few federations with thousands of members), partners, and
partnerships of 2 to 6 parties (a few organisations with thousands of them),
written in bulk: PostgreSQL's COPY, batched INSERTs elsewhere. The rows satisfy
every rule the models and the database hold (NIK format, one active membership
per pair...), so the pages and the admin work on them as on registered data;
they have no history rows, since nobody changed them. Where a model derives a
stored value, the generator calls the model's own rule: a partnership's
category, international flag and direction between cooperatives come from
derive_from_parties(), called on lightweight stand-ins for the parties (a model
instance per row would cost minutes at national scale), and the federations'
member counts by the rule of refresh_member_counts() (its active memberships),
counted while the memberships are planned.

Generated records are recognisable: cooperative and partner slugs start with
GENERATED_PREFIX and generated partnerships have no `created_by`. Seeding
replaces every cooperative, partner and partnership, so it refuses to run on a
database holding anything else unless forced.
"""

import bisect
import collections
import contextlib
import datetime
import gc
import itertools
import math
import random
import secrets
import sys
import time
from dataclasses import dataclass, field
from typing import NamedTuple

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from demo.names import PRIMER_KINDS, PROVINCES, STREETS, WORDS, place_name
from demo.registry import DEMO_PASSWORD
from kopnet.models import PageVersion, Revision, Verification
from kopnet.permissions import CURATOR_GROUP
from partnerships.models import (
    Category,
    ChangeAnswer,
    Confirmation,
    CooperationField,
    Direction,
    Objective,
    Partnership,
    PartnershipDocument,
    PartnershipParty,
    PartnershipProvince,
    PartnershipStatus,
    PartyRole,
    ReferenceSequence,
    derive_from_parties,
)
from partnerships.services import network_rebuild, province_rows_rebuild, statistics_recount
from registry.models import (
    Cooperative,
    CooperativeSearchRow,
    CooperativeStatus,
    CooperativeType,
    Membership,
    MembershipProposal,
    Partner,
    PartnerKind,
    Province,
    Representation,
    Scope,
    Sector,
    Tier,
)
from registry.services import kept_rows_rebuild

GENERATED_PREFIX = "gen-"
# The curator the benchmark signs in as (the demo's name and password).
CURATOR_USERNAME = "kurator"

FIRST_YEAR, LAST_YEAR = 1995, 2025
BATCH = 5000

# Most cooperatives are primary ones; a secondary for every ~45 primaries, as in
# the ministry's figures, national federations and apex bodies a handful.
APEX_COUNT = 6
INDUK_PER_100K = 80
SEKUNDER_SHARE = 0.022
# How many organisations gather thousands of partnerships.
HUB_COOPERATIVES = 20
HUB_PARTNERS = 10
HUB_SHARE = 0.06
# Parties per partnership, 2 to 6.
PARTY_COUNTS, PARTY_WEIGHTS = [2, 3, 4, 5, 6], [50, 25, 13, 7, 5]

# Java, Sumatra and Sulawesi hold most cooperatives (weights, others 1).
PROVINCE_WEIGHTS = {"35": 14, "33": 12, "32": 11, "12": 5, "73": 4, "31": 4, "36": 3, "34": 3, "51": 3, "16": 3, "18": 3, "13": 3}

FEDERATION_NAMES = {
    Tier.SEKUNDER: ["Pusat Koperasi {word} {place}", "Pusat KUD {word} {place}", "Koperasi Sekunder {word} {place}"],
    Tier.INDUK: ["Induk Koperasi {word} Nusantara", "Induk Koperasi {word} Indonesia", "Gabungan Koperasi {word} Indonesia"],
    Tier.APEX: ["Dewan Koperasi {word} Indonesia"],
}
PARTNER_NAMES = {
    PartnerKind.SWASTA: ["PT {word} {place}", "CV {word} {place}"],
    PartnerKind.BUMN: ["PT {word} Persero"],
    PartnerKind.BUMD: ["Perumda {word} {place}", "PT BPD {place}"],
    PartnerKind.BANK: ["Bank {word} {place}", "BPR {word} {place}"],
    PartnerKind.PEMERINTAH: ["Dinas Koperasi dan UKM {place}"],
    PartnerKind.INTERNASIONAL: ["{word} Cooperative Development Fund"],
    PartnerKind.LSM: ["Yayasan {word} {place}", "Perkumpulan {word} {place}"],
    PartnerKind.UNIVERSITAS: ["Universitas {word} {place}", "Politeknik {word} {place}"],
    PartnerKind.LAINNYA: ["Asosiasi {word} {place}"],
}
PARTNER_KIND_WEIGHTS = [50, 6, 6, 12, 8, 2, 8, 6, 2]
FOREIGN_COUNTRIES = ["MY", "SG", "TH", "PH", "JP", "KR", "NL", "DE", "US", "AU"]
TITLE_WORDS = [
    "Pengadaan Pupuk Bersama", "Pemasaran Hasil Panen", "Pembiayaan Modal Kerja", "Pelatihan Anggota",
    "Distribusi Sembako", "Pengolahan Kopi", "Simpan Pinjam Antar Koperasi", "Sertifikasi Produk",
    "Ekspor Hasil Laut", "Digitalisasi Layanan", "Asuransi Mikro Anggota", "Pengadaan Bibit Unggul",
]


@dataclass
class Totals:
    cooperatives: int = 0
    memberships: int = 0
    partners: int = 0
    partnerships: int = 0
    parties: int = 0
    links: int = 0
    seconds: dict = field(default_factory=dict)


class Organisation(NamedTuple):
    """What derive_from_parties() reads of a party's cooperative or partner."""

    country: str
    tier: str | None = None


class Party(NamedTuple):
    """A PartnershipParty as derive_from_parties() reads it, without a model instance."""

    cooperative_id: int | None
    partner_id: int | None
    cooperative: Organisation | None
    partner: Organisation | None


class NonGeneratedData(Exception):
    """The database holds records seed_scale did not make."""


class Progress:
    """One line that fills up: `[#####.....]  52% partnerships 520,000/1,000,000  27 s`."""

    WIDTH = 30

    def __init__(self, stream=None, started=None):
        self.stream = stream or sys.stderr
        self.started = started or time.monotonic()
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.last = None

    def update(self, label, done, total):
        share = done / total if total else 1
        step = int(share * (100 if self.tty else 10))
        if (label, step) == self.last:
            return
        self.last = (label, step)
        bar = "#" * int(share * self.WIDTH)
        line = (
            f"[{bar:.<{self.WIDTH}}] {share:4.0%} {label} {done:,}/{total:,}  "
            f"{time.monotonic() - self.started:.0f} s"
        )
        if self.tty:
            self.stream.write("\r" + line + ("\n" if done == total else ""))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()


def non_generated_records():
    """How many records in the database seed_scale did not generate (0 = safe to replace)."""
    return (
        Cooperative.objects.exclude(slug__startswith=GENERATED_PREFIX).count()
        + Partner.objects.exclude(slug__startswith=GENERATED_PREFIX).count()
        + Partnership.objects.filter(created_by__isnull=False).count()
        + Representation.objects.count()
        + MembershipProposal.objects.count()
        + PartnershipDocument.objects.count()
    )


# The tables seeding empties, children before parents.
def replaced_models():
    models = [
        # The answers to pending changes and those changes go with the records they concern.
        ChangeAnswer, Revision,
        PartnershipDocument, PartnershipParty, Partnership.objectives.through, Partnership.fields.through,
        Partnership, ReferenceSequence, Representation, MembershipProposal, Membership, Cooperative.sectors.through,
        Partner, Cooperative,
    ]  # fmt: skip
    histories = [
        model.history.model
        for model in (
            Revision, PartnershipDocument, PartnershipParty, Partnership, Representation, MembershipProposal, Membership,
            Partner, Cooperative,
        )
    ]
    m2m_histories = [
        apps.get_model("registry", "HistoricalCooperative_sectors"),
        apps.get_model("partnerships", "HistoricalPartnership_objectives"),
        apps.get_model("partnerships", "HistoricalPartnership_fields"),
    ]
    return m2m_histories + histories + models


def loaded_models():
    """The tables seeding fills (the others it only empties)."""
    return [
        Cooperative, Cooperative.sectors.through, Membership, Partner, Partnership, PartnershipParty,
        Partnership.objectives.through, Partnership.fields.through,
    ]  # fmt: skip


class Writer:
    """Appends rows to a table: COPY on PostgreSQL, batched INSERTs on other databases."""

    @contextlib.contextmanager
    def bulk_load(self, models):
        """On PostgreSQL, load without per-row work and redo it in one pass after.

        Every index of the tables it fills (primary keys and unique constraints too)
        and every foreign key from or to them is dropped, and made again once the rows
        are in: a sort or a join per index or key instead of a lookup per row (a primary
        key alone made the COPY of the parties 40 % dearer). The constraints are checked
        then, so a broken row still fails the seeding. Only the filled tables: a
        definition read back from PostgreSQL is not always the migration's own (an
        `IN (...)` condition comes back as another expression), so the tables only
        emptied keep theirs. The data and page version triggers are off during the load; every
        version changes once at the end (a seed is a write; the page version every
        page shows, "r": Generator.run). Everything happens in the
        seeding transaction: on an error nothing changes.
        """
        if not self.postgres:
            yield
            return
        tables = [model._meta.db_table for model in models]
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE contype = 'f' AND (conrelid = ANY(%s::regclass[]) OR confrelid = ANY(%s::regclass[]))",
                [tables, tables],
            )
            foreign_keys = cursor.fetchall()
            # Primary keys and unique constraints, whose indexes go with them.
            cursor.execute(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE contype IN ('p', 'u') AND conrelid = ANY(%s::regclass[]) ORDER BY contype, conname",
                [tables],
            )
            keys = cursor.fetchall()
            cursor.execute(
                "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                "WHERE i.indrelid = ANY(%s::regclass[]) AND NOT EXISTS "
                "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
                [tables],
            )
            indexes = cursor.fetchall()
            for table, name, _definition in [*foreign_keys, *keys]:
                cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
            for name, _definition in indexes:
                cursor.execute(f"DROP INDEX {name}")
            for table in tables:
                cursor.execute(f"ALTER TABLE {quote(table)} DISABLE TRIGGER USER")
        yield
        started = time.monotonic()
        with connection.cursor() as cursor:
            # Sorts in memory: the default 64 MB made the larger index builds spill to disk
            # and gave them one parallel worker instead of two; the foreign keys' checks
            # are joins that spilled with 4 MB. For this transaction only.
            cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
            cursor.execute("SET LOCAL work_mem = '256MB'")
            # The keys first: the foreign keys need the unique index they reference.
            statements = [f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}" for table, name, definition in keys]
            statements += [definition for _name, definition in indexes]
            for done, statement in enumerate(statements, start=1):
                cursor.execute(statement)
                self.progress.update("indexes", done, len(statements))
            for done, (table, name, definition) in enumerate(foreign_keys, start=1):
                cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}")
                self.progress.update("foreign keys", done, len(foreign_keys))
            for table in tables:
                cursor.execute(f"ALTER TABLE {quote(table)} ENABLE TRIGGER USER")
            cursor.execute("UPDATE kopnet_dataversion SET token = md5(random()::text || clock_timestamp()::text)")
        self.seconds = round(time.monotonic() - started, 1)

    def __init__(self, progress):
        self.progress = progress
        self.postgres = connection.vendor == "postgresql"
        self.seconds = None
        self.emptied = set()

    def empty(self, models):
        tables = [model._meta.db_table for model in models]
        with connection.cursor() as cursor:
            if self.postgres:
                # Writes earlier in this transaction (a test's) leave deferred checks that
                # TRUNCATE refuses to run over: do them now.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("TRUNCATE " + ", ".join(connection.ops.quote_name(t) for t in tables))
                self.emptied.update(tables)
            else:
                for table in tables:
                    cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")

    def write(self, model, columns, rows, total, label):
        table = connection.ops.quote_name(model._meta.db_table)
        names = ", ".join(connection.ops.quote_name(column) for column in columns)
        done = 0
        with connection.cursor() as cursor:
            if self.postgres:
                # A table emptied in this transaction takes its rows frozen and visible to
                # all: no hint bits to set at the first reads, nothing for VACUUM to freeze,
                # and the visibility map set for index-only scans at once.
                freeze = " (FREEZE)" if model._meta.db_table in self.emptied else ""
                with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN{freeze}") as copy:
                    for row in rows:
                        copy.write_row(row)
                        done += 1
                        if done % BATCH == 0:
                            self.progress.update(label, done, total)
            else:
                sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"
                batch = []
                for row in rows:
                    batch.append([self.adapt(value) for value in row])
                    if len(batch) == BATCH:
                        cursor.executemany(sql, batch)
                        done += len(batch)
                        batch = []
                        self.progress.update(label, done, total)
                if batch:
                    cursor.executemany(sql, batch)
                    done += len(batch)
        self.progress.update(label, done, total)
        return done

    def literal(self, value):
        """A value many rows share, as the database's text: adapting a timestamp costs
        microseconds, at every row of millions."""
        return value.isoformat() if self.postgres else self.adapt(value)

    @staticmethod
    def adapt(value):
        if isinstance(value, datetime.datetime):
            return connection.ops.adapt_datetimefield_value(value)
        if isinstance(value, datetime.date):
            return value.isoformat()
        return value

    def reset_sequences(self, models):
        statements = connection.ops.sequence_reset_sql(no_style(), models)
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


@contextlib.contextmanager
def no_garbage_collection():
    """Python's cycle collector off while the rows are made.

    The generator keeps millions of tuples (the parties and links, written after the
    partnerships) and makes no cycles: the collector's full passes over them, ever
    longer as the lists grow, took a third of the partnerships' time.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def zipf_weights(count, exponent=1.0):
    return [1 / (rank + 1) ** exponent for rank in range(count)]


class Weighted:
    """A weighted draw whose cumulative weights are summed once.

    random.choices() sums them again at every call: over a federation's thousand
    candidates, for each of 175,000 members, that alone took seconds.
    """

    def __init__(self, values, weights):
        self.values = list(values)
        self.cumulative = list(itertools.accumulate(weights))
        self.total = self.cumulative[-1]

    def draw(self, real):
        return self.values[bisect.bisect(self.cumulative, real() * self.total)]


class Samples:
    """random.sample(values, k) for a few small k, drawn from the k-permutations listed once."""

    def __init__(self, values, sizes):
        self.by_size = {size: list(itertools.permutations(values, min(size, len(values)))) for size in set(sizes)}
        self.sizes = list(sizes)

    def draw(self, real):
        choices = self.by_size[self.sizes[int(real() * len(self.sizes))]]
        return choices[int(real() * len(choices))]


class Generator:
    """Makes the rows; everything random comes from one seeded random.Random.

    At national scale (millions of rows) the generator's Python is most of the seeding
    time, so the rows are drawn cheaply: `real()` (random.random) scaled instead of
    randint() and choice(), weights summed once (Weighted), timestamps and the enums'
    values turned into the database's text once instead of at every row.
    """

    def __init__(self, cooperatives, partnerships, partners, seed, writer, progress):
        self.size = cooperatives
        self.partnership_count = partnerships
        self.partner_count = partners
        self.random = random.Random(seed)
        self.real = self.random.random
        self.writer = writer
        self.progress = progress
        self.now = timezone.now()
        # Every generated row was created, updated and verified now: adapted once.
        self.stamp = writer.literal(self.now)
        self.today = timezone.localdate()
        self.totals = Totals()
        self.provinces = list(Province.objects.order_by("code").values_list("code", flat=True))
        self.sector_ids = dict(Sector.objects.values_list("slug", "id"))
        self.objective_ids = list(Objective.objects.values_list("id", flat=True))
        self.field_ids = list(CooperationField.objects.values_list("id", flat=True))
        if not self.provinces:
            raise NonGeneratedData("The provinces are missing: run `manage.py migrate` first.")
        self.province_weights = Weighted(self.provinces, [PROVINCE_WEIGHTS.get(code, 1) for code in self.provinces])
        self.slugs = {}

    # --- helpers ----------------------------------------------------------------

    def pick(self, values):
        return values[int(self.real() * len(values))]

    def between(self, low, high):
        return low + int(self.real() * (high - low + 1))

    def days(self, first_year, last_year=LAST_YEAR):
        """The ordinals of the first and last day a date between these years may take (not after today)."""
        first = datetime.date(first_year, 1, 1).toordinal()
        last = min(datetime.date(last_year, 12, 31), self.today).toordinal()
        return first, max(first, last)

    def date(self, first_year, last_year=LAST_YEAR):
        first, last = self.days(first_year, last_year)
        return datetime.date.fromordinal(first + int(self.real() * (last - first + 1)))

    def verifications(self, pending, rejected):
        """A draw of (verification, verified at, note), the shares of pending and rejected as given."""
        rejected_row = (str(Verification.REJECTED), self.stamp, "Data badan hukum tidak dapat diperiksa (data skala).")
        pending_row = (str(Verification.PENDING), None, "")
        verified_row = (str(Verification.VERIFIED), self.stamp, "")
        real = self.real

        def draw():
            roll = real()
            if roll < rejected:
                return rejected_row
            if roll < rejected + pending:
                return pending_row
            return verified_row

        return draw

    def place(self, code):
        regencies = PROVINCES.get(code, ("", "", ["Kota " + code]))[2]
        regency = self.pick(regencies)
        return regency, place_name(regency)

    def slug(self, row_id, name):
        """The generated slug; names repeat (patterns, words, places), so each is slugified once."""
        slug = self.slugs.get(name)
        if slug is None:
            slug = self.slugs[name] = slugify(name)[:150]
        return f"{GENERATED_PREFIX}{row_id}-{slug}"

    # --- cooperatives -----------------------------------------------------------

    COOPERATIVE_COLUMNS = (
        "id", "slug", "verification", "verification_at", "verification_note", "created_at", "updated_at",
        "name", "short_name", "tier", "type", "country", "province_id", "regency", "address", "legal_number",
        "legal_date", "nik", "founded", "individual_members", "member_count", "scope", "website", "email",
        "phone", "status",
    )  # fmt: skip

    def plan_cooperatives(self):
        """Ids by tier and province; tiers are contiguous id ranges, apex first."""
        induk = max(4, round(self.size * INDUK_PER_100K / 100_000))
        sekunder = max(len(self.provinces), round(self.size * SEKUNDER_SHARE))
        apex = APEX_COUNT
        primer = self.size - apex - induk - sekunder
        if primer < len(self.provinces):
            raise ValueError(f"Ask for at least {apex + induk + sekunder + len(self.provinces)} cooperatives.")
        self.tiers = {}
        next_id = 1
        for tier, count in ((Tier.APEX, apex), (Tier.INDUK, induk), (Tier.SEKUNDER, sekunder), (Tier.PRIMER, primer)):
            self.tiers[tier] = range(next_id, next_id + count)
            next_id += count
        self.province_of = [None] * (self.size + 1)
        self.tier_of = [None] * (self.size + 1)
        for tier, ids in self.tiers.items():
            for coop_id in ids:
                self.tier_of[coop_id] = str(tier)  # the value: cheaper to compare and to write than the member
        # Apex and induk bodies sit in Jakarta; every province has secondaries.
        for coop_id in [*self.tiers[Tier.APEX], *self.tiers[Tier.INDUK]]:
            self.province_of[coop_id] = "31" if "31" in self.provinces else self.provinces[0]
        real, provinces = self.real, self.province_weights
        for index, coop_id in enumerate(self.tiers[Tier.SEKUNDER]):
            self.province_of[coop_id] = self.provinces[index] if index < len(self.provinces) else provinces.draw(real)
        for coop_id in self.tiers[Tier.PRIMER]:
            self.province_of[coop_id] = provinces.draw(real)
        # A few foreign apex bodies: no province, no NIK.
        self.foreign = {self.tiers[Tier.APEX][-1]: "MY", self.tiers[Tier.APEX][-2]: "TH"}
        for coop_id in self.foreign:
            self.province_of[coop_id] = None

    def plan_memberships(self):
        """Primaries join a secondary of their province, secondaries an induk, induks an apex."""
        by_province = {}
        for coop_id in self.tiers[Tier.SEKUNDER]:
            by_province.setdefault(self.province_of[coop_id], []).append(coop_id)
        # A few secondaries of each province gather most of its members (Zipf).
        secondaries = {code: Weighted(ids, zipf_weights(len(ids))) for code, ids in by_province.items()}
        induk_ids = list(self.tiers[Tier.INDUK])
        induks = Weighted(induk_ids, zipf_weights(len(induk_ids)))
        apex_ids = [coop_id for coop_id in self.tiers[Tier.APEX] if coop_id not in self.foreign]
        real, province_of = self.real, self.province_of
        edges = []
        for coop_id in self.tiers[Tier.PRIMER]:
            if real() < 0.7:
                edges.append((coop_id, secondaries[province_of[coop_id]].draw(real)))
        for coop_id in self.tiers[Tier.SEKUNDER]:
            if real() < 0.85:
                edges.append((coop_id, induks.draw(real)))
        for coop_id in induk_ids:
            if real() < 0.9:
                edges.append((coop_id, apex_ids[0] if real() < 0.8 else self.pick(apex_ids)))
        for coop_id in apex_ids[1:]:
            edges.append((coop_id, apex_ids[0]))  # national apex bodies inside the first one
        first, last = self.days(2000)
        today = self.today.toordinal()
        fromordinal = datetime.date.fromordinal
        self.memberships = []
        for member, federation in edges:
            start = first + int(real() * (last - first + 1))
            ended = real() < 0.04
            end = fromordinal(min(start + self.between(200, 3000), today)) if ended else None
            self.memberships.append((member, federation, fromordinal(start), end))
        # refresh_member_counts()'s rule, counted here rather than by an UPDATE of every
        # federation after the load (28 s at 250,000 cooperatives: it fired the triggers).
        self.member_counts = collections.Counter(federation for _member, federation, _start, end in self.memberships if end is None)

    def cooperative_rows(self):
        real, pick, stamp = self.real, self.pick, self.stamp
        verification = self.verifications(pending=0.03, rejected=0.01)
        verified = (str(Verification.VERIFIED), stamp, "")
        statuses = Weighted([str(value) for value in CooperativeStatus.values], [92, 6, 2])
        active = str(CooperativeStatus.AKTIF)
        types = [str(value) for value in CooperativeType.values]
        primer_kinds = [(pattern, str(type_)) for pattern, type_, _sectors, _theme in PRIMER_KINDS]
        federation_names = {str(tier): patterns for tier, patterns in FEDERATION_NAMES.items()}
        federation_scope = {str(Tier.SEKUNDER): str(Scope.PROVINSI), str(Tier.INDUK): str(Scope.NASIONAL)}
        national, abroad, district = str(Scope.NASIONAL), str(Scope.INTERNASIONAL), str(Scope.KABUPATEN_KOTA)
        primer = str(Tier.PRIMER)
        first_founded, last_founded = self.days(1960, 2023)
        fromordinal, timedelta, gauss, exp = datetime.date.fromordinal, datetime.timedelta, self.random.gauss, math.exp
        for coop_id in range(1, self.size + 1):
            tier = self.tier_of[coop_id]
            code = self.province_of[coop_id]
            country = self.foreign.get(coop_id, "ID")
            regency, place = self.place(code) if code else ("", "")
            word = pick(WORDS)
            if tier == primer:
                pattern, type_ = pick(primer_kinds)
                individual = int(exp(gauss(4.6, 1.1))) + 5
                members = individual
                scope = district
            else:
                pattern = pick(federation_names[tier])
                type_ = pick(types)
                individual = None
                members = self.member_counts[coop_id]
                scope = abroad if coop_id in self.foreign else federation_scope.get(tier, national)
            name = pattern.format(word=word, place=place or "Asia").strip()
            verification_row = verification() if tier == primer else verified
            founded = fromordinal(first_founded + int(real() * (last_founded - first_founded + 1)))
            status = statuses.draw(real) if tier == primer else active
            yield (
                coop_id, self.slug(coop_id, name), *verification_row, stamp, stamp,
                name,
                "".join(part[0] for part in name.split()[:4]).upper() if real() < 0.4 else "",
                tier, type_, country, code, regency,
                f"{pick(STREETS)} No. {self.between(1, 200)}, {regency}" if regency else "",
                f"AHU-{coop_id:07d}.AH.01.26.{founded.year}" if real() < 0.7 else "",
                founded + timedelta(days=self.between(30, 400)) if real() < 0.5 else None,
                f"{code}{coop_id:014d}" if country == "ID" and real() < 0.8 else None,
                founded, individual, members, scope,
                "", "", "", status,
            )  # fmt: skip

    def sector_links(self):
        samples = Samples(list(self.sector_ids.values()), [1, 1, 2, 3])
        real = self.real
        links = []
        for coop_id in range(1, self.size + 1):
            for sector_id in samples.draw(real):
                links.append((len(links) + 1, coop_id, sector_id))
        self.totals.links += len(links)
        return links

    # --- partners ---------------------------------------------------------------

    PARTNER_COLUMNS = (
        "id", "slug", "verification", "verification_at", "verification_note", "created_at", "updated_at",
        "name", "kind", "country", "province_id", "registration_number", "website", "description",
    )  # fmt: skip

    def partner_rows(self):
        kinds = Weighted([str(kind) for kind in PARTNER_NAMES], PARTNER_KIND_WEIGHTS)
        names = {str(kind): patterns for kind, patterns in PARTNER_NAMES.items()}
        international = str(PartnerKind.INTERNASIONAL)
        verification = self.verifications(pending=0.05, rejected=0.01)
        real, pick, stamp = self.real, self.pick, self.stamp
        self.partner_country = [None] * (self.partner_count + 1)
        for partner_id in range(1, self.partner_count + 1):
            kind = kinds.draw(real)
            foreign = kind == international or real() < 0.02
            country = pick(FOREIGN_COUNTRIES) if foreign else "ID"
            code = None if foreign else self.province_weights.draw(real)
            self.partner_country[partner_id] = country
            _regency, place = self.place(code) if code else ("", "")
            name = pick(names[kind]).format(word=pick(WORDS), place=place or "Global")
            yield (
                partner_id, self.slug(partner_id, name), *verification(), stamp, stamp,
                name, kind, country, code,
                f"NIB-{partner_id:010d}" if not foreign else "", "", "",
            )  # fmt: skip

    # --- partnerships -----------------------------------------------------------

    PARTNERSHIP_COLUMNS = (
        "id", "verification", "verification_at", "verification_note", "created_at", "updated_at", "reference",
        "title", "description", "category", "international", "direction", "new_entity", "new_entity_name",
        "new_entity_kind", "start_date", "end_date", "value", "currency", "status", "initiator_id",
        "verification_override", "corroboration",
    )  # fmt: skip
    PARTY_COLUMNS = ("id", "partnership_id", "cooperative_id", "partner_id", "role", "confirmation", "confirmed_at", "decline_reason")

    def plan_partnerships(self):
        """Every partnership's parties: cooperative ids and partner ids, hubs included."""
        federations = [*self.tiers[Tier.INDUK], *self.tiers[Tier.SEKUNDER][:200]]
        self.hub_cooperatives = self.random.sample(federations, min(HUB_COOPERATIVES, len(federations)))
        self.hub_partners = list(range(1, min(HUB_PARTNERS, self.partner_count) + 1))
        # One stand-in per organisation, shared by all its parties.
        self.cooperative_party = [None] + [
            Party(coop_id, None, Organisation(self.foreign.get(coop_id, "ID"), self.tier_of[coop_id]), None)
            for coop_id in range(1, self.size + 1)
        ]
        self.partner_party = [None] + [
            Party(None, partner_id, None, Organisation(self.partner_country[partner_id]))
            for partner_id in range(1, self.partner_count + 1)
        ]

    def partnership_rows(self):
        """Yields partnership rows; keeps their parties and links for the next tables.

        The hottest loop of the seeding (a million rows): draws are inlined.
        """
        self.parties = []  # (partnership_id, cooperative_id, partner_id, role, confirmation)
        self.objective_links, self.field_links = [], []
        self.years = {}
        parties, objective_links, field_links, years = self.parties, self.objective_links, self.field_links, self.years
        real, pick, stamp = self.real, self.pick, self.stamp
        size, partner_total = self.size, self.partner_count
        hub_cooperatives, hub_partners = self.hub_cooperatives, self.hub_partners
        cooperative_party, partner_party = self.cooperative_party, self.partner_party
        party_counts = Weighted(PARTY_COUNTS, PARTY_WEIGHTS)
        statuses = Weighted([str(value) for value in PartnershipStatus.values], [10, 60, 22, 8])
        ended = {str(PartnershipStatus.SELESAI), str(PartnershipStatus.DIHENTIKAN)}
        verification = self.verifications(pending=0.06, rejected=0.02)
        verified = str(Verification.VERIFIED)
        confirmed, pending = str(Confirmation.CONFIRMED), str(Confirmation.PENDING)
        initiator, member = str(PartyRole.INITIATOR), str(PartyRole.MEMBER)
        partner_roles = [str(PartyRole.SUPPLIER), str(PartyRole.BUYER), str(PartyRole.FUNDER)]
        between_cooperatives = str(Category.ANTAR_KOPERASI)
        directions = ["", str(Direction.VERTIKAL), str(Direction.HORIZONTAL)]
        objectives = Samples(self.objective_ids, [1, 2, 3])
        fields = Samples(self.field_ids, [1, 2])
        first, last = self.days(2000)
        span, today = last - first + 1, self.today.toordinal()
        fromordinal = datetime.date.fromordinal

        def pick_cooperative():
            if real() < HUB_SHARE:
                return hub_cooperatives[int(real() * len(hub_cooperatives))]
            return 1 + int(real() * size)

        def pick_partner():
            if real() < HUB_SHARE * 2:
                return hub_partners[int(real() * len(hub_partners))]
            return 1 + int(real() * partner_total)

        for partnership_id in range(1, self.partnership_count + 1):
            party_count = party_counts.draw(real)
            with_partners = partner_total and real() < 0.45
            partner_count = 1 + int(real() * (party_count - 1)) if with_partners else 0
            cooperatives = {pick_cooperative()}
            while len(cooperatives) < party_count - partner_count:
                cooperatives.add(pick_cooperative())
            partners = set()
            while len(partners) < partner_count:
                partners.add(pick_partner())
            cooperatives = list(cooperatives)
            category, international, suggested = derive_from_parties(
                [cooperative_party[coop_id] for coop_id in cooperatives]
                + [partner_party[partner_id] for partner_id in partners]
            )
            if category == between_cooperatives:
                direction = str(suggested)  # what refresh_derived() stores for a blank direction
            else:
                direction = pick(directions)
            start = first + int(real() * span)
            start_date = fromordinal(start)
            status = statuses.draw(real)
            end = None
            if status in ended:
                end = fromordinal(min(start + self.between(90, 2500), today))
            verification_row = verification()
            year = start_date.year
            number = years.get(year, 0) + 1
            years[year] = number
            confirmation = confirmed if verification_row[0] == verified else pending
            parties.append((partnership_id, cooperatives[0], None, initiator, confirmed))
            for coop_id in cooperatives[1:]:
                parties.append((partnership_id, coop_id, None, member, confirmation))
            for partner_id in partners:
                parties.append((partnership_id, None, partner_id, pick(partner_roles), confirmation))
            for objective in objectives.draw(real):
                objective_links.append((partnership_id, objective))
            for field_id in fields.draw(real):
                field_links.append((partnership_id, field_id))
            yield (
                partnership_id, *verification_row, stamp, stamp,
                f"KS-{year}-{number:06d}", f"{pick(TITLE_WORDS)} {pick(WORDS)} {year}", "",
                str(category), international, direction, False, "", "", start_date, end,
                self.between(1, 5000) * 1_000_000 if real() < 0.5 else None,
                "IDR", status, cooperatives[0], "",
                # What refresh_derived() stores: no documents here, so confirmed once
                # every cooperative party has (corroboration_of()).
                "confirmed" if confirmation == confirmed or len(cooperatives) == 1 else "declared",
            )  # fmt: skip

    def party_rows(self):
        confirmed, stamp = str(Confirmation.CONFIRMED), self.stamp
        for row_id, (partnership_id, coop_id, partner_id, role, confirmation) in enumerate(self.parties, start=1):
            answered = stamp if confirmation == confirmed else None
            yield (row_id, partnership_id, coop_id, partner_id, role, confirmation, answered, "")

    # --- the whole run ------------------------------------------------------------

    def run(self):
        self.writer.empty(replaced_models())
        with self.writer.bulk_load(loaded_models()), no_garbage_collection():
            self.load()
        if self.writer.seconds is not None:
            self.totals.seconds["indexes and keys"] = self.writer.seconds
        started = time.monotonic()
        # The statistics' counts, whose triggers were off during the load (PostgreSQL).
        statistics_recount()
        self.totals.seconds["statistics"] = round(time.monotonic() - started, 1)
        started = time.monotonic()
        # The cooperatives' kept networks, whose triggers were off as well (PostgreSQL).
        network_rebuild()
        self.totals.seconds["networks"] = round(time.monotonic() - started, 1)
        started = time.monotonic()
        # The partnership list's province rows, kept by triggers too.
        province_rows_rebuild()
        self.totals.seconds["province rows"] = round(time.monotonic() - started, 1)
        started = time.monotonic()
        # The verified cooperatives' search rows and the federations' members, kept by triggers too.
        kept_rows_rebuild()
        self.totals.seconds["kept rows"] = round(time.monotonic() - started, 1)
        ensure_curator()
        # Every cached page is keyed by the page version "r" too (kopnet.models.PageVersion).
        PageVersion.objects.update_or_create(key="r", defaults={"token": secrets.token_hex(16)})
        return self.totals

    def load(self):
        writer, totals = self.writer, self.totals
        step = time.monotonic()

        def lap(name):
            nonlocal step
            totals.seconds[name] = round(time.monotonic() - step, 1)
            step = time.monotonic()

        self.plan_cooperatives()
        self.plan_memberships()
        totals.cooperatives = writer.write(Cooperative, self.COOPERATIVE_COLUMNS, self.cooperative_rows(), self.size, "cooperatives")
        links = self.sector_links()
        writer.write(Cooperative.sectors.through, ("id", "cooperative_id", "sector_id"), links, len(links), "sectors")
        totals.memberships = writer.write(
            Membership, ("id", "member_id", "federation_id", "start_date", "end_date"),
            ((index, *edge) for index, edge in enumerate(self.memberships, start=1)),
            len(self.memberships), "memberships",
        )  # fmt: skip
        lap("cooperatives")
        totals.partners = writer.write(Partner, self.PARTNER_COLUMNS, self.partner_rows(), self.partner_count, "partners")
        self.plan_partnerships()
        lap("partners")
        totals.partnerships = writer.write(
            Partnership, self.PARTNERSHIP_COLUMNS, self.partnership_rows(), self.partnership_count, "partnerships"
        )
        totals.parties = writer.write(PartnershipParty, self.PARTY_COLUMNS, self.party_rows(), len(self.parties), "parties")
        writer.write(
            Partnership.objectives.through, ("id", "partnership_id", "objective_id"),
            ((index, *link) for index, link in enumerate(self.objective_links, start=1)),
            len(self.objective_links), "objectives",
        )  # fmt: skip
        writer.write(
            Partnership.fields.through, ("id", "partnership_id", "cooperationfield_id"),
            ((index, *link) for index, link in enumerate(self.field_links, start=1)),
            len(self.field_links), "fields",
        )  # fmt: skip
        totals.links += len(self.objective_links) + len(self.field_links)
        ReferenceSequence.objects.bulk_create(
            [ReferenceSequence(year=year, last_number=number) for year, number in sorted(self.years.items())]
        )
        lap("partnerships")
        writer.reset_sequences(loaded_models())


def ensure_curator():
    """The curator the benchmark signs in as: `kurator`, in Dekopin's group."""
    user, created = get_user_model().objects.get_or_create(
        username=CURATOR_USERNAME, defaults={"is_staff": True, "password": make_password(DEMO_PASSWORD)}
    )
    if not created and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    user.groups.add(Group.objects.get(name=CURATOR_GROUP))
    return user


def seed(cooperatives, partnerships, partners=None, seed=2026, force=False, stream=None):
    """Replace the registry's records with generated ones; returns Totals."""
    progress = Progress(stream)
    if not force:
        others = non_generated_records()
        if others:
            raise NonGeneratedData(
                f"This database holds {others:,} records that seed_scale did not generate "
                "(cooperatives, partners, partnerships registered by users, representations or documents). "
                "Seeding would delete them: use another database, or pass --force to replace them."
            )
    partners = partners if partners is not None else max(10, cooperatives // 7)
    with transaction.atomic():
        generator = Generator(cooperatives, partnerships, partners, seed, Writer(progress), progress)
        totals = generator.run()
    if connection.vendor == "postgresql":
        # Fresh statistics for the planner, and a visibility map for index-only scans
        # (VACUUM cannot run inside a transaction: tests get ANALYZE alone).
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
        with connection.cursor() as cursor:
            started = time.monotonic()
            tables = [model._meta.db_table for model in loaded_models()]
            # The tables the database makes from the loaded ones.
            kept = [PartnershipProvince._meta.db_table, "partnerships_province_count"]
            kept.append(CooperativeSearchRow._meta.db_table)
            for table in [*tables, *kept]:
                cursor.execute(f"{command} {connection.ops.quote_name(table)}")
            totals.seconds["analyze"] = round(time.monotonic() - started, 1)
    return totals
