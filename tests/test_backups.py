"""`manage.py backup` and `manage.py restore` (kopnet/backups.py): a backup of a
registry with cooperatives, partnerships, a document and histories, restored into a
second, empty database, holds the same rows, histories, sequences, triggers and
documents; a restore refuses a database that holds data and a damaged backup.

The data must be committed for pg_dump to see it (transactional tests, which end by
emptying the database, as the races' tests do). On PostgreSQL the second database is
created and dropped by the test's own connection.
"""

import hashlib
import json
import os
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.db.utils import load_backend
from django.utils import translation

from kopnet.backups import BackupError, find_postgres_tool
from partnerships.models import Partnership, PartnershipDocument, PartnershipParty
from registry.models import Cooperative
from tests.factories import CooperativeFactory, PartnerFactory, PartnershipFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
RESTORED = "restored"


def pg_dump_required():
    """KOPNET_REQUIRE_PG_DUMP=1 (set by .ci/run): missing PostgreSQL tools fail instead of skipping."""
    return os.environ.get("KOPNET_REQUIRE_PG_DUMP", "") not in ("", "0", "false")


@pytest.fixture(autouse=True)
def _postgres_tools():
    if connection.vendor != "postgresql":
        return
    try:
        find_postgres_tool("pg_dump")
        find_postgres_tool("pg_restore")
    except BackupError as error:
        if pg_dump_required():
            pytest.fail(f"KOPNET_REQUIRE_PG_DUMP=1 but {error}")
        pytest.skip(f"pg_dump/pg_restore are not installed: {error}")


@pytest.fixture
def empty_database(tmp_path):
    """A second database alias, RESTORED, on an empty database: a new SQLite file, or
    a PostgreSQL database created (and dropped afterwards) beside the test database."""
    settings_dict = dict(connection.settings_dict)
    if connection.vendor == "postgresql":
        name = f"{settings_dict['NAME']}_restored"[:63]
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cursor.execute(f'CREATE DATABASE "{name}"')
    else:
        name = str(tmp_path / "restored.sqlite3")
    settings_dict["NAME"] = name
    # A connection made here, as Django's tests make one for another thread, rather
    # than an alias in settings: the test case allows only the aliases it was set up with.
    connections[RESTORED] = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, RESTORED)
    yield connections[RESTORED]
    connections[RESTORED].close()
    del connections[RESTORED]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings


@pytest.fixture
def registry(media):
    """Cooperatives, a partner, partnerships with their parties, a document and the
    histories their writes leave; a group created and deleted, so that its id is used
    up (a restored sequence must not give it out again)."""
    coop_a = CooperativeFactory(name="Koperasi Tani Makmur")
    coop_b = CooperativeFactory(name="Koperasi Nelayan Sejahtera")
    coop_b.name = "Koperasi Nelayan Sejahtera Bersama"
    coop_b.save()  # a second history row
    partner = PartnerFactory(name="Universitas Contoh")
    partnership = PartnershipFactory(
        title="Pemasaran Bersama Gabah", initiator=coop_a, parties=[coop_a, coop_b, partner]
    )
    PartnershipFactory(initiator=coop_b)
    document = PartnershipDocument(
        partnership=partnership, title="Perjanjian", file=SimpleUploadedFile("perjanjian.pdf", PDF)
    )
    document.full_clean()
    document.save()
    UserFactory(username="pengguna")
    used_up = Group.objects.create(name="sementara")
    used_up_id = used_up.pk
    used_up.delete()
    return {"document": document, "used_up_group_id": used_up_id}


def table_counts(alias):
    target = connections[alias]
    with target.cursor() as cursor:
        counts = {}
        for table in target.introspection.table_names(cursor):
            cursor.execute(f"SELECT COUNT(*) FROM {target.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def triggers(alias):
    target = connections[alias]
    with target.cursor() as cursor:
        if target.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        return sorted(name for (name,) in cursor.fetchall())


def rows(model, alias):
    return list(model._base_manager.using(alias).order_by("pk").values())


def digest(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def test_a_backup_restored_into_an_empty_database_holds_the_same_records(
    registry, empty_database, media, tmp_path, capsys
):
    call_command("backup", str(tmp_path / "backup"))
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["version"] and manifest["created_at"]
    assert (tmp_path / "backup").stat().st_mode & 0o777 == 0o700  # password hashes, personal data
    assert manifest["tables"] == table_counts("default")
    original_media = media.MEDIA_ROOT
    document_path = original_media / registry["document"].file.name
    assert manifest["media"] == {registry["document"].file.name: {"sha256": digest(document_path), "size": len(PDF)}}

    media.MEDIA_ROOT = tmp_path / "restored-media"
    capsys.readouterr()
    call_command("restore", str(tmp_path / "backup"), database=RESTORED)
    printed = capsys.readouterr().out
    assert "registry_cooperative: 3" in printed  # two named ones, one made for a party
    assert "every count and checksum matches the manifest" in printed

    # Every table, with as many rows.
    counts = table_counts(RESTORED)
    assert counts == table_counts("default")
    for table in [
        "registry_cooperative",
        "registry_historicalcooperative",
        "partnerships_partnership",
        "partnerships_partnershipparty",
        "partnerships_partnershipdocument",
        "partnerships_historicalpartnership",
    ]:
        assert counts[table] > 0, table

    # The records, field by field: the registry's, the partnerships' and the histories'.
    histories = [model for model in apps.get_models() if model.__name__.startswith("Historical")]
    assert len(histories) >= 5
    for model in [Cooperative, Partnership, PartnershipParty, PartnershipDocument, *histories]:
        assert rows(model, RESTORED) == rows(model, "default"), model.__name__
    assert Cooperative.history.using(RESTORED).filter(name="Koperasi Nelayan Sejahtera").exists()

    # The triggers and the sequences came with the rows.
    assert triggers(RESTORED) == triggers("default")
    assert Group.objects.using(RESTORED).create(name="baru").pk > registry["used_up_group_id"]

    # The document, byte for byte, where its record says.
    restored = media.MEDIA_ROOT / PartnershipDocument.objects.using(RESTORED).get().file.name
    assert digest(restored) == digest(document_path)


def test_restore_refuses_a_database_that_holds_data(registry, media, tmp_path):
    call_command("backup", str(tmp_path / "backup"))
    media.MEDIA_ROOT = tmp_path / "restored-media"
    before = table_counts("default")
    with translation.override("en"), pytest.raises(CommandError) as refused:
        call_command("restore", str(tmp_path / "backup"))
    assert "already holds data" in str(refused.value)
    assert "tables with rows: auth_permission (" in str(refused.value)
    assert "--replace" in str(refused.value)
    assert table_counts("default") == before
    assert not media.MEDIA_ROOT.exists()


def test_restore_refuses_a_media_directory_that_holds_files(registry, empty_database, media, tmp_path):
    call_command("backup", str(tmp_path / "backup"))
    media.MEDIA_ROOT = tmp_path / "restored-media"
    (media.MEDIA_ROOT / "lain").mkdir(parents=True)
    (media.MEDIA_ROOT / "lain" / "berkas.txt").write_text("lain")
    with translation.override("en"), pytest.raises(CommandError, match="already holds 1 files"):
        call_command("restore", str(tmp_path / "backup"), database=RESTORED)
    assert sum(table_counts(RESTORED).values()) == 0


def test_restore_with_replace_overwrites_a_database_that_holds_data(registry, empty_database, media, tmp_path):
    call_command("backup", str(tmp_path / "backup"))
    media.MEDIA_ROOT = tmp_path / "restored-media"
    call_command("restore", str(tmp_path / "backup"), database=RESTORED)
    Cooperative.objects.using(RESTORED).filter(name="Koperasi Tani Makmur").update(name="Diubah setelah pemulihan")
    call_command("restore", str(tmp_path / "backup"), database=RESTORED, replace=True)
    assert table_counts(RESTORED) == table_counts("default")
    assert rows(Cooperative, RESTORED) == rows(Cooperative, "default")


def test_a_changed_media_file_fails_its_checksum_and_nothing_is_restored(registry, empty_database, media, tmp_path):
    call_command("backup", str(tmp_path / "backup"))
    name = registry["document"].file.name
    (tmp_path / "backup" / "media" / name).write_bytes(PDF.replace(b"1.4", b"1.5"))
    media.MEDIA_ROOT = tmp_path / "restored-media"
    with pytest.raises(CommandError) as refused:
        call_command("restore", str(tmp_path / "backup"), database=RESTORED)
    # In the site's language (Indonesian) by default.
    assert f"{name} tidak cocok dengan checksum-nya" in str(refused.value)
    assert "tidak ada yang dipulihkan" in str(refused.value)
    assert sum(table_counts(RESTORED).values()) == 0
    assert not media.MEDIA_ROOT.exists()


def test_a_changed_database_file_fails_its_checksum(registry, empty_database, media, tmp_path):
    call_command("backup", str(tmp_path / "backup"))
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    database_file = tmp_path / "backup" / manifest["database"]["file"]
    with database_file.open("ab") as file:
        file.write(b"\0")
    damaged = "does not match its checksum: the backup is damaged"
    with translation.override("en"), pytest.raises(CommandError, match=damaged):
        call_command("restore", str(tmp_path / "backup"), database=RESTORED)
    assert sum(table_counts(RESTORED).values()) == 0


def test_a_directory_without_a_manifest_is_not_a_backup(empty_database, media, tmp_path):
    (tmp_path / "kosong").mkdir()
    with translation.override("en"), pytest.raises(CommandError, match="is missing: this is not a KopNet backup"):
        call_command("restore", str(tmp_path / "kosong"), database=RESTORED)


@pytest.mark.django_db(transaction=False)
def test_missing_postgres_tools_are_named_with_how_to_install_them(monkeypatch, tmp_path):
    monkeypatch.setattr("kopnet.backups.shutil.which", lambda name: None)
    monkeypatch.setattr("kopnet.backups.POSTGRES_INSTALLS", tmp_path)
    with translation.override("en"), pytest.raises(BackupError) as missing:
        find_postgres_tool("pg_dump")
    assert "pg_dump was not found" in str(missing.value)
    assert "apt-get install postgresql-client" in str(missing.value)


def test_backup_refuses_a_directory_that_holds_files(media, tmp_path):
    (tmp_path / "backup").mkdir()
    (tmp_path / "backup" / "manifest.json").write_text("{}")
    with translation.override("en"), pytest.raises(CommandError, match="already exists and is not empty"):
        call_command("backup", str(tmp_path / "backup"))
    assert (tmp_path / "backup" / "manifest.json").read_text() == "{}"
