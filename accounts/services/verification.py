"""Ministry staff verify or reject an organisation; the daily count of those waiting for it."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import permissions
from ..errors import Conflict
from ..models import Employer, University, User, VerificationStatus
from ..notifications import notify_members
from ..outbox import email_queue
from .audit import audit_record
from .organisations import Organisation


def _change_status(
    *, actor: User, organisation: Organisation, to: str, allowed_from: set[str], reason: str = ""
) -> Organisation:
    if not permissions.can_verify_organisations(actor):
        raise PermissionDenied(_("Only ministry staff may verify organisations."))
    model, now = type(organisation), timezone.now()
    with transaction.atomic():
        # Locked: of two staff acting at once, the second sees the first one's decision.
        current = model.objects.select_for_update().get(pk=organisation.pk)
        if current.status not in allowed_from:
            raise Conflict(
                _("This organisation is already “%(status)s”.") % {"status": current.get_status_display()}
            )
        before = current.status
        current.status, current.status_reason, current.status_changed_at = to, reason, now
        current.save(update_fields=["status", "status_reason", "status_changed_at", "updated_at"])
        audit_record(actor=actor, target=current, action=to, from_status=before, to_status=to, comment=reason)
        notify_members(
            current,
            f"accounts/email/{to}",
            {"organisation": current.name, "reason": reason},
            url=reverse("accounts:dashboard"),
        )
    return current


def organisation_verify(*, actor: User, organisation: Organisation) -> Organisation:
    """Ministry staff verify a pending (or previously rejected) organisation; its members are
    told by email."""
    return _change_status(
        actor=actor,
        organisation=organisation,
        to=VerificationStatus.VERIFIED,
        allowed_from={VerificationStatus.PENDING, VerificationStatus.REJECTED},
    )


def organisation_reject(*, actor: User, organisation: Organisation, reason: str) -> Organisation:
    """Ministry staff reject a pending organisation, or revoke a verified one, always with a
    reason that its members receive by email."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the rejection.")})
    return _change_status(
        actor=actor,
        organisation=organisation,
        to=VerificationStatus.REJECTED,
        allowed_from={VerificationStatus.PENDING, VerificationStatus.VERIFIED},
        reason=reason,
    )


def verification_digest_send() -> int:
    """Email ministry staff how many organisations wait for verification; returns that count."""
    waiting = sum(
        model.objects.filter(status=VerificationStatus.PENDING).count() for model in (Employer, University)
    )
    if waiting:
        staff = User.objects.filter(
            Q(role=User.Role.MINISTRY) | Q(is_superuser=True), is_active=True
        ).exclude(email="")
        today = timezone.localdate().isoformat()
        with transaction.atomic():
            for user in staff:  # once a day each, however often this runs
                email_queue(
                    user=user,
                    template="accounts/email/pending_digest",
                    context={"waiting": waiting},
                    key=f"pending-digest:{today}:{user.pk}",
                )
    return waiting
