"""The smallest journey: the home page in a real browser, in Indonesian by default."""

from tests.factories import CooperativeFactory


def test_home_page_shows_the_registry_in_indonesian(page, live_server, transactional_db, screen):
    coop = CooperativeFactory(name="Koperasi Tani Makmur")
    page.goto(live_server.url + "/koperasi/")
    assert page.locator("html").get_attribute("lang") == "id"
    page.get_by_role("link", name=coop.name).click()
    page.wait_for_url(f"**/koperasi/{coop.slug}/")
    assert page.get_by_role("heading", level=1).inner_text().startswith(coop.name)
    screen(page, "smoke-cooperative")
