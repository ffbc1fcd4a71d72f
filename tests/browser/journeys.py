"""Journey 1, walked in either language (journey 6 walks it in English).

A visitor searches a cooperative from the home page, filters the list by tier and
province, sorts it, pages forward, opens a cooperative, climbs its federation chain
to the top, comes back and downloads the CSV of the filtered list.
"""

import csv
import re

from playwright.sync_api import expect

from tests.browser.visitor_data import FILTER_COUNT, filtered_slugs

# What the visitor reads on the buttons and labels, in each language.
WORDS = {
    "id": {
        "search_box": "Cari koperasi, mitra, dan kerjasama",
        "see_all": "Lihat semua 2 hasil di daftar",
        "search_button": "Cari",
        "search_field": "Cari",
        "tier": "Tingkat",
        "primer": "Koperasi primer",
        "province": "Provinsi",
        "sort": "Urutkan menurut",
        "most_members": "Anggota paling banyak lebih dahulu",
        "apply": "Terapkan",
        "next": "Berikutnya",
        "page": "Halaman {number} dari {pages} ({total} hasil)",
        "federations": "Federasi di atasnya",
        "no_federation": "Tidak menjadi anggota federasi mana pun dalam registri.",
        "csv": "Unduh CSV",
    },
    "en": {
        "search_box": "Search cooperatives, partners and partnerships",
        "see_all": "See all 2 results in the list",
        "search_button": "Search",
        "search_field": "Search",
        "tier": "Tier",
        "primer": "Primary cooperative",
        "province": "Province",
        "sort": "Sort by",
        "most_members": "Most members first",
        "apply": "Apply",
        "next": "Next",
        "page": "Page {number} of {pages} ({total} results)",
        "federations": "Federations above",
        "no_federation": "Not a member of any federation in the registry.",
        "csv": "Download CSV",
    },
}

def assert_language(page, language):
    assert page.locator("html").get_attribute("lang") == language, page.url


def row_slugs(page):
    """The cooperatives the list shows, by the slug of their links, in order."""
    hrefs = page.locator("table tbody tr th a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    return [re.fullmatch(r"/koperasi/([^/]+)/", href).group(1) for href in hrefs]


def find_filter_and_download(page, live_server, registry, language, screen, screen_name):
    """Walk journey 1 from the page the browser is on (the home page, in `language`)."""
    words = WORDS[language]
    assert_language(page, language)

    # The home page's search box searches the whole registry; the cooperatives'
    # group leads to their list with the same search.
    page.get_by_label(words["search_box"]).fill("Sumber Rejeki")
    page.get_by_role("button", name=words["search_button"], exact=True).click()
    page.wait_for_url(re.compile(r"/cari/\?q=Sumber\+Rejeki$"))
    assert_language(page, language)
    cooperatives = page.locator("section[aria-labelledby=group-cooperatives]")
    expect(cooperatives.get_by_role("link", name=registry.kud.name)).to_be_visible()
    cooperatives.get_by_role("link", name=words["see_all"]).click()
    page.wait_for_url(re.compile(r"/koperasi/\?q=Sumber\+Rejeki$"))
    assert_language(page, language)
    table = page.locator("table tbody")
    expect(table.get_by_role("link", name=registry.kud.name)).to_be_visible()
    expect(table.get_by_role("link", name="Koperasi Sumber Rejeki Bandung")).to_be_visible()
    expect(page.get_by_text(words["page"].format(number=1, pages=1, total=2))).to_be_visible()

    # The filter form: clear the search, primary cooperatives in Jawa Tengah, largest first.
    page.get_by_label(words["search_field"], exact=True).fill("")
    page.get_by_label(words["tier"], exact=True).select_option(label=words["primer"])
    page.get_by_label(words["province"], exact=True).select_option(label="Jawa Tengah")
    page.get_by_label(words["sort"], exact=True).select_option(label=words["most_members"])
    page.get_by_role("button", name=words["apply"]).click()
    page.wait_for_url(re.compile(r"/koperasi/\?tier=primer&province=33&ordering=-members$"))
    assert_language(page, language)
    expect(page.get_by_text(words["page"].format(number=1, pages=2, total=FILTER_COUNT))).to_be_visible()
    first_page = row_slugs(page)
    assert len(first_page) == 50

    # Forward to the second page: the last five, the KUD (the smallest) at the bottom.
    page.get_by_role("link", name=words["next"]).click()
    page.wait_for_url(re.compile(r"ordering=-members&page=2$"))
    assert_language(page, language)
    expect(page.get_by_text(words["page"].format(number=2, pages=2, total=FILTER_COUNT))).to_be_visible()
    second_page = row_slugs(page)
    shown = first_page + second_page
    assert shown == filtered_slugs()
    assert second_page[-1] == registry.kud.slug
    list_url = page.url

    # Open the KUD, then climb its federation chain one click at a time to the top.
    page.locator("table tbody").get_by_role("link", name=registry.kud.name).click()
    page.wait_for_url(f"**/koperasi/{registry.kud.slug}/")
    for federation in (registry.puskud, registry.inkud, registry.dekopin):
        assert_language(page, language)
        tree = page.get_by_role("region", name=words["federations"])
        # The whole chain above is drawn, nearest first.
        expect(tree.get_by_role("link")).to_have_count(len(chain_above(registry, federation)))
        tree.get_by_role("link", name=federation.name).first.click()
        page.wait_for_url(f"**/koperasi/{federation.slug}/")
        expect(page.get_by_role("heading", level=1)).to_contain_text(federation.name)
    assert_language(page, language)
    expect(page.get_by_role("region", name=words["federations"])).to_contain_text(words["no_federation"])

    # Back to the list, and its CSV: exactly the cooperatives the filter shows, in order.
    for _step in range(3 + 1):
        page.go_back()
    page.wait_for_url(list_url)
    with page.expect_download() as download_info:
        page.get_by_role("link", name=words["csv"]).click()
    download = download_info.value
    assert re.fullmatch(r"koperasi-\d{4}-\d{2}-\d{2}\.csv", download.suggested_filename)
    with open(download.path(), encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    assert [row["slug"] for row in rows] == shown
    assert {row["tier"] for row in rows} == {"primer"}
    assert {row["province"] for row in rows} == {"Jawa Tengah"}
    assert_language(page, language)
    screen(page, screen_name)


def chain_above(registry, federation):
    """The federations above the page the visitor is on when about to click `federation`."""
    chain = [registry.puskud, registry.inkud, registry.dekopin]
    return chain[chain.index(federation) :]
