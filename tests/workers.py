"""Real Celery workers for the tests that need one (marked `services`: PostgreSQL and Redis),
and the broker made unreachable for the tests of what happens then."""

import json
import os
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection

from portal.celery import app as celery_app

BASE_DIR = Path(settings.BASE_DIR)


class Workers:
    """Celery worker processes on a queue of this test's own, pointed at the test database, each
    logging to a file the test can read while it runs."""

    def __init__(self, tmp_path: Path):
        self.queue = f"test-{uuid.uuid4().hex}"
        self.tmp_path = tmp_path
        self.processes: list[subprocess.Popen] = []
        self.logs: list = []
        db = connection.settings_dict
        self.env = {
            **os.environ,
            "REDIS_URL": settings.REDIS_URL,
            "CELERY_QUEUE": self.queue,
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
        }

    def start(self) -> subprocess.Popen:
        log = (self.tmp_path / f"worker-{len(self.processes)}.out").open("w")  # not *.log: mail
        self.logs.append(log)
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "portal",
                "worker",
                "--pool",
                "solo",
                "--queues",
                self.queue,
                "--without-gossip",
                "--without-mingle",
                "--loglevel",
                "INFO",
            ],
            cwd=BASE_DIR,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.processes.append(process)
        return process

    def log(self) -> str:
        return "".join(Path(log.name).read_text() for log in self.logs)

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=30)
        for log in self.logs:
            log.close()
        self.forget_unacknowledged()
        print(self.log())

    def forget_unacknowledged(self) -> None:
        """A killed worker's delivery stays unacknowledged; after the visibility timeout Redis
        would hand it back to this queue, which nobody will ever read again."""
        client = redis.Redis.from_url(settings.REDIS_URL)
        for tag, entry in client.hscan_iter("unacked"):
            _message, exchange, routing_key = json.loads(entry)
            if self.queue in (exchange, routing_key):
                client.hdel("unacked", tag)
                client.zrem("unacked_index", tag)
        client.delete(self.queue)


@contextmanager
def queue_of_its_own(workers: Workers):
    """What this process queues goes to the workers' queue (not run eagerly) while they run."""
    always_eager, default_queue = celery_app.conf.task_always_eager, celery_app.conf.task_default_queue
    celery_app.conf.task_always_eager = False
    celery_app.conf.task_default_queue = workers.queue
    try:
        yield workers
    finally:
        celery_app.conf.task_always_eager = always_eager
        celery_app.conf.task_default_queue = default_queue
        workers.stop()


@contextmanager
def running_worker(mail_dir: Path, **env: str):
    """One worker, started now, writing the mail it sends to files in `mail_dir`."""
    workers = Workers(mail_dir)
    workers.env["EMAIL_URL"] = f"filemail:///{mail_dir}"  # environ drops the path's first slash
    workers.env.update(env)
    with queue_of_its_own(workers):
        workers.start()
        yield workers


def wait_for(predicate, timeout: float = 60, what: str = "the worker"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(0.05)
    pytest.fail(f"timed out waiting for {what}")


def mail_in(directory: Path, wait: bool = True) -> list[str]:
    """The emails the worker wrote to files, waiting up to a minute for the first."""
    deadline = time.monotonic() + 60
    while wait and not list(directory.glob("*.log")) and time.monotonic() < deadline:
        time.sleep(0.2)
    return [path.read_text() for path in sorted(directory.glob("*.log"))]


@contextmanager
def broker_down():
    """Celery's broker unreachable from this process (a closed port), as when Redis is down."""
    always_eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_write_url = "redis://127.0.0.1:1/0"
    celery_app._after_fork()  # drop the connections pooled to the live broker
    try:
        yield
    finally:
        celery_app.conf.broker_write_url = None
        celery_app._after_fork()
        celery_app.conf.task_always_eager = always_eager
