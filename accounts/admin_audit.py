"""Edits made in Django's admin, in the audit log: its LogEntry says what changed, and each one
also lands in the chain, filed under the edited object, in the admin's own transaction."""

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.core.exceptions import ObjectDoesNotExist
from django.db.models.signals import post_save
from django.dispatch import receiver

from .models import ADMIN_CHANGE
from .services import audit_record

FLAGS = {ADDITION: "added", CHANGE: "changed", DELETION: "deleted"}


@receiver(post_save, sender=LogEntry)
def _admin_changed(sender, instance: LogEntry, created: bool, raw: bool = False, **kwargs):
    # The admin logs a deletion before it deletes, so the object is still there then; a bulk
    # deletion is logged with bulk_create, which sends no signal.
    if not created or raw:
        return
    try:
        target = instance.get_edited_object()
    except (ObjectDoesNotExist, AttributeError):
        return
    # Audit targets are integer keys; an object keyed otherwise (an API token) keeps its LogEntry.
    if not isinstance(target.pk, int):
        return
    comment = f"{FLAGS.get(instance.action_flag, '')}: {instance.get_change_message()}"
    audit_record(actor=instance.user, target=target, action=ADMIN_CHANGE, comment=comment)
