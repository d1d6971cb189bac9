from datetime import timedelta

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from accounts.models import Employer
from accounts.notifications import notify_members

from ..models import Call, DraftReminder
from ..workflow import Status

REMINDER_DAYS = (7, 1)


def draft_reminders_send(now=None) -> int:
    """Email employers with unsubmitted drafts 7 days and 1 day before a call's deadline, each
    reminder once per employer and call (a unique row records it, so running twice sends
    nothing twice). Returns how many employers were reminded."""
    now = now or timezone.now()
    sent = 0
    for call in Call.objects.filter(
        opens_at__lte=now, closes_at__gt=now, closes_at__lte=now + timedelta(days=max(REMINDER_DAYS))
    ):
        days = min(d for d in REMINDER_DAYS if call.closes_at - now <= timedelta(days=d))
        employers = Employer.objects.filter(proposals__call=call, proposals__status=Status.DRAFT).distinct()
        deadline = date_format(timezone.localtime(call.closes_at), "Y-m-d H:i")
        for employer in employers:
            try:
                with transaction.atomic():
                    DraftReminder.objects.create(employer=employer, call=call, days_before=days)
                    notify_members(
                        employer,
                        "projects/email/draft_reminder",
                        {"call": call.name, "deadline": deadline, "days": days},
                        url=reverse("projects:dashboard"),
                    )
            except IntegrityError:
                continue  # already reminded (or a concurrent run just did it)
            sent += 1
    return sent
