"""The registration form as an official meets it (issue 12): the direction suggested
in words and ticked only on request; every error of a submission at once, the
direction's among them; optional document rows without required marks, and the file
field saying to choose the file again; the new entity's fields only once it is ticked.
In both languages, and at 375 px without a sideways scroll."""

import pytest
from django.conf import settings
from playwright.sync_api import expect

from partnerships.models import Partnership
from registry.models import Tier
from tests.browser.official_data import cooperatives, database, files, media, migrated_data, official, open_as, pick
from tests.factories import CooperativeFactory

__all__ = ["cooperatives", "database", "files", "media", "migrated_data", "official", "open_as"]

WORDS = {
    "id": {"use": "Pakai saran ini", "vertical": "Vertikal", "submit": "Daftarkan kerjasama",
           "suggested": "vertikal (tingkat berbeda)", "summary": "Kerjasama belum tersimpan",
           "direction_error": "Kerjasama antarkoperasi", "choose_again": "Pilih lagi berkas ini",
           "new_entity": "membentuk badan hukum baru"},
    "en": {"use": "Use the suggestion", "vertical": "Vertical", "submit": "Register partnership",
           "suggested": "vertical (different tiers)", "summary": "The partnership was not saved",
           "direction_error": "A partnership between cooperatives", "choose_again": "Choose this file again",
           "new_entity": "forms a new legal entity"},
}  # fmt: skip


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_form_suggests_says_every_error_at_once_and_keeps_what_was_typed(
    live_server, open_as, cooperatives, official, files, media, screen, language
):
    words = WORDS[language]
    federation = CooperativeFactory(name="Puskop Jawa Contoh", tier=Tier.SEKUNDER, individual_members=None)
    page = open_as(official)
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
    page.goto(live_server.url + "/kerjasama/baru/")

    # The new entity's fields wait for their box.
    expect(page.locator('input[name="new_entity_name"]')).to_be_hidden()
    page.get_by_label(words["new_entity"]).check()
    expect(page.locator('input[name="new_entity_name"]')).to_be_visible()
    page.get_by_label(words["new_entity"]).uncheck()
    expect(page.locator('input[name="new_entity_name"]')).to_be_hidden()

    # Document rows are optional: no required mark.
    expect(page.locator("#documents-rows .text-danger")).to_have_count(0)

    # A primary cooperative with a federation: vertical is suggested, nothing ticked.
    pick(page, "parties-0-organisation", federation.name)
    expect(page.locator("#direction-suggestion")).to_contain_text(words["suggested"])
    expect(page.locator('input[name="direction"]:checked')).to_have_count(0)
    expect(page.get_by_role("button", name=words["use"])).to_be_visible()

    # Sent without a title, a start date or a direction, with a document: every error at once.
    page.locator('input[name="documents-0-title"]').fill("Perjanjian")
    page.locator('input[name="documents-0-file"]').set_input_files(files["pdf"])
    page.get_by_role("button", name=words["submit"]).click()
    expect(page.get_by_role("alert").filter(has_text=words["summary"])).to_be_visible()
    for name in ("title", "start_date"):
        expect(page.locator(f"#id_{name}_error")).to_be_visible()
    expect(page.locator("#id_direction_error")).to_contain_text(words["direction_error"])
    expect(page.locator(".kn-choose-again")).to_contain_text(words["choose_again"])
    expect(page.locator('input[name="parties-0-organisation"]')).to_have_value(federation.name)
    screen(page, f"registration-errors-{language}")
    page.set_viewport_size({"width": 375, "height": 812})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screen(page, f"registration-errors-{language}-phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    # The suggestion taken on request, the rest corrected: saved as vertical.
    page.get_by_role("button", name=words["use"]).click()
    expect(page.get_by_role("radio", name=words["vertical"])).to_be_checked()
    page.locator('input[name="title"]').fill("Pemasaran bersama lewat Puskop")
    page.locator('input[name="start_date"]').fill("2026-02-01")
    page.locator('input[name="documents-0-file"]').set_input_files(files["pdf"])
    page.get_by_role("button", name=words["submit"]).click()
    page.wait_for_url("**/kerjasama/KS-*/")
    assert Partnership.objects.get(title="Pemasaran bersama lewat Puskop").direction == "vertikal"
