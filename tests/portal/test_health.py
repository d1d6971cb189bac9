"""/healthz says the process answers; /readyz checks every dependency and names what failed."""

from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from accounts.models import OutboundEmail
from common import heartbeat
from portal import health
from tests.factories import EmployerUserFactory
from tests.workers import running_worker, wait_for


def ready(client) -> tuple[int, dict]:
    response = client.get("/readyz", HTTP_ACCEPT="text/html")  # JSON whatever is asked
    assert response["Content-Type"] == "application/json"
    return response.status_code, response.json()


def failing(checks: dict) -> set[str]:
    return {name.split("(")[0] for name, state in checks.items() if state != "OK"}


@pytest.mark.django_db
def test_healthz_answers_whatever_the_host_without_touching_anything(
    client, settings, django_assert_num_queries
):
    settings.ALLOWED_HOSTS, settings.SECURE_SSL_REDIRECT = ["ai-match.example.cn"], True
    with django_assert_num_queries(0):
        response = client.get("/healthz", HTTP_HOST="127.0.0.1:8000")
    assert (response.status_code, response.content) == (200, b"ok")


@pytest.mark.django_db
def test_readyz_answers_a_probe_from_inside_the_container_whatever_the_host(client, settings):
    settings.ALLOWED_HOSTS, settings.SECURE_SSL_REDIRECT = ["ai-match.example.cn"], True
    settings.REDIS_URL = ""
    response = client.get("/readyz", HTTP_HOST="127.0.0.1:8000")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert set(response.json().values()) == {"OK"}


@pytest.mark.django_db
def test_the_embedded_default_is_ready_with_its_database_and_outbox(client, settings):
    settings.REDIS_URL = ""
    status, checks = ready(client)
    assert status == 200 and failing(checks) == set()
    assert {name.split("(")[0] for name in checks} == {"Database", "Outbox"}


@pytest.mark.django_db
def test_a_failed_or_overdue_email_makes_the_outbox_not_ready(client, settings):
    settings.REDIS_URL = ""
    email = OutboundEmail.objects.create(
        key="k",
        user=EmployerUserFactory(),
        to="a@example.cn",
        subject="s",
        body="b",
        status=OutboundEmail.Status.FAILED,
    )
    status, checks = ready(client)
    assert status == 503 and failing(checks) == {"Outbox"}
    assert "1 failed" in next(state for name, state in checks.items() if name.startswith("Outbox"))

    OutboundEmail.objects.filter(pk=email.pk).update(
        status=OutboundEmail.Status.PENDING, due_at=timezone.now() - health.OUTBOX_LATE * 2
    )
    assert ready(client)[0] == 503


@pytest.mark.django_db
def test_redis_down_names_redis_the_workers_and_beat(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    status, checks = ready(client)
    assert status == 503 and failing(checks) == {"Redis", "Ping", "Beat"}


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_with_redis_a_worker_and_beat_running_everything_is_ready(client, tmp_path):
    heartbeat.beat_ran()  # as the every-minute beat task does
    with running_worker(tmp_path):
        wait_for(lambda: ready(client)[0] == 200, what="the worker to answer pings")
        status, checks = ready(client)
    assert status == 200 and failing(checks) == set() and len(checks) == 5, checks


@contextmanager
def database_at_a_closed_port():
    """This process's database server away: every new connection meets a closed port."""
    port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = 1  # the dict each thread's connection is made from
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["PORT"] = port


@pytest.fixture
def all_ready(client, tmp_path):
    """Redis up, a worker answering and beat just run: /readyz answers 200."""
    heartbeat.beat_ran()
    with running_worker(tmp_path):
        wait_for(lambda: ready(client)[0] == 200, what="the worker to answer pings")
        yield


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_the_database_away_is_named_and_nothing_else_is_blamed(client, all_ready):
    with database_at_a_closed_port():
        status, checks = ready(client)
    assert status == 503 and failing(checks) == {"Database", "Outbox"}, checks
    # The outbox is read from the database: it says so, rather than that it failed.
    assert next(state for name, state in checks.items() if name.startswith("Outbox")).endswith(
        "the database is unreachable"
    )
    assert ready(client)[0] == 200  # and the next probe finds it back


@pytest.mark.services
@pytest.mark.django_db
def test_no_worker_answering_with_redis_up_names_the_workers_alone(client):
    heartbeat.beat_ran()
    status, checks = ready(client)
    assert status == 503 and failing(checks) == {"Ping"}, checks
    assert "Celery workers unavailable" in next(
        state for name, state in checks.items() if name.startswith("Ping")
    )


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_stale_beat_is_named_alone(client, all_ready):
    cache.set(heartbeat.BEAT_KEY, (timezone.now() - health.BEAT_LATE - timedelta(minutes=1)).isoformat())
    status, checks = ready(client)
    assert status == 503 and failing(checks) == {"Beat"}, checks
    assert "beat last ran 36" in next(state for name, state in checks.items() if name.startswith("Beat"))


@pytest.mark.django_db
def test_the_ready_command_runs_the_checks_named_here(settings, capsys):
    settings.REDIS_URL = ""
    call_command("ready")
    assert capsys.readouterr().out.splitlines() == ["Database(alias='default'): OK", "Outbox(): OK"]
    OutboundEmail.objects.create(
        key="k",
        user=EmployerUserFactory(),
        to="a@example.cn",
        subject="s",
        body="b",
        status=OutboundEmail.Status.FAILED,
    )
    with pytest.raises(CommandError, match="Not ready: Outbox"):
        call_command("ready", "Outbox")
    with pytest.raises(CommandError, match="REDIS_URL is not set"):
        call_command("ready", "Beat")
