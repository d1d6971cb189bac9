"""A task enqueued on commit is run by a real Celery worker, on Redis, against PostgreSQL."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from accounts import services
from accounts.models import Employer
from portal.celery import app as celery_app
from tests.conftest import PASSWORD
from tests.factories import credit_code

BASE_DIR = Path(settings.BASE_DIR)


@pytest.fixture
def worker(tmp_path):
    """A worker process on its own queue, pointed at the test database, writing mail to files."""
    queue = f"test-{uuid.uuid4().hex}"
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "EMAIL_URL": f"filemail:///{tmp_path}",  # environ drops the first slash of the path
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
        yield tmp_path
    finally:
        celery_app.conf.task_default_queue = default_queue
        process.terminate()
        output, _ = process.communicate(timeout=30)
        print(output)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_registration_email_is_sent_by_a_real_worker(worker):
    services.organisation_register(
        model=Employer, username="worker_test", password=PASSWORD, language="en",
        fields={"name": "Shenzhen Worker Test Co.", "credit_code": credit_code(424242),
                "kind": "enterprise", "province": "44", "city": "深圳", "industry": "AI",
                "contact_person": "Chen Jie", "phone": "13712345678",
                "email": "chenjie@worker.example.cn"},
    )
    deadline = time.monotonic() + 60
    while not list(worker.glob("*.log")) and time.monotonic() < deadline:
        time.sleep(0.2)
    messages = [path.read_text() for path in worker.glob("*.log")]
    assert len(messages) == 1, "the worker did not send the registration email"
    assert "To: chenjie@worker.example.cn" in messages[0]
    # Rendered by the worker from the user it loaded from PostgreSQL, in the user's language.
    assert "Registration received" in messages[0]
    assert "Shenzhen Worker Test Co." in messages[0]
