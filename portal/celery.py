import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    task_ignore_result=True,  # tasks that feed a chord keep theirs, in Redis
    result_expires=3600,
    task_eager_propagates=True,
    broker_connection_retry_on_startup=True,
)
app.autodiscover_tasks()

# The periodic tasks `celery beat` sends (one beat process, compose's `beat`), in TIME_ZONE.
app.conf.beat_schedule = {
    "send-due-emails": {  # the outbox: what a task could not send, or a retry that is due
        "task": "accounts.tasks.send_due_emails",
        "schedule": crontab(minute="*"),
        "kwargs": {"from_beat": True},
    },
    "pending-verification-digest": {
        "task": "accounts.tasks.send_pending_verification_digest",
        "schedule": crontab(hour=8, minute=30),
    },
    "notification-digests": {
        "task": "accounts.tasks.send_notification_digests",
        "schedule": crontab(hour=7, minute=0),
    },
    "expire-introductions": {
        "task": "matching.tasks.expire_introductions",
        "schedule": crontab(minute=15),
    },
    "draft-reminders": {
        "task": "projects.tasks.send_draft_reminders",
        "schedule": crontab(minute=5),
    },
    "sweep-stuck-match-runs": {
        "task": "matching.tasks.sweep_stuck_match_runs",
        "schedule": crontab(minute="*/5"),
    },
    "saved-search-digests": {
        "task": "projects.tasks.send_saved_search_digests",
        "schedule": crontab(day_of_week="mon", hour=8, minute=0),
    },
}

from . import task_metrics  # noqa: E402, F401  (its signal receivers: task counts for /metrics)
