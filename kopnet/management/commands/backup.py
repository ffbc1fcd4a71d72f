from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from kopnet.backups import BackupError, backup


class Command(BaseCommand):
    help = (
        "Back up the database and the media (agreement documents) into a new directory, "
        "with a manifest: time, code version, database vendor, rows per table, SHA-256 of every file. "
        "See README, 'Backups'."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", help="a directory that does not exist yet (or is empty)")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="the database alias to back up")

    def handle(self, *args, directory, database, **options):
        try:
            result = backup(directory, using=database)
        except BackupError as error:
            raise CommandError(str(error)) from None
        manifest = result.manifest
        self.stdout.write(
            f"{result.directory}: {manifest['database']['vendor']} database, "
            f"{len(manifest['tables'])} tables, {sum(manifest['tables'].values())} rows, "
            f"{len(manifest['media'])} media files, version {manifest['version']}"
        )
