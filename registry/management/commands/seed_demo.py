"""Load the demo registry: `manage.py seed_demo` (what `make run` does)."""

import time

from django.core.management.base import BaseCommand
from django.db import transaction

from registry.demo import DEMO_PASSWORD, load_demo, summary


class Command(BaseCommand):
    help = (
        "Load the demo registry: the organisations the source texts name, generated cooperatives "
        f"in all 38 provinces, partners, and the demo users (password {DEMO_PASSWORD!r}). "
        "Running it again creates only what is missing and changes nothing that exists."
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        with transaction.atomic():
            loader = load_demo()
        for problem in loader.problems:
            self.stderr.write(f"seed_demo: not loaded, {problem}")
        created = sum(loader.created.values())
        self.stdout.write(
            f"Demo registry: {summary()}; {created} records created in {time.monotonic() - started:.1f} s."
        )
