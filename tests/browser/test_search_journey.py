"""The registry's one search in the browser (issue 12): from home's box a visitor finds
each kind grouped with its count, opens a partner, jumps straight to a partnership by
its reference, and on PostgreSQL finds a cooperative despite a typo; axe finds no
serious problem on the page in either language."""

import pytest
from django.conf import settings
from django.db import connection
from playwright.sync_api import expect

from tests.browser.migrated_data import migrated_data  # noqa: F401  (fixture)
from tests.browser.test_accessibility import axe_violations
from tests.browser.visitor_data import registry_fixture  # noqa: F401  (fixture)

BANK = "PT Bank Rakyat Indonesia (Persero) Tbk"


@pytest.mark.parametrize("language", ["id", "en"])
def test_a_visitor_searches_the_whole_registry(page, live_server, registry, screen, language):
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
    label = {"id": "Cari koperasi, mitra, dan kerjasama", "en": "Search cooperatives, partners and partnerships"}[language]
    page.goto(live_server.url + "/")
    page.get_by_label(label).fill("KUD")
    page.get_by_label(label).press("Enter")
    page.wait_for_url("**/cari/?q=KUD")

    # Each kind with its count: the KUD's cooperatives, no partner, its partnerships.
    cooperatives = page.locator("section[aria-labelledby=group-cooperatives]")
    partnerships = page.locator("section[aria-labelledby=group-partnerships]")
    expect(cooperatives.get_by_role("link", name=registry.kud.name)).to_be_visible()
    expect(page.locator("section[aria-labelledby=group-partners] .kn-search-count")).to_have_text("0")
    expect(partnerships.locator(".kn-search-count")).to_have_text("2")
    expect(partnerships.get_by_role("link", name=registry.domestic[1].title)).to_be_visible()
    assert axe_violations(page) == []
    screen(page, f"search-{language}")
    page.set_viewport_size({"width": 375, "height": 812})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screen(page, f"search-{language}-phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    # A partner by a word of its name, opened from its group.
    page.goto(live_server.url + "/cari/?q=rakyat")
    page.locator("section[aria-labelledby=group-partners]").get_by_role("link", name=BANK).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(BANK)

    # A reference goes straight to its partnership, whatever its case.
    page.goto(live_server.url + "/")
    page.get_by_label(label).fill(registry.aco_founding.reference.lower())
    page.get_by_label(label).press("Enter")
    page.wait_for_url(f"**/kerjasama/{registry.aco_founding.reference}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(registry.aco_founding.title)


def test_a_typo_still_finds_the_cooperative_on_postgresql(page, live_server, registry):
    if connection.vendor != "postgresql":
        pytest.skip("trigram similarity is PostgreSQL's; SQLite matches substrings only")
    page.goto(live_server.url + "/cari/?q=sumbr+rejeki")
    cooperatives = page.locator("section[aria-labelledby=group-cooperatives]")
    expect(cooperatives).to_contain_text("mungkin maksud Anda")
    expect(cooperatives.get_by_role("link", name=registry.kud.name)).to_be_visible()
