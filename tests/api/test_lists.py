"""Issue 14 §1: the API's lists read like the pages. Every filter and order of each
page's FilterSet works with the same names and values, and gives the rows of the
page's CSV, in its order, whether read in one page or walked with cursors; bad input
is a 400 that says what is wrong, in the language asked for."""

import csv
import datetime
import io

import pytest
from django.test import Client

from kopnet.models import Verification
from partnerships.filters import PartnershipFilter
from partnerships.models import CooperationField, Objective
from registry.filters import CooperativeFilter, PartnerFilter
from registry.models import Cooperative, Regency, Tier
from tests.factories import (
    CooperativeFactory,
    PartnerFactory,
    PartnershipFactory,
    RepresentationFactory,
    UserFactory,
    province,
    sector,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry():
    """Cooperatives, partners and partnerships that each filter tells apart."""
    Regency.objects.create(code="32.04", province_id="32", name="Kabupaten Bandung")
    Regency.objects.create(code="32.05", province_id="32", name="Kabupaten Garut")
    farmers = [
        CooperativeFactory(
            name=f"Koperasi Tani {n}", province=province("32"), regency_place_id="32.04" if n % 2 else "32.05",
            individual_members=10 * n + 5, founded=datetime.date(1990 + n, 1, 1) if n % 3 else None,
            sectors=[sector("pertanian")],
        )
        for n in range(7)
    ]  # fmt: skip
    fishers = [
        CooperativeFactory(name=f"Koperasi Nelayan {n}", province=province("51"), individual_members=40, sectors=[sector("perikanan")])
        for n in range(3)
    ]  # fmt: skip
    CooperativeFactory(name="Koperasi Sekunder Tani", tier=Tier.SEKUNDER, scope="provinsi", individual_members=None)
    CooperativeFactory(name="Koperasi Menunggu", verification=Verification.PENDING)
    CooperativeFactory(name="Koperasi Luar Negeri", country="MY", province=None, scope="internasional")
    partners = [PartnerFactory(name=f"PT Mitra {n}", regency_place_id="32.04" if n % 2 else None) for n in range(4)]
    PartnerFactory(name="Bank Menunggu", kind="bank", verification=Verification.PENDING)
    for n in range(6):
        partnership = PartnershipFactory(
            title=f"Kerjasama {n}", initiator=farmers[n], start_date=datetime.date(2020 + n % 3, 3, n + 1),
            parties=[farmers[n], fishers[n % 3]] if n % 2 else [farmers[n], partners[n % 4]],
        )  # fmt: skip
        if n % 2 == 0:
            partnership.objectives.add(Objective.objects.get(slug="akses-pasar"))
            partnership.fields.add(CooperationField.objects.get(slug="pemasaran"))
    PartnershipFactory(title="Kerjasama Menunggu", initiator=farmers[0], verification=Verification.PENDING)
    return {"farmers": farmers, "fishers": fishers, "partners": partners}


# The params of each list: every filter of its FilterSet at least once, and each order.
LISTS = {
    "cooperatives": (
        "/koperasi/",
        CooperativeFilter,
        [
            {"q": "tani"}, {"q": "tani", "ordering": "-members"}, {"tier": "sekunder"}, {"type": "serba_usaha"},
            {"sector": "pertanian"}, {"province": "32"}, {"province": "32", "regency": "32.04"}, {"country": "MY"},
            {"status": "aktif"}, {"scope": "provinsi"}, {"ordering": "name"}, {"ordering": "-name"},
            {"ordering": "members"}, {"ordering": "-members"}, {"ordering": "founded"}, {"ordering": "-founded"},
        ],
    ),
    "partners": (
        "/mitra/",
        PartnerFilter,
        [
            {"q": "mitra"}, {"kind": "swasta"}, {"country": "ID"}, {"province": "32"},
            {"province": "32", "regency": "32.04"}, {"ordering": "name"}, {"ordering": "-name"},
        ],
    ),
    "partnerships": (
        "/kerjasama/",
        PartnershipFilter,
        [
            {"q": "kerjasama"}, {"category": "kemitraan_usaha"}, {"direction": "horizontal"},
            {"international": "false"}, {"objective": "akses-pasar"}, {"field": "pemasaran"},
            {"status": "berjalan"}, {"year": "2021"}, {"started": "2021"}, {"active_on": "2022-06-01"},
            {"province": "51"}, {"country": "ID"}, {"tier": "primer"}, {"cooperative": "koperasi-tani-1"},
            {"partner": "pt-mitra-0"}, {"new_entity": "false"}, {"new_entity_kind": "bank"},
            {"corroboration": "confirmed"}, {"ordering": "-start"}, {"ordering": "start"}, {"ordering": "title"},
        ],
    ),
}  # fmt: skip
CASES = [(name, params) for name, (_page, _filters, cases) in LISTS.items() for params in cases]


@pytest.mark.parametrize("name", LISTS)
def test_the_cases_try_every_filter_of_the_page(name):
    _page, filterset, cases = LISTS[name]
    assert set(filterset.base_filters) <= {key for params in cases for key in params}


def csv_keys(client, page, params):
    response = client.get(page, {**params, "format": "csv"})
    assert response.status_code == 200, params
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    return [row[0] for row in rows[1:]]


def api_keys(client, name, params, limit=None):
    """Every row's key, following `next` from the first page."""
    url, query = f"/api/v1/{name}/", {**params, **({"limit": limit} if limit else {})}
    keys = []
    while url:
        response = client.get(url, query)
        assert response.status_code == 200, (params, response.content)
        body = response.json()
        keys += [row.get("slug") or row.get("reference") for row in body["results"]]
        url, query = body["next"], {}
        assert len(keys) < 200, "the cursors go round"
    return keys


@pytest.mark.parametrize(("name", "params"), CASES, ids=[f"{name}-{params}" for name, params in CASES])
def test_the_api_gives_the_rows_of_the_pages_csv_in_its_order(registry, name, params):
    page, _filters, _cases = LISTS[name]
    visitor = Client()
    expected = csv_keys(visitor, page, params)
    assert api_keys(visitor, name, params) == expected
    assert api_keys(visitor, name, params, limit=2) == expected  # walked by cursors, two a page


def test_the_filters_tell_rows_apart(registry):
    """The parity above is no parity of empty lists."""
    visitor = Client()
    counts = {(name, str(params)): len(api_keys(visitor, name, params)) for name, params in CASES}
    assert counts[("cooperatives", "{'q': 'tani'}")] == 8
    assert counts[("cooperatives", "{'province': '32', 'regency': '32.04'}")] == 3
    assert counts[("partners", "{'province': '32', 'regency': '32.04'}")] == 2
    assert counts[("partnerships", "{'province': '51'}")] == 3
    assert sum(1 for n in counts.values() if n == 0) <= 3  # a few filters that nothing here matches


def test_an_official_sees_their_pending_cooperative_as_on_the_page(registry):
    pending = Cooperative.objects.get(name="Koperasi Menunggu")
    user = UserFactory()
    RepresentationFactory(user=user, cooperative=pending)
    official = Client()
    official.force_login(user)
    assert "koperasi-menunggu" in api_keys(official, "cooperatives", {})
    assert "koperasi-menunggu" not in api_keys(Client(), "cooperatives", {})
    assert api_keys(official, "cooperatives", {}) == csv_keys(official, "/koperasi/", {})


# --- bad input: a 400 that says what, never a 500 ------------------------------------------


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"tier": "raksasa"}, "tier"),
        ({"ordering": "random"}, "ordering"),
        ({"province": "99"}, "province"),
        ({"province": "32", "regency": "51.01"}, "regency"),
        ({"province": "3\x00"}, "province"),
        ({"cursor": "bukan-kursor"}, "cursor"),
        ({"cursor": "WzEsMiwzXQ"}, "cursor"),  # base64 of a list of the wrong length
        ({"limit": "0"}, "limit"),
        ({"limit": "1001"}, "limit"),
        ({"limit": "sepuluh"}, "limit"),
        ({"fields": "name,rahasia"}, "fields"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(registry, params, field):
    response = Client().get("/api/v1/cooperatives/", params)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert field in response.json()


def test_errors_speak_the_language_asked_for_indonesian_by_default(registry):
    indonesian = Client().get("/api/v1/cooperatives/", {"limit": "0"}).json()["limit"][0]
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get("/api/v1/cooperatives/", {"limit": "0"}).json()["limit"][0]
    assert english == "The limit is a whole number from 1 to 1000."
    assert indonesian != english and "1000" in indonesian


# --- choosing fields -------------------------------------------------------------------------


def test_fields_and_brief_choose_what_each_row_holds(registry):
    visitor = Client()
    row = visitor.get("/api/v1/cooperatives/", {"fields": "slug,members"}).json()["results"][0]
    assert set(row) == {"slug", "members"}
    row = visitor.get("/api/v1/partnerships/", {"brief": "1"}).json()["results"][0]
    assert set(row) == {"reference", "title", "url"}
    assert row["url"].startswith("http://testserver/api/v1/partnerships/KS-")
