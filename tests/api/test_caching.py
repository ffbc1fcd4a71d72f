"""Issue 14 §1, caching done right: every read has an ETag (and a Last-Modified from
what it shows); If-None-Match answers 304; a visitor's read is public and cached,
keyed by the data version, so a write shows at once and a 304 costs one query."""

import pytest
from django.db import connection
from django.test import Client
from django.utils.http import http_date

from api import caching
from kopnet import tokens
from registry.models import Cooperative
from tests.factories import CooperativeFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/cooperatives/"


@pytest.fixture
def cache_on(settings):
    settings.KOPNET_PAGE_CACHE = True


@pytest.fixture
def coops():
    return [CooperativeFactory(name=f"Koperasi Tani {n}") for n in range(3)]


def test_a_visitors_read_is_public_with_an_etag_and_the_latest_change(cache_on, coops):
    response = Client().get(URL)

    assert response.status_code == 200
    assert response["ETag"].startswith('"') and len(response["ETag"]) == 34
    assert "public" in response["Cache-Control"] and "max-age=60" in response["Cache-Control"]
    latest = max(Cooperative.objects.values_list("updated_at", flat=True))
    assert response["Last-Modified"] == http_date(latest.timestamp())
    assert {"Accept-Language", "Authorization"} <= {v.strip() for v in response["Vary"].split(",")}


# The data version; on PostgreSQL in a test's transaction the deferred triggers run first.
ONE_QUERY = 1 if connection.vendor == "sqlite" else 3


def test_the_etag_back_is_a_304_for_one_query(cache_on, coops, django_assert_num_queries):
    etag = Client().get(URL).headers["ETag"]
    with django_assert_num_queries(ONE_QUERY):
        response = Client().get(URL, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304 and response.content == b"" and response["ETag"] == etag


def test_a_cached_read_is_served_from_the_cache_and_a_write_shows_at_once(cache_on, coops, django_assert_num_queries):
    first = Client().get(URL, {"fields": "slug,phone"})
    with django_assert_num_queries(ONE_QUERY):
        again = Client().get(URL, {"fields": "slug,phone", "utm_source": "x"})  # unknown: the same entry
    assert again.content == first.content and again["ETag"] == first["ETag"]

    Cooperative.objects.filter(pk=coops[0].pk).update(phone="0361 555 777")

    changed = Client().get(URL, {"fields": "slug,phone"}, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]
    assert "0361 555 777" in changed.content.decode()


def test_another_language_is_another_entry(cache_on, coops):
    indonesian = Client().get(URL)
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get(URL)
    assert indonesian["ETag"] != english["ETag"]
    assert english["Content-Language"] == "en"


@pytest.mark.parametrize("cache", [True, False])
def test_a_signed_in_readers_etag_is_their_answers_digest(settings, official, coops, cache):
    settings.KOPNET_PAGE_CACHE = cache
    response = official.get(URL)
    assert "private" in response["Cache-Control"]
    assert official.get(URL, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    assert official.get(URL, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200


def test_a_records_read_answers_304_to_its_etag_and_to_its_last_modified(coops):
    url = f"/api/v1/cooperatives/{coops[0].slug}/"
    response = Client().get(url)
    assert response["Last-Modified"] == http_date(Cooperative.objects.get(pk=coops[0].pk).updated_at.timestamp())
    assert Client().get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    assert Client().get(url, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"]).status_code == 304


def test_a_304_answered_early_is_still_counted_once_against_the_limit(cache_on, coops, settings):
    """api.caching answers a visitor's still-valid If-None-Match before REST framework's
    machinery: the request counts against the limit there, and only there."""
    settings.KOPNET_RATE_LIMITS, settings.KOPNET_API_RATE_ANON = True, (4, 3600)
    etag = Client().get(URL).headers["ETag"]  # 1
    assert Client().get(URL, HTTP_IF_NONE_MATCH=etag).status_code == 304  # 2: early
    assert Client().get(URL, HTTP_IF_NONE_MATCH='"stale"').status_code == 200  # 3: early, then the read
    assert Client().get(URL, HTTP_IF_NONE_MATCH=etag).status_code == 304  # 4
    refused = Client().get(URL, HTTP_IF_NONE_MATCH=etag)
    assert refused.status_code == 429 and refused["Retry-After"]


def test_a_token_holder_sending_a_visitors_etag_gets_their_own_answer(cache_on, coops):
    """The early 304 is for requests without credentials; a token holder's read is
    made for them (what they may see can differ), whatever tag they send."""
    visitors = Client().get(URL)["ETag"]
    _token, key = tokens.token_create(user=UserFactory(username="program"), name="program", can_write=False)

    response = Client().get(URL, HTTP_IF_NONE_MATCH=visitors, HTTP_AUTHORIZATION=f"Token {key}")

    assert response.status_code == 200 and "private" in response["Cache-Control"]
    assert response["ETag"] != visitors


def test_a_visitor_with_a_session_but_signed_out_still_gets_the_304(cache_on, coops):
    """A session cookie takes the request past the early 304 (someone may be signed in
    behind it); signed out, the full way answers the same 304."""
    etag = Client().get(URL)["ETag"]
    visitor = Client()
    visitor.cookies["sessionid"] = "no-such-session"
    response = visitor.get(URL, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304 and response["ETag"] == etag


def test_canonical_queries_are_remembered_per_endpoint_and_boundedly(cache_on, coops, monkeypatch):
    monkeypatch.setattr(caching, "_queries", {})
    monkeypatch.setattr(caching, "QUERIES_KEPT", 3)
    first = Client().get(URL, {"q": "tani", "limit": "5"})
    again = Client().get(URL, {"limit": "5", "q": "tani", "utm_source": "y"})
    assert first["ETag"] == again["ETag"]  # two raw queries, one entry
    # The same query string read by another endpoint keeps only what that one reads.
    assert set(caching._queries.values()) >= {"limit=5&q=tani"}
    Client().get("/api/v1/provinces/", {"q": "tani", "limit": "5"})
    assert "limit=5" in caching._queries.values()

    Client().get(URL, {"limit": "6"})  # a fourth raw query: the memory starts afresh
    assert list(caching._queries.values()) == ["limit=6"]


@pytest.mark.django_db(transaction=True)
def test_visitors_missing_one_answer_at_once_wait_for_a_single_read(settings, monkeypatch):
    """After a write every visitor's entry misses at once: the first reads, the others
    wait for its entry (kopnet.cache's single flight, as the pages')."""
    import threading
    import time

    from api import caching
    from api.pagination import KeysetPagination

    # The threads share this process's cache (an in-memory SQLite database's shared
    # cache refuses concurrent writers at once; the pages' test says more).
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "api-flight"}}
    settings.KOPNET_PAGE_CACHE = True
    CooperativeFactory(name="Koperasi Tani Tunggal")
    reading, finish, reads = threading.Event(), threading.Event(), []
    page = KeysetPagination.paginate_queryset

    def slow_page(self, queryset, request, view=None):
        reads.append(request)
        reading.set()
        finish.wait(10)
        return page(self, queryset, request, view)

    monkeypatch.setattr(KeysetPagination, "paginate_queryset", slow_page)
    waiting, wait_for = [], caching.wait_for

    def waits(key):
        waiting.append(key)
        return wait_for(key)

    monkeypatch.setattr(caching, "wait_for", waits)
    answers = {}

    def visit(name):
        try:
            answers[name] = Client().get(URL)
        finally:
            connection.close()

    first = threading.Thread(target=visit, args=["first"])
    first.start()
    assert reading.wait(10)
    others = [threading.Thread(target=visit, args=[n]) for n in range(3)]
    for thread in others:
        thread.start()
    # Each of the three either waits for the first's entry or reads itself: let all arrive.
    deadline = time.monotonic() + 10
    while len(reads) + len(waiting) < 4 and time.monotonic() < deadline:
        time.sleep(0.01)
    finish.set()
    for thread in [first, *others]:
        thread.join(20)

    assert len(reads) == 1 and len(waiting) == 3
    assert {answers[n].content for n in range(3)} == {answers["first"].content}
    assert all(answers[n]["ETag"] == answers["first"]["ETag"] for n in range(3))
