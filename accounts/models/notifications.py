"""The in-portal inbox (accounts/notifications.py writes and reads it)."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """An entry in a user's in-portal inbox. Its text is rendered from `template` when shown, in
    the reader's language; `url` is where the person acts on it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    template = models.CharField(max_length=100)
    context = models.JSONField(default=dict)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("emailed"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["user", "-created_at"]),
            models.Index(fields=["user"], condition=Q(read_at__isnull=True), name="notification_unread"),
            models.Index(
                fields=["user"], condition=Q(emailed_at__isnull=True), name="notification_unemailed"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.template}"
