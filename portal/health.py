"""Health for the operator (django-health-check): /healthz says the process answers; /readyz
checks each dependency — the database, Redis, a Celery worker answering a ping, the email
outbox (backlog and failures) and the beat scheduler (when it last ran) — and answers JSON,
200 when all are up, else 503 naming what failed. Both are answered by the first middleware
(Alive), whatever the host. `manage.py ready [check ...]` runs the same checks in any container.
Without REDIS_URL (the embedded default) there is no Redis, worker or beat to check."""

import asyncio
import dataclasses
import datetime
from collections.abc import Collection

from asgiref.sync import async_to_sync, sync_to_async
from django.conf import settings
from django.db import DatabaseError
from django.http import HttpResponse
from django.utils import timezone
from health_check.base import HealthCheck
from health_check.checks import Database
from health_check.contrib.celery import Ping
from health_check.contrib.redis import Redis
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView
from redis.asyncio import Redis as RedisClient

from accounts.models import OutboundEmail
from common.heartbeat import beat_last_ran

BEAT_LATE = datetime.timedelta(minutes=5)  # it runs every minute
OUTBOX_LATE = datetime.timedelta(minutes=15)  # due this long and not sent: nothing is sending


def _outbox_counts() -> tuple[int, int]:
    failed = OutboundEmail.objects.filter(status=OutboundEmail.Status.FAILED).count()
    late = OutboundEmail.objects.filter(
        status=OutboundEmail.Status.PENDING, due_at__lt=timezone.now() - OUTBOX_LATE
    ).count()
    return failed, late


@dataclasses.dataclass
class Outbox(HealthCheck):
    async def run(self):
        try:
            # In the request's own thread (and database connection), as the pages read.
            failed, late = await sync_to_async(_outbox_counts)()
        except DatabaseError as error:
            raise ServiceUnavailable("not read: the database is unreachable") from error
        if failed or late:
            raise ServiceUnavailable(f"{failed} failed, {late} overdue by 15 minutes")


@dataclasses.dataclass
class Beat(HealthCheck):
    def run(self):
        last = beat_last_ran()
        if last is None:
            raise ServiceUnavailable("beat has not run")
        age = timezone.now() - last
        if age > BEAT_LATE:
            raise ServiceUnavailable(f"beat last ran {int(age.total_seconds())} s ago")


def dependencies() -> list:
    checks = [Database(), Outbox()]
    if settings.REDIS_URL:
        checks += [
            Redis(client_factory=lambda: RedisClient.from_url(settings.REDIS_URL, socket_timeout=2)),
            Ping(timeout=datetime.timedelta(seconds=2), limit=1),
            Beat(),
        ]
    return checks


def readiness(names: Collection[str] = ()) -> dict[str, str]:
    """/readyz's checks, or those of them named (Database, Outbox, Redis, Ping, Beat), run here:
    each one's state, "OK" or what failed."""
    checks = [check for check in dependencies() if not names or type(check).__name__ in names]
    results = async_to_sync(_results)(checks)
    return {repr(result.check): "OK" if result.error is None else str(result.error) for result in results}


async def _results(checks: list) -> list:
    return await asyncio.gather(*(check.get_result() for check in checks))


class ReadyView(HealthCheckView):
    """JSON whatever the Accept header, and 503 (not the library's 500) when a check fails."""

    def get_checks(self):
        yield from dependencies()

    async def get(self, request, *args, **kwargs):
        request.GET = request.GET.copy()
        request.GET["format"] = "json"
        return await super().get(request, *args, **kwargs)

    def render_to_response_json(self, status):
        return super().render_to_response_json(503 if status >= 500 else status)


ready = ReadyView.as_view()


class Alive:
    """Middleware, first of all: the operator's probes, answered before the host is checked
    (a probe from inside the container asks for 127.0.0.1, which production does not allow) or
    sent to HTTPS. /healthz answers "ok" as soon as the process does, touching nothing else;
    /readyz runs its checks."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == "/healthz":
            return HttpResponse("ok", content_type="text/plain")
        if request.path == "/readyz":
            return async_to_sync(ready)(request)
        return self.get_response(request)
