"""/statistik/: verified partnerships and cooperatives counted, each table beside a chart
of the same numbers."""

import json
import re

import pytest

from kopnet.models import Verification
from partnerships import selectors
from partnerships.models import Partnership
from registry.models import CooperativeType, Tier
from tests.factories import CooperativeFactory, PartnerFactory, province
from tests.partnerships.public_data import day, federation, foreign_partner, partnership

pytestmark = pytest.mark.django_db


def counts(rows):
    return {value: count for value, _label, count in rows}


@pytest.fixture
def data():
    jabar, jatim = province("32"), province("35")
    a = CooperativeFactory(province=jabar, type=CooperativeType.SIMPAN_PINJAM)
    b = CooperativeFactory(province=jatim)
    puskop = federation(province=jabar)
    partnership(a, b, direction="horizontal", start_date=day(2021, 5, 1), fields=["perdagangan", "pemasaran"])
    partnership(a, puskop, direction="vertikal", start_date=day(2021, 8, 1), fields=["perdagangan"])
    business = partnership(b, PartnerFactory(province=jatim), start_date=day(2023), fields=["permodalan"])
    # A business partnership may leave its direction out.
    Partnership.objects.filter(pk=business.pk).update(direction="")
    partnership(a, foreign_partner(), direction="vertikal", start_date=day(2023))
    # Not counted: waiting, rejected.
    partnership(a, b, verification=Verification.PENDING, start_date=day(2021), fields=["perdagangan"])
    partnership(
        b, puskop, verification=Verification.REJECTED, verification_note="Ganda.", start_date=day(2022)
    )
    CooperativeFactory(verification=Verification.PENDING, province=jatim)


def test_partnership_numbers_match_the_verified_data(data):
    stats = selectors.partnership_statistics()

    assert stats["total"] == 4
    assert stats["international"] == 1
    assert counts(stats["categories"]) == {"antar_koperasi": 2, "kemitraan_usaha": 2}
    assert counts(stats["directions"]) == {"vertikal": 2, "horizontal": 1, "": 1}
    fields = counts(stats["fields"])
    assert fields["perdagangan"] == 2 and fields["pemasaran"] == 1 and fields["permodalan"] == 1
    assert fields["advokasi"] == 0
    # By province of any party: a partnership with parties in two provinces counts in both.
    assert counts(stats["provinces"]) == {"32": 3, "35": 2}
    # Every year from the first to the last, 2022 with none (issue 12).
    assert [(year, count) for year, _label, count in stats["years"]] == [(2021, 2), (2022, 0), (2023, 2)]


def test_cooperative_numbers_match_the_verified_data(data):
    stats = selectors.cooperative_statistics()

    assert stats["total"] == 3  # a, b, puskop; the pending one is left out
    assert counts(stats["tiers"])[Tier.PRIMER] == 2
    assert counts(stats["tiers"])[Tier.SEKUNDER] == 1
    assert counts(stats["types"])[CooperativeType.SIMPAN_PINJAM] == 1
    assert counts(stats["provinces"]) == {"32": 2, "35": 1}


def test_page_shows_every_table_with_a_chart_of_the_same_numbers(visitor, data):
    response = visitor.get("/statistik/")
    html = response.content.decode()

    assert response.status_code == 200
    for section in response.context["sections"]:
        assert f'id="{section["id"]}-table"' in html
        chart = re.search(rf'<script id="{section["id"]}-data" type="application/json">(.*?)</script>', html, re.S)
        drawn = json.loads(chart.group(1))
        assert drawn["values"] == [row["count"] for row in section["rows"]]
        assert drawn["labels"] == [str(row["label"]) for row in section["rows"]]
    assert html.count('class="kn-chart" aria-hidden="true"') == len(response.context["sections"])
    assert "vendor/chart.js/chart.umd.min.js" in html


def test_each_number_links_to_the_list_it_counts(visitor, data):
    html = visitor.get("/statistik/").content.decode()

    assert 'href="/kerjasama/?category=antar_koperasi"' in html
    assert 'href="/kerjasama/?field=perdagangan"' in html
    assert 'href="/kerjasama/?province=32"' in html
    assert 'href="/kerjasama/?year=2021"' in html
    assert 'href="/koperasi/?tier=primer"' in html


def test_statistics_of_an_empty_registry(visitor):
    response = visitor.get("/statistik/")

    assert response.status_code == 200
    assert response.context["partnerships"]["total"] == 0


def test_active_partnerships_per_year_beside_those_started(visitor):
    """Issue 13 §4: active in a year = started in it or before, not ended before it;
    every year from the first start to this one. An end date changed later (kept
    counts on PostgreSQL) moves the numbers."""
    a, b = CooperativeFactory(), CooperativeFactory()
    partnership(a, b, start_date=day(2019, 3, 1), end_date=day(2020, 1, 1))
    ongoing = partnership(a, b, start_date=day(2020, 6, 1))
    partnership(a, b, start_date=day(2021, 1, 1), end_date=day(2021, 12, 31))
    partnership(a, b, start_date=day(2020, 1, 1), end_date=day(2021, 6, 1), verification=Verification.PENDING)
    this_year = selectors.timezone.localdate().year
    expected = {2019: 1, 2020: 2, 2021: 2} | {year: 1 for year in range(2022, this_year + 1)}
    assert dict((year, n) for year, _label, n in selectors.partnership_statistics()["active_years"]) == expected
    # Ended in 2022: active in 2022, no longer after.
    Partnership.objects.filter(pk=ongoing.pk).update(end_date=day(2022, 7, 1))
    expected |= {year: 0 for year in range(2023, this_year + 1)}
    assert dict((year, n) for year, _label, n in selectors.partnership_statistics()["active_years"]) == expected
    # The page shows both, each number opening the list that counts it.
    page = visitor.get("/statistik/").content.decode()
    assert 'id="partnerships-active-table"' in page and 'id="partnerships-year-table"' in page
    assert 'href="/kerjasama/?year=2021">2021</a>' in page and 'href="/kerjasama/?started=2021">2021</a>' in page
    listed = visitor.get("/kerjasama/?year=2021").context["paginator"].count
    started = visitor.get("/kerjasama/?started=2021").context["paginator"].count
    assert (listed, started) == (2, 1)
