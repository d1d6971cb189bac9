"""Celery task counts and durations for /metrics: each worker adds its tasks' outcomes to one
Redis hash, which the web process reads at each scrape (workers are other processes, often
other machines). Nothing is kept without Redis (the embedded default runs tasks in process)."""

import time
from functools import cache

import redis
from celery.signals import task_postrun, task_prerun
from django.conf import settings

KEY = "metrics:celery-tasks"  # "<task>|<state>" → count, "<task>|seconds" → total seconds
_started: dict[str, float] = {}


@cache
def _redis() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)


@task_prerun.connect
def _task_started(task_id=None, **kwargs):
    _started[task_id] = time.monotonic()


@task_postrun.connect
def _task_finished(task_id=None, task=None, state=None, **kwargs):
    seconds = time.monotonic() - _started.pop(task_id, time.monotonic())
    if not settings.REDIS_URL or task is None:
        return
    try:
        with _redis().pipeline() as pipe:
            pipe.hincrby(KEY, f"{task.name}|{state}", 1)
            pipe.hincrbyfloat(KEY, f"{task.name}|seconds", seconds)
            pipe.execute()
    except Exception:  # Redis away: a metric lost, never a task
        return


def task_figures() -> dict[str, float]:
    """The hash as {"<task>|<state or seconds>": value}; empty without Redis."""
    if not settings.REDIS_URL:
        return {}
    try:
        return {key.decode(): float(value) for key, value in _redis().hgetall(KEY).items()}
    except Exception:
        return {}
