"""The list of partnerships filtered to a province shows exactly the partnerships with a
party (cooperative or partner) there, to every reader, with every other filter, after
every kind of write.

PostgreSQL finds them through the rows and counts it keeps
(partnerships/migrations/0013_province_rows.py), SQLite through the parties. After each
write these tests compare, on PostgreSQL, the kept rows and counts with rows made here
afresh from the tables, and, on both, the list and its count as each reader sees them
with a computation written apart from the list's code (a join on the parties, DISTINCT).
The writes run in the test's transaction: the list applies the transaction's notes
before it reads (in production that happens at commit; the race tests below commit for
real, from two threads).
"""

import datetime
from collections import Counter

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.test import Client, RequestFactory

from kopnet.models import Verification
from partnerships import selectors
from partnerships.filters import PartnershipFilter
from partnerships.models import Category, Partnership, PartnershipParty, PartnershipProvince, PartnershipStatus
from registry.models import Cooperative, Partner
from tests.factories import CooperativeFactory, PartnerFactory
from tests.factories import province as province_of
from tests.partnerships.public_data import day, partnership
from tests.partnerships.test_statistics_counts import WRITES, curator_edit, registry  # noqa: F401 - the fixture
from tests.partnerships.test_statistics_races import (
    ROUNDS,
    add_party,
    scenario_cooperative_moves_while_it_joins,
    scenario_last_party_there_leaves_while_another_arrives,
    scenario_partner_moves_while_its_partnership_is_verified,
    scenario_party_added_while_rejected,
    scenario_party_added_while_verified,
    scenario_two_parties_in_one_province,
    together,
    verified,
)

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite keeps no rows")

PROVINCES = ("11", "32", "35")
# The kept filters alone and together, one the rows do not hold (tier) beside them,
# and each sort order.
FILTERS = [
    {},
    {"category": Category.ANTAR_KOPERASI},
    {"category": Category.KEMITRAAN_USAHA, "year": "2023"},
    {"year": "2022"},
    {"year": "2019"},
    {"status": PartnershipStatus.SELESAI},
    {"international": "true"},
    {"international": "false", "direction": "vertikal"},
    {"tier": "sekunder", "year": "2023"},
    {"ordering": "start"},
    {"ordering": "title", "category": Category.ANTAR_KOPERASI},
]
ORDERS = {"start": ("start_date", "id"), "title": ("title", "id"), "-start": ("-start_date", "-id")}


def readers(data):
    return {"visitor": AnonymousUser(), "official": data["official_a"], "curator": data["curator"]}


def fresh_list(user, province, filters):
    """The references the list must show, newest first unless sorted otherwise."""
    there = Q(parties__cooperative__province_id=province) | Q(parties__partner__province_id=province)
    rows = Partnership.objects.visible_to(user).filter(there)
    for name, value in filters.items():
        if name in ("category", "direction", "status"):
            rows = rows.filter(**{name: value})
        elif name == "international":
            rows = rows.filter(international=value == "true")
        elif name == "year":
            year = int(value)
            rows = rows.filter(start_date__year__lte=year).filter(Q(end_date=None) | Q(end_date__year__gte=year))
        elif name == "tier":
            rows = rows.filter(parties__cooperative__tier=value)
    order = ORDERS[filters.get("ordering", "-start")]
    return list(rows.distinct().order_by(*order).values_list("reference", flat=True))


def shown(user, province, filters):
    """The references and the count the list finds for this reader, as its view does:
    the FilterSet's rows, and the kept count where there is one, else the rows' count."""
    params = {"province": province, **filters}
    request = RequestFactory().get("/kerjasama/", params)
    request.user = user
    filterset = PartnershipFilter(data=params, queryset=Partnership.objects.visible_to(user), request=request)
    assert filterset.is_valid(), filterset.errors
    count = selectors.kept_province_count(user, filterset.given())
    return list(filterset.qs.values_list("reference", flat=True)), filterset.qs.count() if count is None else count


def fresh_rows():
    """The rows the database must keep, made from the tables: (partnership, province,
    verification, category, direction, international, status, start, end)."""
    parties = PartnershipParty.objects.annotate(code=Coalesce("cooperative__province_id", "partner__province_id"))
    return {
        (p_id, code, *columns)
        for p_id, code, *columns in parties.filter(code__isnull=False).values_list(
            "partnership_id", "code", "partnership__verification", "partnership__category",
            "partnership__direction", "partnership__international", "partnership__status",
            "partnership__start_date", "partnership__end_date",
        )
    }  # fmt: skip


def kept_rows():
    with connection.cursor() as cursor:
        selectors.apply_this_transactions_province_rows(cursor)
    return set(
        PartnershipProvince.objects.values_list(
            "partnership_id", "province_id", "verification", "category", "direction", "international", "status",
            "start_date", "end_date",
        )
    )


def counts_of(rows):
    """The counts of these rows by province, columns, start year and end year (9999: none)."""
    return Counter(
        (code, *columns, start.year, end.year if end else 9999) for _p, code, *columns, start, end in rows
    )


def kept_counts():
    with connection.cursor() as cursor:
        selectors.apply_this_transactions_province_rows(cursor)
        cursor.execute(
            "SELECT province_id, verification, category, direction, international, status, start_year, end_year, count "
            "FROM partnerships_province_count WHERE count <> 0"
        )
        return Counter({tuple(row[:-1]): row[-1] for row in cursor.fetchall()})


def assert_kept_rows_are_fresh():
    if connection.vendor != "postgresql":
        return
    fresh = fresh_rows()
    assert kept_rows() == fresh
    assert kept_counts() == counts_of(fresh)


def assert_lists_are_fresh(data):
    for reader, user in readers(data).items():
        for province in PROVINCES:
            for filters in FILTERS:
                expected = fresh_list(user, province, filters)
                assert shown(user, province, filters) == (expected, len(expected)), (reader, province, filters)


def ended(data):
    """A curator records that a partnership ended, and another's end moves."""
    record = Partnership.objects.get(pk=data["ab"].pk)
    curator_edit(data, record, end_date=day(2022, 6), status=PartnershipStatus.SELESAI)
    Partnership.objects.filter(pk=data["a_puskop"].pk).update(end_date=day(2023, 12, 31))


def party_moved(data):
    """A party changes partnership (SQL by hand; no page does it)."""
    PartnershipParty.objects.filter(partnership=data["b_pt"], partner=data["pt"]).update(partnership=data["a_puskop"])


# The writes of the statistics' tests (services, the admin's forms, actions and import,
# bulk updates, deletes) and those of columns the statistics do not count.
PROVINCE_WRITES = {
    **WRITES,
    "ended": ended,
    "statuses_updated": lambda data: Partnership.objects.update(status=PartnershipStatus.DIHENTIKAN),
    "categories_updated": lambda data: Partnership.objects.filter(category=Category.KEMITRAAN_USAHA).update(
        category=Category.ANTAR_KOPERASI
    ),
    "party_moved": party_moved,
}


# Writes after which the rows stay as they were: no party, province or kept column
# changes (each of the others changes some, or its test would compare nothing new).
KEEP_THE_ROWS = {
    "confirmed", "cooperative_verified", "cooperative_rejected", "cooperative_tier_changed", "admin_verify_action",
    "fields_set", "fields_cleared", "field_deleted", "cooperative_added", "cooperative_deleted",
}  # fmt: skip


@pytest.mark.parametrize("write", PROVINCE_WRITES)
def test_the_list_by_province_is_fresh_after_the_write(registry, write):  # noqa: F811
    # Applies the fixture's own notes first: the write's alone are left to apply.
    assert_kept_rows_are_fresh()
    before = fresh_rows()

    PROVINCE_WRITES[write](registry)

    assert_kept_rows_are_fresh()
    assert_lists_are_fresh(registry)
    assert (fresh_rows() == before) == (write in KEEP_THE_ROWS)


def test_the_fixture_lists_something_for_every_reader(registry):  # noqa: F811
    # So that the comparisons above compare lists with rows, unverified ones included.
    assert_kept_rows_are_fresh()
    for user in readers(registry).values():
        assert fresh_list(user, "32", {}) and fresh_list(user, "35", {})
    assert len(fresh_list(registry["curator"], "35", {})) > len(fresh_list(AnonymousUser(), "35", {}))


def test_a_partnership_is_listed_once_however_many_parties_sit_in_the_province(registry):  # noqa: F811
    jabar = registry["jabar"]
    record = registry["a_puskop"]  # both parties in Jawa Barat
    PartnershipParty.objects.create(partnership=record, partner=PartnerFactory(province=jabar))

    references, count = shown(AnonymousUser(), "32", {})

    assert references.count(record.reference) == 1 and count == len(references)
    assert_kept_rows_are_fresh()


def test_writes_rolled_back_leave_the_rows(registry):  # noqa: F811
    before = shown(AnonymousUser(), "32", {})
    try:
        with transaction.atomic():
            Cooperative.objects.filter(country="ID").update(province=registry["aceh"])
            Partnership.objects.update(category=Category.KEMITRAAN_USAHA)
            assert_kept_rows_are_fresh()
            assert shown(AnonymousUser(), "32", {}) != before
            raise RuntimeError("undo")
    except RuntimeError:
        pass

    assert shown(AnonymousUser(), "32", {}) == before
    assert_kept_rows_are_fresh()


@postgres_only
def test_a_rebuild_from_the_tables_gives_the_kept_rows(registry):  # noqa: F811
    Partnership.objects.filter(pk=registry["ab"].pk).update(status=PartnershipStatus.SELESAI)
    kept = kept_rows(), kept_counts()

    with connection.cursor() as cursor:
        cursor.execute("SELECT partnerships_province_rebuild()")

    assert (kept_rows(), kept_counts()) == kept
    assert_kept_rows_are_fresh()


@postgres_only
def test_a_truncate_makes_the_rows_again(registry):  # noqa: F811
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute('TRUNCATE "partnerships_partnershipparty"')

    assert_kept_rows_are_fresh()
    assert kept_rows() == set()


@postgres_only
def test_the_list_counts_no_rows_for_visitors_and_curators(registry):  # noqa: F811
    """The page of a visitor or a curator takes its count from the kept counts; an
    official's (who also sees their own pending partnerships) and a filter the rows do
    not hold count the rows."""
    from django.test.utils import CaptureQueriesContext

    def counted(client, params):
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/kerjasama/", params)
        assert response.status_code == 200
        return [query["sql"] for query in captured if "COUNT(" in query["sql"]], response.context["paginator"].count

    curator, official = Client(), Client()
    curator.force_login(registry["curator"])
    official.force_login(registry["official_a"])
    params = {"province": "32", "category": Category.ANTAR_KOPERASI, "year": "2024"}
    assert counted(Client(), params) == ([], len(fresh_list(AnonymousUser(), "32", params)))
    assert counted(curator, params) == ([], len(fresh_list(registry["curator"], "32", params)))
    queries, count = counted(official, params)
    assert len(queries) == 1 and count == len(fresh_list(registry["official_a"], "32", params))
    assert count > len(fresh_list(AnonymousUser(), "32", params))  # the waiting partnership of cooperative A
    queries, count = counted(Client(), {**params, "tier": "sekunder"})
    assert len(queries) == 1 and count == len(fresh_list(AnonymousUser(), "32", {**params, "tier": "sekunder"}))


def test_the_page_shows_the_fresh_list_to_each_reader(registry):  # noqa: F811
    clients = {"visitor": Client()}
    for name in ("official", "curator"):
        clients[name] = Client()
        clients[name].force_login(readers(registry)[name])
    for name, client in clients.items():
        for filters in ({}, {"category": Category.ANTAR_KOPERASI, "year": "2024"}, {"ordering": "start"}):
            response = client.get("/kerjasama/", {"province": "32", **filters})
            assert response.status_code == 200
            expected = fresh_list(readers(registry)[name], "32", filters)
            assert [row.reference for row in response.context["object_list"]] == expected, (name, filters)
            assert response.context["paginator"].count == len(expected)


@pytest.mark.parametrize(
    "params", [{"province": "99"}, {"province": "3"}, {"province": "32", "year": "1850"}, {"province": "32", "year": "x"},
               {"province": "32", "international": "maybe"}, {"province": "32", "page": "9"}],
)  # fmt: skip
def test_bad_input_is_refused_not_an_error(registry, params):  # noqa: F811
    assert Client().get("/kerjasama/", params).status_code in (400, 404)


def test_many_partnerships_come_in_pages_in_order(registry, settings):  # noqa: F811
    jatim = registry["jatim"]
    for number in range(7):
        partnership(CooperativeFactory(province=jatim), registry["a"], start_date=day(2015, 1 + number))
    settings.KOPNET_PAGE_SIZE = 3
    expected = fresh_list(AnonymousUser(), "35", {})
    pages, number = [], 1
    while True:
        response = Client().get("/kerjasama/", {"province": "35", "page": number})
        if response.status_code == 404:
            break
        pages += [row.reference for row in response.context["object_list"]]
        number += 1
    assert pages == expected and len(expected) > 6


# --- writes that commit for real, two at a time -----------------------------------------


def scenario_category_changes_while_a_party_joins():
    """One adds a party in Aceh, the other changes the partnership's category."""
    record = verified(CooperativeFactory(), CooperativeFactory())
    change = lambda: Partnership.objects.filter(pk=record.pk).update(category=Category.KEMITRAAN_USAHA)  # noqa: E731
    return [add_party(record, CooperativeFactory(province=province_of("11"))), change]


def scenario_end_moves_while_the_partner_moves():
    partner = PartnerFactory(province=province_of("35"))
    record = verified(CooperativeFactory(), partner)
    end = lambda: Partnership.objects.filter(pk=record.pk).update(end_date=datetime.date(2030, 1, 1))  # noqa: E731
    move = lambda: Partner.objects.filter(pk=partner.pk).update(province=province_of("11"))  # noqa: E731
    return [end, move]


@postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "scenario",
    [
        scenario_party_added_while_verified, scenario_party_added_while_rejected,
        scenario_cooperative_moves_while_it_joins, scenario_partner_moves_while_its_partnership_is_verified,
        scenario_two_parties_in_one_province, scenario_last_party_there_leaves_while_another_arrives,
        scenario_category_changes_while_a_party_joins, scenario_end_moves_while_the_partner_moves,
    ],
)  # fmt: skip
def test_two_writes_at_once_each_see_the_other(scenario):
    for _round in range(ROUNDS):
        errors = together(*scenario())

        assert errors == [None, None], [repr(error) for error in errors]
        assert_kept_rows_are_fresh()
