"""Logs carry a request id (from a valid X-Request-ID, else made), also into the Celery tasks a
request queues, as JSON lines in production; /metrics serves localhost or a bearer token."""

import json
import logging
import uuid

import pytest
from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from accounts import outbox
from accounts.models import OutboundEmail
from portal import task_metrics
from tests.factories import EmployerUserFactory
from tests.workers import mail_in, running_worker, wait_for

pytestmark = pytest.mark.django_db


def test_a_request_s_log_lines_and_response_carry_its_request_id(client, caplog, employer):
    given = str(uuid.uuid4())
    with caplog.at_level(logging.INFO):
        response = client.post(
            "/accounts/login/", {"username": employer.username, "password": "no"}, HTTP_X_REQUEST_ID=given
        )
    assert response["X-Request-ID"] == given
    lines = [record for record in caplog.records if record.name.startswith("axes")]
    assert lines and all(getattr(record, "request_id", None) == given for record in lines)


def test_an_id_that_is_not_a_uuid_is_replaced(client):
    response = client.get("/", HTTP_X_REQUEST_ID="<script>")
    assert response["X-Request-ID"] != "<script>" and uuid.UUID(response["X-Request-ID"])


def test_production_logs_are_json_lines_with_the_request_id():
    formatter_config = dict(settings.LOGGING["formatters"]["json"])
    formatter = import_string(formatter_config.pop("()"))(**formatter_config)
    record = logging.LogRecord("portal", logging.WARNING, __file__, 1, "database away", None, None)
    record.request_id = "1f0c"
    line = json.loads(formatter.format(record))
    assert (line["levelname"], line["name"], line["request_id"], line["message"]) == (
        "WARNING",
        "portal",
        "1f0c",
        "database away",
    )


def test_metrics_serve_localhost_with_the_portal_s_figures(client):
    OutboundEmail.objects.create(
        key="k", to="a@example.cn", subject="s", body="b", status=OutboundEmail.Status.FAILED
    )
    response = client.get("/metrics")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'portal_outbox_emails{status="failed"} 1.0' in body
    assert "django_http_requests_total_by_method_total" in body and "portal_lockouts_last_hour" in body


def test_metrics_refuse_others_unless_they_bring_the_token(client, settings):
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.7").status_code == 403
    settings.METRICS_TOKEN = "s3cret-token"
    assert (
        client.get("/metrics", REMOTE_ADDR="203.0.113.7", HTTP_AUTHORIZATION="Bearer wrong").status_code
        == 403
    )
    assert (
        client.get(
            "/metrics", REMOTE_ADDR="203.0.113.7", HTTP_AUTHORIZATION="Bearer s3cret-token"
        ).status_code
        == 200
    )


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_metrics_count_the_tasks_real_workers_ran(client, tmp_path):
    task_metrics._redis().delete(task_metrics.KEY)
    user = EmployerUserFactory(email="metrics@worker.example.cn")
    with running_worker(tmp_path):
        with transaction.atomic():
            outbox.email_queue(
                user=user,
                template="accounts/email/verified",
                context={"organisation": "Metrics Co.", "url": "/"},
            )
        mail_in(tmp_path)
        wait_for(
            lambda: "accounts.tasks.send_outbox_email|SUCCESS" in task_metrics.task_figures(),
            what="the worker to count its task",
        )
    body = client.get("/metrics").content.decode()
    assert 'portal_celery_tasks_total{state="SUCCESS",task="accounts.tasks.send_outbox_email"} 1.0' in body
    assert 'portal_celery_task_seconds_total{task="accounts.tasks.send_outbox_email"}' in body
