from django.core.management.base import BaseCommand, CommandError

from api import opendata


class Command(BaseCommand):
    help = (
        "Write a dated snapshot of everything public as a Frictionless Data Package (one CSV a table, the "
        "partnerships as JSON Lines, the changes since the previous snapshot), zipped with its SHA-256, into "
        "KOPNET_OPEN_DATA_DIR; keep the last KOPNET_OPEN_DATA_KEEP. /data/ lists them."
    )

    def add_arguments(self, parser):
        parser.add_argument("--keep", type=int, help="snapshots to keep (default: KOPNET_OPEN_DATA_KEEP)")

    def handle(self, *args, keep=None, **options):
        try:
            manifest = opendata.export(keep=keep)
        except opendata.SnapshotError as error:
            raise CommandError(str(error)) from error
        changes = manifest["changes"]
        since = (
            "; since the previous: " + ", ".join(f"{sum(c[k] for c in changes.values()):,} {k}" for k in opendata.CHANGES)
            if changes is not None
            else "; the first snapshot (no change files)"
        )
        self.stdout.write(
            f"Wrote {opendata.directory() / manifest['name']} ({manifest['size']:,} bytes, SHA-256 {manifest['sha256']}): "
            f"{manifest['rows']['cooperatives']:,} cooperatives, {manifest['rows']['partnerships']:,} partnerships{since}."
        )
