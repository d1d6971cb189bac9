"""Email through a transactional outbox: every email is a row written in the transaction of the
change that causes it, so it is sent if and only if that change commits, and a broker, worker
or mail server that is down only delays it.

Delivery: once the row commits a task sends it (email_deliver); a beat task and every worker
at start-up send whatever is due (emails_deliver_due), which covers a task that could not be
queued. A sender first takes the row for OUTBOX_LEASE (in a transaction of its own; longer than
a send task may run, accounts/checks.py), then sends, then marks it sent. A failure is retried
after 2, 4, 8... minutes; after MAX_ATTEMPTS it is marked failed (admin, health). Each email
reaches the mail server at least once. A sender that dies between the mail server accepting and
the marking leaves a row that is sent again once its lease ends: the only duplicate possible. It
carries the same Message-ID, so a server or client that drops duplicates by it can; many don't."""

import logging
import uuid
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import OutboundEmail, User

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
DUE_BATCH = 500


def email_queue(*, user: User, template: str, context: dict, key: str = "") -> OutboundEmail | None:
    """Write the email `template` renders for the user, in the user's language, into the outbox,
    in the caller's transaction; it is sent once that commits. Queueing the same `key` again
    adds nothing. None for a user who cannot receive email (inactive, or no address)."""
    if not (user.is_active and user.email):
        return None
    subject, body = _render(user, template, context)
    email, created = OutboundEmail.objects.get_or_create(
        key=key or uuid.uuid4().hex,
        defaults={"user": user, "to": user.email, "subject": subject, "body": body},
    )
    if created:
        from .tasks import send_outbox_email  # tasks call this module

        transaction.on_commit(lambda: send_outbox_email.delay(email.pk), robust=True)
    return email


def _render(user: User, template: str, context: dict) -> tuple[str, str]:
    context = {**context, "user": user, "portal_url": settings.PORTAL_URL}
    with translation.override(user.language):
        # One line, whatever a title holds: a line break in a header makes sending refuse it.
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        body = render_to_string(f"{template}.txt", context)
    return subject[:300], body


def email_deliver(email_id: int) -> bool:
    """Send one outbox email if it is due and nobody else holds it; True once it is sent."""
    now = timezone.now()
    with transaction.atomic():
        email = (
            OutboundEmail.objects.select_for_update(skip_locked=True)
            .filter(pk=email_id, status=OutboundEmail.Status.PENDING, due_at__lte=now)
            .first()
        )
        if email is None:
            return False
        email.attempts += 1
        email.due_at = now + settings.OUTBOX_LEASE  # taken: committed before sending, so no
        # other sender sends it; if this one dies, the email goes again once the lease ends
        email.save(update_fields=["attempts", "due_at"])
    try:
        EmailMessage(
            email.subject, email.body, to=[email.to], headers={"Message-ID": message_id(email)}
        ).send()
    except Exception as error:  # any failure of the mail server or its connection: retried
        _failed(email, error)
        return False
    OutboundEmail.objects.filter(pk=email.pk).update(
        status=OutboundEmail.Status.SENT, sent_at=timezone.now(), last_error=""
    )
    return True


def message_id(email: OutboundEmail) -> str:
    return f"<{email.key}@{urlsplit(settings.PORTAL_URL).hostname or 'localhost'}>"


def _failed(email: OutboundEmail, error: Exception) -> None:
    logger.warning("outbox email %s, attempt %s: %s", email.pk, email.attempts, error)
    update = {
        "last_error": f"{type(error).__name__}: {error}"[:2000],
        "due_at": timezone.now() + timedelta(minutes=2**email.attempts),
    }
    if email.attempts >= MAX_ATTEMPTS:
        update["status"] = OutboundEmail.Status.FAILED
    OutboundEmail.objects.filter(pk=email.pk).update(**update)


def emails_deliver_due() -> int:
    """Send every outbox email that is due (at most DUE_BATCH at a time); returns how many."""
    due = (
        OutboundEmail.objects.filter(status=OutboundEmail.Status.PENDING, due_at__lte=timezone.now())
        .order_by("due_at")
        .values_list("pk", flat=True)[:DUE_BATCH]
    )
    return sum(email_deliver(pk) for pk in list(due))
