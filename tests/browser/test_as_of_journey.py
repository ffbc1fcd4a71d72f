"""Issue 13 §4 in the browser: a visitor picks a past day on Dekopin's profile and reads
it as it was then (the ACO's founding partnership of 5 December 1977 and its network,
not the later ones), goes to the list of partnerships active that day, comes back to
today; a forged day in the future is refused at the field. axe finds no serious
problem; the pages are saved at 1280 and 375 px, in Indonesian and in English."""

from playwright.sync_api import expect

from tests.browser.migrated_data import migrated_data  # noqa: F401 (a fixture)
from tests.browser.test_accessibility import axe_violations
from tests.browser.visitor_data import registry_fixture  # noqa: F401 (the registry fixture)


def test_a_visitor_reads_dekopin_as_on_the_day_the_aco_was_founded(page, live_server, registry, screen):
    founding, later = registry.aco_founding, registry.domestic[0]
    profile = f"{live_server.url}/koperasi/dekopin/"
    page.goto(profile)
    expect(page.locator("#partnerships-heading")).to_be_visible()
    page.get_by_label("Lihat per tanggal", exact=True).fill("1977-12-05")
    page.get_by_role("button", name="Tampilkan").click()
    expect(page).to_have_url(f"{profile}?as_of=1977-12-05")
    banner = page.locator("#as-of")
    expect(banner).to_contain_text("sebagaimana pada 5 Desember 1977")
    expect(page.get_by_role("link", name=founding.title)).to_be_visible()
    expect(page.get_by_role("link", name=later.title)).to_have_count(0)
    # Its network as on that day: fetched with the day, the four apex bodies abroad.
    network = page.locator("#network")
    expect(network).to_contain_text("Cooperative League of Thailand")
    expect(network).not_to_contain_text("Induk Koperasi Unit Desa")
    expect(page.locator("#suggestions")).to_have_count(0)
    assert axe_violations(page) == []
    screen(page, "as-of-dekopin")
    page.set_viewport_size({"width": 375, "height": 800})
    screen(page, "as-of-dekopin-375")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("link", name="Saring dan unduh di daftar kerjasama").click()
    expect(page.locator(".kn-chips")).to_contain_text("Aktif pada: 5 Desember 1977")
    expect(page.get_by_role("link", name=founding.title)).to_be_visible()
    expect(page.get_by_role("link", name=later.title)).to_have_count(0)

    page.goto(f"{profile}?as_of=1977-12-05")
    page.get_by_role("link", name="Kembali ke hari ini").click()
    expect(page).to_have_url(profile)
    expect(page.locator("#as-of")).to_have_count(0)
    expect(page.get_by_role("link", name=later.title)).to_be_visible()

    # A forged day: the form says what is wrong, at the field.
    response = page.goto(f"{profile}?as_of=2999-01-01")
    assert response.status == 400
    expect(page.locator("#id_as_of_error")).to_contain_text("Tanggal ini di masa depan")
    expect(page.get_by_label("Lihat per tanggal", exact=True)).to_have_attribute("aria-invalid", "true")

    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(f"{profile}?as_of=1977-12-05")
    expect(page.locator("#as-of")).to_contain_text("as they were on 5 December 1977")
    expect(page.locator("#network")).to_contain_text("Cooperative League of Thailand")
    assert axe_violations(page) == []
    screen(page, "as-of-dekopin-en")
    page.set_viewport_size({"width": 375, "height": 800})
    screen(page, "as-of-dekopin-en-375")
