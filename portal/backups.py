"""Backups of the database and the media files together (django-dbbackup): one timestamped
folder in BACKUP_DIR holding `database.<ext>` (pg_dump's custom format on PostgreSQL; SQLite's
own online backup) and `media.tar`. A restore checks both files before it touches anything, then
restores the database (PostgreSQL: in one transaction) and the media files (replacing those of
the same name)."""

import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path
from shutil import copyfileobj

from dbbackup.db.sqlite import SqliteBackupConnector
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

MEDIA = "media.tar"


class SqliteOnlineConnector(SqliteBackupConnector):
    """dbbackup's SQLite backup (the online backup API), restored the same way, into the open
    database, rather than by writing over its file under a WAL journal."""

    def restore_dump(self, dump):
        with tempfile.NamedTemporaryFile(suffix=".sqlite3") as copy:
            copyfileobj(dump, copy)
            copy.flush()
            with sqlite3.connect(copy.name) as source:
                self.connection.ensure_connection()
                source.backup(self.connection.connection)


def backup_create(directory: Path) -> Path:
    """Write a backup into a new timestamped folder of `directory`; returns the folder."""
    folder = directory / timezone.localtime().strftime("%Y%m%d-%H%M%S")
    folder.mkdir(parents=True, exist_ok=False)
    call_command("dbbackup", output_path=str(folder / _database_file()), verbosity=0)
    Path(settings.MEDIA_ROOT).mkdir(parents=True, exist_ok=True)
    call_command("mediabackup", output_path=str(folder / MEDIA), verbosity=0)
    return folder


def backups_prune(directory: Path, keep: int) -> list[Path]:
    """Delete all but the `keep` newest backup folders of `directory`; returns those deleted."""
    folders = sorted(path for path in directory.iterdir() if path.is_dir() and (path / MEDIA).exists())
    old = folders[:-keep] if keep > 0 else []
    for folder in old:
        shutil.rmtree(folder)
    return old


def backup_check(folder: Path) -> tuple[Path, Path]:
    """The backup's database and media files, each read through first: a CommandError names
    what is missing or unreadable, before anything is restored."""
    if not folder.is_dir():
        raise CommandError(f"No backup folder at {folder}.")
    database, media = folder / _database_file(), folder / MEDIA
    for path in (database, media):
        if not path.is_file():
            raise CommandError(f"{folder} holds no {path.name}: not a backup of this database.")
    _check_database(database)
    try:
        with tarfile.open(media) as archive:
            archive.getmembers()
    except (tarfile.TarError, OSError, EOFError) as error:
        raise CommandError(f"{media} is not a readable archive: {error}") from error
    return database, media


def _database_file() -> str:
    return "database.psql.bin" if connection.vendor == "postgresql" else "database.sqlite3"


def _check_database(path: Path) -> None:
    if connection.vendor == "postgresql":
        # The client dbbackup runs too.
        listed = subprocess.run(  # noqa: S603
            ["pg_restore", "--list", str(path)],  # noqa: S607
            capture_output=True,
            text=True,
        )
        if listed.returncode:
            raise CommandError(f"{path} is not a readable pg_dump archive: {listed.stderr.strip()}")
        return
    try:
        # Immutable: reading it leaves no journal files beside it.
        with sqlite3.connect(f"file:{path}?immutable=1", uri=True) as database:
            [result] = database.execute("PRAGMA integrity_check").fetchone()
    except sqlite3.DatabaseError as error:
        raise CommandError(f"{path} is not a readable SQLite database: {error}") from error
    if result != "ok":
        raise CommandError(f"{path} fails SQLite's integrity check: {result}")


def backup_restore(database: Path, media: Path) -> None:
    """Restore a checked backup: the database, then the media files."""
    call_command("dbrestore", input_path=str(database), interactive=False, verbosity=0)
    call_command("mediarestore", input_path=str(media), interactive=False, replace=True, verbosity=0)
