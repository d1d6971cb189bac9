from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from .models import User


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5, acks_late=True)
def send_user_email(user_id: int, template: str, context: dict) -> None:
    """Render `template` in the user's own language and email it. Retried on SMTP failures."""
    user = User.objects.filter(pk=user_id, is_active=True).exclude(email="").first()
    if user is not None:
        _send(user, template, context)


def _send(user: User, template: str, context: dict) -> None:
    context = {**context, "user": user, "portal_url": settings.PORTAL_URL}
    with translation.override(user.language):
        # One line, whatever a title holds: a line break in a header makes send_mail refuse it.
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        body = render_to_string(f"{template}.txt", context)
    send_mail(subject, body, None, [user.email])


@shared_task
def send_pending_verification_digest() -> int:
    from .services import verification_digest_send  # services enqueue this module's tasks

    return verification_digest_send()


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_digest_email(user_id: int) -> None:
    """One email listing the user's notifications not yet emailed."""
    from .notifications import digest_compose  # notifications enqueues this module's tasks

    user = User.objects.filter(pk=user_id, is_active=True).exclude(email="").first()
    if user is None:
        return
    # Sent before the lines are committed as emailed: when SMTP fails they stay pending and the
    # retry sends them; a second delivery skips the rows this one holds locked.
    with transaction.atomic():
        lines = digest_compose(user)
        if lines:
            _send(user, "accounts/email/digest", {"lines": lines})


@shared_task
def send_notification_digests() -> int:
    from .notifications import notification_digest_send

    return notification_digest_send()
