"""The files of a snapshot: the tables' CSV, the change files (a merge of the previous
snapshot's sorted CSV with the new one), the JSON Lines (a merge of two sorted CSVs),
datapackage.json and the zip; each streamed, never held whole."""

import contextlib
import csv
import hashlib
import io
import itertools
import json
import zipfile
from pathlib import Path

from django.conf import settings

from api.opendata.tables import CHANGES, LIST_DELIMITER
from kopnet import links
from kopnet.templatetags.kopnet_tags import LICENCE_URL

# Columns that change without what they describe changing: not compared for the change files.
NOT_COMPARED = {"updated_at"}


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
