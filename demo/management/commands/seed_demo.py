"""Load the demo registry and its partnerships: `manage.py seed_demo` (what `make run` does)."""

import time

from django.core.management.base import BaseCommand
from django.db import transaction

from demo.load import load_demo, summary
from demo.registry import DEMO_PASSWORD


class Command(BaseCommand):
    help = (
        "Load the demo registry: the organisations and partnerships the source texts name, generated "
        "cooperatives in all 38 provinces, partners, over a thousand generated partnerships, and the demo "
        f"users (password {DEMO_PASSWORD!r}). Running it again creates only what is missing and changes "
        "nothing that exists."
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        with transaction.atomic():
            registry, partnerships = load_demo()
        for problem in [*registry.problems, *partnerships.problems]:
            self.stderr.write(f"seed_demo: not loaded, {problem}")
        created = sum(registry.created.values()) + sum(partnerships.created.values())
        self.stdout.write(
            f"Demo registry: {summary()}; "
            f"{created} records created in {time.monotonic() - started:.1f} s."
        )
