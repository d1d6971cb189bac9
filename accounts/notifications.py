"""The in-portal inbox and the emails that go with it: every event that asks a person to act
lands in their inbox and is emailed, at once or in a daily digest, as each user chose."""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import Notification, Organisation, User
from .outbox import email_queue
from .tasks import send_digest_email


def notify_users(user_ids: Iterable[int], template: str, context: dict, url: str = "") -> None:
    """Put a notification in each user's inbox and its email in the outbox, in the caller's
    transaction (the email goes once it commits), unless the user takes the daily digest."""
    users = list(User.objects.filter(pk__in=list(user_ids), is_active=True))
    now = timezone.now()
    Notification.objects.bulk_create(
        Notification(
            user=user,
            template=template,
            context=context,
            url=url,
            emailed_at=None if user.email_digest else now,
        )
        for user in users
    )
    for user in users:
        if not user.email_digest:
            email_queue(user=user, template=template, context={**context, "url": url})


def notify_members(organisation: Organisation, template: str, context: dict, url: str = "") -> None:
    """Notify every active member of the organisation."""
    notify_users(organisation.users.values_list("pk", flat=True), template, context, url)


def notify_ministry(template: str, context: dict, url: str = "") -> None:
    """Notify every active ministry staff member."""
    staff = User.objects.filter(Q(role=User.Role.MINISTRY) | Q(is_superuser=True))
    notify_users(staff.values_list("pk", flat=True), template, context, url)


def notification_list_for(*, user: User, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's own notifications, newest first: nobody sees another person's inbox."""
    notifications = Notification.objects.filter(user=user)
    return notifications.filter(read_at__isnull=True) if unread_only else notifications


def notification_unread_count(user: User) -> int:
    """How many of the user's notifications are unread (counted on the partial index)."""
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notification_text(notification: Notification) -> str:
    """The notification's one-line text, in the active language."""
    return " ".join(render_to_string(f"{notification.template}_subject.txt", notification.context).split())


def notification_mark_read(*, actor: User, public_ids: Iterable | None = None) -> int:
    """Mark the actor's own notifications read (all unread ones when no ids are given)."""
    unread = Notification.objects.filter(user=actor, read_at__isnull=True)
    if public_ids is not None:
        unread = unread.filter(public_id__in=list(public_ids))
    return unread.update(read_at=timezone.now())


def notification_digest_send() -> int:
    """Email each user the notifications not yet emailed; returns the users emailed."""
    # Not limited to today's digest users: whoever left the digest since gets what it still held.
    user_ids = set(
        Notification.objects.filter(emailed_at__isnull=True, user__is_active=True)
        .exclude(user__email="")
        .values_list("user_id", flat=True)
    )
    for user_id in user_ids:
        send_digest_email.delay(user_id)
    return len(user_ids)


def digest_compose(user: User) -> list[dict]:
    """The lines of a user's digest, in the user's language; marks them emailed."""
    with transaction.atomic():
        pending = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(user=user, emailed_at__isnull=True)
            .order_by("created_at")
        )
        with translation.override(user.language):
            lines = [{"text": notification_text(n), "url": n.url, "time": n.created_at} for n in pending]
        Notification.objects.filter(pk__in=[n.pk for n in pending]).update(emailed_at=timezone.now())
    return lines
