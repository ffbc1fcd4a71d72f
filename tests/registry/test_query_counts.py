"""Each page costs the same number of queries with 1 row as with a full page of 50.

Every expected count names its queries, in the order the page makes them.
"""

import pytest
from django.db import connection

from registry.models import Scope, Tier
from tests.factories import CooperativeFactory, MembershipFactory, PartnerFactory, sector

PAGE = 50
# The data version is one query. Inside a test's transaction, PostgreSQL first runs
# the deferred version triggers and resets their flag (kopnet.cache.data_version):
# two more statements that a request in autocommit, as in production, never makes.
VERSION_QUERIES = 3 if connection.vendor == "postgresql" else 1
# A visitor's unfiltered list of cooperatives: on PostgreSQL the statement that applies
# the test transaction's writes to the kept counts, and the kept count; elsewhere the
# data version and a COUNT.
KEPT_OR_COUNTED = 2 if connection.vendor == "postgresql" else 1 + VERSION_QUERIES


def cooperatives(count):
    for _ in range(count):
        CooperativeFactory(sectors=[sector("pertanian"), sector("perdagangan")])


def federation_with_members(count):
    """A secondary cooperative under an apex, with `count` member secondaries of 6 primaries each."""
    apex = CooperativeFactory(name="Apex", tier=Tier.APEX, scope=Scope.NASIONAL, individual_members=None)
    federation = CooperativeFactory(name="Induk", tier=Tier.INDUK, scope=Scope.NASIONAL, individual_members=None)
    MembershipFactory(member=federation, federation=apex)
    for _ in range(count):
        member = CooperativeFactory(tier=Tier.SEKUNDER, scope=Scope.PROVINSI, individual_members=None)
        MembershipFactory(member=member, federation=federation)
        for _ in range(6):
            MembershipFactory(member=CooperativeFactory(), federation=member)
    return federation


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, PAGE])
def test_cooperative_list_queries_do_not_grow_with_rows(visitor, django_assert_num_queries, rows):
    cooperatives(rows)
    # 1 the count for the pager: on PostgreSQL the kept count of verified
    # cooperatives (inside a test's transaction, after the statement that applies its
    # writes to the counts), elsewhere the data version (the count's cache key) and a
    # COUNT; 2 the sector and 3 the province choices of the filter form, 4 the page
    # of cooperatives with their provinces, 5 their sectors.
    with django_assert_num_queries(4 + KEPT_OR_COUNTED):
        response = visitor.get("/koperasi/")
    assert len(response.context["object_list"]) == rows


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, PAGE])
def test_filtered_cooperative_list_queries_do_not_grow_with_rows(visitor, django_assert_num_queries, rows):
    cooperatives(rows)
    # 1 the sector and 2 the province named in the URL (validation), 3 the data
    # version, 4 count for the pager, 5 sector, 6 province and 7 that province's
    # regency choices of the form, 8 the page, 9 its sectors.
    with django_assert_num_queries(8 + VERSION_QUERIES):
        response = visitor.get("/koperasi/", {"sector": "pertanian", "province": "32", "ordering": "-members"})
    assert len(response.context["object_list"]) == rows


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, PAGE])
def test_searched_cooperative_list_queries_do_not_grow_with_rows(visitor, django_assert_num_queries, rows):
    for number in range(rows):
        CooperativeFactory(name=f"Koperasi Tani Makmur {number}", sectors=[sector("pertanian")])
    CooperativeFactory(name="Koperasi Nelayan Jaya")
    # 1 the data version, 2 the page's keys with the count of all matches (one
    # scan), 3 sector and 4 province choices of the form, 5 the page's rows by key,
    # 6 their sectors.
    with django_assert_num_queries(5 + VERSION_QUERIES):
        response = visitor.get("/koperasi/", {"q": "tani makmur"})
    assert response.context["paginator"].count == rows
    assert len(response.context["object_list"]) == rows


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, PAGE])
def test_a_later_page_costs_what_the_first_does_plus_its_keys(visitor, django_assert_num_queries, rows):
    cooperatives(PAGE + rows)
    # 1 the count (as in the first page's test above), 2 sector and 3 province
    # choices, 4 the keys of page 2 (from the index), 5 its rows by key, 6 their sectors.
    with django_assert_num_queries(5 + KEPT_OR_COUNTED):
        response = visitor.get("/koperasi/", {"page": 2})
    assert len(response.context["object_list"]) == rows


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, PAGE])
def test_cooperative_list_queries_for_a_curator(curator, django_assert_num_queries, rows):
    cooperatives(rows)
    # 1 session, 2 user, 3 user and 4 group permissions (visible_to), then as for a
    # visitor: 5 data version, 6 count, 7 sector and 8 province choices, 9 the page,
    # 10 its sectors.
    with django_assert_num_queries(9 + VERSION_QUERIES):
        response = curator.get("/koperasi/")
    assert len(response.context["object_list"]) == rows


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, PAGE + 20])
def test_cooperative_csv_queries_do_not_grow_with_rows(visitor, django_assert_num_queries, rows):
    cooperatives(rows)
    # On PostgreSQL, 1 the cooperatives with their provinces and sectors' slugs. On
    # SQLite, 1 the sectors' slugs, 2 the cooperatives with their provinces, 3 their
    # sector links (one chunk of 2000 rows).
    with django_assert_num_queries(1 if connection.vendor == "postgresql" else 3):
        response = visitor.get("/koperasi/", {"format": "csv"})
        lines = b"".join(response.streaming_content).decode().splitlines()
    assert len(lines) == rows + 1


@pytest.mark.django_db
@pytest.mark.parametrize("members", [1, PAGE])
def test_cooperative_detail_queries_do_not_grow_with_members(visitor, django_assert_num_queries, members):
    federation = federation_with_members(members)
    # 1 the cooperative with its province, 2 its sectors, 3 its federations (the
    # apex, and theirs: none, the top; one query whatever the depth), 4 how many
    # partnerships it has (none, so no partnership rows: tests/partnerships/
    # test_query_counts.py counts those, and the network's and suggestions' pages),
    # 5 the partnership that founded it (none; issue 13). Its members are a page of their own (below). On PostgreSQL 4 reads the network
    # kept for visitors (partnerships/migrations/0012), after (in a test's
    # transaction only) the deferred trigger that applies this transaction's writes
    # to it: one statement more.
    with django_assert_num_queries(5 + (connection.vendor == "postgresql")):
        response = visitor.get(f"/koperasi/{federation.slug}/")
    assert response.content.count(b"kn-preview") == 0


@pytest.mark.django_db
@pytest.mark.parametrize("members", [1, PAGE])
def test_cooperative_members_queries_do_not_grow_with_members(visitor, django_assert_num_queries, members):
    federation = federation_with_members(members)
    # 1 the federation, 2 the page of members with their provinces and how many there
    # are (a window count), 3 up to five members of each member and how many they
    # have (one query). PostgreSQL reads a visitor's page from the rows it keeps of
    # the verified members (registry.models.kept_member_ids): the page's ids and how
    # many there are, then those members with their provinces by key.
    with django_assert_num_queries(4 if connection.vendor == "postgresql" else 3):
        response = visitor.get(f"/koperasi/{federation.slug}/anggota/")
    assert len(response.context["members_page"].object_list) == members
    assert response.content.count(b"kn-preview") == members


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, PAGE])
def test_partner_list_queries_do_not_grow_with_rows(visitor, django_assert_num_queries, rows):
    for _ in range(rows):
        PartnerFactory()
    # 1 the data version, 2 count for the pager, 3 the province choices of the
    # form, 4 the page of partners with their provinces.
    with django_assert_num_queries(3 + VERSION_QUERIES):
        response = visitor.get("/mitra/")
    assert len(response.context["object_list"]) == rows


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, PAGE])
def test_partner_detail_queries_do_not_grow_with_partners(visitor, django_assert_num_queries, rows):
    partners = [PartnerFactory() for _ in range(rows)]
    # 1 the partner with its province, 2 the partnership that founded it (none), 3
    # the count of its partnerships (none, so no rows: tests/partnerships/
    # test_query_counts.py counts those).
    with django_assert_num_queries(3):
        response = visitor.get(f"/mitra/{partners[-1].slug}/")
    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, PAGE])
def test_home_queries_do_not_grow_with_rows(visitor, django_assert_num_queries, rows):
    cooperatives(rows)
    for _ in range(rows):
        PartnerFactory()
    # The statistics page's numbers: on PostgreSQL the kept counts, read after applying
    # this test transaction's pending changes (2; a request outside a transaction reads
    # them in 1); on SQLite counted from the tables, 2 queries for the cooperatives and
    # 5 for the partnerships (by end year too: issue 13). Then the provinces' names, the new entities' count, the
    # latest partnerships (none here: no parties to fetch), the partners' count, and
    # "data as of": the latest change of a verified record (issue 12, one query).
    counts = 2 if connection.vendor == "postgresql" else 7
    with django_assert_num_queries(counts + 5):
        response = visitor.get("/")
    assert response.status_code == 200
