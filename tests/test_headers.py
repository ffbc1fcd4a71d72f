"""Headers every answer carries, the icons, and the language cookie's flags."""

import pytest
from django.conf import settings
from django.core.signals import request_finished
from django.db import close_old_connections
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from kopnet.middleware import PermissionsPolicyMiddleware

pytestmark = pytest.mark.django_db


def close(response):
    """Close a streamed file (/favicon.ico) without request_finished's handler closing
    the connection the test's transaction runs on (tests/conftest.py does the same)."""
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


@pytest.mark.parametrize("url", ["/", "/koperasi/", "/statistik/", "/akun/masuk/", "/healthz", "/favicon.ico", "/tidak-ada/"])
def test_every_answer_denies_the_browser_features_kopnet_never_uses(client, page_cache, url):
    for _ in range(2):  # the second from the page cache, when it is on
        response = client.get(url)
        close(response)  # /favicon.ico is a file WhiteNoise streams
        assert "camera=()" in response["Permissions-Policy"]
        assert "geolocation=()" in response["Permissions-Policy"]
        assert response["Permissions-Policy"] == PermissionsPolicyMiddleware.POLICY


def test_the_admin_denies_them_too(curator):
    assert curator.get("/admin/")["Permissions-Policy"] == PermissionsPolicyMiddleware.POLICY


def test_the_favicon_is_served_at_the_root_and_every_page_names_its_icons(client):
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200
    body = b"".join(icon.streaming_content)
    close(icon)
    assert body[:4] == b"\x00\x00\x01\x00"  # an ICO file
    page = client.get("/").content.decode()
    assert 'rel="icon" href="/static/img/favicon.svg"' in page
    assert 'rel="apple-touch-icon" href="/static/img/apple-touch-icon.png"' in page
    assert finders.find("img/favicon.svg") and finders.find("img/apple-touch-icon.png")


def test_the_admin_names_the_icons(curator):
    assert 'rel="icon" href="/static/img/favicon.svg"' in curator.get("/admin/").content.decode()


@pytest.mark.parametrize("production", [False, True])
def test_the_language_cookie_is_httponly_samesite_and_secure_in_production(settings, production):
    settings.LANGUAGE_COOKIE_SECURE = production  # what DEBUG=0 sets (kopnet/settings.py)
    response = Client().post(reverse("set_language"), {"language": "en", "next": "/"})
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "en"
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert bool(cookie["secure"]) is production


def test_production_settings_make_the_language_cookie_secure():
    """The flag DEBUG=0 sets, read from the settings module as production loads it."""
    import subprocess
    import sys

    code = "from django.conf import settings; print(settings.LANGUAGE_COOKIE_SECURE, settings.LANGUAGE_COOKIE_HTTPONLY)"
    env = {"DEBUG": "0", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "example.org", "DJANGO_SETTINGS_MODULE": "kopnet.settings", "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"], cwd=settings.BASE_DIR, env=env,
        capture_output=True, text=True, check=True,
    ).stdout.split()
    assert out == ["True", "True"]
