from django.core.management.base import BaseCommand

from registry.places import load_places
from registry.services import regencies_match


class Command(BaseCommand):
    help = (
        "Load Indonesia's regencies, districts and villages (idn-area-data 4.0.1), then code the "
        "free-text regencies that name one; run after migrate."
    )

    def handle(self, *args, **options):
        added = load_places()
        self.stdout.write(", ".join(f"{count} {name}" for name, count in added.items()) + " added.")
        matched, left = regencies_match()
        self.stdout.write(
            f"{matched} cooperatives' regencies coded; {left} left for a curator "
            "(admin: cooperatives, regency/city to code)."
        )
