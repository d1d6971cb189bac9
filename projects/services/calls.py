from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.models import User
from accounts.services import audit_record

from ..audit import ProjectsAudit
from ..models import Call

CALL_FIELDS = {
    "name",
    "slug",
    "year",
    "description",
    "opens_at",
    "closes_at",
    "interest_closes_at",
    "brokering_closes_at",
    "ends_at",
    "max_proposals_per_employer",
    "max_interests_per_university",
    "revision_days",
}


def _check_fields(fields: Mapping) -> None:
    unknown = set(fields) - CALL_FIELDS
    if unknown:
        raise ValidationError({name: _("This field cannot be set.") for name in sorted(unknown)})


def call_create(*, actor: User, fields: Mapping) -> Call:
    """Ministry staff open a call round: name, slug, year, opens_at < closes_at, limits."""
    if not permissions.is_ministry(actor):
        raise PermissionDenied(_("Only ministry staff manage call rounds."))
    _check_fields(fields)
    call = Call(**fields)
    call.full_clean()
    with transaction.atomic():
        call.save()
        audit_record(actor=actor, target=call, action=ProjectsAudit.CALL_CREATED)
    return call


def call_update(*, actor: User, call: Call, fields: Mapping) -> Call:
    """Ministry staff change a call round, for instance extend its deadline."""
    if not permissions.is_ministry(actor):
        raise PermissionDenied(_("Only ministry staff manage call rounds."))
    _check_fields(fields)
    with transaction.atomic():
        call = Call.objects.select_for_update().get(pk=call.pk)
        before = call.closes_at
        for name, value in fields.items():
            setattr(call, name, value)
        call.full_clean()
        call.save()
        comment = ""
        if call.closes_at != before:
            comment = (
                f"closes_at {timezone.localtime(before).isoformat()} -> "
                f"{timezone.localtime(call.closes_at).isoformat()}"
            )
        audit_record(actor=actor, target=call, action=ProjectsAudit.CALL_UPDATED, comment=comment)
    return call
