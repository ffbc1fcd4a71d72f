"""How long the database cache takes to store a page, with each of PostgreSQL's
compressions of the stored value (kopnet/migrations/0008_cache_lz4.py).

    DATABASE_URL=postgres://kopnet:kopnet@localhost:5433/kopnet_bench .venv/bin/python -m bench.cache_write

Renders the profile of the cooperative with the most member cooperatives and of a
cooperative of few, then for pglz and lz4 in turn stores each page 40 times through
the cache (kopnet/cache_backend.py) and prints the median of a write. The column's
compression is changed inside a transaction that is rolled back: the database keeps
its own. The figures quoted in README.md's scaling section come from this script.
"""

import os
import secrets
import statistics
import time

os.environ.update(
    {"DJANGO_SETTINGS_MODULE": "kopnet.settings", "DEBUG": "0", "ALLOWED_HOSTS": "testserver", "SECURE_SSL_REDIRECT": "0"}
)
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))

import django  # noqa: E402

django.setup()

from django.core.cache import caches  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402

from registry.models import Cooperative, Tier  # noqa: E402

WRITES = 40


def median_write_ms(cache, page):
    times = []
    for n in range(WRITES):
        started = time.perf_counter()
        cache.set(f"kn:bench-cache-write:{n}", page)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main():
    if connection.vendor != "postgresql":
        raise SystemExit("PostgreSQL only: SQLite does not compress what it stores")
    verified = Cooperative.objects.verified()
    busiest = verified.exclude(tier=Tier.PRIMER).order_by("-member_count", "pk").first()
    quiet = verified.filter(tier=Tier.PRIMER).order_by("pk").first()
    client, cache = Client(), caches["default"]
    pages = {coop.name: client.get(f"/koperasi/{coop.slug}/").content.decode() for coop in (busiest, quiet)}
    table = connection.ops.quote_name(cache._table)
    for method in ("pglz", "lz4"):
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f"ALTER TABLE {table} ALTER COLUMN value SET COMPRESSION {method}")
            for name, page in pages.items():
                print(f"{method}: {median_write_ms(cache, page):.2f} ms a write of {name}'s page ({len(page):,} characters)")
            transaction.set_rollback(True)


if __name__ == "__main__":
    main()
