"""Screenshots of every main page at desktop width (1280 px) and on a phone (375 px),
in test-results/screens/<page>-desktop.png and <page>-mobile.png, for people to look
at; and a partnership's record printed: one A4 page without the navigation."""

import re

import pytest

from tests.browser.session import sign_in
from tests.pages import SIGNED_IN, build_pages

WIDTHS = {"desktop": {"width": 1280, "height": 900}, "mobile": {"width": 375, "height": 812}}
# A4 is 210 mm wide: 794 CSS pixels at 96 per inch.
A4_WIDTH = 794


def sideways_overflow(page):
    """How many pixels the page is wider than the window (0 when nothing overflows)."""
    return page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")


@pytest.fixture
def pages(live_server, transactional_db, monkeypatch, settings, tmp_path):
    return build_pages(monkeypatch, settings, tmp_path)


@pytest.mark.parametrize("width", WIDTHS)
def test_every_main_page_at_desktop_and_phone_width(pages, live_server, page, screen, width):
    page.set_viewport_size(WIDTHS[width])
    overflowing = {}

    def visit(name, path):
        response = page.goto(live_server.url + path)
        assert response.status == 200, (name, path, response.status)
        # The page has its heading, and charts and the network picture are drawn.
        assert page.get_by_role("heading", level=1).first.is_visible(), name
        page.wait_for_load_state("networkidle")
        if overflow := sideways_overflow(page):
            overflowing[name] = overflow
        screen(page, f"{name}-{width}")

    for name, path in pages.items():
        if name not in SIGNED_IN:
            visit(name, path)
            if name.endswith("-list"):
                # The pager says where the reader is, with the count (4 rows a page here).
                assert page.get_by_text(re.compile(r"Halaman 1 dari [2-9] \([0-9]+ hasil\)")).is_visible(), name
    # An empty result says what to do next.
    visit("cooperative-list-empty", "/koperasi/?q=tidak-ada-yang-cocok")
    assert page.get_by_role("link", name=re.compile("semua|all", re.I)).last.is_visible()
    sign_in(page.context, live_server, pages.official)
    for name, path in pages.items():
        if name in SIGNED_IN:
            visit(name, path)
    assert not overflowing, f"pages wider than the {width} window (px): {overflowing}"


def test_a_partnership_record_prints_on_one_a4_page_without_navigation(pages, live_server, page, screen):
    page.set_viewport_size({"width": A4_WIDTH, "height": 1123})
    page.goto(live_server.url + pages.paths["partnership-detail"])
    page.emulate_media(media="print")
    assert not page.locator("header nav").is_visible()
    assert not page.locator("footer").is_visible() or "print" in (page.locator("footer").get_attribute("class") or "")
    assert page.get_by_role("heading", level=1).is_visible()
    assert page.get_by_text("PT Bank Rakyat Contoh").first.is_visible()
    assert sideways_overflow(page) == 0
    screen(page, "partnership-detail-print")
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1, "the record prints on one A4 page"
