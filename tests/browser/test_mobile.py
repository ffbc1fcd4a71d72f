"""Journey 7: on a 375 × 812 phone nothing overflows sideways, the list's filters fold away."""

from playwright.sync_api import expect

from tests.browser.migrated_data import migrated_data  # noqa: F401 (a fixture)
from tests.browser.visitor_data import registry_fixture  # noqa: F401 (the registry fixture)
from tests.browser.session import sign_in
from tests.factories import RepresentationFactory, UserFactory

PHONE = {"width": 375, "height": 812}


def assert_fits(page):
    """The page is no wider than the phone: nothing to scroll sideways."""
    widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths == [PHONE["width"], PHONE["width"]], page.url


def test_on_a_phone_no_page_overflows_sideways(page, live_server, registry, screen):
    page.set_viewport_size(PHONE)

    page.goto(live_server.url + "/")
    assert_fits(page)
    screen(page, "mobile-home")

    # The list's filters wait behind a button that counts them (the sort order is no
    # filter), and what is applied shows while they are folded; opened, they still fit.
    page.goto(live_server.url + "/koperasi/?tier=primer&province=33&ordering=-members")
    form = page.get_by_role("form", name="Filter")
    toggle = page.get_by_role("button", name="Saring (2)", exact=True)
    expect(form).to_be_hidden()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    applied = page.get_by_role("list", name="Saringan yang dipakai")
    expect(applied.get_by_role("link", name="Hapus saringan Tingkat: Koperasi primer")).to_be_visible()
    expect(applied.get_by_role("link", name="Hapus semua saringan")).to_be_visible()
    assert_fits(page)
    toggle.click()
    expect(form).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_label("Provinsi", exact=True)).to_have_value("33")
    assert_fits(page)
    screen(page, "mobile-cooperatives")

    # Dekopin: its members, its partnerships and its network picture.
    page.goto(live_server.url + f"/koperasi/{registry.dekopin.slug}/")
    expect(page.locator("#kn-network canvas").first).to_be_attached()
    assert_fits(page)
    screen(page, "mobile-cooperative")

    # The ACO's founding record: five parties with long names.
    page.goto(live_server.url + f"/kerjasama/{registry.aco_founding.reference}/")
    assert_fits(page)
    screen(page, "mobile-partnership")

    # The registration form, for an official of the KUD.
    official = UserFactory(username="pengurus_kud")
    RepresentationFactory(user=official, cooperative=registry.kud)
    sign_in(page.context, live_server, official)
    page.goto(live_server.url + "/kerjasama/baru/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_text("Masuk sebagai pengurus_kud")).to_be_attached()
    assert_fits(page)
    screen(page, "mobile-registration")


# Inside the main content: an element whose right edge passes the window, or a box that
# scrolls sideways (a table in .table-responsive wider than the phone).
TOO_WIDE = """() => {
  const limit = window.innerWidth + 1;
  const found = [];
  for (const element of document.querySelectorAll("main *")) {
    if (element.closest(".visually-hidden, .kn-stack thead")) continue;  // read aloud, not shown
    const box = element.getBoundingClientRect();
    if (box.width && box.right > limit) found.push(`${element.tagName}.${element.className}: right ${Math.round(box.right)}`);
    if (element.scrollWidth > element.clientWidth + 1 && getComputedStyle(element).overflowX !== "visible") {
      found.push(`${element.tagName}.${element.className} (${(element.querySelector("caption") || element).textContent.trim().slice(0, 40)}) scrolls: ${element.scrollWidth} > ${element.clientWidth}`);
    }
  }
  return found.slice(0, 10);
}"""


def test_on_a_phone_the_tables_stack_and_nothing_scrolls_sideways(page, live_server, registry, screen):
    """Issue 12: the lists' columns, a partnership's confirmations and documents, a
    profile's other parties and the federation tree's steps, all within 375 px."""
    page.set_viewport_size(PHONE)
    pages = {
        "cooperatives": "/koperasi/",
        "partners": "/mitra/",
        "partnerships": "/kerjasama/",
        "partnership": f"/kerjasama/{registry.aco_founding.reference}/",
        "kud-profile": f"/koperasi/{registry.kud.slug}/",
        "dekopin-profile": f"/koperasi/{registry.dekopin.slug}/",
    }
    for name, path in pages.items():
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        assert page.evaluate(TOO_WIDE) == [], name
        assert_fits(page)
        screen(page, f"phone-{name}")
    # A stacked row names each cell: the cooperative list's members, the confirmations.
    page.goto(live_server.url + "/koperasi/")
    expect(page.locator("td[data-label='Jumlah anggota']").first).to_be_visible()
    page.goto(live_server.url + f"/kerjasama/{registry.aco_founding.reference}/")
    expect(page.locator("td[data-label=Konfirmasi]").first).to_be_visible()


def test_a_partners_page_draws_its_network_and_names_on_focus(page, live_server, registry):
    """Issue 12: partner pages get their network picture; the list beside it (what
    keyboards and screen readers use) names each organisation in full."""
    from registry.models import Partner

    bank = Partner.objects.get(name="PT Bank Rakyat Indonesia (Persero) Tbk")
    page.goto(live_server.url + f"/mitra/{bank.slug}/")
    expect(page.locator("#kn-network canvas").first).to_be_attached()
    page.locator("#network details summary").click()
    link = page.locator("#network details").get_by_role("link", name=registry.kud.name)
    link.focus()
    expect(link).to_be_focused()
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + f"/mitra/{bank.slug}/")
    expect(page.locator("#kn-network canvas").first).to_be_attached()
    assert page.evaluate(TOO_WIDE) == []
