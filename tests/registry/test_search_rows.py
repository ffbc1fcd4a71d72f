"""A visitor's search of the cooperatives finds what a search of the cooperatives
themselves finds, in the same order and with the same count, after every kind of write.

PostgreSQL answers a visitor's search from the verified cooperatives' search rows, kept
by a trigger (registry/migrations/0016_cooperative_search_rows.py; 0017 indexes them by
province too); SQLite reads the cooperatives. After each write these tests compare, on
PostgreSQL, the kept rows with rows made here from the cooperatives, and, on both, the
visitor's list through the view (its page and count) with the list's FilterSet run on
the cooperatives.
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction
from django.db.models import Value
from django.db.models.functions import Concat, Upper

from kopnet.models import Verification
from registry import services
from registry.filters import CooperativeFilter
from registry.policy import VerifiedRules
from registry.models import (
    HAYSTACK_SEPARATOR,
    Cooperative,
    CooperativeSearchRow,
    Tier,
    refresh_member_counts,
    search_rows_serve,
)
from tests.factories import CooperativeFactory, MembershipFactory, sector
from tests.partnerships.test_statistics_counts import WRITES, admin_client, curator_edit, registry  # noqa: F401
from tests.registry.test_import_export import COOPERATIVE_HEADER, confirm, cooperative_row, csv_file, upload

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite keeps no search rows")

COLUMNS = ("id", "name", "nik", "tier", "type", "country", "province_id", "status", "scope", "member_count", "founded")
# Texts in a name, a short name, a legal number, a NIK, across two columns, and texts
# that LIKE would read as patterns.
TEXTS = ["TANI", "sejahtera", "kpb", "AHU-77", "3201000000000077", "makmur\x01kpb", "50%", "a_b", "ß"]
FILTERS = [{}, {"tier": Tier.PRIMER, "ordering": "-members"}, {"province": "32", "ordering": "-founded"}]


def fresh_rows():
    """The rows the database must keep, made from the verified cooperatives and their
    sectors (registry/migrations/0019_search_rows_sectors.py)."""
    haystack = Upper(Concat("name", Value(HAYSTACK_SEPARATOR), "short_name", Value(HAYSTACK_SEPARATOR), "legal_number"))
    verified = Cooperative.objects.filter(verification=Verification.VERIFIED).annotate(text=haystack)
    sectors = {}
    for cooperative_id, sector_id in Cooperative.sectors.through.objects.order_by("sector_id").values_list(
        "cooperative_id", "sector_id"
    ):
        sectors.setdefault(cooperative_id, []).append(sector_id)
    return {(*row, tuple(sectors.get(row[0], ()))) for row in verified.values_list(*COLUMNS, "text")}


def kept_rows():
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, sector_ids FROM {CooperativeSearchRow._meta.db_table}")
        sectors = {pk: tuple(sector_ids) for pk, sector_ids in cursor.fetchall()}
    return {(*row, sectors[row[0]]) for row in CooperativeSearchRow.objects.values_list(*COLUMNS, "haystack")}


def assert_kept_rows_are_fresh():
    if connection.vendor == "postgresql":
        assert kept_rows() == fresh_rows()


def from_the_cooperatives(params):
    """The slugs of a visitor's list and its count, from the FilterSet on the cooperatives."""
    filterset = CooperativeFilter(data=params, queryset=Cooperative.objects.visible_to(AnonymousUser()))
    assert filterset.is_valid(), filterset.errors
    slugs = list(filterset.qs.values_list("slug", flat=True))
    return slugs[:50], len(slugs)


def shown(client, params):
    response = client.get("/koperasi/", params)
    assert response.status_code == 200
    page = response.context["page_obj"]
    return [row.slug for row in page.object_list], page.paginator.count


def assert_searches_are_fresh(client):
    for text in TEXTS:
        for filters in FILTERS:
            params = {"q": text, **filters}
            assert shown(client, params) == from_the_cooperatives(params), params


@pytest.fixture
def searched(registry):  # noqa: F811
    """The statistics' registry, with names, short names and legal numbers to find."""
    CooperativeFactory(name="Koperasi Makmur", short_name="KPB", legal_number="AHU-77.AH", nik="3201000000000077")
    CooperativeFactory(name="Koperasi 50% Tani", short_name="a_b")
    CooperativeFactory(name="Koperasi x\\y Straße", verification=Verification.PENDING)
    CooperativeFactory(name="Koperasi Straße", individual_members=3)
    for index in range(60):  # more than a page of "koperasi" and of "tani"
        CooperativeFactory(name=f"Koperasi Tani {index:02}", tier=Tier.PRIMER if index % 3 else Tier.SEKUNDER)
    registry["a"].sectors.set([sector("pertanian")])  # for the writes of sectors to change
    return registry


def rename(data):
    cooperative = Cooperative.objects.get(pk=data["a"].pk)
    curator_edit(data, cooperative, name="Koperasi Baru Sekali", short_name="KBS", legal_number="AHU-9")


def imported(data):
    """The admin's spreadsheet import renames a verified cooperative (it stays verified)."""
    client = admin_client(data)
    row = cooperative_row(slug=data["a"].slug, name="Koperasi Impor Tani", short_name="KIT")
    preview = upload(client, "cooperative", csv_file(COOPERATIVE_HEADER, [row]))
    assert confirm(client, "cooperative", preview).status_code == 302
    assert Cooperative.objects.get(pk=data["a"].pk).name == "Koperasi Impor Tani"


def members_changed(data):
    MembershipFactory(federation=data["puskop"], member=data["b"])
    refresh_member_counts([data["puskop"].pk])


SEARCH_WRITES = {
    **{name: write for name, write in WRITES.items() if "cooperative" in name},
    "imported": imported,
    "renamed": rename,
    "members_changed": members_changed,
    "nik_cleared": lambda data: Cooperative.objects.filter(nik__isnull=False).update(nik=None),
    "bulk_renamed": lambda data: Cooperative.objects.filter(tier=Tier.PRIMER).update(short_name="TANI"),
    "verified_by_sql": lambda data: Cooperative.objects.update(verification=Verification.VERIFIED),
    "pending_by_sql": lambda data: Cooperative.objects.filter(name__contains="Tani").update(
        verification=Verification.PENDING
    ),
    "rejected": lambda data: services.cooperative_reject(curator=data["curator"], pk=data["a"].pk, reason="Ganda."),
    # Its sectors (the search rows carry their ids, for the suggested partners' pool).
    "sectors_set": lambda data: data["a"].sectors.set([sector("perikanan"), sector("pertanian")]),
    "sector_added": lambda data: data["b"].sectors.add(sector("jasa")),
    "sectors_cleared": lambda data: data["a"].sectors.clear(),
    "sector_moved_by_sql": lambda data: Cooperative.sectors.through.objects.filter(cooperative=data["a"]).update(
        cooperative=data["b"]
    ),
}


@postgres_only  # SQLite's visitors search the cooperatives: nothing to compare
@pytest.mark.parametrize("write", SEARCH_WRITES)
def test_a_visitors_search_is_fresh_after_the_write(searched, client, write):
    assert_kept_rows_are_fresh()
    before = fresh_rows()

    SEARCH_WRITES[write](searched)

    assert_kept_rows_are_fresh()
    assert_searches_are_fresh(client)
    assert fresh_rows() != before, "the write changes no search row: the test compares nothing new"


def test_the_searches_find_something_to_compare(searched, client):
    # So that the comparisons above compare pages, a second page, and patterns.
    assert from_the_cooperatives({"q": "tani"})[1] > 50
    for text in ("kpb", "AHU-77", "3201000000000077", "50%", "a_b", "ß"):
        assert from_the_cooperatives({"q": text})[1] == 1, text
    assert from_the_cooperatives({"q": "x\\y"})[1] == 0  # pending: visitors do not find it


def test_a_second_page_is_the_cooperatives_second_page(searched, client):
    filterset = CooperativeFilter(data={"q": "tani"}, queryset=Cooperative.objects.visible_to(AnonymousUser()))
    assert filterset.is_valid()
    expected = list(filterset.qs.values_list("slug", flat=True))[50:100]

    assert expected and shown(client, {"q": "tani", "page": "2"})[0] == expected


def test_a_text_with_the_separator_searches_the_cooperatives(searched, client):
    text = f"makmur{HAYSTACK_SEPARATOR}kpb"
    assert not search_rows_serve(text)

    assert shown(client, {"q": text}) == from_the_cooperatives({"q": text}) == ([], 0)


def test_signed_in_readers_search_the_cooperatives(searched):
    # The rows hold the verified cooperatives: only a reader the policy limits to
    # those (a visitor) is served from them, and only on PostgreSQL.
    assert not VerifiedRules.sees_only_verified(searched["official_a"])
    assert VerifiedRules.sees_only_verified(AnonymousUser())
    assert search_rows_serve("tani") == (connection.vendor == "postgresql")
    assert not search_rows_serve("   ")


@postgres_only
def test_writes_rolled_back_leave_the_rows(searched):
    before = fresh_rows()
    try:
        with transaction.atomic():
            Cooperative.objects.update(name="Semua Sama")
            assert_kept_rows_are_fresh()
            raise RuntimeError("undo")
    except RuntimeError:
        pass

    assert fresh_rows() == before
    assert_kept_rows_are_fresh()


@postgres_only
def test_a_rebuild_from_the_cooperatives_gives_the_kept_rows(searched):
    kept = kept_rows()

    services.kept_rows_rebuild()

    assert kept_rows() == kept == fresh_rows()
    assert CooperativeSearchRow.objects.search("tani").count() == from_the_cooperatives({"q": "tani"})[1]
    # The rebuild drops the indexes while it fills the rows: it makes every one again.
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s", [CooperativeSearchRow._meta.db_table])
        indexes = {definition.split(" ON ")[1] for (definition,) in cursor.fetchall()}
    assert indexes == {
        f"public.{CooperativeSearchRow._meta.db_table} USING {method}"
        for method in (
            "btree (id)", "gin (haystack gin_trgm_ops)", "btree (nik)", "btree (province_id)",
            "btree (tier, province_id, member_count DESC, id) INCLUDE (status, sector_ids)",
        )
    }  # fmt: skip


@postgres_only
def test_a_truncate_empties_the_rows(searched):
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE registry_cooperative CASCADE")

    assert kept_rows() == fresh_rows() == set()
