"""A university's shortlist (收藏): its members add published projects and take them off."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.models import University, User
from accounts.services import audit_record

from ..audit import ProjectsAudit
from ..models import Proposal, ShortlistEntry
from ..workflow import Status


def _university_of(actor: User) -> University:
    university = actor.university if actor.is_authenticated else None
    if university is None or not permissions.is_verified_member(actor):
        raise PermissionDenied(_("Only verified universities keep a shortlist."))
    return university


def shortlist_add(*, actor: User, proposal: Proposal) -> ShortlistEntry:
    """A published project onto the university's shortlist; once only (adding it again is kept)."""
    university = _university_of(actor)
    if proposal.status != Status.PUBLISHED:
        raise ValidationError(_("Only a published project can be shortlisted."))
    existing = ShortlistEntry.objects.filter(university=university, proposal=proposal).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            entry = ShortlistEntry.objects.create(university=university, proposal=proposal, added_by=actor)
            audit_record(
                actor=actor, target=proposal, action=ProjectsAudit.SHORTLISTED, comment=university.name
            )
    except IntegrityError:  # another member added it at the same moment
        return ShortlistEntry.objects.get(university=university, proposal=proposal)
    return entry


def shortlist_remove(*, actor: User, proposal: Proposal) -> None:
    university = _university_of(actor)
    with transaction.atomic():
        removed, _rows = ShortlistEntry.objects.filter(university=university, proposal=proposal).delete()
        if removed:
            audit_record(
                actor=actor, target=proposal, action=ProjectsAudit.UNSHORTLISTED, comment=university.name
            )
