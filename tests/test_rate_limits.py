"""Rate limits per client address on what costs (kopnet/ratelimits.py): sign-ups,
password resets, the organisation picker and visitors' CSV downloads answer 429 with
Retry-After and a message in the reader's language past the limit."""

import datetime
import itertools
import json
import threading

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.urls import get_resolver

from kopnet import ratelimits
from kopnet.lists import RegistryListView
from kopnet.settings import env_rate
from tests.factories import UserFactory
from tests.test_cache import DATABASE_CACHE

pytestmark = pytest.mark.django_db

ADDRESS = "198.51.100.7"
OTHER_ADDRESS = "203.0.113.9"
# 610 s into an hour (and 10 s into a minute): an hour's window ends in 2990 s, 50
# minutes as a person reads it; a minute's in 50 s.
NOW = 3600 * 500_000 + 610
LIMIT = 3
SETTINGS = {
    "signup": "KOPNET_RATE_SIGNUP",
    "password_reset": "KOPNET_RATE_PASSWORD_RESET",
    "organisation_search": "KOPNET_RATE_ORGANISATION_SEARCH",
    "export": "KOPNET_RATE_EXPORT",
}
SEARCH = "/kerjasama/cari-organisasi/"
LISTS = ["/koperasi/", "/mitra/", "/kerjasama/"]
numbers = itertools.count()


def request(kind, client):
    """One request that counts against the limit `kind`, each with data of its own."""
    number = next(numbers)
    if kind == "signup":
        password = "Sandi-yang-panjang-77"
        data = {"username": f"warga{number}", "email": f"warga{number}@example.org", "password1": password, "password2": password}
        return client.post("/akun/daftar/", data)
    if kind == "password_reset":
        return client.post("/akun/sandi/reset/", {"email": f"warga{number}@example.org"})
    if kind == "organisation_search":
        return client.get(SEARCH, {"q": "tani"})
    response = client.get(kind, {"format": "csv"})  # a list's path
    if response.streaming:
        b"".join(response.streaming_content)  # read to the end, as a browser does
    return response


def limit_name(kind):
    return "export" if kind.startswith("/") else kind


KINDS = ["signup", "password_reset", "organisation_search", *LISTS]


def client_for(address=ADDRESS, language=None, **headers):
    client = Client(REMOTE_ADDR=address, **headers)
    if language:
        client.cookies["django_language"] = language
    return client


@pytest.fixture(autouse=True)
def limits(settings, monkeypatch):
    """Limits refuse (the rest of the suite only counts), LIMIT a window, at NOW."""
    settings.KOPNET_RATE_LIMITS = True
    for name, setting in SETTINGS.items():
        setattr(settings, setting, (LIMIT, 60 if name == "organisation_search" else 3600))
    monkeypatch.setattr(ratelimits, "clock", lambda: NOW)


def use_up(kind, **client):
    for _ in range(LIMIT):
        assert request(kind, client_for(**client)).status_code != 429


def message(response):
    if response["Content-Type"] == "application/json":
        return " ".join(json.loads(response.content)["errors"]["__all__"])
    return response.content.decode()


@pytest.mark.parametrize("kind", KINDS)
def test_past_the_limit_the_answer_is_429_with_retry_after_in_english(kind):
    use_up(kind, language="en")

    refused = request(kind, client_for(language="en"))

    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    if kind == "organisation_search":
        assert refused["Retry-After"] == "50"
        assert message(refused) == "Too many searches from your address. Try again in 50 seconds."
    else:
        assert refused["Retry-After"] == "2990"
        assert "Too many requests" in message(refused)
        assert "from your address" in message(refused)
        assert "Try again in 50 minutes." in message(refused)


@pytest.mark.parametrize("kind", KINDS)
def test_the_refusal_speaks_indonesian_by_default(kind):
    use_up(kind)

    refused = request(kind, client_for())

    assert refused.status_code == 429
    assert "dari alamat Anda" in message(refused)
    assert ("Coba lagi dalam 50 detik." if kind == "organisation_search" else "Coba lagi dalam 50 menit.") in message(refused)
    assert "Try again" not in message(refused)


@pytest.mark.parametrize("kind", KINDS)
def test_another_address_is_not_affected(kind):
    use_up(kind)
    assert request(kind, client_for()).status_code == 429

    assert request(kind, client_for(OTHER_ADDRESS)).status_code != 429


@pytest.mark.parametrize("kind", KINDS)
def test_the_limit_ends_with_its_window(kind, monkeypatch):
    use_up(kind)
    assert request(kind, client_for()).status_code == 429

    monkeypatch.setattr(ratelimits, "clock", lambda: NOW + 3600)

    assert request(kind, client_for()).status_code != 429


@pytest.mark.parametrize("kind", KINDS)
def test_behind_a_trusted_proxy_the_forwarded_address_counts(kind, settings):
    """Every client arrives from the proxy's address: each forwarded address has a count of its own."""
    settings.KOPNET_TRUSTED_PROXIES = 1
    use_up(kind, address="127.0.0.1", HTTP_X_FORWARDED_FOR=ADDRESS)

    assert request(kind, client_for("127.0.0.1", HTTP_X_FORWARDED_FOR=ADDRESS)).status_code == 429
    assert request(kind, client_for("127.0.0.1", HTTP_X_FORWARDED_FOR=OTHER_ADDRESS)).status_code != 429
    # A client's own entry in front of the proxy's changes nothing.
    assert request(kind, client_for("127.0.0.1", HTTP_X_FORWARDED_FOR=f"10.0.0.1, {ADDRESS}")).status_code == 429


@pytest.mark.parametrize("kind", KINDS)
def test_without_a_trusted_proxy_a_forged_forwarded_for_escapes_nothing(kind, settings):
    settings.KOPNET_TRUSTED_PROXIES = 0
    for number in range(LIMIT):
        assert request(kind, client_for(HTTP_X_FORWARDED_FOR=f"10.0.0.{number}")).status_code != 429

    assert request(kind, client_for(HTTP_X_FORWARDED_FOR="10.0.0.99")).status_code == 429


def test_a_password_reset_is_limited_per_email_address_too():
    """Mails to one address are limited, from however many clients they are asked."""
    for number in range(LIMIT):
        response = client_for(f"192.0.2.{number}").post("/akun/sandi/reset/", {"email": "rina@example.org"})
        assert response.status_code == 302

    refused = client_for("192.0.2.99").post("/akun/sandi/reset/", {"email": " Rina@Example.org"})

    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert client_for("192.0.2.99").post("/akun/sandi/reset/", {"email": "budi@example.org"}).status_code == 302


@pytest.mark.parametrize(
    "path, kind", [("/akun/daftar/", "signup"), ("/akun/sandi/reset/", "password_reset"), *((path, path) for path in LISTS)]
)
def test_pages_and_forms_stay_unlimited(path, kind):
    """Only what costs counts: a form's page stays open past the limit of sending it,
    a list's page past the limit of its CSV."""
    use_up(kind)
    assert request(kind, client_for()).status_code == 429

    for _ in range(LIMIT * 2):
        assert client_for().get(path).status_code == 200


@pytest.mark.parametrize("path", LISTS)
def test_a_signed_in_readers_downloads_are_not_limited(path):
    user = UserFactory(username="pembaca")
    for _ in range(LIMIT * 2):
        client = client_for()
        client.force_login(user)
        assert request(path, client).status_code == 200
    # Nor counted against their address once signed out.
    use_up(path)
    assert request(path, client_for()).status_code == 429


@pytest.mark.parametrize("path", LISTS)
def test_the_export_limit_holds_with_the_page_cache_on(path, page_cache):
    page_cache.warm(path)
    page_cache.warm(f"{path}?format=csv")
    use_up(path)

    refused = request(path, client_for())

    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert client_for().get(path).status_code == 200  # the page itself still is served


def test_every_list_that_downloads_is_export_limited():
    """Any public list made of RegistryListView (which answers ?format=csv) is wrapped,
    outside the page cache."""
    lists = []
    for pattern in get_resolver().url_patterns:
        for inner in getattr(pattern, "url_patterns", [pattern]):
            view_class = getattr(inner.callback, "view_class", None)
            if view_class is not None and issubclass(view_class, RegistryListView):
                lists.append(str(inner.pattern))
                assert getattr(inner.callback, "rate_limit", None) == "export", inner.pattern
    assert sorted(lists) == ["kerjasama/", "koperasi/", "mitra/"]


def test_counted_in_the_shared_database_cache_as_in_production(settings):
    settings.CACHES = DATABASE_CACHE
    use_up("signup")

    assert request("signup", client_for()).status_code == 429
    assert request("signup", client_for(OTHER_ADDRESS)).status_code != 429


def test_with_limits_off_requests_are_counted_but_not_refused(settings):
    settings.KOPNET_RATE_LIMITS = False
    for _ in range(LIMIT * 2):
        assert request("organisation_search", client_for()).status_code == 200

    settings.KOPNET_RATE_LIMITS = True

    assert request("organisation_search", client_for()).status_code == 429


@pytest.mark.parametrize(
    "value, rate",
    [("5/h", (5, 3600)), ("120/m", (120, 60)), ("30/d", (30, 86400)), ("10/15m", (10, 900)), ("0", None), ("off", None)],
)
def test_a_rate_reads_from_the_environment(monkeypatch, value, rate):
    monkeypatch.setenv("KOPNET_RATE_TEST", value)
    assert env_rate("KOPNET_RATE_TEST", "1/h") == rate


@pytest.mark.parametrize("value", ["5", "5/w", "x/h", "-1/h", "5/0h"])
def test_a_rate_that_means_nothing_refuses_to_start(monkeypatch, value):
    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.setenv("KOPNET_RATE_TEST", value)
    with pytest.raises(ImproperlyConfigured):
        env_rate("KOPNET_RATE_TEST", "1/h")



def test_parallel_requests_pass_no_more_than_the_limit():
    """Each allowed request claims a slot of its own with cache.add(): requests that
    read the same count at once cannot all pass, as they would with a read and a write."""
    barrier = threading.Barrier(12)
    answers = []

    def ask():
        barrier.wait()
        answers.append(ratelimits.hit("test", ADDRESS, (5, 3600)))

    threads = [threading.Thread(target=ask) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert answers.count(None) == 5
    assert sorted(set(answers) - {None}) == [3600 - 610]


@pytest.mark.django_db(transaction=True)
def test_in_the_database_cache_parallel_requests_pass_no_more_than_the_limit(settings):
    """KopNet's database cache counts in one atomic statement: twelve requests at once
    from one address, on their own connections, and exactly the limit passes."""
    if connection.vendor == "sqlite":
        # The in-memory test database's shared cache refuses concurrent writers at once
        # ("table is locked") where a file or a server waits: this runs on PostgreSQL.
        pytest.skip("parallel writers need a file or a server database")
    settings.CACHES = DATABASE_CACHE
    barrier = threading.Barrier(12)
    answers = []

    def ask():
        try:
            barrier.wait()
            answers.append(ratelimits.hit("test-db", ADDRESS, (5, 3600)))
        finally:
            connection.close()

    threads = [threading.Thread(target=ask) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(answers) == 12 and answers.count(None) == 5


def test_the_database_caches_count_starts_again_when_it_expires(settings, monkeypatch):
    settings.CACHES = DATABASE_CACHE
    from django.core.cache import cache

    assert [cache.count_up("kn:rate:test-expiry", 60) for _ in range(3)] == [1, 2, 3]
    later = timezone.now() + datetime.timedelta(seconds=61)
    monkeypatch.setattr("kopnet.cache_backend.tz_now", lambda: later)
    assert cache.count_up("kn:rate:test-expiry", 60) == 1  # a new window's count
    assert cache.count_up("kn:rate:test-expiry", 60) == 2


def test_a_busy_clients_slots_are_taken_a_block_at_a_time(settings):
    """A limit of 1,000: blocks of 20 slots from the shared count, spent in memory."""
    settings.CACHES = DATABASE_CACHE
    ratelimits._leases.clear()
    rate = (1000, 3600)
    with CaptureQueriesContext(connection) as queries:
        answers = [ratelimits.hit("test-lease", ADDRESS, rate) for _ in range(1000)]
    assert answers.count(None) == 1000
    # (Inside the test's transaction each write also takes a savepoint: counted apart.)
    assert len([query for query in queries if query["sql"].startswith("INSERT")]) == 1000 // 20
    assert len(queries) == 3 * 1000 // 20
    assert ratelimits.hit("test-lease", ADDRESS, rate) == 3600 - 610  # the 1,001st


def test_slots_another_process_holds_count_against_the_limit(settings):
    """Each request as if from a new process (its block's other slot is never spent):
    the client is refused before the limit, never let past it."""
    settings.CACHES = DATABASE_CACHE
    rate = (100, 3600)  # blocks of 2
    passed = 0
    for _ in range(150):
        ratelimits._leases.clear()
        passed += ratelimits.hit("test-lease-lost", ADDRESS, rate) is None
    assert passed == 50
