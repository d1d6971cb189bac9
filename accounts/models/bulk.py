"""Bulk work: one action taken on many items (approve 300 proposals, send 591 introductions),
each item through the same service as one at a time, with a result per item."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .base import TimeStampedModel


class BulkJob(TimeStampedModel):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        FINISHED = "finished", _("Finished")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="bulk_jobs"
    )
    action = models.CharField(_("action"), max_length=64)  # a key of accounts.bulk.ACTIONS
    params = models.JSONField(_("parameters"), default=dict, blank=True)  # comment, reason, message
    items = models.JSONField(_("items"), default=list)  # the items' ids, in the order they are taken
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    # The language of the page it was started from: the refusals' reasons are written in it.
    language = models.CharField(_("language"), max_length=10, default=settings.LANGUAGE_CODE)
    done = models.PositiveIntegerField(_("done"), default=0)
    succeeded = models.PositiveIntegerField(_("succeeded"), default=0)
    # One row per item taken: {"label", "url", "ok", "reason"}.
    results = models.JSONField(_("results"), default=list, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("bulk job")
        verbose_name_plural = _("bulk jobs")

    def __str__(self) -> str:
        return f"{self.action} × {len(self.items)}"

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100

    @property
    def failed(self) -> int:
        return self.done - self.succeeded
