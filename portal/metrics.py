"""Prometheus metrics at /metrics, for localhost or a bearer METRICS_TOKEN: requests, latencies
and database queries from django-prometheus (per process; with several gunicorn workers set
PROMETHEUS_MULTIPROC_DIR), and the portal's own figures read from the database at each scrape,
so every process tells the same: the email outbox, submissions and lockouts in the last hour,
matching runs by status and the last run's duration; and Celery's tasks, counted by the workers
(portal/task_metrics.py)."""

from datetime import timedelta
from hmac import compare_digest

import prometheus_client
from django.conf import settings
from django.db.models import Count
from django.http import HttpResponse, HttpResponseForbidden
from django.utils import timezone
from django_prometheus.exports import ExportToDjangoView
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from accounts.audit import AccountsAudit
from accounts.client import client_address
from accounts.models import AuditEvent, OutboundEmail
from matching.models import MatchRun
from projects.models import Proposal

from .task_metrics import task_figures

LOCAL = {"127.0.0.1", "::1"}


class PortalCollector:
    def collect(self):
        hour_ago = timezone.now() - timedelta(hours=1)
        outbox = GaugeMetricFamily("portal_outbox_emails", "Outbox emails by status.", labels=["status"])
        counts = dict(OutboundEmail.objects.values_list("status").annotate(n=Count("pk")))
        for status in OutboundEmail.Status.values:
            outbox.add_metric([status], counts.get(status, 0))
        yield outbox
        yield GaugeMetricFamily(
            "portal_submissions_last_hour",
            "Proposals submitted in the last hour.",
            value=Proposal.objects.filter(submitted_at__gte=hour_ago).count(),
        )
        yield GaugeMetricFamily(
            "portal_lockouts_last_hour",
            "Sign-in lockouts in the last hour.",
            value=AuditEvent.objects.filter(
                action=AccountsAudit.LOCKED_OUT, created_at__gte=hour_ago
            ).count(),
        )
        runs = GaugeMetricFamily("portal_matching_runs", "Matching runs by status.", labels=["status"])
        counts = dict(MatchRun.objects.values_list("status").annotate(n=Count("pk")))
        for status in MatchRun.Status.values:
            runs.add_metric([status], counts.get(status, 0))
        yield runs
        last = (
            MatchRun.objects.filter(status=MatchRun.Status.SUCCEEDED, started_at__isnull=False)
            .order_by("-finished_at")
            .values_list("started_at", "finished_at")
            .first()
        )
        yield GaugeMetricFamily(
            "portal_matching_last_run_seconds",
            "The last succeeded run's duration.",
            value=(last[1] - last[0]).total_seconds() if last else 0,
        )
        yield from _tasks()


def _tasks():
    counts = CounterMetricFamily(
        "portal_celery_tasks", "Celery tasks run, by outcome.", labels=["task", "state"]
    )
    seconds = CounterMetricFamily("portal_celery_task_seconds", "Seconds Celery tasks took.", labels=["task"])
    for key, value in sorted(task_figures().items()):
        name, what = key.rsplit("|", 1)
        if what == "seconds":
            seconds.add_metric([name], value)
        else:
            counts.add_metric([name, what], value)
    yield counts
    yield seconds


PORTAL = prometheus_client.CollectorRegistry()
PORTAL.register(PortalCollector())


def metrics(request):
    """/metrics: django-prometheus's, then the portal's own."""
    token = settings.METRICS_TOKEN
    given = request.headers.get("Authorization", "").removeprefix("Bearer ")
    if client_address(request) not in LOCAL and not (token and compare_digest(given, token)):
        return HttpResponseForbidden("metrics: from localhost, or with the bearer token\n")
    response = ExportToDjangoView(request)
    return HttpResponse(
        response.content + prometheus_client.generate_latest(PORTAL),
        content_type=prometheus_client.CONTENT_TYPE_LATEST,
    )
