"""The snapshots kept in settings.KOPNET_OPEN_DATA_DIR: writing one (under a lock, in
a directory of its own, published by renames), listing them, keeping the last N."""

import contextlib
import datetime
import fcntl
import json
import os
import re
import shutil
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import translation

from api.opendata.files import describe, file_facts, write_changes, write_csv, write_partnership_lines, zip_directory
from api.opendata.tables import CHANGES, tables

PREFIX = "kopnet-open-data-"
STAMP = "%Y-%m-%dT%H%M%SZ"
SNAPSHOT_NAME = re.compile(rf"{PREFIX}(?P<stamp>[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}T[0-9]{{6}}Z)")


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
