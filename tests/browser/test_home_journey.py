"""Home shows the product's core (issue 12): a visitor reads how many partnerships are
verified (of which international and forming a new legal entity), finds the latest,
sees the chart of the years drawn, opens a partnership from home and follows a year
of the table to the filtered list, in Indonesian and in English."""

import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests.browser.migrated_data import migrated_data  # noqa: F401  (fixture)
from tests.browser.visitor_data import registry_fixture  # noqa: F401  (fixture)

WORDS = {
    "id": {"verified": "kerjasama terverifikasi", "of_which": "di antaranya 1 internasional dan 1 membentuk badan hukum baru",
           "latest": "Kerjasama terverifikasi terbaru"},
    "en": {"verified": "verified partnerships", "of_which": "of which 1 international and 1 forming a new legal entity",
           "latest": "Latest verified partnerships"},
}  # fmt: skip


@pytest.mark.parametrize("language", ["id", "en"])
def test_a_visitor_meets_the_partnerships_on_home(page, live_server, registry, screen, language):
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
    words = WORDS[language]
    page.goto(live_server.url + "/")

    card = page.locator(".card").filter(has_text=words["verified"])
    expect(card.locator(".kn-stat")).to_have_text("3")
    expect(card).to_contain_text(words["of_which"])

    latest = page.locator("section[aria-labelledby=latest-heading]")
    expect(latest.get_by_role("heading", name=words["latest"])).to_be_visible()
    titles = [registry.aco_founding.title, *(partnership.title for partnership in registry.domestic)]
    for title in titles:
        expect(latest.get_by_role("link", name=title)).to_be_visible()

    # The chart is drawn (charts.js sizes and paints the canvas) beside its table.
    canvas = page.locator("canvas[data-chart=home-years-data]")
    expect(canvas).to_be_visible()
    assert canvas.bounding_box()["height"] > 50
    screen(page, f"home-partnerships-{language}")

    # A year of the table leads to the list of the partnerships started that year.
    page.locator("section[aria-labelledby=years-heading] details summary").click()
    page.locator("section[aria-labelledby=years-heading]").get_by_role("link", name="2022", exact=True).click()
    page.wait_for_url("**/kerjasama/?started=2022")
    expect(page.get_by_role("link", name=registry.domestic[1].title)).to_be_visible()
    expect(page.get_by_role("link", name=registry.aco_founding.title)).to_have_count(0)

    # And a partnership opens from home.
    page.goto(live_server.url + "/")
    latest.get_by_role("link", name=registry.aco_founding.title).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(registry.aco_founding.title)
