"""The home page: the verified registry at a glance, and a way into the lists."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from kopnet.models import Verification
from partnerships import services
from partnerships.models import Confirmation, Partnership, PartnershipParty
from registry.models import CooperativeType, Scope, Tier
from tests.factories import CooperativeFactory, PartnerFactory, PartnershipFactory, province
from tests.partnerships.public_data import foreign_partner, partnership


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
def test_home_links_the_counts_to_the_filtered_lists_and_searches_the_whole_registry(visitor):
    CooperativeFactory(province=province("32"))

    page = visitor.get("/").content.decode()

    assert 'action="/cari/"' in page
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


def verified_at(partnership, when):
    Partnership.objects.filter(pk=partnership.pk).update(verification_at=when)
    return partnership


@pytest.mark.django_db
def test_home_counts_verified_partnerships_international_and_forming_an_entity(visitor):
    PartnershipFactory()
    partnership(CooperativeFactory(), foreign_partner())
    PartnershipFactory(new_entity=True, new_entity_name="Koperasi Sekunder Baru", new_entity_kind="sekunder")
    PartnershipFactory(new_entity=True, new_entity_name="Belum", new_entity_kind="sekunder",
                       verification=Verification.PENDING)  # fmt: skip

    response = visitor.get("/")
    summary = response.context["partnerships"]

    assert (summary["total"], summary["international"], summary["new_entity"]) == (3, 1, 1)
    assert "of which 1 international and 1 forming a new legal entity" in english(visitor)


def english(client):
    client.cookies["django_language"] = "en"
    try:
        return " ".join(client.get("/").content.decode().split())
    finally:
        client.cookies["django_language"] = "id"


@pytest.mark.django_db
def test_home_shows_the_latest_verified_partnerships_newest_first(visitor):
    now = timezone.now()
    made = [verified_at(PartnershipFactory(title=f"Kerjasama ke-{n}"), now - datetime.timedelta(days=n)) for n in range(7)]
    PartnershipFactory(title="Kerjasama menunggu", verification=Verification.PENDING)

    response = visitor.get("/")

    assert [p.title for p in response.context["partnerships"]["latest"]] == [p.title for p in made[:5]]
    page = response.content.decode()
    assert f'href="/kerjasama/{made[0].reference}/"' in page
    assert "Kerjasama ke-5" not in page and "Kerjasama menunggu" not in page


@pytest.mark.django_db
def test_home_counts_partnerships_by_year_with_no_year_skipped(visitor):
    PartnershipFactory(start_date=datetime.date(2021, 5, 1))
    PartnershipFactory(start_date=datetime.date(2024, 5, 1))
    PartnershipFactory(start_date=datetime.date(2024, 6, 1))

    years = dict(visitor.get("/").context["partnerships"]["years"])

    # Up to this year, with the years nobody started a partnership as 0.
    this_year = timezone.localdate().year
    assert list(years) == list(range(this_year - 9, this_year + 1))
    assert [years[year] for year in (2021, 2022, 2023, 2024, 2025)] == [1, 0, 0, 2, 0]


@pytest.mark.django_db
def test_home_years_reach_a_start_registered_for_next_year(visitor):
    next_year = timezone.localdate().year + 1
    PartnershipFactory(start_date=datetime.date(next_year, 1, 2))

    years = visitor.get("/").context["partnerships"]["years"]

    assert years[-1] == (next_year, 1) and len(years) == 10


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 12])
def test_home_costs_the_same_queries_whatever_the_partnerships(visitor, django_assert_num_queries, settings, rows):
    settings.KOPNET_PAGE_CACHE = False
    for _ in range(rows):
        partnership(CooperativeFactory(), foreign_partner())
    # The counts (SQLite counts them from the tables: 2 queries for the cooperatives, 5
    # for the partnerships; PostgreSQL reads them kept, in 2 inside a test's
    # transaction), the provinces' names, the new entities' count, the latest
    # partnerships and their parties, the partners' count, and "data as of" (the latest
    # change of a verified record).
    with django_assert_num_queries(8 if connection.vendor == "postgresql" else 13):
        assert visitor.get("/").status_code == 200


@pytest.mark.django_db
def test_a_verified_partnership_reaches_the_cached_home_page(visitor, page_cache, curator_user):
    page_cache.warm("/")
    partnership = PartnershipFactory(title="Kerjasama yang baru diverifikasi", verification=Verification.PENDING)
    PartnershipParty.objects.filter(partnership=partnership).update(confirmation=Confirmation.CONFIRMED)
    assert "Kerjasama yang baru diverifikasi" not in visitor.get("/").content.decode()

    services.partnership_verify(curator=curator_user, pk=partnership.pk, verify_organisations=True)

    assert "Kerjasama yang baru diverifikasi" in visitor.get("/").content.decode()
