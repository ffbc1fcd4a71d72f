"""Content-Security-Policy (django-csp): every answer carries it, and no page KopNet
serves, public, signed-in or in the admin, needs what it forbids: no inline style or
script, no event-handler attribute, no javascript: URL. The browser tests fail on any
violation Chromium reports (tests/browser/conftest.py); this checks the markup of every
page type without a browser, so a new inline style fails here first."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import NoReverseMatch, reverse

from partnerships.models import PartnershipDocument
from partnerships.selectors import CATEGORY_COLOURS
from partnerships.views.public import DOCUMENT_POLICY
from tests.factories import PartnershipFactory
from tests.pages import PDF, SIGNED_IN, build_pages

pytestmark = pytest.mark.django_db

STATIC = Path(__file__).resolve().parents[1] / "static"
POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
    "base-uri": "'none'",
    "object-src": "'none'",
}


def directives(header):
    return dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())


@pytest.mark.parametrize("url", ["/", "/koperasi/", "/kerjasama/", "/statistik/", "/akun/masuk/", "/tidak-ada/", "/healthz"])
def test_every_answer_carries_the_policy(client, page_cache, url):
    for _ in range(2):  # the second from the page cache, when it is on
        policy = directives(client.get(url)["Content-Security-Policy"])
        for directive, sources in POLICY.items():
            assert policy[directive] == sources, directive
        assert "unsafe" not in " ".join(policy.values())


def test_the_admin_carries_it_too(curator):
    assert directives(curator.get("/admin/")["Content-Security-Policy"])["script-src"] == "'self'"


def test_a_document_downloads_as_an_attachment_in_a_sandbox(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    partnership = PartnershipFactory()
    document = PartnershipDocument(partnership=partnership, title="Perjanjian", file=ContentFile(PDF, name="p.pdf"))
    document.save()

    response = client.get(reverse("partnerships:document_download", args=[partnership.reference, document.pk]))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == DOCUMENT_POLICY == "sandbox; default-src 'none'"
    response.close()


class InlineCode(HTMLParser):
    """What the policy would refuse in a page: each a line naming the element."""

    def __init__(self):
        super().__init__()
        self.found = []
        self.in_inline_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        name = f"<{tag} {' '.join(f'{key}={value!r}' for key, value in attrs)[:120]}>"
        if "style" in attributes:
            self.found.append(f"style attribute: {name}")
        if any(key.startswith("on") for key in attributes):
            self.found.append(f"event handler: {name}")
        if any((value or "").strip().lower().startswith("javascript:") for value in attributes.values()):
            self.found.append(f"javascript: URL: {name}")
        if tag == "style":
            self.found.append("a <style> element")
        if tag == "script" and "src" not in attributes and attributes.get("type") != "application/json":
            self.in_inline_script = True

    def handle_endtag(self, tag):
        self.in_inline_script = False

    def handle_data(self, data):
        if self.in_inline_script and data.strip():
            self.found.append(f"inline script: {data.strip()[:80]}")


def inline_code(html):
    parser = InlineCode()
    parser.feed(html)
    return parser.found


def test_the_parser_finds_what_the_policy_refuses():
    page = """<p style="color: red">x</p><a href="javascript:go()">y</a><button onclick="go()">z</button>
    <style>p {}</style><script>go()</script><script type="application/json">{}</script><script src="/s.js"></script>"""
    assert [line.split(":")[0] for line in inline_code(page)] == [
        "style attribute", "javascript", "event handler", "a <style> element", "inline script",
    ]  # fmt: skip


def test_no_public_or_signed_in_page_has_inline_code(monkeypatch, settings, tmp_path):
    pages = build_pages(monkeypatch, settings, tmp_path)
    visitor, official = Client(), Client()
    official.force_login(pages.official)
    found = {}
    for language in ("id", "en"):
        for browser in (visitor, official):
            browser.cookies["django_language"] = language
        for name, path in pages.items():
            response = (official if name in SIGNED_IN else visitor).get(path)
            assert response.status_code == 200, (name, response.status_code)
            if lines := inline_code(response.content.decode()):
                found[f"{name} {language}"] = lines
    # A form sent back with its errors.
    response = visitor.post("/akun/daftar/", {"username": "", "password1": "a"})
    found.update({"signup with errors": lines} if (lines := inline_code(response.content.decode())) else {})
    assert not found, found


def admin_pages(instance_of):
    """Every admin page of every registered model: its list, add form, a record's change
    form and history, and the import and export pages where the admin has them."""
    yield "/admin/"
    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        yield reverse(f"{prefix}_changelist")
        for suffix in ("add", "import", "export"):
            try:
                yield reverse(f"{prefix}_{suffix}")
            except NoReverseMatch:
                pass
        record = instance_of(model)
        if record is not None:
            yield reverse(f"{prefix}_change", args=[record.pk])
            yield reverse(f"{prefix}_history", args=[record.pk])


def test_no_admin_page_has_inline_code(monkeypatch, settings, tmp_path):
    build_pages(monkeypatch, settings, tmp_path)
    superuser = get_user_model().objects.create_superuser("pengelola", "pengelola@example.org", "sandi-yang-panjang-1")
    client = Client()
    client.force_login(superuser)
    found, seen = {}, 0
    for path in admin_pages(lambda model: model._default_manager.order_by("pk").first()):
        response = client.get(path)
        if response.status_code in (302, 403):  # an add page the admin does not offer
            continue
        assert response.status_code == 200, (path, response.status_code)
        seen += 1
        if lines := inline_code(response.content.decode()):
            found[path] = lines
    # The staff's second factor set-up page (with its QR code), and the sign-in the admin sends to.
    for browser, path in ((client, reverse("second_factor")), (Client(), "/akun/masuk/?next=/admin/")):
        response = browser.get(path)
        assert response.status_code == 200, path
        seen += 1
        if lines := inline_code(response.content.decode()):
            found[path] = lines
    assert seen > 40  # lists, forms, histories, imports and exports of every model
    assert not found, found


def test_the_legend_colours_are_the_network_drawings():
    css = (STATIC / "css" / "partnerships.css").read_text()
    for category, colour in CATEGORY_COLOURS.items():
        assert re.search(rf"\.kn-legend-swatch\.kn-category-{category} \{{\s*color: {colour};", css), category
