"""Load the demo registry and its partnerships: `manage.py seed_demo` (what `make run` does)."""

import time

from django.core.management.base import BaseCommand
from django.db import transaction

from partnerships.demo import load_partnerships
from partnerships.demo import summary as partnership_summary
from registry.demo import DEMO_PASSWORD, load_demo, summary


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
            registry = load_demo()
            partnerships = load_partnerships(registry)
        for problem in [*registry.problems, *partnerships.problems]:
            self.stderr.write(f"seed_demo: not loaded, {problem}")
        created = sum(registry.created.values()) + sum(partnerships.created.values())
        self.stdout.write(
            f"Demo registry: {summary()}, {partnership_summary()}; "
            f"{created} records created in {time.monotonic() - started:.1f} s."
        )
