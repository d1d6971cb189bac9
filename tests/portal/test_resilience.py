"""The portal when a dependency falters: a request that meets the database away gets a 503 page
(never a traceback) and the next one finds it back; the embedded SQLite default takes
concurrent writers without "database is locked"."""

import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.db import close_old_connections, connection
from django.test import Client

from portal import errors
from portal.settings import shared_cache

BASE_DIR = Path(settings.BASE_DIR)


def kill_the_database_connection() -> None:
    """End this process's database session from another one, as a restart of the server does."""
    connection.ensure_connection()
    with psycopg2.connect(**connection.get_connection_params()) as other, other.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [connection.connection.get_backend_pid()])


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("path", "kind"), [("/projects/", "text/html"), ("/api/v1/projects/", "application/json")]
)
def test_a_request_meeting_the_database_away_gets_a_503_and_the_next_one_recovers(path, kind):
    client = Client(raise_request_exception=False)
    kill_the_database_connection()

    response = client.get(path)
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert response["Content-Type"].startswith(kind)
    body = response.content.decode()
    assert "Traceback" not in body
    if kind == "text/html":
        assert "The portal is briefly unavailable" in body and "服务暂时不可用" in body
    else:
        assert "try again" in response.json()["detail"]

    # Before each request Django drops a connection that failed (close_old_connections on
    # request_started, which the test client leaves out): the next request reconnects.
    close_old_connections()
    assert client.get(path).status_code == 200


def test_any_other_server_error_is_still_the_plain_500_page(rf):
    try:
        raise ValueError("a bug")
    except ValueError:
        response = errors.server_error(rf.get("/projects/"))
    assert response.status_code == 500 and not response.has_header("Retry-After")


def test_eight_concurrent_writers_on_the_embedded_sqlite_meet_no_lock_error(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "PYTHONPATH": str(BASE_DIR),
    }
    env.pop("REDIS_URL", None)
    finished = subprocess.run(
        [sys.executable, str(BASE_DIR / "tests/portal/sqlite_writers.py")],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert finished.returncode == 0, finished.stderr[-3000:]
    result = json.loads(finished.stdout.strip().splitlines()[-1])
    assert result == {"written": 8 * 25, "errors": [], "journal": "wal", "chain_holds": True}


@pytest.fixture
def redis_down(settings):
    """The shared cache as production configures it, with its Redis unreachable (a closed port)."""
    settings.CACHES = {"default": shared_cache("redis://127.0.0.1:1/0")}
    return settings


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/projects/", "/statistics/", "/api/v1/stats/", "/api/v1/projects/"])
def test_pages_and_the_api_answer_with_redis_down(client, redis_down, path):
    assert client.get(path).status_code == 200


@pytest.mark.django_db
def test_rate_limited_forms_still_work_with_redis_down(client, redis_down, employer):
    response = client.post("/accounts/password/reset/", {"email": employer.email})
    assert response.status_code == 302
