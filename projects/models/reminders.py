"""The record of draft reminders sent to employers before a call's deadline."""

from django.db import models

from accounts.models import Employer

from .calls import Call


class DraftReminder(models.Model):
    """One row per (employer, call, days before the deadline): the reminder was sent."""

    employer = models.ForeignKey(Employer, on_delete=models.CASCADE, related_name="+")
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="+")
    days_before = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["employer", "call", "days_before"], name="one_reminder_per_employer_call_and_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employer_id}/{self.call_id}: {self.days_before}"
