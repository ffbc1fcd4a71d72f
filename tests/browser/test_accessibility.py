"""axe-core, in the browser, on every page type in Indonesian and in English: no serious
or critical violation. axe.min.js is a test asset (tests/browser/assets), never served."""

from pathlib import Path

import pytest
from django.conf import settings as django_settings

from tests.browser.session import sign_in
from tests.pages import SIGNED_IN, build_pages

AXE = Path(__file__).parent / "assets" / "axe.min.js"
SERIOUS = {"serious", "critical"}


def set_language(context, live_server, language):
    context.add_cookies([{"name": django_settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])


def axe_violations(page):
    """The serious and critical violations axe finds on the page, each a readable line."""
    # As a script the page runs, not an injected <script> element, which the CSP refuses.
    page.evaluate(AXE.read_text())
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    lines = []
    for violation in result["violations"]:
        if violation["impact"] not in SERIOUS:
            continue
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]][:5]
        first = violation["nodes"][0]
        why = " ".join(check["message"] for check in first["any"] + first["all"] + first["none"])[:300]
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} -> {targets}; {why}")
    return lines


@pytest.mark.parametrize("language", ["id", "en"])
def test_no_serious_accessibility_violation_on_any_page_type(
    live_server, transactional_db, page, monkeypatch, settings, tmp_path, language
):
    pages = build_pages(monkeypatch, settings, tmp_path)
    set_language(page.context, live_server, language)
    found = {}

    def check(name, path):
        page.goto(live_server.url + path)
        assert page.locator("html").get_attribute("lang") == language, name
        violations = axe_violations(page)
        if violations:
            found[f"{name} {path}"] = violations

    for name, path in pages.items():
        if name not in SIGNED_IN:
            check(name, path)
    # The pager of a second page, and a form sent back with its errors.
    check("cooperative-list page 2", "/koperasi/?page=2")
    page.goto(live_server.url + "/akun/daftar/")
    page.locator("#id_password1").fill("a")
    page.locator("form[action='/akun/daftar/'] button[type=submit]").click()
    page.get_by_role("alert").first.wait_for()
    assert page.locator("#id_username[aria-invalid=true]").is_visible()
    violations = axe_violations(page)
    if violations:
        found["signup with errors"] = violations

    sign_in(page.context, live_server, pages.official)
    for name, path in pages.items():
        if name in SIGNED_IN:
            check(name, path)
    # The network's list of links opened, as a keyboard or screen-reader user reads it.
    page.goto(live_server.url + pages.paths["cooperative-detail"])
    page.locator("section[aria-labelledby=network-heading] details > summary").click()
    assert page.get_by_role("link", name="PT Bank Rakyat Contoh").last.is_visible()
    violations = axe_violations(page)
    if violations:
        found["cooperative-detail, list opened"] = violations

    assert not found, "\n".join(f"{name}:\n  " + "\n  ".join(lines) for name, lines in found.items())
