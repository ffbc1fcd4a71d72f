from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from kopnet.backups import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore a backup written by `manage.py backup` into an empty database and media directory, "
        "then check every table's rows and every file's checksum against its manifest. "
        "See README, 'Backups'."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", help="a directory written by `manage.py backup`")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="the database alias to restore into")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="overwrite a database and media directory that already hold data",
        )

    def handle(self, *args, directory, database, replace, **options):
        try:
            manifest = restore(directory, using=database, replace=replace)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"{directory}: backup of {manifest['created_at']} (version {manifest['version']}), "
            f"{manifest['database']['vendor']} database"
        )
        for table, rows in sorted(manifest["tables"].items()):
            self.stdout.write(f"  {table}: {rows}")
        self.stdout.write(
            f"restored {len(manifest['tables'])} tables, {sum(manifest['tables'].values())} rows, "
            f"{len(manifest['media'])} media files; every count and checksum matches the manifest"
        )
