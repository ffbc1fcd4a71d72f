"""What KopNet changes in Django's admin assets, and that each change stays that small."""

from pathlib import Path

import django
import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db

DJANGO_ADMIN_STATIC = Path(django.__file__).parent / "contrib/admin/static"
LOOKUPS = "admin/js/admin/RelatedObjectLookups.js"


def test_the_related_object_lookups_differ_from_djangos_only_by_pagehide_for_unload():
    """Chrome deprecates unload listeners (Lighthouse's best practices fail the admin's
    forms for it): ours is Django's file with the one listener on pagehide, and when
    Django changes the file this test says so, instead of serving an old copy."""
    ours = (Path(settings.BASE_DIR) / "static" / LOOKUPS).read_text().splitlines()
    djangos = (DJANGO_ADMIN_STATIC / LOOKUPS).read_text().splitlines()
    changed = [(a, b) for a, b in zip(djangos, ours) if a != b]
    assert len(ours) == len(djangos)
    assert changed == [
        ("    window.addEventListener('unload', function(evt) {", "    window.addEventListener('pagehide', function(evt) {")
    ]
    assert finders.find(LOOKUPS) == str(Path(settings.BASE_DIR) / "static" / LOOKUPS)


@pytest.mark.parametrize("url", ["/admin/", "/admin/registry/cooperative/"])
def test_admin_pages_load_the_legible_stylesheet_and_keep_djangos_branding(client, curator_user, url):
    client.force_login(curator_user)
    page = client.get(url).content.decode()
    assert 'href="/static/css/admin.css"' in page
    assert '<div id="site-name"><a href="/admin/">KopNet — Dekopin</a></div>' in page
