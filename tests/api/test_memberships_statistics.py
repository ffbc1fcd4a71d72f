"""Issue 14 §1: memberships (both ends visible to the reader) and the statistics of
/statistik/, as data."""

import datetime

import pytest
from django.test import Client

from kopnet.models import Verification
from partnerships import selectors
from registry.models import Tier
from tests.factories import CooperativeFactory, MembershipFactory, PartnershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def federation():
    federation = CooperativeFactory(name="Puskop Tani", tier=Tier.SEKUNDER, scope="provinsi", individual_members=None)
    MembershipFactory(member=CooperativeFactory(name="Koperasi A"), federation=federation)
    MembershipFactory(
        member=CooperativeFactory(name="Koperasi B"), federation=federation,
        start_date=datetime.date(2020, 1, 1), end_date=datetime.date(2025, 1, 1),
    )  # fmt: skip
    MembershipFactory(member=CooperativeFactory(name="Koperasi Menunggu", verification=Verification.PENDING), federation=federation)
    return federation


def test_a_federations_members_as_a_visitor_sees_them(federation):
    rows = Client().get("/api/v1/memberships/", {"federation": federation.slug}).json()["results"]
    assert [(row["member"], row["active"]) for row in rows] == [("koperasi-a", True), ("koperasi-b", False)]
    active = Client().get("/api/v1/memberships/", {"federation": federation.slug, "active": "true"}).json()["results"]
    assert [row["member"] for row in active] == ["koperasi-a"]


def test_a_curator_also_sees_the_pending_members(federation, curator):
    rows = curator.get("/api/v1/memberships/", {"federation": federation.slug}).json()["results"]
    assert len(rows) == 3


@pytest.mark.parametrize("params", [{"federation": "tidak-ada"}, {"member": "koperasi-menunggu"}, {"active": "mungkin"}])
def test_a_membership_filter_that_makes_no_sense_is_a_400(federation, params):
    assert Client().get("/api/v1/memberships/", params).status_code == 400


def test_the_statistics_are_the_pages_numbers(federation):
    coop = CooperativeFactory()
    PartnershipFactory(initiator=coop, start_date=datetime.date(2024, 5, 1))
    partnerships, cooperatives = selectors.statistics()

    body = Client().get("/api/v1/statistics/").json()

    assert body["partnerships"]["total"] == partnerships["total"] == 1
    assert body["cooperatives"]["total"] == cooperatives["total"]
    tiers = {row["code"]: row["count"] for row in body["cooperatives"]["tiers"]}
    assert tiers["sekunder"] == 1
    assert {"year": 2024, "count": 1} in body["partnerships"]["started_per_year"]
    assert body["as_of"] is not None
