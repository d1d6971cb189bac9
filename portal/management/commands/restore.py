from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal.backups import backup_check, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup folder written by `backup`: the database and the media files. Both "
        "files are checked first; a missing or unreadable one changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder")
        parser.add_argument("--noinput", action="store_false", dest="interactive")

    def handle(self, *args, folder, interactive, **options):
        database, media = backup_check(Path(folder))
        if (
            interactive
            and input(f"Replace this portal's database and media files with {folder}? Type 'yes': ").strip()
            != "yes"
        ):
            raise CommandError("Restore cancelled: nothing was changed.")
        backup_restore(database, media)
        self.stdout.write(f"Restored {folder}.")
