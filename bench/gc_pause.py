"""How long Python's garbage collections pause a worker serving cached profiles.

    DATABASE_URL=postgres://kopnet:kopnet@localhost:5433/kopnet_bench .venv/bin/python -m bench.gc_pause
    ... FREEZE=1 ... (as kopnet/wsgi.py does: gc.freeze() after start-up)

Serves 300 verified cooperatives' profiles once (cached), then 3,000 at random in this
process through Django's test client, and prints each generation's collections: how
many and how long. The figures quoted in kopnet/wsgi.py come from this script.
"""

import gc
import os
import random
import secrets
import time

os.environ.update(
    {"DJANGO_SETTINGS_MODULE": "kopnet.settings", "DEBUG": "0", "ALLOWED_HOSTS": "testserver", "SECURE_SSL_REDIRECT": "0"}
)
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))

import django  # noqa: E402

django.setup()

from django.test import Client  # noqa: E402

from registry.models import Cooperative  # noqa: E402


def main():
    if os.environ.get("FREEZE"):
        gc.collect()
        gc.freeze()
    slugs = list(Cooperative.objects.verified().values_list("slug", flat=True)[:300])
    client = Client()
    for slug in slugs:
        client.get(f"/koperasi/{slug}/")
    pauses, started = {0: [], 1: [], 2: []}, {}

    def timed(phase, info):
        if phase == "start":
            started["at"] = time.perf_counter()
        else:
            pauses[info["generation"]].append((time.perf_counter() - started["at"]) * 1000)

    gc.callbacks.append(timed)
    for _ in range(3000):
        assert client.get(f"/koperasi/{random.choice(slugs)}/").status_code == 200
    gc.callbacks.remove(timed)
    for generation, times in pauses.items():
        if times:
            print(f"generation {generation}: {len(times)} collections, mean {sum(times) / len(times):.2f} ms, max {max(times):.2f} ms")
    print(f"frozen objects: {gc.get_freeze_count()}")


if __name__ == "__main__":
    main()
