from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from portal.backups import backup_create, backups_prune


class Command(BaseCommand):
    help = (
        "Back up the database and the media files into a new timestamped folder of BACKUP_DIR, "
        "then keep only the newest BACKUP_KEEP folders (0: keep all)."
    )

    def handle(self, *args, **options):
        directory = Path(settings.BACKUP_DIR)
        folder = backup_create(directory)
        for old in backups_prune(directory, settings.BACKUP_KEEP):
            self.stdout.write(f"Deleted the old backup {old}")
        self.stdout.write(str(folder.resolve()))  # last line: the backup's path
