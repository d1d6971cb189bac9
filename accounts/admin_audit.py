"""Edits made in Django's admin, in the audit log: its LogEntry says what changed, and each one
also lands in the chain, filed under the edited object, in the admin's own transaction."""

from django.contrib import admin
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from .audit import AccountsAudit
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
    comment = f"{FLAGS.get(instance.action_flag, '')}: {instance.get_change_message()}"
    _record(instance.user, target, comment)


def _record(actor, target, comment: str) -> None:
    # Audit targets are integer keys; an object keyed otherwise (an API token) keeps its LogEntry.
    if isinstance(target.pk, int):
        audit_record(actor=actor, target=target, action=AccountsAudit.ADMIN_CHANGE, comment=comment)


@admin.action(permissions=["delete"], description=delete_selected.short_description)
def delete_selected_audited(modeladmin, request, queryset):
    """Django's "delete selected" on every admin page, audited: Django logs a deletion of one
    object with save(), which the receiver above audits, but of several with bulk_create, which
    sends no signal; those are audited here, each, once they are deleted."""
    targets = list(queryset) if request.POST.get("post") else []
    with transaction.atomic():
        response = delete_selected(modeladmin, request, queryset)
        if response is None and len(targets) > 1:  # confirmed and deleted
            for target in targets:
                _record(request.user, target, f"{FLAGS[DELETION]}: {target}")
    return response


admin.site.add_action(delete_selected_audited, "delete_selected")
