from celery import shared_task
from celery.signals import worker_ready
from django.db import transaction

from common.heartbeat import beat_ran

from . import outbox
from .models import User


@shared_task(acks_late=True)
def send_outbox_email(email_id: int) -> bool:
    """Send one outbox email (accounts/outbox.py retries it itself when it fails)."""
    return outbox.email_deliver(email_id)


@shared_task
def send_due_emails(from_beat: bool = False) -> int:
    """Send the outbox emails that are due: every minute from beat (which /readyz watches
    through it), and at every worker's start."""
    if from_beat:
        beat_ran()
    return outbox.emails_deliver_due()


@worker_ready.connect
def _send_due_at_start(sender, **kwargs):
    send_due_emails.delay()


@shared_task
def send_user_email(user_id: int, template: str, context: dict) -> None:
    """Kept for the tasks queued before the outbox: into the outbox with them."""
    user = User.objects.filter(pk=user_id).first()
    if user is not None:
        with transaction.atomic():
            outbox.email_queue(user=user, template=template, context=context)


@shared_task
def send_pending_verification_digest() -> int:
    from .services import verification_digest_send  # services enqueue this module's tasks

    return verification_digest_send()


@shared_task
def send_digest_email(user_id: int) -> None:
    """One email listing the user's notifications not yet emailed: marked emailed and written
    to the outbox in one transaction (a second delivery skips the rows this one holds)."""
    from .notifications import digest_compose  # notifications enqueues this module's tasks

    user = User.objects.filter(pk=user_id, is_active=True).exclude(email="").first()
    if user is None:
        return
    with transaction.atomic():
        lines = digest_compose(user)
        if lines:
            outbox.email_queue(user=user, template="accounts/email/digest", context={"lines": lines})


@shared_task
def send_notification_digests() -> int:
    from .notifications import notification_digest_send

    return notification_digest_send()


@shared_task(soft_time_limit=1500, time_limit=1600)  # thousands of items, each a service call
def run_bulk_job(job_id: int) -> str | None:
    """Take a bulk job's items (accounts/bulk.py)."""
    from . import bulk

    job = bulk.bulk_run(job_id)
    return job.status if job else None
