"""Lists say what is applied (issue 12): above the rows, the number of results and
each active filter as a chip (its label and the value's label, never the code) that
links to the same list without that filter and without a page number; on a phone the
folded panel's button counts the filters."""

from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest

from registry.models import PartnerKind, Tier
from tests.factories import CooperativeFactory, PartnerFactory, PartnershipFactory, sector

pytestmark = pytest.mark.django_db


class Chips(HTMLParser):
    """The result count, the chips (text, accessible name, link), the "clear all"
    link and the filter button's text of a list page."""

    def __init__(self, html):
        super().__init__()
        self.count = self.button = self.list_label = self.clear = None
        self.chips = []
        self.reading = None
        self.text = ""
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if "kn-result-count" in classes:
            self.reading, self.text = "count", ""
        elif "kn-chips" in classes:
            self.list_label = attrs.get("aria-label")
        elif "kn-chip" in classes:
            self.reading, self.text = "chip", ""
            self.chips.append({"name": attrs.get("aria-label"), "url": attrs["href"]})
        elif "kn-clear-filters" in classes:
            self.clear = attrs["href"]
        elif tag == "button" and attrs.get("data-bs-target") == "#filters":
            self.reading, self.text = "button", ""
        elif "kn-chip-remove" in classes:
            self.reading = "chip-end"

    def handle_data(self, data):
        if self.reading in ("count", "chip", "button"):
            self.text += data

    def handle_endtag(self, tag):
        text = " ".join(self.text.split())
        if self.reading == "count" and tag == "p":
            self.count = text
        elif self.reading == "chip-end" and tag == "span":
            self.chips[-1]["text"] = text
        elif self.reading == "button" and tag == "button":
            self.button = text
        else:
            return
        self.reading = None


def page(client, url, params=None, language="id"):
    if language == "en":
        client.cookies["django_language"] = "en"
    response = client.get(url, params or {})
    return response, Chips(response.content.decode())


def query(url):
    return parse_qs(urlsplit(url).query)


@pytest.fixture
def cooperatives(db):
    CooperativeFactory(name="Koperasi Tani Makmur", tier=Tier.PRIMER, sectors=[sector("pertanian")])
    CooperativeFactory(name="Koperasi Tani Jaya", tier=Tier.PRIMER, sectors=[sector("pertanian")])
    CooperativeFactory(name="Koperasi Nelayan", tier=Tier.PRIMER)


COOPERATIVE_FILTERS = {"q": "tani", "tier": "primer", "province": "32", "sector": "pertanian", "ordering": "-name", "page": "1"}


@pytest.mark.parametrize(
    "language, count, chips, button, list_label, names",
    [
        (
            "id",
            "2 hasil",
            ["Cari: tani", "Tingkat: Koperasi primer", "Sektor usaha: Pertanian", "Provinsi: Jawa Barat"],
            "Saring (4)",
            "Saringan yang dipakai",
            "Hapus saringan Tingkat: Koperasi primer",
        ),
        (
            "en",
            "2 results",
            ["Search: tani", "Tier: Primary cooperative", "Sector: Agriculture", "Province: Jawa Barat"],
            "Filters (4)",
            "Filters applied",
            "Remove filter Tier: Primary cooperative",
        ),
    ],
)
def test_cooperative_list_says_its_count_and_filters(client, cooperatives, language, count, chips, button, list_label, names):
    response, found = page(client, "/koperasi/", COOPERATIVE_FILTERS, language)

    assert response.status_code == 200
    assert found.count == count
    assert [chip["text"] for chip in found.chips] == chips
    assert found.chips[1]["name"] == names
    assert found.button == button
    assert found.list_label == list_label
    assert found.clear == "/koperasi/?ordering=-name"


def test_each_chip_drops_exactly_its_filter_and_the_page(client, cooperatives):
    _response, found = page(client, "/koperasi/", COOPERATIVE_FILTERS)
    given = {name: [value] for name, value in COOPERATIVE_FILTERS.items() if name != "page"}

    for name, chip in zip(["q", "tier", "sector", "province"], found.chips):
        assert chip["url"].startswith("/koperasi/?")
        assert query(chip["url"]) == {other: value for other, value in given.items() if other != name}


def test_following_a_chip_lists_without_that_filter(client, cooperatives):
    _response, found = page(client, "/koperasi/", {"q": "tani", "tier": "primer"})

    response, after = page(client, found.chips[0]["url"])  # without the search

    assert response.context["paginator"].count == 3
    assert [chip["text"] for chip in after.chips] == ["Tingkat: Koperasi primer"]
    assert after.count == "3 hasil"


def test_partner_list_chips_name_the_kind_and_country(client, db):
    PartnerFactory(kind=PartnerKind.BANK, country="ID")
    PartnerFactory(kind=PartnerKind.SWASTA)

    _response, found = page(client, "/mitra/", {"kind": "bank", "country": "id"}, "en")

    assert found.count == "1 result"
    assert [chip["text"] for chip in found.chips] == ["Kind: Bank", "Country: Indonesia"]
    assert query(found.chips[1]["url"]) == {"kind": ["bank"]}
    assert found.clear == "/mitra/"


@pytest.mark.parametrize(
    "language, chips",
    [
        (
            "id",
            [
                "Internasional: Tidak",
                "Tujuan: Peningkatan daya tawar terhadap pihak ketiga",
                "Aktif pada tahun: 2024",
                "Koperasi (slug): Koperasi Tani Makmur",
            ],
        ),
        (
            "en",
            [
                "International: No",
                "Objective: Bargaining power towards third parties",
                "Active in year: 2024",
                "Cooperative (slug): Koperasi Tani Makmur",
            ],
        ),
    ],
)
def test_partnership_list_chips_name_the_values(client, cooperative_a, language, chips):
    record = PartnershipFactory(initiator=cooperative_a, start_date="2023-01-01")
    record.objectives.add(record.objectives.model.objects.get(slug="daya-tawar"))
    params = {"cooperative": cooperative_a.slug, "objective": "daya-tawar", "international": "false", "year": "2024"}

    response, found = page(client, "/kerjasama/", params, language)

    assert response.status_code == 200
    assert found.count == ("1 hasil" if language == "id" else "1 result")
    assert [chip["text"] for chip in found.chips] == chips
    assert query(found.chips[3]["url"]) == {"objective": ["daya-tawar"], "international": ["false"], "year": ["2024"]}


def test_count_groups_its_digits(client, cooperatives, monkeypatch):
    # The count as the pager has it, without creating a thousand rows.
    monkeypatch.setattr("registry.views.CooperativeListView.known_count", lambda self: 1234567)

    _response, indonesian = page(client, "/koperasi/")
    _response, english = page(client, "/koperasi/", language="en")

    assert indonesian.count == "1.234.567 hasil"
    assert english.count == "1,234,567 results"


def test_no_chips_without_filters(client, cooperatives):
    response, found = page(client, "/koperasi/", {"ordering": "-name", "q": "  "})

    assert response.context["applied_filters"] == []
    assert found.chips == [] and found.clear is None and found.list_label is None
    assert found.button == "Filter dan urutan"
    assert found.count == "3 hasil"


@pytest.mark.parametrize("url, params", [("/koperasi/", {"tier": "nope", "q": "tani"}), ("/kerjasama/", {"year": "1"})])
def test_invalid_filters_still_answer_400_without_chips(client, db, url, params):
    response, found = page(client, url, params)

    assert response.status_code == 400
    assert found.chips == [] and found.count is None


def test_a_cached_page_says_the_same(client, cooperatives, page_cache):
    # A visitor's page comes from the cache, rendered from its canonical query: the
    # chips' links too, and the language is the reader's.
    url = "/koperasi/?sector=pertanian&tier=primer&page=1"
    page_cache.warm(url)

    _response, indonesian = page(client, url)
    _response, english = page(client, url, language="en")

    assert [chip["text"] for chip in indonesian.chips] == ["Tingkat: Koperasi primer", "Sektor usaha: Pertanian"]
    assert [chip["text"] for chip in english.chips] == ["Tier: Primary cooperative", "Sector: Agriculture"]
    assert query(indonesian.chips[0]["url"]) == {"sector": ["pertanian"]}
    assert query(english.chips[1]["url"]) == {"tier": ["primer"]}
    assert indonesian.count == "2 hasil" and english.count == "2 results"
