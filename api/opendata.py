"""Dated snapshots of everything public (issue 14 §2): `manage.py export_open_data`
writes a Frictionless Data Package into settings.KOPNET_OPEN_DATA_DIR, and /data/
lists what is there.

A snapshot is one zip, kopnet-open-data-<UTC time>.zip, holding
    datapackage.json       the package: each table's fields (Table Schema: types,
                           constraints, keys, foreign keys), the licence, the sources
    <table>.csv            one a table (TABLES), in the order of its key
    partnerships.jsonl     each partnership with its parties, as the API shows it
    changes/<table>.csv    the rows added, changed and removed since the previous
                           snapshot (none in the first): a resource of the package too
beside it kopnet-open-data-<time>.sha256 (sha256sum's format) and .json (what /data/
lists: size, checksum, rows and changes), which is written last: a snapshot exists
once its .json does.

What is exported is what a visitor sees, asked of kopnet.policy (visible() for the
rows, the Rules' nameable() for the names of a partnership's parties): verified
records, at their verified values (a pending edit waits in its Revision).

Memory stays flat whatever the rows: every table streams from one query
(.iterator()) into its CSV file, many-to-many slugs come a chunk at a time, the
change files merge the previous snapshot's sorted CSV (read out of its zip) with the
new one, and the JSON Lines merge the two sorted CSVs they are made of. Every table
is read in one transaction (REPEATABLE READ on PostgreSQL), so that its foreign
keys hold between tables.
"""

import contextlib
import csv
import datetime
import fcntl
import hashlib
import io
import itertools
import json
import os
import re
import shutil
import tempfile
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction
from django.db.models import Case, CharField, F, Q, Value, When
from django.db.models.functions import Collate
from django.utils import translation

from kopnet import links, policy
from kopnet.lists import csv_bool_where
from kopnet.templatetags.kopnet_tags import LICENCE_URL
from partnerships import standards
from partnerships.models import (
    Category,
    Confirmation,
    CooperationField,
    Corroboration,
    Direction,
    NewEntityKind,
    Objective,
    Partnership,
    PartnershipParty,
    PartnershipStatus,
    PartyRole,
)
from partnerships.policy import UNNAMED
from registry.models import (
    Cooperative,
    CooperativeStatus,
    CooperativeType,
    Membership,
    Partner,
    PartnerKind,
    Province,
    Regency,
    Scope,
    Sector,
    Tier,
)

PREFIX = "kopnet-open-data-"
STAMP = "%Y-%m-%dT%H%M%SZ"
SNAPSHOT_NAME = re.compile(rf"{PREFIX}(?P<stamp>[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}T[0-9]{{6}}Z)")
# Rows read from the database at a time, and keys in one query for their slugs.
CHUNK = 2000
# Each table's rows in its key's order; a list's slugs joined by this.
LIST_DELIMITER = "|"
CHANGES = ("added", "changed", "removed")
# Columns that change without what they describe changing: not compared for the change files.
NOT_COMPARED = {"updated_at"}
VISITOR = AnonymousUser()
SLUG_PATTERN = "^[-a-zA-Z0-9_]+$"
REFERENCE_PATTERN = "^KS-[0-9]{4}-[0-9]{6}$"


@dataclass(frozen=True)
class Column:
    """A column of a table: its Table Schema field and where its values come from.

    `source` is what the query selects (a field path or an expression); None for a
    column the table's fillers write in (a page's address, a list of slugs)."""

    name: str
    type: str = "string"
    source: object = None
    required: bool = False
    unique: bool = False
    enum: tuple = ()
    pattern: str = ""
    description: str = ""
    # In the JSON Lines: an empty cell is null (else the empty text, as the API writes it).
    null_when_empty: bool = False

    def schema(self, constraints=True):
        described = {"name": self.name, "type": self.type}
        if self.description:
            described["description"] = self.description
        if self.type == "list":
            described |= {"delimiter": LIST_DELIMITER, "itemType": "string"}
        if self.type == "datetime":
            described["format"] = "%Y-%m-%dT%H:%M:%SZ"
        rules = {"required": self.required, "unique": self.unique, "enum": list(self.enum), "pattern": self.pattern}
        rules = {name: rule for name, rule in rules.items() if rule}
        if constraints and rules:
            described["constraints"] = rules
        return described


def key_column(name, source, pattern=SLUG_PATTERN, description=""):
    return Column(name, source=source, required=True, unique=True, pattern=pattern, description=description)


def choice(name, choices, source=None, required=True):
    return Column(name, source=source or name, required=required, enum=tuple(value for value, _label in choices))


def optional(name, type="string", source=None, description=""):
    return Column(name, type, source=source or name, description=description, null_when_empty=True)


def boolean(name, condition):
    return Column(name, "boolean", source=csv_bool_where(condition), required=True)


def page(description="Its page on KopNet."):
    return Column("page", required=True, description=description)


def slugs(name, description):
    return Column(name, "list", description=description)


UPDATED = Column("updated_at", "datetime", source="updated_at", required=True, description="When the record last changed (UTC).")


def nameable(model, prefix):
    """A Q of the rows whose organisation (reached through `prefix`) a visitor may name (kopnet.policy)."""
    return policy.rules_for(model).nameable(VISITOR, prefix)


def slug_if_nameable(model, prefix):
    return Case(When(nameable(model, prefix), then=F(f"{prefix}slug")), default=None)


def code_of(role_codes, field="role"):
    """A standards code for each value of `field` (partnerships/standards.py), as the database writes it."""
    whens = [When(**{field: value}, then=Value(code)) for value, code in role_codes.items() if code]
    return Case(*whens, default=None, output_field=CharField())


@dataclass
class Table:
    """One CSV of the package: its columns, key and foreign keys, and its rows.

    `rows()` yields the rows as lists (the columns' cells) in the order of the key;
    `fillers` write the columns without a source into each chunk of rows read."""

    name: str
    title: str
    columns: list
    key: tuple
    queryset: object  # () -> the QuerySet of the rows a visitor sees, in the key's order
    foreign_keys: list = field(default_factory=list)
    fillers: list = field(default_factory=list)

    def __post_init__(self):
        self.header = [column.name for column in self.columns]
        self.key_positions = [self.header.index(name) for name in self.key]
        integers = [self.columns[i].type == "integer" for i in self.key_positions]
        positions = list(zip(self.key_positions, integers))
        # The key of a CSV row as the table is ordered: text by code point (as the
        # database orders it, bytewise), integers by value.
        self.sort_key = lambda row: tuple(int(row[i]) if integer else row[i] for i, integer in positions)

    def index(self, name):
        return self.header.index(name)

    def rows(self):
        sources = [Value(None, output_field=CharField()) if column.source is None else column.source for column in self.columns]
        rows = self.queryset().values_list("pk", *sources).iterator(chunk_size=CHUNK)
        while chunk := [list(row) for row in itertools.islice(rows, CHUNK)]:
            for fill in self.fillers:
                fill(self, chunk)
            yield from (row[1:] for row in chunk)

    def schema(self, changes=False):
        """Its Table Schema; a change file's: every column optional (a removed row
        names its key only), after the kind of change."""
        if changes:
            fields = [Column("change", required=True, enum=CHANGES).schema()]
            return {"fields": fields + [column.schema(constraints=False) for column in self.columns]}
        return {
            "fields": [column.schema() for column in self.columns],
            "primaryKey": list(self.key),
            "foreignKeys": [
                {"fields": [name], "reference": {"resource": resource, "fields": [target]}}
                for name, resource, target in self.foreign_keys
            ],
        }


def bytewise(name):
    """An ordering by a text column that is Python's order of its text: PostgreSQL's
    "C" collation (the database's own collation orders hyphens and case otherwise);
    SQLite's default already compares bytes."""
    return Collate(name, "C") if connection.vendor == "postgresql" else F(name)


def visible(model):
    return policy.visible(VISITOR, model._default_manager.all())


# Fillers: each writes a column into a chunk of rows (lists: the row's pk, then its cells).


def pages(route):
    """The address of each row's page on SITE_URL, from its key (the first column)."""

    def fill(table, chunk):
        site, position = settings.SITE_URL.rstrip("/"), table.index("page") + 1
        for row in chunk:
            row[position] = site + links.url_of(route, row[1])

    return fill


def linked_slugs(column, relation):
    """The slugs a many-to-many relation links each row to, in code point order, read
    for the whole chunk in one query."""

    def fill(table, chunk):
        manager = getattr(table.queryset().model, relation)
        through, owner = manager.through, manager.field.m2m_field_name() + "_id"
        term = manager.field.m2m_reverse_field_name()
        linked = defaultdict(list)
        pairs = through.objects.filter(**{f"{owner}__in": [row[0] for row in chunk]})
        for pk, slug in pairs.values_list(owner, f"{term}__slug"):
            linked[pk].append(slug)
        position = table.index(column) + 1
        for row in chunk:
            row[position] = LIST_DELIMITER.join(sorted(linked[row[0]]))

    return fill


def utc_times(column):
    def fill(table, chunk):
        position = table.index(column) + 1
        for row in chunk:
            row[position] = row[position].astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

    return fill


def term_table(name, title, model):
    return Table(
        name, title,
        [key_column("slug", "slug"), Column("name", source="name", required=True, description="In Indonesian."),
         Column("name_en", source="name_en", description="In English.")],
        key=("slug",), queryset=lambda: model.objects.order_by(bytewise("slug")),
    )  # fmt: skip


PLACE_CODES = [
    optional("regency_code", source="regency_place_id", description="Its regency/city's Kemendagri code (32.04)."),
    optional("district_code", source="district_id", description="Its district's Kemendagri code (32.04.05)."),
    optional("village_code", source="village_id", description="Its village's Kemendagri code (32.04.05.2001)."),
]
PLACE_KEYS = [("province", "provinces", "code"), ("regency_code", "regencies", "code")]


def cooperatives():
    columns = [
        key_column("slug", "slug"), page(), Column("name", source="name", required=True),
        Column("short_name", source="short_name"), choice("tier", Tier.choices), choice("type", CooperativeType.choices),
        slugs("sectors", "The slugs of its sectors (sectors.csv), separated by |."),
        choice("status", CooperativeStatus.choices), choice("scope", Scope.choices),
        Column("country", source="country", required=True, pattern="^[A-Z]{2}$", description="ISO 3166 code."),
        optional("province", source="province_id", description="Its province's code (provinces.csv)."),
        optional("province_name", source="province__name"), Column("regency", source="regency"), *PLACE_CODES,
        Column("address", source="address"),
        Column("nik", source="nik", unique=True, pattern="^[0-9]{16}$", description="NIK Koperasi."),
        Column("legal_number", source="legal_number", description="Legal entity number (AHU)."),
        optional("legal_date", "date"), optional("founded", "date"),
        optional("individual_members", "integer"),
        Column("members", "integer", source="member_count", required=True,
               description="Individual members of a primary cooperative; active member cooperatives of a federation."),
        Column("website", source="website"), Column("email", source="email"), Column("phone", source="phone"),
        UPDATED,
    ]  # fmt: skip
    return Table(
        "cooperatives", "Cooperatives", columns, key=("slug",),
        queryset=lambda: visible(Cooperative).order_by(bytewise("slug")),
        foreign_keys=PLACE_KEYS,
        fillers=[pages("registry:cooperative_detail"), linked_slugs("sectors", "sectors"), utc_times("updated_at")],
    )  # fmt: skip


def partners():
    columns = [
        key_column("slug", "slug"), page(), Column("name", source="name", required=True), choice("kind", PartnerKind.choices),
        Column("country", source="country", required=True, pattern="^[A-Z]{2}$", description="ISO 3166 code."),
        optional("province", source="province_id", description="Its province's code (provinces.csv)."), *PLACE_CODES,
        Column("registration_number", source="registration_number"), Column("website", source="website"),
        Column("description", source="description"), UPDATED,
    ]  # fmt: skip
    return Table(
        "partners", "Partners: organisations that are not cooperatives", columns, key=("slug",),
        queryset=lambda: visible(Partner).order_by(bytewise("slug")),
        foreign_keys=PLACE_KEYS, fillers=[pages("registry:partner_detail"), utc_times("updated_at")],
    )  # fmt: skip


def partnerships():
    columns = [
        key_column("reference", "reference", REFERENCE_PATTERN), page(), Column("title", source="title", required=True),
        Column("description", source="description"), choice("category", Category.choices),
        choice("direction", Direction.choices, required=False), boolean("international", Q(international=True)),
        choice("status", PartnershipStatus.choices), Column("start_date", "date", source="start_date", required=True),
        optional("end_date", "date"), optional("value", "number"), Column("currency", source="currency"),
        choice("corroboration", Corroboration.choices),
        Column("gleif_validation_sources", required=True, source=code_of(standards.GLEIF_VALIDATION_SOURCES, "corroboration"),
               enum=tuple(standards.GLEIF_VALIDATION_SOURCES.values()), description="The corroboration as GLEIF's ValidationSources."),
        slugs("objectives", "The slugs of its objectives (objectives.csv), separated by |."),
        slugs("fields", "The slugs of its fields of cooperation (fields.csv), separated by |."),
        boolean("new_entity", Q(new_entity=True)), Column("new_entity_name", source="new_entity_name"),
        choice("new_entity_kind", NewEntityKind.choices, required=False),
        optional("new_entity_cooperative", source=slug_if_nameable(Cooperative, "new_entity_cooperative__"),
                 description="The new entity's slug in cooperatives.csv, when it is registered and verified."),
        optional("new_entity_partner", source=slug_if_nameable(Partner, "new_entity_partner__"),
                 description="The new entity's slug in partners.csv, when it is registered and verified."),
        UPDATED,
    ]  # fmt: skip
    return Table(
        "partnerships", "Partnerships", columns, key=("reference",),
        queryset=lambda: visible(Partnership).order_by(bytewise("reference")),
        foreign_keys=[("new_entity_cooperative", "cooperatives", "slug"), ("new_entity_partner", "partners", "slug")],
        fillers=[
            pages("partnerships:partnership_detail"), linked_slugs("objectives", "objectives"),
            linked_slugs("fields", "fields"), utc_times("updated_at"),
        ],
    )  # fmt: skip


def parties():
    cooperative, partner = nameable(Cooperative, "cooperative__"), nameable(Partner, "partner__")
    name = Case(
        When(cooperative, then=F("cooperative__name")), When(partner, then=F("partner__name")),
        default=Value(str(UNNAMED)),
    )  # fmt: skip
    columns = [
        Column("partnership", source="partnership__reference", required=True, pattern=REFERENCE_PATTERN),
        Column("id", "integer", source="id", required=True, unique=True),
        Column("organisation_type", source=Case(When(cooperative__isnull=False, then=Value("cooperative")), default=Value("partner")),
               required=True, enum=("cooperative", "partner")),
        optional("cooperative", source=slug_if_nameable(Cooperative, "cooperative__"),
                 description="The cooperative's slug (cooperatives.csv); empty for an organisation awaiting verification."),
        optional("partner", source=slug_if_nameable(Partner, "partner__"),
                 description="The partner's slug (partners.csv); empty for an organisation awaiting verification."),
        Column("name", source=name, required=True), choice("role", PartyRole.choices),
        optional("ocds_role", source=code_of(standards.OCDS_PARTY_ROLE), description="OCDS partyRole, where one fits."),
        optional("iati_role", source=code_of(standards.IATI_ORGANISATION_ROLE), description="IATI OrganisationRole code, where one fits."),
        choice("confirmation", Confirmation.choices),
    ]  # fmt: skip
    return Table(
        "parties", "The parties of each partnership", columns, key=("partnership", "id"),
        queryset=lambda: policy.visible(VISITOR, PartnershipParty.objects.all()).order_by(
            bytewise("partnership__reference"), "id"
        ),
        foreign_keys=[
            ("partnership", "partnerships", "reference"), ("cooperative", "cooperatives", "slug"),
            ("partner", "partners", "slug"),
        ],
    )  # fmt: skip


def memberships():
    columns = [
        Column("id", "integer", source="id", required=True, unique=True),
        Column("member", source="member__slug", required=True), Column("federation", source="federation__slug", required=True),
        Column("start_date", "date", source="start_date", required=True), optional("end_date", "date"),
        boolean("active", Q(end_date__isnull=True)),
    ]  # fmt: skip
    return Table(
        "memberships", "Memberships of cooperatives in federations", columns, key=("id",),
        queryset=lambda: visible(Membership).order_by("id"),
        foreign_keys=[("member", "cooperatives", "slug"), ("federation", "cooperatives", "slug")],
    )  # fmt: skip


def provinces():
    return Table(
        "provinces", "Provinces", [key_column("code", "code", "^[0-9]{2}$"), Column("name", source="name", required=True)],
        key=("code",), queryset=lambda: Province.objects.order_by(bytewise("code")),
    )  # fmt: skip


def regencies():
    columns = [
        key_column("code", "code", r"^[0-9]{2}\.[0-9]{2}$"), Column("name", source="name", required=True),
        Column("province", source="province_id", required=True),
    ]  # fmt: skip
    return Table(
        "regencies", "Regencies and cities", columns, key=("code",),
        queryset=lambda: Regency.objects.order_by(bytewise("code")), foreign_keys=[("province", "provinces", "code")],
    )  # fmt: skip


def tables():
    """The package's tables, each built afresh (the placeholder name is read in the default language)."""
    return [
        cooperatives(), partners(), partnerships(), parties(), memberships(), provinces(), regencies(),
        term_table("sectors", "Business sectors", Sector), term_table("objectives", "Objectives of partnerships", Objective),
        term_table("fields", "Fields of cooperation", CooperationField),
    ]  # fmt: skip


# Writing a snapshot.


class SnapshotError(Exception):
    """A snapshot that cannot be written now (another is being written, or one of the same second exists)."""


def directory():
    return Path(settings.KOPNET_OPEN_DATA_DIR)


@contextlib.contextmanager
def one_reading():
    """Every table read from one state of the database: a transaction, which on
    PostgreSQL sees one snapshot (REPEATABLE READ) and on SQLite holds one read."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def write_csv(path, header, rows):
    """Write the rows under the header; return how many."""
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(header)
        counted = Counter()
        writer.writerows(counted(rows))
    return counted.count


class Counter:
    """Counts the items of the iterables it is called on, as they pass."""

    def __init__(self):
        self.count = 0

    def __call__(self, items):
        for self.count, item in enumerate(items, self.count + 1):
            yield item


@contextlib.contextmanager
def reading(file):
    """The header and the rows of a CSV file: a path, or a binary file (a zip's member)."""
    binary = open(file, "rb") if isinstance(file, Path) else file
    with io.TextIOWrapper(binary, "utf-8", newline="") as text:
        reader = csv.reader(text)
        yield next(reader, []), reader


@contextlib.contextmanager
def previous_rows(archive, table):
    """The previous snapshot's rows of the table, with its columns as they are now (a
    column it did not have is empty), or none if it had no such table."""
    name = f"{table.name}.csv"
    if name not in archive.namelist():
        yield iter(())
        return
    with reading(archive.open(name)) as (header, rows):
        if header == table.header:
            yield rows
        else:
            positions = [header.index(column) if column in header else None for column in table.header]
            yield ([row[i] if i is not None else "" for i in positions] for row in rows)


def differences(table, old, new):
    """The changes from `old` rows to `new` rows, both in the table's key order (a
    merge of the two): ["added", *row], ["changed", *row] (any column compared
    differs) and ["removed", *key] (its other cells empty)."""
    key, keys = table.sort_key, set(table.key_positions)
    compared = [i for i, column in enumerate(table.columns) if column.name not in NOT_COMPARED]
    old_row, new_row = next(old, None), next(new, None)
    old_key = key(old_row) if old_row is not None else None
    new_key = key(new_row) if new_row is not None else None
    while old_row is not None or new_row is not None:
        if new_row is None or (old_row is not None and old_key < new_key):
            yield ["removed", *(cell if i in keys else "" for i, cell in enumerate(old_row))]
            old_row = next(old, None)
            old_key = key(old_row) if old_row is not None else None
            continue
        if old_row is None or new_key < old_key:
            yield ["added", *new_row]
        elif any(old_row[i] != new_row[i] for i in compared):
            yield ["changed", *new_row]
        if old_row is not None and old_key == new_key:
            old_row = next(old, None)
            old_key = key(old_row) if old_row is not None else None
        new_row = next(new, None)
        new_key = key(new_row) if new_row is not None else None


def write_changes(package, tables, previous_zip):
    """changes/<table>.csv for every table; returns {table: {change: rows}}."""
    summary = {}
    with zipfile.ZipFile(previous_zip) as archive:
        for table in tables:
            counts = dict.fromkeys(CHANGES, 0)
            with previous_rows(archive, table) as old, reading(package / f"{table.name}.csv") as (_header, new):
                changes = tallied(differences(table, old, new), counts)
                write_csv(package / "changes" / f"{table.name}.csv", ["change", *table.header], changes)
            summary[table.name] = counts
    return summary


def tallied(changes, counts):
    for change in changes:
        counts[change[0]] += 1
        yield change


def json_value(column):
    """How a CSV cell of the column becomes the value the API writes in JSON."""
    if column.type == "boolean":
        return lambda text: text == "true"
    if column.type == "integer":
        return lambda text: int(text) if text else None
    if column.type == "list":
        return lambda text: text.split(LIST_DELIMITER) if text else []
    if column.null_when_empty or column.type != "string":
        return lambda text: text or None
    return str


def api_address(route, key):
    return settings.SITE_URL.rstrip("/") + links.url_of(route, key)


def party_object(row, positions):
    """A party as the API's JSON shows it (api.serializers.PartySerializer)."""
    get = row.__getitem__
    return {
        "organisation_type": get(positions["organisation_type"]),
        "organisation": get(positions["cooperative"]) or get(positions["partner"]) or None,
        "name": get(positions["name"]), "role": get(positions["role"]),
        "ocds_role": get(positions["ocds_role"]) or None, "iati_role": get(positions["iati_role"]) or None,
        "confirmation": get(positions["confirmation"]),
    }  # fmt: skip


def partnership_object(row, converters, parties):
    """A partnership as the API's JSON shows it (api.serializers.PartnershipSerializer),
    its addresses on SITE_URL; `converters`: (column name, json_value of the column) of each cell."""
    values = {name: convert(text) for (name, convert), text in zip(converters, row)}
    cooperative, partner = values["new_entity_cooperative"], values["new_entity_partner"]
    record = None
    if cooperative or partner:
        record = api_address("api:cooperative-detail" if cooperative else "api:partner-detail", cooperative or partner)
    return {
        "reference": values["reference"],
        "url": api_address("api:partnership-detail", values["reference"]),
        **{name: values[name] for name in PARTNERSHIP_HEAD},
        "parties": parties,
        **{name: values[name] for name in PARTNERSHIP_TAIL},
        "new_entity_record": record,
        "verified": True,
        "updated_at": values["updated_at"],
    }


# The API's partnership fields before its parties, and between them and new_entity_record.
PARTNERSHIP_HEAD = (
    "page", "title", "description", "category", "direction", "international", "status", "start_date", "end_date",
    "value", "currency", "corroboration", "gleif_validation_sources",
)  # fmt: skip
PARTNERSHIP_TAIL = ("objectives", "fields", "new_entity", "new_entity_name", "new_entity_kind")


def write_partnership_lines(package, partnerships_table, parties_table):
    """partnerships.jsonl: each partnership with its parties, made of the two CSVs
    (both in the order of the partnership's reference) merged; returns how many."""
    with (
        reading(package / "partnerships.csv") as (_header, partnerships_rows),
        reading(package / "parties.csv") as (_header, parties_rows),
        open(package / "partnerships.jsonl", "w", encoding="utf-8") as file,
    ):
        return write_lines(file, partnerships_rows, parties_rows, partnerships_table, parties_table)


def write_lines(file, partnerships_rows, parties_rows, partnerships_table, parties_table):
    groups = itertools.groupby(parties_rows, key=lambda row: row[0])
    group = next(groups, None)
    converters = [(column.name, json_value(column)) for column in partnerships_table.columns]
    positions = {name: parties_table.index(name) for name in parties_table.header}
    count = 0
    for row in partnerships_rows:
        while group is not None and group[0] < row[0]:
            group = next(groups, None)
        parties = []
        if group is not None and group[0] == row[0]:
            parties = [party_object(party, positions) for party in group[1]]
            group = next(groups, None)
        file.write(json.dumps(partnership_object(row, converters, parties), ensure_ascii=False))
        file.write("\n")
        count += 1
    return count


# The package: its descriptor, the zip and its checksum.

TITLE = "KopNet — Registri Koperasi Indonesia: open data"
LICENCE = {"name": "CC-BY-4.0", "path": LICENCE_URL, "title": "Creative Commons Attribution 4.0 International"}
PLACES_SOURCE = {"title": "idn-area-data 4.0.1", "path": "https://github.com/fityannugroho/idn-area-data"}
PLACES_LICENCE = {
    "name": "ODbL-1.0", "path": "https://opendatacommons.org/licenses/odbl/1-0/",
    "title": "Open Data Commons Open Database License 1.0",
}  # fmt: skip
# Zip's deflate level: 6 (zlib's default) took a third longer than 1 for files a tenth larger.
COMPRESSION = 1


def file_facts(path):
    with open(path, "rb") as file:
        digest = hashlib.file_digest(file, "sha256").hexdigest()
    return {"bytes": path.stat().st_size, "hash": f"sha256:{digest}"}


def resource(package, path, name, title, schema=None, **more):
    described = {"name": name, "path": path, "title": title, "profile": "tabular-data-resource"}
    described |= {"format": "csv", "mediatype": "text/csv", "encoding": "utf-8", **more}
    described |= file_facts(package / path)
    if schema is not None:
        described["schema"] = schema
    return described


def describe(package, tables, created, previous, changes):
    """datapackage.json: the Data Package (Frictionless, v1) of the files in `package`."""
    site = settings.SITE_URL.rstrip("/")
    resources = []
    for table in tables:
        more = {"sources": [PLACES_SOURCE], "licenses": [PLACES_LICENCE]} if table.name == "regencies" else {}
        resources.append(resource(package, f"{table.name}.csv", table.name, table.title, table.schema(), **more))
    resources.append(
        resource(
            package, "partnerships.jsonl", "partnerships-with-parties", "Partnerships with their parties, as the API shows them",
            profile="data-resource", format="jsonl", mediatype="application/jsonl",
            description="One JSON object a line, the shape of the API's partnerships (/api/v1/partnerships/), "
            "made of partnerships.csv and parties.csv.",
        )
    )  # fmt: skip
    for table in tables if changes is not None else ():
        title = f"{table.title}: rows added, changed and removed since the previous snapshot"
        resources.append(resource(package, f"changes/{table.name}.csv", f"{table.name}-changes", title, table.schema(True)))
    since = (
        f"The change files (changes/) hold the rows added, changed (any column but updated_at) and removed "
        f"since the previous snapshot, {previous['name']}; a removed row gives its key only."
        if previous else "This is the first snapshot: it has no change files."
    )  # fmt: skip
    return {
        "profile": "data-package",
        "name": "kopnet-open-data",
        "title": TITLE,
        "description": "Everything KopNet publishes: the verified cooperatives, partners and partnerships, "
        "the memberships of federations, and the reference lists, as a visitor sees them on "
        f"{site}/. Each table is in the order of its key. " + since,
        "homepage": f"{site}/data/",
        "created": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "licenses": [LICENCE],
        "sources": [{"title": "KopNet — Registri Koperasi Indonesia", "path": f"{site}/"}, PLACES_SOURCE],
        "contributors": [{"title": "Dekopin (Dewan Koperasi Indonesia), the curators of KopNet", "role": "publisher"}],
        "resources": resources,
    }


def zip_directory(source, target):
    """Zip every file under `source`, as its path there, each streamed from its file."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESSION) as archive:
        for path in sorted(source.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(source).as_posix())


# The snapshots kept: writing one, listing them, keeping the last N.


@contextlib.contextmanager
def exclusive(folder):
    """One writer of snapshots at a time (a lock file in the folder)."""
    with open(folder / ".lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SnapshotError("Another snapshot is being written in this directory.") from None
        yield


def export(*, now=None, keep=None, folder=None):
    """Write a snapshot of now (UTC, to the second) with its change files since the
    latest one, then keep only the last `keep` (settings.KOPNET_OPEN_DATA_KEEP).
    Returns its manifest (what /data/ lists)."""
    folder = Path(folder or directory())
    folder.mkdir(parents=True, exist_ok=True)
    now = (now or datetime.datetime.now(datetime.timezone.utc)).astimezone(datetime.timezone.utc).replace(microsecond=0)
    name = PREFIX + now.strftime(STAMP)
    with exclusive(folder):
        previous = next(iter(snapshots(folder)), None)
        if previous is not None and previous["name"] >= f"{name}.zip":
            raise SnapshotError(f"The latest snapshot, {previous['name']}, is not older than this one.")
        remove_leftovers(folder)
        staging = Path(tempfile.mkdtemp(prefix=".tmp-", dir=folder))
        try:
            manifest = build(staging, name, now, previous, folder)
            for suffix in (".zip", ".sha256", ".json"):  # the manifest last: then the snapshot is listed
                os.replace(staging / f"{name}{suffix}", folder / f"{name}{suffix}")
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        prune(folder, settings.KOPNET_OPEN_DATA_KEEP if keep is None else keep)
    return manifest


def build(staging, name, now, previous, folder):
    """The snapshot's zip, checksum and manifest, in `staging`."""
    package = staging / "package"
    (package / "changes").mkdir(parents=True)
    with translation.override(settings.LANGUAGE_CODE):  # the name of an organisation not yet verified
        every_table = tables()
    with one_reading():
        rows = {table.name: write_csv(package / f"{table.name}.csv", table.header, table.rows()) for table in every_table}
    by_name = {table.name: table for table in every_table}
    write_partnership_lines(package, by_name["partnerships"], by_name["parties"])
    changes = write_changes(package, every_table, folder / previous["name"]) if previous else None
    descriptor = describe(package, every_table, now, previous, changes)
    (package / "datapackage.json").write_text(json.dumps(descriptor, indent=2, ensure_ascii=False), encoding="utf-8")
    archive = staging / f"{name}.zip"
    zip_directory(package, archive)
    digest = file_facts(archive)
    (staging / f"{name}.sha256").write_text(f"{digest['hash'].removeprefix('sha256:')}  {archive.name}\n")
    manifest = {
        "name": archive.name, "checksum_file": f"{name}.sha256", "created": descriptor["created"],
        "size": digest["bytes"], "sha256": digest["hash"].removeprefix("sha256:"),
        "previous": previous["name"] if previous else None, "rows": rows, "changes": changes,
    }  # fmt: skip
    (staging / f"{name}.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return manifest


def snapshots(folder=None):
    """The manifests of the snapshots kept, newest first; each also with its `date`
    (a datetime) and the rows `added`, `changed` and `removed` in all its tables."""
    folder = Path(folder or directory())
    found = []
    for path in sorted(folder.glob(f"{PREFIX}*.json"), reverse=True):
        manifest = read_manifest(path)
        if manifest is not None and (folder / manifest["name"]).is_file():
            found.append(manifest)
    return found


def read_manifest(path):
    """A snapshot's manifest as snapshots() gives it, or None if it is not one."""
    match = SNAPSHOT_NAME.fullmatch(path.stem)
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        changes = manifest["changes"] or {}
        totals = {kind: sum(counts[kind] for counts in changes.values()) for kind in CHANGES}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    if match is None or manifest.get("name") != f"{path.stem}.zip":
        return None
    date = datetime.datetime.strptime(match["stamp"], STAMP).replace(tzinfo=datetime.timezone.utc)
    return manifest | totals | {"date": date}


def download(name):
    """The path of a file of a listed snapshot (its zip or its checksum), or None."""
    for manifest in snapshots():
        if name in (manifest["name"], manifest["checksum_file"]):
            return directory() / name
    return None


def prune(folder, keep):
    """Delete the snapshots beyond the newest `keep` (at least one is kept): the
    manifest first, so that none is listed without its zip."""
    for manifest in snapshots(folder)[max(keep, 1) :]:
        stem = manifest["name"].removesuffix(".zip")
        for suffix in (".json", ".sha256", ".zip"):
            (folder / f"{stem}{suffix}").unlink(missing_ok=True)


def remove_leftovers(folder):
    """What a snapshot interrupted before it was published left behind (called under the lock)."""
    for path in folder.glob(".tmp-*"):
        shutil.rmtree(path, ignore_errors=True)
