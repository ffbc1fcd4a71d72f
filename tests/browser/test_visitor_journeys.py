"""The visitors' journeys in a real browser: finding cooperatives, and partnerships across borders."""

from tests.browser.journeys import find_filter_and_download
from tests.browser.visitor_data import registry_fixture  # noqa: F401 (the registry fixture)


def test_visitor_finds_filters_climbs_and_downloads_cooperatives(page, live_server, registry, screen):
    page.goto(live_server.url + "/")
    find_filter_and_download(page, live_server, registry, "id", screen, "journey-1-cooperatives")
