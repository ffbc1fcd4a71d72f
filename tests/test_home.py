"""The home page: the verified registry at a glance, and a way into the lists."""

import pytest

from kopnet.models import Verification
from registry.models import CooperativeType, Scope, Tier
from tests.factories import CooperativeFactory, PartnerFactory, province


@pytest.mark.django_db
def test_home_counts_verified_cooperatives_by_tier_and_type(visitor):
    CooperativeFactory(tier=Tier.PRIMER, type=CooperativeType.SIMPAN_PINJAM)
    CooperativeFactory(tier=Tier.PRIMER, type=CooperativeType.KONSUMEN)
    CooperativeFactory(tier=Tier.SEKUNDER, type=CooperativeType.SIMPAN_PINJAM, individual_members=None)
    CooperativeFactory(tier=Tier.APEX, scope=Scope.NASIONAL, individual_members=None)
    CooperativeFactory(tier=Tier.PRIMER, type=CooperativeType.KONSUMEN, verification=Verification.PENDING)

    summary = visitor.get("/").context["cooperatives"]
    tiers = {value: count for value, _label, count in summary["tiers"]}
    types = {value: count for value, _label, count in summary["types"]}

    assert summary["total"] == 4
    assert tiers == {Tier.PRIMER: 2, Tier.SEKUNDER: 1, Tier.INDUK: 0, Tier.APEX: 1}
    assert types[CooperativeType.SIMPAN_PINJAM] == 2
    assert types[CooperativeType.KONSUMEN] == 1
    assert types[CooperativeType.SERBA_USAHA] == 1


@pytest.mark.django_db
def test_home_counts_verified_partners(visitor):
    PartnerFactory()
    PartnerFactory()
    PartnerFactory(verification=Verification.PENDING)

    assert visitor.get("/").context["partner_count"] == 2


@pytest.mark.django_db
def test_home_lists_the_ten_provinces_with_most_verified_cooperatives(visitor):
    codes = ["11", "12", "13", "14", "15", "16", "17", "18", "19", "21", "31"]
    for rank, code in enumerate(codes):
        for _ in range(len(codes) - rank):
            CooperativeFactory(province=province(code))
    for _ in range(20):
        CooperativeFactory(province=province("32"), verification=Verification.PENDING)

    top = visitor.get("/").context["top_provinces"]

    assert [code for code, _name, _count in top] == codes[:10]
    assert top[0] == ("11", "Aceh", 11)


@pytest.mark.django_db
def test_home_links_the_counts_to_the_filtered_lists_and_searches_cooperatives(visitor):
    CooperativeFactory(province=province("32"))

    page = visitor.get("/").content.decode()

    assert 'action="/koperasi/"' in page
    assert 'name="q"' in page
    assert 'href="/koperasi/?tier=primer"' in page
    assert 'href="/koperasi/?type=serba_usaha"' in page
    assert 'href="/koperasi/?province=32"' in page
    assert 'href="/mitra/"' in page


@pytest.mark.django_db
def test_home_works_on_an_empty_registry(visitor):
    response = visitor.get("/")

    assert response.status_code == 200
    assert response.context["cooperatives"]["total"] == 0
    assert response.context["top_provinces"] == []
