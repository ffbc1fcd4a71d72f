"""Issue 13 in the browser: a visitor on the ASEAN Cooperative Organisation's page reads
that it was founded through Dekopin's partnership of 1977, follows the link to that
partnership, sees its corroboration badge and what it means, and filters the list
by that level. axe finds no serious problem on either page."""

from playwright.sync_api import expect

from tests.browser.migrated_data import migrated_data  # noqa: F401 (a fixture)
from tests.browser.test_accessibility import axe_violations
from tests.browser.visitor_data import registry_fixture  # noqa: F401 (the registry fixture)


def test_a_visitor_follows_the_acos_founding_and_filters_by_corroboration(page, live_server, registry, screen):
    founding = registry.aco_founding
    aco = founding.new_entity_cooperative
    page.goto(f"{live_server.url}/koperasi/{aco.slug}/")
    founded = page.locator("#founded")
    expect(founded).to_contain_text("Didirikan pada 5 Desember 1977 melalui")
    expect(founded).to_contain_text("Dewan Koperasi Indonesia")
    assert axe_violations(page) == []
    screen(page, "founded-aco")

    founded.get_by_role("link", name=founding.title).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(founding.title)
    expect(page.locator("#new-entity-link")).to_have_attribute("href", f"/koperasi/{aco.slug}/")
    badge = page.locator("#corroboration")
    expect(badge).to_contain_text("Dikonfirmasi")
    expect(badge).to_contain_text("Semua koperasi yang disebut telah mengonfirmasinya")
    assert axe_violations(page) == []

    badge.get_by_role("link", name="Dikonfirmasi").click()
    expect(page).to_have_url(f"{live_server.url}/kerjasama/?corroboration=confirmed")
    expect(page.locator(".kn-chips")).to_contain_text("Tingkat pembuktian: Dikonfirmasi")
    expect(page.get_by_role("link", name=founding.title)).to_be_visible()
    page.get_by_label("Tingkat pembuktian", exact=True).select_option("documented")
    page.get_by_role("button", name="Terapkan").first.click()
    expect(page.locator(".kn-result-count")).to_contain_text("0 hasil")
