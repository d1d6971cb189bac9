"""A task enqueued on commit is run by a real Celery worker, on Redis, against PostgreSQL."""

import os
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from accounts import outbox, services
from accounts.models import Employer, OutboundEmail
from portal.celery import app as celery_app
from tests.conftest import PASSWORD
from tests.factories import credit_code

BASE_DIR = Path(settings.BASE_DIR)


@pytest.fixture
def worker(tmp_path):
    with running_worker(tmp_path):
        yield tmp_path


@contextmanager
def running_worker(mail_dir: Path):
    """A worker process on its own queue, pointed at the test database, writing mail to files
    in `mail_dir`."""
    queue = f"test-{uuid.uuid4().hex}"
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_QUEUE": queue,   # what the worker queues itself (its start-up sweep) comes back to it
        "EMAIL_URL": f"filemail:///{mail_dir}",  # environ drops the first slash of the path
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool", "solo",
         "--queues", queue, "--without-gossip", "--without-mingle", "--loglevel", "INFO"],
        cwd=BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    celery_app.conf.task_always_eager = False
    default_queue = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = queue
    try:
        yield
    finally:
        celery_app.conf.task_default_queue = default_queue
        process.terminate()
        output, _ = process.communicate(timeout=30)
        print(output)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_registration_email_is_sent_by_a_real_worker(worker):
    register("worker_test", "Shenzhen Worker Test Co.", "chenjie@worker.example.cn")
    messages = mail_in(worker)
    assert len(messages) == 1, "the worker did not send the registration email"
    assert "To: chenjie@worker.example.cn" in messages[0]
    # Written to the outbox in the user's language, sent by the worker from PostgreSQL.
    assert "Registration received" in messages[0]
    assert "Shenzhen Worker Test Co." in messages[0]


@contextmanager
def broker_down():
    """Celery's broker unreachable from this process (a closed port), as when Redis is down."""
    always_eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_write_url = "redis://127.0.0.1:1/0"
    celery_app._after_fork()   # drop the connections pooled to the live broker
    try:
        yield
    finally:
        celery_app.conf.broker_write_url = None
        celery_app._after_fork()
        celery_app.conf.task_always_eager = always_eager


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_a_registration_commits_and_its_email_is_sent_once_when_it_is_back(
        tmp_path):
    with broker_down():
        user = register("broker_down", "Broker Down Co.", "down@worker.example.cn")
    assert user.organisation.status == "pending"   # the registration is stored
    [email] = OutboundEmail.objects.filter(user=user)
    assert (email.status, email.attempts) == ("pending", 0)   # and its email waits

    with running_worker(tmp_path):   # the broker is back: a worker's start-up sweep sends it
        mail_in(tmp_path)
        time.sleep(3)   # and nothing more comes
        messages = mail_in(tmp_path, wait=False)
    assert len(messages) == 1 and "Broker Down Co." in messages[0]
    assert f"Message-ID: {outbox.message_id(email)}" in messages[0]
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("sent", 1)


def register(username: str, name: str, email: str):
    return services.organisation_register(
        model=Employer, username=username, password=PASSWORD, language="en",
        fields={"name": name, "credit_code": credit_code(len(username) * 1000 + 42),
                "kind": "enterprise", "province": "44", "city": "深圳", "industry": "AI",
                "contact_person": "Chen Jie", "phone": "13712345678", "email": email},
    )


def mail_in(directory: Path, wait: bool = True) -> list[str]:
    """The emails the worker wrote to files, waiting up to a minute for the first."""
    deadline = time.monotonic() + 60
    while wait and not list(directory.glob("*.log")) and time.monotonic() < deadline:
        time.sleep(0.2)
    return [path.read_text() for path in sorted(directory.glob("*.log"))]
