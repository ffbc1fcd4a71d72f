"""Issue 13 §3 in the browser: an official registers a cooperative and picks its
regency from Jawa Barat's (typing in the list's search box narrows it), then its
district from that regency's; its profile links the regency's list. A visitor filters
the list of cooperatives by a regency of the province chosen, and the regencies follow
the province. axe finds no serious problem; the pages are saved at 1280 and 375 px,
in Indonesian and in English."""

import pytest
from playwright.sync_api import expect

from registry.models import Cooperative
from registry.places import load_places
from tests.browser.official_data import cooperatives, database, migrated_data, official, open_as  # noqa: F401 (fixtures)
from tests.browser.test_accessibility import axe_violations
from tests.factories import CooperativeFactory, UserFactory, province


@pytest.fixture
def places(database):
    load_places()
    CooperativeFactory(name="Koperasi Tani Garut Makmur", province=province("32"), regency_place_id="32.05")
    CooperativeFactory(name="Koperasi Tani Bandung Subur", province=province("32"), regency_place_id="32.04")


def options(page, selector):
    return page.locator(f"{selector} option").all_inner_texts()


def test_an_official_picks_the_regency_and_a_visitor_filters_by_it(live_server, places, open_as, screen):
    url = live_server.url
    official = open_as(UserFactory(username="pendaftar"))
    official.goto(url + "/koperasi/baru/")
    official.locator("#id_name").fill("Koperasi Serba Usaha Garut Kota")
    official.locator("#id_tier").select_option("primer")
    official.locator("#id_type").select_option("serba_usaha")
    official.locator("#id_scope").select_option("kabupaten_kota")
    official.locator("#id_individual_members").fill("45")
    # The province chosen, the regency list holds its regencies only.
    official.locator("#id_province").select_option("32")
    expect(official.locator("#id_regency_place option", has_text="Kabupaten Garut")).to_have_count(1)
    expect(official.locator("#id_regency_place option", has_text="Kota Administrasi Jakarta Pusat")).to_have_count(0)
    # The search box narrows it.
    search = official.get_by_role("searchbox", name="Cari di daftar Kabupaten/kota")
    search.fill("garu")
    assert options(official, "#id_regency_place") == ["---------", "Kabupaten Garut"]
    official.locator("#id_regency_place").select_option("32.05")
    # Its districts come.
    expect(official.locator("#id_district option", has_text="Garut Kota")).to_have_count(1)
    official.locator("#id_district").select_option(label="Garut Kota")
    expect(official.locator("#id_village option", has_text="Kota Wetan")).to_have_count(1)
    assert axe_violations(official) == []
    screen(official, "places-form")
    official.set_viewport_size({"width": 375, "height": 800})
    screen(official, "places-form-375")
    official.set_viewport_size({"width": 1280, "height": 900})

    official.get_by_role("button", name="Daftarkan koperasi").click()
    coop = Cooperative.objects.get(name="Koperasi Serba Usaha Garut Kota")
    official.wait_for_url(f"{url}/koperasi/{coop.slug}/")
    assert (coop.regency_place_id, coop.district_id, coop.regency) == ("32.05", "32.05.01", "Kabupaten Garut")
    expect(official.get_by_role("link", name="Kabupaten Garut")).to_have_attribute(
        "href", "/koperasi/?province=32&regency=32.05"
    )
    expect(official.locator(".kn-profile")).to_contain_text("Garut Kota")

    # A visitor: the list's regencies follow the province chosen.
    visitor = open_as(None)
    visitor.goto(url + "/koperasi/")
    visitor.locator("#id_province").select_option("31")
    expect(visitor.locator("#id_regency option", has_text="Kota Administrasi Jakarta Pusat")).to_have_count(1)
    visitor.locator("#id_province").select_option("32")
    expect(visitor.locator("#id_regency option", has_text="Kabupaten Garut")).to_have_count(1)
    visitor.locator("#id_regency").select_option("32.05")
    visitor.get_by_role("button", name="Terapkan").click()
    visitor.wait_for_url("**regency=32.05**")
    table = visitor.locator("table")
    expect(table).to_contain_text("Koperasi Tani Garut Makmur")
    expect(table).not_to_contain_text("Koperasi Tani Bandung Subur")
    expect(table).not_to_contain_text("Koperasi Serba Usaha Garut Kota")  # waits for verification
    assert axe_violations(visitor) == []
    screen(visitor, "places-list")

    visitor.context.add_cookies([{"name": "django_language", "value": "en", "url": url}])
    visitor.goto(url + "/koperasi/?province=32&regency=32.05")
    expect(visitor.locator("table")).to_contain_text("Koperasi Tani Garut Makmur")
    assert axe_violations(visitor) == []
    screen(visitor, "places-list-en")
    visitor.set_viewport_size({"width": 375, "height": 800})
    screen(visitor, "places-list-en-375")
    # A province's statistics by regency, in English.
    visitor.set_viewport_size({"width": 1280, "height": 900})
    visitor.goto(url + "/statistik/wilayah/?province=32")
    expect(visitor.locator("#regencies-table")).to_contain_text("Kabupaten Garut")
    assert axe_violations(visitor) == []
    screen(visitor, "places-statistics-en")


def test_a_partner_proposed_on_a_partnerships_form_picks_its_regency(live_server, places, official, open_as):
    """The new partner's fields carry a prefix (new_partner-province): its regency list
    follows its own province, not another field's."""
    page = open_as(official)
    page.goto(live_server.url + "/kerjasama/baru/")
    page.get_by_text("Usulkan mitra baru").click()
    regency = page.locator("#id_new_partner-regency_place")
    assert options(page, "#id_new_partner-regency_place") == ["Pilih tingkat di atasnya dahulu"]
    page.locator("#id_new_partner-province").select_option("32")
    expect(regency.locator("option", has_text="Kabupaten Garut")).to_have_count(1)
    expect(regency.locator("option", has_text="Kota Administrasi Jakarta Pusat")).to_have_count(0)
    regency.select_option("32.05")
    assert axe_violations(page) == []
