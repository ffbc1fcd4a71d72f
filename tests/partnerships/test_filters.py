"""Every filter and sort order of /kerjasama/, through the URL: the right rows in,
the wrong rows out; and values the list does not know answer 400 with the field's error."""

import pytest

from kopnet.models import Verification
from partnerships.models import Category, PartnershipStatus
from registry.models import Tier
from tests.factories import CooperativeFactory, PartnerFactory, province, sector
from tests.partnerships.public_data import day, federation, foreign_partner, listed, partnership

pytestmark = pytest.mark.django_db


def test_unfiltered_list_shows_verified_partnerships_newest_first(visitor):
    old = partnership(start_date=day(2019))
    new = partnership(start_date=day(2024))
    partnership(start_date=day(2023), verification=Verification.PENDING)

    assert listed(visitor) == [new.reference, old.reference]


def test_search_finds_title_description_reference_and_party_names(visitor):
    by_title = partnership(title="Pengadaan pupuk bersama")
    by_description = partnership(description="Rantai pasok beras organik ke pasar kota")
    by_coop = partnership(CooperativeFactory(name="KUD Sumber Rejeki"), CooperativeFactory())
    by_short = partnership(CooperativeFactory(name="Induk Koperasi", short_name="IKPRI", tier=Tier.INDUK, individual_members=None), CooperativeFactory())
    by_partner = partnership(CooperativeFactory(), PartnerFactory(name="PT Pupuk Indonesia"))
    unrelated = partnership(title="Pelatihan manajemen")

    assert listed(visitor, q="pupuk bersama") == [by_title.reference]
    assert listed(visitor, q="beras organik") == [by_description.reference]
    assert listed(visitor, q="sumber rejeki") == [by_coop.reference]
    assert listed(visitor, q="ikpri") == [by_short.reference]
    assert listed(visitor, q="pupuk indonesia") == [by_partner.reference]
    assert listed(visitor, q=unrelated.reference.lower()) == [unrelated.reference]
    assert listed(visitor, q=unrelated.reference[-6:]) == [unrelated.reference]  # the number alone


def test_search_by_party_name_lists_a_partnership_once_whatever_the_matching_parties(visitor):
    record = partnership(CooperativeFactory(name="Koperasi Laut A"), CooperativeFactory(name="Koperasi Laut B"))

    assert listed(visitor, q="koperasi laut") == [record.reference]


def test_category_filter(visitor):
    between = partnership(CooperativeFactory(), CooperativeFactory())
    business = partnership(CooperativeFactory(), PartnerFactory())

    assert listed(visitor, category=Category.ANTAR_KOPERASI) == [between.reference]
    assert listed(visitor, category=Category.KEMITRAAN_USAHA) == [business.reference]


def test_direction_filter(visitor):
    horizontal = partnership(direction="horizontal")
    vertical = partnership(CooperativeFactory(), federation(), direction="vertikal")

    assert listed(visitor, direction="horizontal") == [horizontal.reference]
    assert listed(visitor, direction="vertikal") == [vertical.reference]


def test_international_filter_takes_true_or_false(visitor):
    abroad = partnership(CooperativeFactory(), foreign_partner())
    home = partnership(CooperativeFactory(), PartnerFactory())

    assert listed(visitor, international="true") == [abroad.reference]
    assert listed(visitor, international="false") == [home.reference]


def test_objective_and_field_filters_use_slugs(visitor):
    bargaining = partnership(objectives=["daya-tawar", "skala-ekonomi"], fields=["perdagangan"])
    credit = partnership(objectives=["kredit-modal"], fields=["permodalan", "perdagangan"])

    assert listed(visitor, objective="daya-tawar") == [bargaining.reference]
    assert listed(visitor, objective="kredit-modal") == [credit.reference]
    assert listed(visitor, field="permodalan") == [credit.reference]
    assert sorted(listed(visitor, field="perdagangan")) == sorted([bargaining.reference, credit.reference])
    assert listed(visitor, objective="akses-pasar") == []


def test_status_filter(visitor):
    running = partnership(status=PartnershipStatus.BERJALAN)
    partnership(status=PartnershipStatus.SELESAI)

    assert listed(visitor, status="berjalan") == [running.reference]


@pytest.mark.parametrize(
    ("start", "end", "year", "active"),
    [
        (day(2020), None, 2024, True),  # open-ended, begun earlier
        (day(2024, 12, 31), None, 2024, True),  # begins on the last day
        (day(2025, 1, 1), None, 2024, False),  # begins the year after
        (day(2020), day(2024, 1, 1), 2024, True),  # ends on the first day
        (day(2020), day(2023, 12, 31), 2024, False),  # ended the year before
        (day(2024, 3, 1), day(2024, 6, 1), 2024, True),  # within the year
    ],
)
def test_year_filter_keeps_partnerships_active_at_some_time_that_year(visitor, start, end, year, active):
    record = partnership(start_date=start, end_date=end)

    assert listed(visitor, year=year) == ([record.reference] if active else [])


def test_province_filter_matches_a_cooperative_or_a_partner_party_in_that_province(visitor):
    jabar, jatim = province("32"), province("35")
    coop_in_jatim = partnership(CooperativeFactory(province=jabar), CooperativeFactory(province=jatim))
    partner_in_jatim = partnership(CooperativeFactory(province=jabar), PartnerFactory(province=jatim))
    partnership(CooperativeFactory(province=jabar), CooperativeFactory(province=jabar))

    assert sorted(listed(visitor, province="35")) == sorted([coop_in_jatim.reference, partner_in_jatim.reference])


def test_country_filter_matches_any_party_and_takes_either_case(visitor):
    american = partnership(CooperativeFactory(), foreign_partner())
    partnership(CooperativeFactory(), PartnerFactory())

    assert listed(visitor, country="US") == [american.reference]
    assert listed(visitor, country="us") == [american.reference]


def test_tier_filter_matches_any_cooperative_party(visitor):
    with_induk = partnership(CooperativeFactory(), federation(Tier.INDUK), direction="vertikal")
    partnership(CooperativeFactory(), CooperativeFactory())

    assert listed(visitor, tier="induk") == [with_induk.reference]
    assert len(listed(visitor, tier="primer")) == 2


def test_cooperative_and_partner_filters_take_a_party_slug(visitor):
    coop, other = CooperativeFactory(), CooperativeFactory()
    bank = PartnerFactory(name="Bank Koperasi")
    with_coop = partnership(coop, other)
    with_bank = partnership(other, bank)

    assert listed(visitor, cooperative=coop.slug) == [with_coop.reference]
    assert sorted(listed(visitor, cooperative=other.slug)) == sorted([with_coop.reference, with_bank.reference])
    assert listed(visitor, partner=bank.slug) == [with_bank.reference]


def test_direction_and_cooperative_filters_combine(visitor):
    coop = CooperativeFactory()
    wanted = partnership(coop, CooperativeFactory(), direction="horizontal")
    partnership(coop, federation(), direction="vertikal")
    partnership(direction="horizontal")

    assert listed(visitor, direction="horizontal", cooperative=coop.slug) == [wanted.reference]


def test_new_entity_filter(visitor):
    bank = partnership(new_entity=True, new_entity_name="Bank Kesejahteraan Ekonomi", new_entity_kind="bank")
    plain = partnership()

    assert listed(visitor, new_entity="true") == [bank.reference]
    assert listed(visitor, new_entity="false") == [plain.reference]


def test_orderings_break_ties_by_id(visitor):
    b = partnership(title="B", start_date=day(2022))
    a1 = partnership(title="A", start_date=day(2021))
    a2 = partnership(title="A", start_date=day(2021))
    c = partnership(title="C", start_date=day(2023))

    assert listed(visitor, ordering="start") == [a1.reference, a2.reference, b.reference, c.reference]
    assert listed(visitor, ordering="-start") == [c.reference, b.reference, a2.reference, a1.reference]
    assert listed(visitor, ordering="title") == [a1.reference, a2.reference, b.reference, c.reference]


def test_pages_hold_fifty_rows(visitor):
    for _ in range(51):
        partnership()

    first = visitor.get("/kerjasama/")
    second = visitor.get("/kerjasama/", {"page": 2})

    assert len(first.context["object_list"]) == 50
    assert len(second.context["object_list"]) == 1


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("category", "koperasi"),
        ("direction", "diagonal"),
        ("international", "maybe"),
        ("international", "1"),
        ("new_entity", "yes"),
        ("objective", "tidak-ada"),
        ("objective", "bad slug!"),
        ("field", "tidak-ada"),
        ("status", "aktif"),
        ("year", "dua ribu"),
        ("year", "2024.5"),
        ("year", "1800"),
        ("province", "99"),
        ("province", "3"),
        ("country", "XX"),
        ("tier", "kecil"),
        ("cooperative", "tidak-ada"),
        ("cooperative", "a\x00b"),
        ("partner", "tidak-ada"),
        ("ordering", "members"),
        ("format", "pdf"),
    ],
)
def test_unknown_values_answer_400_with_the_field_error(visitor, param, value):
    partnership()

    response = visitor.get("/kerjasama/", {param: value})

    assert response.status_code == 400
    assert response.context["object_list"] is None
    if param != "format":
        assert param in response.context["filter"].form.errors


def test_slug_of_a_cooperative_the_visitor_cannot_see_is_unknown(visitor):
    hidden = CooperativeFactory(verification=Verification.PENDING)

    assert visitor.get("/kerjasama/", {"cooperative": hidden.slug}).status_code == 400


def test_curator_may_filter_by_an_unverified_cooperative(curator):
    hidden = CooperativeFactory(verification=Verification.PENDING)
    record = partnership(hidden, CooperativeFactory(), verification=Verification.PENDING)

    assert listed(curator, cooperative=hidden.slug) == [record.reference]


def test_party_filters_use_subqueries_not_distinct_joins(visitor, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    partnership(CooperativeFactory(sectors=[sector("pertanian")]), PartnerFactory())
    with CaptureQueriesContext(connection) as captured:
        visitor.get("/kerjasama/", {"province": "32", "country": "ID", "tier": "primer", "q": "koperasi"})

    sql = " ".join(query["sql"] for query in captured.captured_queries).upper()
    assert "DISTINCT" not in sql
    assert "EXISTS" in sql
