"""Issue 13 §6: Indonesia at a glance. Every province has its square, each in its own
place on the grid; a square's shade follows its rank among the provinces that count
any; the statistics page shows the cooperatives' and the partnerships' maps beside the
tables of the same numbers, home a small one, all without a query more."""

import re

import pytest

from partnerships import tilemap
from registry.models import Province
from tests.factories import CooperativeFactory, PartnerFactory, PartnershipFactory, province

pytestmark = pytest.mark.django_db


def test_every_province_has_one_square_of_its_own():
    assert set(tilemap.TILES) == set(Province.objects.values_list("code", flat=True))
    places = [(column, row) for column, row, _short in tilemap.TILES.values()]
    assert len(set(places)) == len(places) == 38
    assert all(0 <= column < tilemap.COLUMNS and 0 <= row < tilemap.ROWS for column, row in places)


def test_a_square_is_shaded_by_its_rank_among_those_that_count():
    counted = {"31": 1000, "32": 10, "33": 9, "35": 8, "36": 7, "11": 1}
    tiles = {tile["code"]: tile for tile in tilemap.tiles(counted, {"31": "DKI Jakarta"})}
    assert len(tiles) == 38
    assert tiles["31"]["level"] == 5 and tiles["31"]["name"] == "DKI Jakarta" and tiles["31"]["count"] == 1000
    assert [tiles[code]["level"] for code in ("11", "36", "35", "33", "32")] == [1, 2, 3, 3, 4]
    assert tiles["94"]["level"] == 0 and tiles["94"]["count"] == 0 and tiles["94"]["name"] == "94"
    assert (tiles["11"]["column"], tiles["11"]["row"]) == (1, 1)  # from 1, as a CSS grid counts
    assert tilemap.tiles({}, {})[0]["level"] == 0


def test_statistics_and_home_show_the_maps_beside_their_numbers(visitor):
    jakarta, papua = province("31"), province("94")
    a, b = CooperativeFactory(province=jakarta), CooperativeFactory(province=papua)
    PartnershipFactory(initiator=a, parties=[a, PartnerFactory(province=jakarta)])
    CooperativeFactory(province=jakarta)
    page = visitor.get("/statistik/").content.decode()
    squares = re.findall(r'<div class="kn-tile kn-tile-(\d) kn-col-(\d+) kn-row-(\d+)" title="([^"]+)">', page)
    assert len(squares) == 2 * 38
    assert ("5", "5", "5", "DKI Jakarta: 2 koperasi") in squares  # Jakarta: column 5, row 5 (4, 4 from 0)
    assert ("1", "14", "3", "Papua Tengah: 1 koperasi") in squares
    assert ("5", "5", "5", "DKI Jakarta: 1 kerjasama") in squares
    assert ("0", "14", "3", "Papua Tengah: 0 kerjasama") in squares
    assert 'href="#cooperatives-province-table"' in page and 'id="cooperatives-province-table"' in page
    assert 'href="#partnerships-province-table"' in page and 'id="partnerships-province-table"' in page
    home = visitor.get("/").content.decode()
    assert home.count('class="kn-tilemap kn-tilemap-small') == 1
    assert 'title="DKI Jakarta: 2 koperasi"' in home
