"""`manage.py backup` and `restore` (make backup / make restore) round-trip the database and the
media files, on SQLite and on PostgreSQL; a missing or corrupt backup changes nothing."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.db import connection

from portal.backups import backups_prune

BASE_DIR = Path(settings.BASE_DIR)
USERS = "from accounts.models import User; "
READ_USERS = USERS + "print(sorted(User.objects.values_list('username', flat=True)))"


class Portal:
    """The portal's commands against a database and media folder of the test's own."""

    def __init__(self, database_url: str, root: Path):
        self.media = root / "media"
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "MEDIA_ROOT": str(self.media),
            "BACKUP_DIR": str(root / "backups"),
            "DJANGO_SETTINGS_MODULE": "portal.settings",
        }
        self.env.pop("REDIS_URL", None)

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=BASE_DIR,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert not check or done.returncode == 0, done.stderr[-3000:]
        return done

    def add_user(self, username: str) -> None:
        self.run("shell", "-v0", "-c", USERS + f"User.objects.create(username='{username}')")

    def users(self) -> str:
        return self.run("shell", "-v0", "-c", READ_USERS).stdout.strip()

    def write(self, name: str, data: bytes) -> None:
        path = self.media / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def round_trip(portal: Portal) -> None:
    portal.run("migrate", "-v0")
    portal.add_user("before")
    portal.write("agreements/signed.pdf", b"%PDF-1.7 the signed agreement")
    backup = portal.run("backup").stdout.strip().splitlines()[-1]
    assert Path(backup).is_dir()

    portal.add_user("after")
    portal.write("agreements/signed.pdf", b"%PDF-1.7 overwritten")
    done = portal.run("restore", backup, "--noinput")

    assert portal.users() == "['before']", done.stdout
    assert (portal.media / "agreements/signed.pdf").read_bytes() == b"%PDF-1.7 the signed agreement"

    # A corrupt backup is refused before anything is touched.
    portal.add_user("later")
    database = next(path for path in Path(backup).glob("database.*") if path.suffix != ".metadata")
    database.write_bytes(b"not a backup at all")
    refused = portal.run("restore", backup, "--noinput", check=False)
    assert refused.returncode == 1 and "not a readable" in refused.stderr
    missing = portal.run("restore", str(Path(backup).parent / "nowhere"), "--noinput", check=False)
    assert missing.returncode == 1 and "No backup folder" in missing.stderr
    assert portal.users() == "['before', 'later']"


def test_only_the_newest_backups_are_kept(tmp_path):
    for stamp in ("20270101-020000", "20270102-020000", "20270103-020000"):
        (tmp_path / stamp).mkdir()
        (tmp_path / stamp / "media.tar").write_bytes(b"")
    (tmp_path / "notes").mkdir()  # not a backup: left alone
    assert [path.name for path in backups_prune(tmp_path, 2)] == ["20270101-020000"]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["20270102-020000", "20270103-020000", "notes"]


def test_backup_and_restore_round_trip_on_sqlite(tmp_path):
    round_trip(Portal(f"sqlite:///{tmp_path / 'portal.sqlite3'}", tmp_path))


@pytest.mark.services
@pytest.mark.django_db
def test_backup_and_restore_round_trip_on_postgresql(tmp_path):
    name = f"test_backup_{uuid.uuid4().hex[:12]}"
    params = connection.get_connection_params()
    admin = psycopg2.connect(**{**params, "dbname": "postgres"})
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        db = connection.settings_dict
        round_trip(Portal(f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{name}", tmp_path))
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
