"""Actors and data shared by every test: a visitor, officials of two cooperatives, a curator."""

import pytest
from django.core.cache import cache
from django.core.signals import request_finished
from django.db import close_old_connections
from django.test import Client
from django.utils import translation

from tests.factories import CooperativeFactory, CuratorFactory, RepresentationFactory, UserFactory


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Browser tests last: their live_server database is flushed after each of them
    (the migrations' data comes back only when the next one starts), so no ordinary
    test may follow them. pytest-django has already ordered the rest."""
    items.sort(key=lambda item: item.nodeid.startswith("tests/browser/"))


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The default hasher costs ~0.4 s a user; tests need no brute-force resistance.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


MEMORY_CACHE = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}}


@pytest.fixture(autouse=True)
def _page_cache_off(settings):
    """Pages are rendered afresh, so that tests can read response.context; the
    cached path has its own tests (tests/test_cache.py, with both backends). Counts
    stay cached, in memory (tests without the database use the cache too), from an
    empty cache in every test."""
    settings.KOPNET_PAGE_CACHE = False
    settings.CACHES = MEMORY_CACHE
    cache.clear()


@pytest.fixture(autouse=True)
def _rate_limits_count_only(settings):
    """Requests are counted against the rate limits, but none is refused: tests that
    sign up, reset or download many times stay about what they test.
    tests/test_rate_limits.py turns refusing on. Slots an earlier test leased in
    this process are dropped with its database's counts."""
    from kopnet import ratelimits

    ratelimits._leases.clear()
    settings.KOPNET_RATE_LIMITS = False


@pytest.fixture(autouse=True)
def _indonesian_by_default():
    # Tests that render outside a request see the same default as visitors.
    with translation.override("id"):
        yield


@pytest.fixture
def cooperative_a(db):
    return CooperativeFactory(name="Koperasi Tani Makmur")


@pytest.fixture
def cooperative_b(db):
    return CooperativeFactory(name="Koperasi Nelayan Sejahtera")


@pytest.fixture
def visitor(client):
    return client


@pytest.fixture
def official(client, cooperative_a):
    user = UserFactory(username="official_a")
    RepresentationFactory(user=user, cooperative=cooperative_a)
    client.force_login(user)
    return client


@pytest.fixture
def other_official(client, cooperative_b):
    user = UserFactory(username="official_b")
    RepresentationFactory(user=user, cooperative=cooperative_b)
    client.force_login(user)
    return client


@pytest.fixture
def curator_user(db):
    return CuratorFactory(username="curator")


@pytest.fixture
def curator(client, curator_user):
    client.force_login(curator_user)
    return client


@pytest.fixture(params=["cache off", "cache on"])
def page_cache(request, settings):
    """Run a test with the page cache off and on (production serves visitors from it).

    With it on, `page_cache.warm(url)` asks for the page first as a visitor and as a
    curator, so that a page cached for one reader is what the test's reader would
    get if the cache mixed them up."""

    class PageCache:
        on = request.param == "cache on"

        def warm(self, url):
            if not self.on:
                return

            curator = Client()
            curator.force_login(CuratorFactory(username="warming_curator"))
            for client in (Client(), curator, Client()):
                response = client.get(url)
                # Closed (a download holds its file open) without request_finished's
                # handler closing the connection the test's transaction runs on, as
                # the test client itself does.
                request_finished.disconnect(close_old_connections)
                try:
                    response.close()
                finally:
                    request_finished.connect(close_old_connections)

    settings.KOPNET_PAGE_CACHE = PageCache.on
    return PageCache()
