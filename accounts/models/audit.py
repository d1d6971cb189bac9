"""The audit log: one append-only, hash-chained event per change (see accounts/audit_chain.py)."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common import audit

from ..audit import AccountsAudit


class AuditEvent(models.Model):
    """Who did what to which object, when: written in the same transaction as the change, only
    through accounts.services.audit_record, which chains each event's hash onto the one before.

    Retention (MLPS 2.0 level 3): kept at least 180 days and never deleted by the portal; on
    PostgreSQL a trigger (migration 0007) refuses every UPDATE and DELETE of a row.
    """

    # Set by audit_record before hashing (auto_now_add would overwrite it on save).
    created_at = models.DateTimeField(_("time"), default=timezone.now, editable=False, db_index=True)
    # The row keeps the id of a deleted user (no SET_NULL: the table is append-only, and the id
    # is hashed); actor_username keeps who it was.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_username = models.CharField(_("actor's username"), max_length=150, blank=True, editable=False)
    # The request's client (accounts/client.py); blank for a task or a command. Text, not inet:
    # hashed as written, it must read back the same.
    client_address = models.CharField(_("client address"), max_length=45, blank=True, editable=False)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    action = models.CharField(_("action"), max_length=32)
    from_status = models.CharField(_("from"), max_length=32, blank=True)
    to_status = models.CharField(_("to"), max_length=32, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    reason = models.CharField(_("reason"), max_length=32, blank=True)
    hash = models.CharField(_("hash"), max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["content_type", "object_id"]),
            models.Index(
                fields=["actor", "created_at"],
                condition=Q(action=AccountsAudit.CONTACT_VIEWED),
                name="audit_contact_viewed",
            ),
        ]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.action} {self.from_status}→{self.to_status}"

    @property
    def actor_name(self) -> str:
        """The actor's username; once the user is deleted, the one recorded with the event."""
        return self.actor.get_username() if self.actor_present else self.actor_username

    @property
    def actor_present(self) -> bool:
        """Whether the actor still exists (the row keeps a deleted user's id)."""
        try:
            return self.actor is not None
        except ObjectDoesNotExist:
            return False

    @property
    def action_label(self) -> str:
        return audit.action_label(self.action)

    @property
    def from_label(self) -> str:
        return audit.status_label(self.from_status)

    @property
    def to_label(self) -> str:
        return audit.status_label(self.to_status)
