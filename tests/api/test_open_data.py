"""Issue 14 §2: dated snapshots of everything public. A snapshot is a Data Package that
frictionless validates (types, keys, foreign keys, checksums); it holds exactly what a
visitor sees; its change files list the rows added, changed and removed since the
previous one; the last N are kept; /data/ lists them and serves their files only."""

import csv
import datetime
import hashlib
import io
import json
import zipfile

import frictionless
import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from api import opendata
from kopnet import policy
from kopnet.models import Verification
from partnerships.models import CooperationField, Objective, Partnership, PartnershipParty
from partnerships.policy import party_name
from registry.models import Cooperative, Membership, Partner, Regency, Tier
from registry.services import cooperative_reject, record_merge
from tests.factories import (
    CooperativeFactory,
    CuratorFactory,
    MembershipFactory,
    PartnerFactory,
    PartnershipFactory,
    sector,
)

pytestmark = pytest.mark.django_db
DAY = datetime.datetime(2026, 5, 1, 2, 0, tzinfo=datetime.timezone.utc)


@pytest.fixture(autouse=True)
def folder(settings, tmp_path):
    settings.KOPNET_OPEN_DATA_DIR = tmp_path / "open-data"
    settings.SITE_URL = "https://kopnet.example.org"
    return settings.KOPNET_OPEN_DATA_DIR


@pytest.fixture
def registry():
    """Something of every table, and what a visitor must not see beside it."""
    Regency.objects.get_or_create(code="32.04", defaults={"province_id": "32", "name": "Kabupaten Bandung"})
    federation = CooperativeFactory(name="Puskop Tani Jawa Barat", tier=Tier.SEKUNDER, individual_members=None)
    farmers = CooperativeFactory(name="Koperasi Tani Makmur", sectors=[sector("pertanian")], regency_place_id="32.04")
    MembershipFactory(member=farmers, federation=federation)
    bank = PartnerFactory(name="Bank Rakyat Contoh")
    hidden_partner = PartnerFactory(name="PT Belum Diperiksa", verification=Verification.PENDING)
    pending = CooperativeFactory(name="Koperasi Menunggu", verification=Verification.PENDING)
    CooperativeFactory(name="Koperasi Ditolak", verification=Verification.REJECTED, verification_note="Palsu.")
    MembershipFactory(member=pending, federation=federation)
    partnership = PartnershipFactory(initiator=farmers, parties=[farmers, federation, bank, hidden_partner], value=1500000)
    partnership.objectives.set(Objective.objects.all()[:2])
    partnership.fields.set(CooperationField.objects.all()[:1])
    PartnershipFactory(title="Kerjasama Belum Diverifikasi", initiator=farmers, verification=Verification.PENDING)
    return {"farmers": farmers, "federation": federation, "partnership": partnership, "pending": pending}


def snapshot_zip(manifest, folder):
    return zipfile.ZipFile(folder / manifest["name"])


def table(archive, name):
    with archive.open(name) as member:
        return list(csv.DictReader(io.TextIOWrapper(member, "utf-8", newline="")))


def test_a_snapshot_validates_as_a_data_package_with_its_keys_and_checksums(registry, folder, tmp_path):
    opendata.export(now=DAY)
    Cooperative.objects.filter(pk=registry["federation"].pk).update(name="Puskop Tani Jawa Barat Baru")
    manifest = opendata.export(now=DAY + datetime.timedelta(days=1))  # with change files

    snapshot_zip(manifest, folder).extractall(tmp_path / "package")
    report = frictionless.validate(tmp_path / "package" / "datapackage.json")

    assert report.valid, report.flatten(["taskName", "type", "note"])
    descriptor = json.loads((tmp_path / "package" / "datapackage.json").read_text())
    assert descriptor["licenses"][0]["name"] == "CC-BY-4.0"
    resources = {resource["name"]: resource for resource in descriptor["resources"]}
    assert resources["parties"]["schema"]["foreignKeys"][0] == {
        "fields": ["partnership"], "reference": {"resource": "partnerships", "fields": ["reference"]}
    }  # fmt: skip
    assert "cooperatives-changes" in resources and "partnerships-with-parties" in resources


def test_a_snapshot_holds_what_a_visitor_sees_and_nothing_else(registry, folder):
    manifest = opendata.export(now=DAY)
    archive = snapshot_zip(manifest, folder)

    visitor = AnonymousUser()
    expected = {
        "cooperatives": ("slug", Cooperative.objects.visible_to(visitor).values_list("slug", flat=True)),
        "partners": ("slug", Partner.objects.visible_to(visitor).values_list("slug", flat=True)),
        "partnerships": ("reference", Partnership.objects.visible_to(visitor).values_list("reference", flat=True)),
        "parties": ("id", policy.visible(visitor, PartnershipParty.objects.all()).values_list("id", flat=True)),
        "memberships": ("id", policy.visible(visitor, Membership.objects.all()).values_list("id", flat=True)),
    }
    for name, (key, keys) in expected.items():
        rows = table(archive, f"{name}.csv")
        assert sorted(row[key] for row in rows) == sorted(map(str, keys)), name
        assert manifest["rows"][name] == len(rows)
    everything = b"".join(archive.read(name) for name in archive.namelist())
    for secret in ("Koperasi Menunggu", "Koperasi Ditolak", "PT Belum Diperiksa", "Kerjasama Belum Diverifikasi"):
        assert secret.encode() not in everything
    assert "changes/cooperatives.csv" not in archive.namelist()  # the first snapshot has none


def test_a_partys_name_and_link_are_what_the_policy_lets_a_visitor_read(registry, folder):
    archive = snapshot_zip(opendata.export(now=DAY), folder)

    rows = {int(row["id"]): row for row in table(archive, "parties.csv")}
    for party in PartnershipParty.objects.filter(pk__in=rows).select_related("cooperative", "partner", "partnership"):
        row = rows[party.pk]
        assert row["name"] == party_name(AnonymousUser(), party)
        named = policy.may(AnonymousUser(), "name", party)
        assert (row["cooperative"] or row["partner"]) == (party.organisation.slug if named else "")
    assert sum(1 for row in rows.values() if not (row["cooperative"] or row["partner"])) == 1


def test_the_json_lines_show_each_partnership_as_the_api_does(registry, folder):
    archive = snapshot_zip(opendata.export(now=DAY), folder)

    [line] = archive.read("partnerships.jsonl").decode().splitlines()
    reference = registry["partnership"].reference
    shown = Client().get(f"/api/v1/partnerships/{reference}/").json()
    exported = json.loads(line)
    assert list(exported) == list(shown)
    assert exported["url"] == f"https://kopnet.example.org/api/v1/partnerships/{reference}/"
    assert {**exported, "url": None, "updated_at": None} == {**shown, "url": None, "updated_at": None}


def test_the_change_files_list_the_rows_added_changed_and_removed_since_the_previous(registry, folder):
    opendata.export(now=DAY)
    added = CooperativeFactory(name="Koperasi Baru")
    Cooperative.objects.filter(pk=registry["farmers"].pk).update(phone="+62 22 1234")
    removed = CooperativeFactory(name="Koperasi Tiruan")
    record_merge(curator=CuratorFactory(), model=Cooperative, survivor_pk=registry["farmers"].pk, merged_pk=removed.pk)
    opendata.export(now=DAY + datetime.timedelta(days=1))  # `removed` is in neither: no change
    cooperative_reject(curator=CuratorFactory(), pk=registry["federation"].pk, reason="Data palsu.")

    manifest = opendata.export(now=DAY + datetime.timedelta(days=2))

    changes = table(snapshot_zip(manifest, folder), "changes/cooperatives.csv")
    assert [(row["change"], row["slug"]) for row in changes] == [("removed", registry["federation"].slug)]
    assert changes[0]["name"] == ""  # a removed row names its key only
    assert manifest["changes"]["memberships"]["removed"] == 1  # its member's membership went with it
    previous = table(snapshot_zip(opendata.snapshots()[1], folder), "changes/cooperatives.csv")
    assert sorted((row["change"], row["slug"]) for row in previous) == [
        ("added", added.slug), ("changed", registry["farmers"].slug)
    ]  # fmt: skip
    assert manifest["previous"] == opendata.snapshots()[1]["name"]


def test_the_last_snapshots_are_kept_and_each_checksum_is_its_zips(registry, folder):
    made = [opendata.export(now=DAY + datetime.timedelta(hours=hour), keep=2) for hour in range(3)]

    kept = opendata.snapshots()
    assert [snapshot["name"] for snapshot in kept] == [made[2]["name"], made[1]["name"]]
    assert not (folder / made[0]["name"]).exists() and not (folder / made[0]["checksum_file"]).exists()
    for snapshot in kept:
        digest = hashlib.sha256((folder / snapshot["name"]).read_bytes()).hexdigest()
        assert snapshot["sha256"] == digest
        assert (folder / snapshot["checksum_file"]).read_text() == f"{digest}  {snapshot['name']}\n"
    assert [path.name for path in folder.iterdir() if path.name.startswith(".tmp-")] == []


def test_a_snapshot_not_newer_than_the_latest_is_refused(registry):
    opendata.export(now=DAY)

    with pytest.raises(opendata.SnapshotError):
        opendata.export(now=DAY)


def export_queries():
    with CaptureQueriesContext(connection) as queries:
        opendata.export(now=DAY + datetime.timedelta(days=len(opendata.snapshots())))
    return len(queries)


def test_the_export_makes_as_many_queries_for_30_records_as_for_3(registry):
    few = export_queries()
    for _ in range(27):
        PartnershipFactory(parties=[registry["farmers"], CooperativeFactory(sectors=[sector("pertanian")])])
        MembershipFactory(federation=registry["federation"])

    # A query a table, one a chunk of rows for each list of slugs (sectors,
    # objectives, fields), the transaction's savepoint and its release.
    assert export_queries() == few


def test_the_command_writes_a_snapshot(registry, folder):
    from django.core.management import call_command

    out = io.StringIO()
    call_command("export_open_data", stdout=out)

    assert "the first snapshot" in out.getvalue()
    assert len(opendata.snapshots()) == 1


# /data/


@pytest.mark.parametrize(("language", "words"), [("id", "Unduh"), ("en", "Download")])
def test_the_data_page_lists_the_snapshots_in_the_readers_language(registry, client, language, words):
    opendata.export(now=DAY)
    newest = opendata.export(now=DAY + datetime.timedelta(days=1))
    client.cookies["django_language"] = language

    response = client.get("/data/")

    assert response.status_code == 200
    page = response.content.decode()
    assert words in page
    assert page.index(newest["name"]) < page.index(opendata.snapshots()[1]["name"])
    assert newest["sha256"] in page and f'href="/data/{newest["checksum_file"]}"' in page


def test_the_data_page_says_when_there_is_no_snapshot_yet(db, client):
    client.cookies["django_language"] = "en"

    response = client.get("/data/")

    assert response.status_code == 200
    assert "No snapshot has been written yet." in response.content.decode()


def test_a_snapshots_files_download(registry, client, folder):
    manifest = opendata.export(now=DAY)

    response = client.get(f"/data/{manifest['name']}")
    checksum = client.get(f"/data/{manifest['checksum_file']}")

    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert b"".join(response.streaming_content) == (folder / manifest["name"]).read_bytes()
    response.close()
    checksum.close()
    assert checksum["Content-Type"].startswith("text/plain") and checksum["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize(
    "name",
    ["..%2Fsettings.py", "..%2F..%2Fkopnet%2Fsettings.py", "kopnet-open-data-2026-05-01T020000Z.json", ".lock",
     "kopnet-open-data-2099-01-01T000000Z.zip", "%00", "datapackage.json"],
)  # fmt: skip
def test_a_name_that_is_no_listed_snapshots_file_is_a_404(registry, client, folder, name):
    opendata.export(now=DAY)

    assert client.get(f"/data/{name}").status_code == 404
