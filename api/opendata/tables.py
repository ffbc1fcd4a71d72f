"""The tables of a snapshot: each one's columns (its Table Schema), key, foreign keys,
and the query of the rows a visitor sees, in the order of its key."""

import datetime
import itertools
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import Case, CharField, F, Q, Value, When
from django.db.models.functions import Collate

from kopnet import links, policy
from kopnet.lists import csv_bool_where
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
    REFERENCE_FORM,
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

# Rows read from the database at a time, and keys in one query for their slugs.
CHUNK = 2000
# Each table's rows in its key's order; a list's slugs joined by this.
LIST_DELIMITER = "|"
CHANGES = ("added", "changed", "removed")
VISITOR = AnonymousUser()
# The forms the addresses already check (kopnet.links, partnerships.models), anchored.
SLUG_PATTERN = f"^{links.SLUG}$"
REFERENCE_PATTERN = f"^{REFERENCE_FORM}$"


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
