"""Queries per request, and the name search's server time, measured inside Django.

Needs Django set up against the benchmark database with the server's settings
(bench/run.py does it). The test Client runs the whole stack (middleware, view,
template) in this process; CaptureQueriesContext counts the queries even with
DEBUG off. The cache is emptied before each request (the server's own when it is
the database cache; it has stopped by then), so these are the cold costs of the
pages that the load test, after its priming pass, meets warm.
"""

import statistics
import time

from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext


SAMPLE = 30
ROUNDS = 3
SEARCH_REQUESTS = 50
# A fixed piece of pure Python, timed beside the cold measurements: the machine's
# speed moves by half within minutes here, and the cold column is in milliseconds.
REFERENCE_LOOP = 5_000_000


def clear_caches():
    """Every cache of the process: the shared one and the per-process one in front of it."""
    for backend in caches.all(initialized_only=False):
        backend.clear()


def client_for(case):
    # ALLOWED_HOSTS is the server's (127.0.0.1), not the test client's "testserver".
    client = Client(HTTP_HOST="127.0.0.1")
    if case.user:
        client.force_login(get_user_model().objects.get(username=case.user))
    return client


def get(client, url):
    response = client.get(url)
    if not 200 <= response.status_code < 300:
        raise RuntimeError(f"{url} answered {response.status_code}, not 2xx")
    if response.streaming:
        b"".join(response.streaming_content)
    return response


def warm_up(cases):
    """Each case's first URL once, so that the first measured request pays no start-up cost."""
    for case in cases:
        get(client_for(case), case.urls[0])


def spread(urls, size):
    """`size` of the URLs, taken at even steps over the whole list (all of them when
    there are no more).

    A case lists its URLs by kind (the search's common words first, then rarer words
    and prefixes; bench/cases.py): its first URLs would all be of one kind, and the
    median of the first 20 searches was that of common words only.
    """
    if len(urls) <= size:
        return list(urls)
    return [urls[i * len(urls) // size] for i in range(size)]


def reference_ms():
    """How long the machine takes for REFERENCE_LOOP additions in Python, in ms (the
    best of three)."""
    times = []
    for _ in range(3):
        started = time.perf_counter()
        total = 0
        for i in range(REFERENCE_LOOP):
            total += i
        times.append((time.perf_counter() - started) * 1000)
    return min(times)


def queries_per_request(cases, sample=SAMPLE, rounds=ROUNDS, at_least=5):
    """Each case's queries (mean, max) and server time (median) over `sample` URLs
    spread over the case: {case name: figures, or the error that stopped it}.

    The cache is emptied before each request: these are the pages' uncached costs,
    what a visitor meets after any write. A case of fewer URLs repeats them, so that
    the time is a median of `at_least` requests, not one.

    Measured in `rounds` rounds, each a share of every case's URLs in turn: the
    machine's speed here moves by half within minutes, and a slow minute then weighs
    on every case alike instead of on the one case measured in it.
    """
    plans = []
    for case in cases:
        urls = spread(case.urls, sample)
        urls = [urls[i % len(urls)] for i in range(max(len(urls), at_least))]
        plans.append((case.name, client_for(case), urls, {"counts": [], "warm": [], "times": []}))
    errors = {}
    for turn in range(rounds):
        for name, client, urls, figures in plans:
            if name in errors:
                continue
            try:
                for url in urls[turn::rounds]:
                    measure_cold(client, url, figures)
            except RuntimeError as error:
                errors[name] = error
    return {name: errors.get(name) or summary(figures) for name, _client, _urls, figures in plans}


def measure_cold(client, url, figures):
    """One URL with the cache emptied (its time and queries), then again (its queries)."""
    clear_caches()
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as captured:
        get(client, url)
    figures["times"].append((time.perf_counter() - started) * 1000)
    figures["counts"].append(len(captured.captured_queries))
    # The same page again: what the load test mostly meets (a cache hit for a
    # visitor; the whole page again for a signed-in curator).
    with CaptureQueriesContext(connection) as captured:
        get(client, url)
    figures["warm"].append(len(captured.captured_queries))


def summary(figures):
    counts, warm_counts = figures["counts"], figures["warm"]
    return {
        "requests": len(counts),
        "mean": statistics.fmean(counts),
        "max": max(counts),
        "min": min(counts),
        "warm_mean": statistics.fmean(warm_counts),
        "warm_max": max(warm_counts),
        "uncached_ms_p50": statistics.median(figures["times"]),
    }


def search_server_time(case, requests=SEARCH_REQUESTS):
    """Each search request's time, in ms: PostgreSQL's time for the search's own
    queries (`p50_ms`, what the target reads) and the whole page through Django
    (`page_p50_ms`).

    The cache is emptied before each request, after one request that loads the
    templates: the search itself is timed, not a cached page or count. The
    search's queries are those on the cooperatives (matches with their count, the
    page's rows, their sectors); the data version, the cache table and the form's
    choices are not the search.
    """
    client = client_for(case)
    get(client, case.urls[0].split("?")[0])
    urls = [case.urls[i % len(case.urls)] for i in range(max(requests, len(case.urls)))]
    times, sql_times = [], []
    for url in urls:
        clear_caches()
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            get(client, url)
        times.append((time.perf_counter() - started) * 1000)
        sql_times.append(
            sum(float(query["time"]) for query in captured.captured_queries if "registry_cooperative" in query["sql"])
            * 1000
        )
    times.sort()
    sql_times.sort()
    return {
        "requests": len(times),
        "distinct_urls": len(set(urls)),
        "p50_ms": statistics.median(sql_times),
        "p90_ms": sql_times[int(len(sql_times) * 0.9) - 1],
        "max_ms": sql_times[-1],
        "page_p50_ms": statistics.median(times),
        "page_p90_ms": times[int(len(times) * 0.9) - 1],
    }
