"""Journey 6: the language switch. Journey 1 again in English, and the choice stays."""

from playwright.sync_api import expect

from tests.browser.journeys import assert_language, find_filter_and_download
from tests.browser.migrated_data import migrated_data  # noqa: F401 (a fixture)
from tests.browser.visitor_data import registry_fixture  # noqa: F401 (the registry fixture)


def test_visitor_switches_to_english_and_every_following_page_stays_english(page, live_server, registry, screen):
    # Indonesian is the default whatever the browser prefers, even English.
    page.set_extra_http_headers({"Accept-Language": "en-US,en;q=0.9"})
    page.goto(live_server.url + "/")
    assert_language(page, "id")
    expect(page.get_by_role("heading", level=1)).to_have_text("Registri koperasi Indonesia")

    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The registry of Indonesian cooperatives")
    assert page.url == live_server.url + "/"  # the switch keeps the visitor on the page
    expect(page.get_by_role("button", name="English")).to_have_attribute("aria-pressed", "true")

    find_filter_and_download(page, live_server, registry, "en", screen, "journey-6-english")

    # Remembered for pages opened afresh, too: a link typed in or shared.
    page.goto(live_server.url + f"/kerjasama/{registry.aco_founding.reference}/")
    assert_language(page, "en")
    expect(page.get_by_role("heading", name="Parties")).to_be_visible()

    # And back to Indonesian the same way.
    page.get_by_role("button", name="Bahasa Indonesia").click()
    expect(page.get_by_role("heading", name="Para pihak")).to_be_visible()
    assert_language(page, "id")
