"""Backups: the database and the media (agreement documents) together, in one
directory with a manifest, and their restore into an empty database.

A backup directory holds

    manifest.json       when, which code, which database vendor, the rows of every
                        table, the SHA-256 of the database file and of every media file
    database.dump       PostgreSQL: pg_dump's custom format (pg_restore reads it)
    database.sqlite3    SQLite: a page-by-page copy made with SQLite's backup API
    media/              a copy of settings.MEDIA_ROOT

Both vendors copy the database physically rather than through dumpdata/loaddata:
the registry keeps rows written by triggers (the verified cooperatives' search
rows, the federations' member rows, the suggestion pools' versions), and
loaddata would insert those rows as plain data while the triggers fire again on
the rows they derive from; a physical copy brings back the schema, the triggers,
the kept rows and the sequences exactly as they were. On SQLite the backup API
copies a consistent snapshot of a live database (a plain file copy may catch a
write half-done); on PostgreSQL the rows are counted in the very snapshot that
pg_dump dumps (pg_export_snapshot), so the manifest's counts are the dump's.

A restore checks the whole backup first (the manifest, the database file's and
every media file's checksum), so that a damaged backup restores nothing; then it
refuses a database or a media directory that holds data unless told to replace
it; pg_restore runs in a single transaction. Afterwards it counts the rows of
every table and checksums every restored media file against the manifest.
"""

import datetime
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import django
from django.conf import settings
from django.db import connections
from django.utils.translation import gettext as _

MANIFEST = "manifest.json"
MEDIA = "media"
FORMAT = 1
DATABASE_FILES = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
POSTGRES_INSTALLS = Path("/usr/lib/postgresql")  # Debian: one bin/ per major version


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, for the operator."""


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def media_checksums(root):
    """{relative path: {"sha256", "size"}} of every file under root, sorted."""
    root = Path(root)
    if not root.is_dir():
        return {}
    return {
        path.relative_to(root).as_posix(): {"sha256": sha256(path), "size": path.stat().st_size}
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def code_version():
    """The commit the code runs at (git), else KOPNET_VERSION, else "unknown"."""
    try:
        result = subprocess.run(
            ["git", "-C", str(settings.BASE_DIR), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        result = None
    if result is not None and result.returncode == 0:
        return result.stdout.strip()
    return os.environ.get("KOPNET_VERSION", "unknown")


# --- counting rows ---------------------------------------------------------


def count_rows(connection):
    """{table: rows} of every table the connection's database holds."""
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        counts = {}
        for table in sorted(tables):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def sqlite_count_rows(database):
    """{table: rows} of a SQLite database (a sqlite3 connection), SQLite's own tables aside."""
    tables = [
        name
        for (name,) in database.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
        )
    ]
    return {
        table: database.execute(f'SELECT COUNT(*) FROM "{table.replace(chr(34), chr(34) * 2)}"').fetchone()[0]
        for table in sorted(tables)
    }


def holding_data(counts):
    """The tables that hold rows, the fullest first."""
    return sorted(((table, rows) for table, rows in counts.items() if rows), key=lambda item: (-item[1], item[0]))


# --- PostgreSQL's tools ----------------------------------------------------


def _version(binary):
    try:
        output = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"(\d+)(?:\.(\d+))?", output)
    return (int(match.group(1)), int(match.group(2) or 0)) if match else None


def find_postgres_tool(name):
    """The newest `name` (pg_dump, pg_restore) on PATH or in /usr/lib/postgresql/*/bin
    (Debian installs each major version there): a pg_dump refuses a newer server."""
    candidates = []
    on_path = shutil.which(name)
    if on_path:
        candidates.append(on_path)
    candidates += [str(path) for path in POSTGRES_INSTALLS.glob(f"*/bin/{name}") if os.access(path, os.X_OK)]
    versioned = [(version, path) for path in candidates if (version := _version(path))]
    if not versioned:
        raise BackupError(
            _(
                "%(tool)s was not found (looked on PATH and in /usr/lib/postgresql/*/bin). "
                "Install the PostgreSQL client tools (Debian: apt-get install postgresql-client)."
            )
            % {"tool": name}
        )
    return max(versioned)[1]


def postgres_environment(connection):
    """libpq's environment for the connection's database: the password stays out of
    the command line (and so out of `ps`)."""
    params = connection.get_connection_params()
    environment = dict(os.environ)
    for key, variable in [
        ("host", "PGHOST"),
        ("port", "PGPORT"),
        ("user", "PGUSER"),
        ("password", "PGPASSWORD"),
        ("dbname", "PGDATABASE"),
        ("sslmode", "PGSSLMODE"),
    ]:
        if params.get(key) not in (None, ""):
            environment[variable] = str(params[key])
    return environment


def _run(command, environment, tool):
    result = subprocess.run(command, env=environment, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(
            _("%(tool)s failed (exit status %(status)s): %(error)s")
            % {"tool": tool, "status": result.returncode, "error": result.stderr.strip()}
        )


# --- backup ----------------------------------------------------------------


@dataclass
class Backup:
    directory: Path
    manifest: dict = field(default_factory=dict)


def backup(directory, *, using="default"):
    """Write a backup of the database `using` and of settings.MEDIA_ROOT into
    `directory`, which must not exist yet or be empty."""
    directory = Path(directory)
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise BackupError(
            _("%(directory)s already exists and is not empty: give a new directory for each backup.")
            % {"directory": directory}
        )
    connection = connections[using]
    vendor = connection.vendor
    if vendor not in DATABASE_FILES:
        raise BackupError(_("Backups support PostgreSQL and SQLite, not %(vendor)s.") % {"vendor": vendor})
    if connection.in_atomic_block:
        raise BackupError(_("A backup cannot run inside a transaction."))
    # A backup holds password hashes and personal data: its owner alone reads it.
    directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(0o700)
    database_file = directory / DATABASE_FILES[vendor]

    if vendor == "postgresql":
        counts = _backup_postgresql(connection, database_file)
    else:
        counts = _backup_sqlite(connection, database_file)

    media_root = Path(settings.MEDIA_ROOT)
    if media_root.is_dir():
        shutil.copytree(media_root, directory / MEDIA)
    else:
        (directory / MEDIA).mkdir()
    manifest = {
        "format": FORMAT,
        "created_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "version": code_version(),
        "django": django.get_version(),
        "database": {
            "vendor": vendor,
            "file": database_file.name,
            "sha256": sha256(database_file),
            "size": database_file.stat().st_size,
        },
        "tables": counts,
        "media": media_checksums(directory / MEDIA),
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return Backup(directory, manifest)


def _backup_postgresql(connection, database_file):
    pg_dump = find_postgres_tool("pg_dump")
    connection.ensure_connection()
    autocommit = connection.get_autocommit()
    connection.set_autocommit(False)
    try:
        with connection.cursor() as cursor:
            # The counts and the dump read one snapshot: rows written meanwhile are in neither.
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
        counts = count_rows(connection)
        _run(
            [pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={database_file}"],
            postgres_environment(connection),
            "pg_dump",
        )
    finally:
        connection.rollback()
        connection.set_autocommit(autocommit)
    return counts


def _backup_sqlite(connection, database_file):
    connection.ensure_connection()
    target = sqlite3.connect(database_file)
    try:
        connection.connection.backup(target)
        counts = sqlite_count_rows(target)
    finally:
        target.close()
    return counts


# --- restore ---------------------------------------------------------------


def read_manifest(directory):
    path = Path(directory) / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        manifest["database"]["vendor"], manifest["database"]["file"], manifest["database"]["sha256"]
        manifest["tables"].items(), manifest["media"].items()
    except FileNotFoundError:
        raise BackupError(_("%(path)s is missing: this is not a KopNet backup.") % {"path": path}) from None
    except (ValueError, KeyError, TypeError, AttributeError):
        raise BackupError(_("%(path)s is damaged: it is not a backup's manifest.") % {"path": path}) from None
    if manifest.get("format") != FORMAT:
        raise BackupError(
            _("%(path)s is in a backup format this code does not read (%(format)s).")
            % {"path": path, "format": manifest.get("format")}
        )
    return manifest


def verify_backup(directory):
    """Check the backup's files against its manifest before anything is restored."""
    directory = Path(directory)
    manifest = read_manifest(directory)
    database_file = directory / manifest["database"]["file"]
    if not database_file.is_file():
        raise BackupError(_("The backup's database file %(path)s is missing.") % {"path": database_file})
    if sha256(database_file) != manifest["database"]["sha256"]:
        raise BackupError(
            _("The backup's database file %(path)s does not match its checksum: the backup is damaged.")
            % {"path": database_file}
        )
    found = media_checksums(directory / MEDIA)
    problems = []
    for name, expected in sorted(manifest["media"].items()):
        if name not in found:
            problems.append(_("%(name)s is missing") % {"name": name})
        elif found[name]["sha256"] != expected["sha256"]:
            problems.append(_("%(name)s does not match its checksum") % {"name": name})
    problems += [
        _("%(name)s is not in the manifest") % {"name": name} for name in sorted(set(found) - set(manifest["media"]))
    ]
    if problems:
        raise BackupError(
            _("The backup's media files do not match the manifest, so nothing was restored: %(problems)s.")
            % {"problems": "; ".join(problems)}
        )
    return manifest


def target_counts(connection):
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return sqlite_count_rows(connection.connection)
    return count_rows(connection)


def restore(directory, *, using="default", replace=False):
    """Restore the backup in `directory` into the database `using` and
    settings.MEDIA_ROOT; both must be empty unless `replace`. Returns the manifest
    once the restored rows and files match it."""
    directory = Path(directory)
    manifest = verify_backup(directory)
    connection = connections[using]
    vendor = manifest["database"]["vendor"]
    if connection.vendor != vendor:
        raise BackupError(
            _("This backup is of a %(backup)s database and cannot be restored into %(target)s.")
            % {"backup": vendor, "target": connection.vendor}
        )
    if connection.in_atomic_block:
        raise BackupError(_("A restore cannot run inside a transaction."))

    media_root = Path(settings.MEDIA_ROOT)
    if not replace:
        full = holding_data(target_counts(connection))
        if full:
            shown = ", ".join(f"{table} ({rows})" for table, rows in full[:5])
            raise BackupError(
                _(
                    "The database %(name)s already holds data (%(tables)s tables with rows: %(shown)s). "
                    "Restore into an empty database, or pass --replace to overwrite it."
                )
                % {"name": connection.settings_dict["NAME"], "tables": len(full), "shown": shown}
            )
        present = media_checksums(media_root)
        if present:
            raise BackupError(
                _(
                    "The media directory %(path)s already holds %(files)s files. "
                    "Restore into an empty one, or pass --replace to overwrite it."
                )
                % {"path": media_root, "files": len(present)}
            )

    database_file = directory / manifest["database"]["file"]
    if vendor == "postgresql":
        _restore_postgresql(connection, database_file, replace=replace)
    else:
        _restore_sqlite(connection, database_file)
    _restore_media(directory / MEDIA, media_root)
    verify_restore(connection, manifest, media_root)
    return manifest


def _restore_postgresql(connection, database_file, *, replace):
    pg_restore = find_postgres_tool("pg_restore")
    environment = postgres_environment(connection)
    # Its own connection writes the tables: Django's would hold a stale view of them.
    connection.close()
    command = [pg_restore, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
    if replace:
        command += ["--clean", "--if-exists"]
    _run(command + [f"--dbname={environment['PGDATABASE']}", str(database_file)], environment, "pg_restore")


def _restore_sqlite(connection, database_file):
    connection.ensure_connection()
    source = sqlite3.connect(f"file:{database_file}?mode=ro", uri=True)
    try:
        # Replaces every page of the target, schema, triggers and sequences included.
        source.backup(connection.connection)
    finally:
        source.close()


def _restore_media(source, media_root):
    # The media directory may exist (empty, or replaced): copytree merges into it.
    shutil.copytree(source, media_root, dirs_exist_ok=True)


def verify_restore(connection, manifest, media_root):
    """The restored database's rows per table and media files' checksums are the manifest's."""
    counts = target_counts(connection)
    problems = [
        _("table %(table)s has %(found)s rows, the backup %(expected)s")
        % {"table": table, "found": counts.get(table, 0), "expected": expected}
        for table, expected in sorted(manifest["tables"].items())
        if counts.get(table) != expected
    ]
    present = media_checksums(media_root)
    problems += [
        _("%(name)s does not match its checksum") % {"name": name}
        for name, expected in sorted(manifest["media"].items())
        if present.get(name, {}).get("sha256") != expected["sha256"]
    ]
    if problems:
        raise BackupError(
            _("The restored data does not match the backup's manifest: %(problems)s.")
            % {"problems": "; ".join(problems)}
        )
