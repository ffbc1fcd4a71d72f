"""A visitor's page of a federation's members lists the federation's verified active
members by name, with their number, after every kind of write.

PostgreSQL answers a visitor's page from the rows it keeps of them, by trigger
(registry/migrations/0018_member_rows.py); SQLite reads the memberships. After each
write these tests compare, on PostgreSQL, the kept rows with rows made here from the
memberships and cooperatives, and, on both, every page a visitor reads (names and
count) with the members found here.
"""

import datetime

import pytest
from django.db import connection, transaction
from django.db.models import Value
from django.db.models.functions import Concat
from django.urls import reverse

import kopnet.lists  # noqa: F401  (the lists read the page size when imported: before `members` changes it)
from kopnet.models import Verification
from registry import services
from registry.models import Cooperative, Membership, Tier, kept_member_ids
from tests.factories import CooperativeFactory, CuratorFactory, MembershipFactory
from tests.partnerships.test_statistics_counts import curator_edit

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite keeps no member rows")
PAGE = 3  # the members' page size here: several pages of a small federation


def fresh_rows():
    """The rows the database must keep: each federation's verified active members."""
    active = Membership.objects.filter(end_date__isnull=True, member__verification=Verification.VERIFIED)
    return set(active.values_list("federation_id", "member_id", "member__name"))


def kept_rows():
    with connection.cursor() as cursor:
        cursor.execute("SELECT federation_id, member_id, name FROM registry_memberrow")
        return set(cursor.fetchall())


def expected_names(federation):
    """A visitor's members of `federation`, by name, found here from the memberships."""
    members = Cooperative.objects.filter(verification=Verification.VERIFIED).members_of(federation)
    return list(members.order_by("name", "id").values_list("name", flat=True))


def shown(client, federation):
    """Every page of the federation's members a visitor reads: names and count."""
    names, number = [], 1
    url = reverse("registry:cooperative_members", args=[federation.slug])
    while True:
        response = client.get(url, {"page": number})
        if response.status_code == 404:
            return names, None
        page = response.context["members_page"]
        names += [member.name for member in page.object_list]
        if not page.has_next():
            return names, page.paginator.count
        number += 1


def assert_fresh(client, federations):
    if connection.vendor == "postgresql":
        assert kept_rows() == fresh_rows()
    for federation in federations:
        names = expected_names(federation)
        assert shown(client, federation) == (names, len(names) if names else 0), federation.name


@pytest.fixture
def members(settings):
    """Two federations: one of eight members (verified, one waiting, one whose
    membership ended, one a federation itself), one of two."""
    settings.KOPNET_PAGE_SIZE = PAGE
    puskop = CooperativeFactory(name="Puskop Jawa Barat", tier=Tier.SEKUNDER)
    inkop = CooperativeFactory(name="Inkop Nasional", tier=Tier.SEKUNDER)
    data = {"puskop": puskop, "inkop": inkop, "curator": CuratorFactory(username="kurator")}
    for number, name in enumerate(["Koperasi Tani", "Koperasi Nelayan", "KSP Maju", "Koperasi Ápel", "Koperasi Tani"]):
        data[f"m{number}"] = MembershipFactory(federation=puskop, member=CooperativeFactory(name=name)).member
    data["waiting"] = MembershipFactory(
        federation=puskop, member=CooperativeFactory(name="Koperasi Menunggu", verification=Verification.PENDING)
    ).member
    MembershipFactory(federation=puskop, member=CooperativeFactory(name="Koperasi Keluar"),
                      start_date="2020-01-01", end_date="2024-01-01")  # fmt: skip
    MembershipFactory(federation=puskop, member=inkop)
    MembershipFactory(federation=inkop, member=data["m0"])
    MembershipFactory(federation=inkop, member=CooperativeFactory(name="Koperasi Zaitun"))
    return data


def member_renamed(data):
    curator_edit(data, Cooperative.objects.get(pk=data["m1"].pk), name="Aaa Koperasi Pertama")


def joined(data):
    newcomer = CooperativeFactory(name="Koperasi Baru")
    membership = Membership(federation=data["inkop"], member=newcomer, start_date=datetime.date(2025, 1, 2))
    services.membership_save(user=data["curator"], membership=membership)


def ended(data):
    membership = Membership.objects.get(federation=data["puskop"], member=data["m2"])
    membership.end_date = datetime.date.today()
    services.membership_save(user=data["curator"], membership=membership)


WRITES = {
    "joined": joined,
    "ended": ended,
    "removed": lambda data: Membership.objects.filter(member=data["m3"]).delete(),
    "moved_by_sql": lambda data: Membership.objects.filter(member=data["m4"]).update(federation=data["inkop"]),
    "member_changed_by_sql": lambda data: Membership.objects.filter(member=data["m0"], federation=data["inkop"]).update(
        member=data["waiting"]
    ),
    "ended_by_sql": lambda data: Membership.objects.filter(federation=data["inkop"]).update(end_date=datetime.date.today()),
    "member_renamed": member_renamed,
    "renamed_by_sql": lambda data: Cooperative.objects.update(name=Concat("name", Value(" Baru"))),
    "member_rejected": lambda data: services.cooperative_reject(curator=data["curator"], pk=data["m0"].pk, reason="Ganda."),
    "member_verified": lambda data: services.cooperative_verify(curator=data["curator"], pk=data["waiting"].pk),
    "pending_by_sql": lambda data: Cooperative.objects.filter(name__startswith="Koperasi").update(
        verification=Verification.PENDING
    ),
    "several_in_one_transaction": lambda data: transaction.atomic()(lambda: (joined(data), ended(data), member_renamed(data)))(),
}


@pytest.mark.parametrize("write", WRITES)
def test_a_visitors_members_page_is_fresh_after_the_write(members, client, write):
    federations = [members["puskop"], members["inkop"]]
    assert_fresh(client, federations)
    before = fresh_rows()

    WRITES[write](members)

    assert_fresh(client, federations)
    assert fresh_rows() != before, "the write changes no member row: the test compares nothing new"


def test_the_pages_have_something_to_compare(members, client):
    # Three pages of puskop: names in the database's order, twins ordered by id; the
    # waiting member and the one that left are not there.
    names, count = shown(client, members["puskop"])
    assert count == 6 and len(names) == 6 and names == expected_names(members["puskop"])
    assert "Koperasi Menunggu" not in names and "Koperasi Keluar" not in names
    page = reverse("registry:cooperative_members", args=[members["puskop"].slug])
    assert client.get(page, {"page": 3}).status_code == 404


@postgres_only
def test_a_visitors_page_reads_the_kept_rows(members, client):
    page = reverse("registry:cooperative_members", args=[members["puskop"].slug])
    with connection.execute_wrapper(lambda execute, sql, *args: (read.append(sql), execute(sql, *args))[1]):
        read = []
        client.get(page)
    assert any("registry_memberrow" in sql for sql in read)
    assert kept_member_ids(members["puskop"].pk, 0, 2) == (
        list(Cooperative.objects.filter(name__in=expected_names(members["puskop"])[:2]).order_by("name", "id").values_list("pk", flat=True)),
        6,
    )


def test_a_curators_page_reads_the_memberships_and_shows_every_member(members, client):
    client.force_login(members["curator"])
    response = client.get(reverse("registry:cooperative_members", args=[members["puskop"].slug]))
    assert response.context["members_page"].paginator.count == 7  # the waiting member too


@postgres_only
def test_writes_rolled_back_leave_the_rows(members):
    before = kept_rows()
    try:
        with transaction.atomic():
            Cooperative.objects.update(name="Semua Sama")
            Membership.objects.filter(member=members["m1"]).delete()
            assert kept_rows() == fresh_rows()
            raise RuntimeError("undo")
    except RuntimeError:
        pass
    assert kept_rows() == before == fresh_rows()


@postgres_only
def test_a_rebuild_gives_the_kept_rows_and_a_truncate_empties_them(members):
    kept = kept_rows()

    services.kept_rows_rebuild()

    assert kept_rows() == kept == fresh_rows() and kept
    # The rebuild drops the indexes while it fills the rows: it makes every one again.
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'registry_memberrow'")
        indexes = {definition.split(" USING ")[1] for (definition,) in cursor.fetchall()}
        assert indexes == {"btree (federation_id, member_id)", "btree (federation_id, name, member_id)", "btree (member_id)"}
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the page versions' triggers first
        cursor.execute("TRUNCATE registry_membershipproposal, registry_membership")
    assert kept_rows() == set() == fresh_rows()
