"""The audit log's one writer, and the audit record of a copy of personal data taken."""

from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from .. import audit_chain
from ..audit import AccountsAudit
from ..client import current_client_address
from ..models import AuditEvent, User


def audit_record(
    *,
    actor: User | None,
    target: Model,
    action: str,
    from_status: str = "",
    to_status: str = "",
    comment: str = "",
    reason: str = "",
) -> AuditEvent:
    """Append an audit event in the caller's transaction, chained onto the last one.

    The only writer of audit events: it snapshots the actor's username (which outlives the
    user) and hashes the event onto its predecessor's hash. The chain lock is held to commit,
    so concurrent writers chain one after the other (SQLite, for development, has one writer).
    """
    actor = actor if actor and actor.is_authenticated else None
    with transaction.atomic(savepoint=False):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [audit_chain.CHAIN_LOCK_ID])
        # Timed once the lock is held, so that times rise along the chain.
        event = AuditEvent(
            created_at=timezone.now(),
            actor=actor,
            actor_username=actor.get_username() if actor else "",
            client_address=current_client_address()[:45],
            target=target,
            action=action,
            from_status=from_status,
            to_status=to_status,
            comment=comment,
            reason=reason,
        )
        last = AuditEvent.objects.order_by("-pk").values_list("hash", flat=True).first()
        event.hash = audit_chain.event_hash(last or "", event)
        event.save(force_insert=True)
    return event


def data_export_record(*, actor: User, target: Model, kind: str) -> AuditEvent:
    """Audit an export or a file download holding personal data (PIPL: who took a copy of
    what): `target` is what it is about (a run, a proposal, the reader's organisation) and
    `kind` says which export or file."""
    return audit_record(actor=actor, target=target, action=AccountsAudit.DATA_EXPORTED, comment=kind)
