"""A visitor's list of cooperatives takes its count from the statistics' kept counts
(PostgreSQL, registry.sections.add_list_count): with no filter or one of tier, type
and province, the page counts no rows, and its count stays exact after every kind of
write that changes the statistics' numbers."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kopnet.models import Verification
from registry.models import Cooperative, CooperativeType, Tier
from tests.factories import CooperativeFactory, UserFactory, RepresentationFactory
from tests.partnerships.test_statistics_counts import WRITES, registry  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

PROVINCES = ("11", "32", "35", "51")
FILTERS = [{}] + [{"tier": tier} for tier in Tier.values] + [{"type": kind} for kind in CooperativeType.values] + [
    {"province": code} for code in PROVINCES
]


def fresh_count(filters):
    cooperatives = Cooperative.objects.filter(verification=Verification.VERIFIED)
    return cooperatives.filter(**{("province_id" if name == "province" else name): value for name, value in filters.items()}).count()


def list_count(client, filters):
    response = client.get("/koperasi/", filters)
    assert response.status_code == 200
    return response.context["paginator"].count


def test_the_lists_count_no_rows_where_counts_are_kept(registry):  # noqa: F811
    with CaptureQueriesContext(connection) as captured:
        for filters in FILTERS:
            list_count(Client(), filters)
    counted = [query["sql"] for query in captured if "COUNT(" in query["sql"] and "registry_cooperative" in query["sql"]]
    if connection.vendor == "postgresql":
        assert counted == []
    else:  # SQLite keeps no counts: the lists count their rows
        assert len(counted) == len(FILTERS)


@pytest.mark.parametrize("write", WRITES)
def test_the_lists_counts_are_exact_after_the_write(registry, write):  # noqa: F811
    WRITES[write](registry)
    visitor = Client()
    assert [list_count(visitor, filters) for filters in FILTERS] == [fresh_count(filters) for filters in FILTERS]


def test_two_filters_and_a_search_count_their_rows(registry):  # noqa: F811
    for filters in ({"tier": Tier.PRIMER, "province": "32"}, {"q": "Tani"}, {"province": "32", "q": "Tani"}):
        fresh = Cooperative.objects.filter(verification=Verification.VERIFIED)
        if "tier" in filters:
            fresh = fresh.filter(tier=filters["tier"])
        if "province" in filters:
            fresh = fresh.filter(province_id=filters["province"])
        if "q" in filters:
            fresh = fresh.search(filters["q"])
        assert list_count(Client(), filters) == fresh.count()


def test_an_official_counts_their_own_pending_cooperative_too(registry):  # noqa: F811
    pending = CooperativeFactory(verification=Verification.PENDING, province=registry["jabar"])
    official = UserFactory(username="pending_official")
    RepresentationFactory(user=official, cooperative=pending)
    client = Client()
    client.force_login(official)
    visible = Cooperative.objects.visible_to(official)
    assert list_count(client, {}) == visible.count() == fresh_count({}) + 1
    assert list_count(client, {"province": "32"}) == visible.filter(province_id="32").count()
