"""/healthz says the process answers; /readyz checks every dependency and names what failed."""

import pytest
from django.utils import timezone

from accounts.models import OutboundEmail
from portal import health
from tests.factories import EmployerUserFactory
from tests.workers import running_worker, wait_for


def ready(client) -> tuple[int, dict]:
    response = client.get("/readyz", HTTP_ACCEPT="text/html")   # JSON whatever is asked
    assert response["Content-Type"] == "application/json"
    return response.status_code, response.json()


def failing(checks: dict) -> set[str]:
    return {name.split("(")[0] for name, state in checks.items() if state != "OK"}


@pytest.mark.django_db
def test_healthz_answers_whatever_the_host_without_touching_anything(client, settings,
                                                                     django_assert_num_queries):
    settings.ALLOWED_HOSTS, settings.SECURE_SSL_REDIRECT = ["ai-match.example.cn"], True
    with django_assert_num_queries(0):
        response = client.get("/healthz", HTTP_HOST="127.0.0.1:8000")
    assert (response.status_code, response.content) == (200, b"ok")


@pytest.mark.django_db
def test_the_embedded_default_is_ready_with_its_database_and_outbox(client, settings):
    settings.REDIS_URL = ""
    status, checks = ready(client)
    assert status == 200 and failing(checks) == set()
    assert {name.split("(")[0] for name in checks} == {"Database", "Outbox"}


@pytest.mark.django_db
def test_a_failed_or_overdue_email_makes_the_outbox_not_ready(client, settings):
    settings.REDIS_URL = ""
    email = OutboundEmail.objects.create(key="k", user=EmployerUserFactory(), to="a@example.cn",
                                         subject="s", body="b", status=OutboundEmail.Status.FAILED)
    status, checks = ready(client)
    assert status == 503 and failing(checks) == {"Outbox"}
    assert "1 failed" in next(state for name, state in checks.items() if name.startswith("Outbox"))

    OutboundEmail.objects.filter(pk=email.pk).update(
        status=OutboundEmail.Status.PENDING, due_at=timezone.now() - health.OUTBOX_LATE * 2)
    assert ready(client)[0] == 503


@pytest.mark.django_db
def test_redis_down_names_redis_the_workers_and_beat(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    status, checks = ready(client)
    assert status == 503 and failing(checks) == {"Redis", "Ping", "Beat"}


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_with_redis_a_worker_and_beat_running_everything_is_ready(client, tmp_path):
    health.beat_ran()   # as the every-minute beat task does
    with running_worker(tmp_path):
        wait_for(lambda: ready(client)[0] == 200, what="the worker to answer pings")
        status, checks = ready(client)
    assert status == 200 and failing(checks) == set() and len(checks) == 5, checks
