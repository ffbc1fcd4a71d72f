from django.core.management.base import BaseCommand

from registry.places import load_places


class Command(BaseCommand):
    help = "Load Indonesia's regencies, districts and villages (idn-area-data 4.0.1); run after migrate."

    def handle(self, *args, **options):
        added = load_places()
        self.stdout.write(", ".join(f"{count} {name}" for name, count in added.items()) + " added.")
