"""Drafting: create and edit a proposal, its focus areas and attachments."""

import os
from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.models import FocusArea, User
from accounts.services import audit_record
from accounts.validators import validate_pdf

from .. import search, workflow
from ..audit import ProjectsAudit
from ..models import Attachment, Call, Proposal, ProposalArea

MAX_ATTACHMENTS = 5
# Content fields an employer may set; status, dates and flags belong to the workflow.
EDITABLE_FIELDS = frozenset(
    {
        "project_type",
        "title",
        "summary",
        "description",
        "student_places",
        "partners_sought",
        "host_province",
        "host_city",
        "duration_months",
        "funding_cny",
        "in_kind_support",
        "contact_person",
        "contact_phone",
        "contact_email",
        "training_hours",
        "internship_places_per_year",
        "trainees",
    }
)


def _check_owner(actor: User, proposal: Proposal) -> None:
    if not permissions.belongs_to(actor, proposal.employer):
        raise PermissionDenied(_("Only the employer that wrote this proposal may change it."))
    if not permissions.is_verified_member(actor):
        raise PermissionDenied(_("Your organisation must be verified first."))


def _check_editable(proposal: Proposal) -> None:
    if proposal.status not in workflow.EDITABLE:
        raise ValidationError(_("Only drafts and proposals returned for revision can be edited."))


def search_document(proposal: Proposal) -> str:
    return search.document(proposal.title, proposal.summary, proposal.description, proposal.employer.name)


def parse_areas(areas: Mapping) -> dict[FocusArea, float]:
    """{area_code: relative weight > 0} -> {FocusArea: weight}, the weights summing to 1."""
    if not isinstance(areas, Mapping):
        raise ValidationError({"areas": _("Give focus areas as {area code: weight}.")})
    found = {a.code: a for a in FocusArea.objects.filter(code__in=[str(c) for c in areas])}
    errors = [_("Unknown focus area “%(code)s”.") % {"code": c} for c in areas if c not in found]
    weights = {}
    for code, weight in areas.items():
        if isinstance(weight, bool) or not isinstance(weight, int | float) or not 0 <= weight <= 100:
            errors.append(_("The weight of “%(code)s” must be a number from 0 to 100.") % {"code": code})
        elif code in found and weight > 0:
            weights[found[code]] = float(weight)
    if errors:
        raise ValidationError({"areas": errors})
    total = sum(weights.values())
    return {area: weight / total for area, weight in weights.items()}


def _set_areas(proposal: Proposal, areas: dict[FocusArea, float]) -> None:
    proposal.area_weights.all().delete()
    ProposalArea.objects.bulk_create(
        ProposalArea(proposal=proposal, area=area, weight=weight) for area, weight in areas.items()
    )


def _apply(proposal: Proposal, fields: Mapping) -> None:
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError({name: _("This field cannot be set.") for name in unknown})
    for name, value in fields.items():
        setattr(proposal, name, value)
    proposal.full_clean(exclude=["employer", "call"])
    proposal.search_document = search_document(proposal)


def proposal_create(*, actor: User, call: Call, fields: Mapping, areas: Mapping | None = None) -> Proposal:
    """A verified employer starts a draft in a call that has not closed. A draft needs only a
    type and a title; everything else is checked on submission."""
    employer = actor.employer if actor.is_authenticated else None
    if employer is None:
        raise PermissionDenied(_("Only employers write proposals."))
    if not permissions.is_verified_member(actor):
        raise PermissionDenied(_("Your organisation must be verified first."))
    if not call.accepts_drafts():
        raise ValidationError({"call": _("The call “%(call)s” has closed.") % {"call": call}})
    proposal = Proposal(employer=employer, call=call)
    _apply(proposal, fields)
    parsed = parse_areas(areas) if areas is not None else {}
    with transaction.atomic():
        proposal.save()
        _set_areas(proposal, parsed)
        audit_record(
            actor=actor, target=proposal, action=ProjectsAudit.PROPOSAL_CREATED, to_status=proposal.status
        )
    return proposal


def proposal_update(
    *, actor: User, proposal: Proposal, fields: Mapping, areas: Mapping | None = None
) -> Proposal:
    """The employer edits a draft or a returned proposal, even after the deadline (only
    submitting is refused then). A proposal under review or decided cannot be edited."""
    _check_owner(actor, proposal)
    parsed = parse_areas(areas) if areas is not None else None
    with transaction.atomic():
        # Locked, so a reviewer's decision cannot interleave with an edit.
        stored = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if stored.status not in workflow.EDITABLE:
            raise ValidationError(_("Only drafts and proposals returned for revision can be edited."))
        before = {name: getattr(stored, name) for name in fields}
        _apply(stored, fields)
        stored.save()
        changed = sorted(name for name, value in before.items() if getattr(stored, name) != value)
        if parsed is not None:
            _set_areas(stored, parsed)
            changed.append("areas")
        audit_record(
            actor=actor, target=stored, action=ProjectsAudit.PROPOSAL_EDITED, comment=", ".join(changed)
        )
    return stored


def attachment_add(*, actor: User, proposal: Proposal, upload: UploadedFile) -> Attachment:
    """Attach a PDF (checked by its content, not its name) of at most 10 MB; at most 5."""
    _check_owner(actor, proposal)
    try:
        validate_pdf(upload)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from None
    name = os.path.basename(upload.name or "attachment.pdf")[-200:]
    with transaction.atomic():
        # Locked and read afresh: one upload at a time counts, and the caller's copy may be
        # stale (submitted meanwhile from another tab).
        _check_editable(Proposal.objects.select_for_update().get(pk=proposal.pk))
        if proposal.attachments.count() >= MAX_ATTACHMENTS:
            raise ValidationError({"file": _("A proposal may have at most 5 attachments.")})
        attachment = Attachment(proposal=proposal, name=name, size=upload.size or 0)
        attachment.file.save(name, upload, save=False)
        attachment.save()
        audit_record(actor=actor, target=proposal, action=ProjectsAudit.ATTACHMENT_ADDED, comment=name)
    return attachment


def attachment_remove(*, actor: User, attachment: Attachment) -> None:
    _check_owner(actor, attachment.proposal)
    with transaction.atomic():
        _check_editable(Proposal.objects.select_for_update().get(pk=attachment.proposal_id))
        attachment.file.delete(save=False)
        attachment.delete()
        audit_record(
            actor=actor,
            target=attachment.proposal,
            action=ProjectsAudit.ATTACHMENT_REMOVED,
            comment=attachment.name,
        )


def proposal_progress_record(*, proposal: Proposal, partners_confirmed: int, stage: str) -> None:
    """Record how many partners a published project has confirmed and the stage its
    introductions have reached; the matching app calls this under the project's lock."""
    Proposal.objects.filter(pk=proposal.pk).update(partners_confirmed=partners_confirmed, stage=stage)
    proposal.partners_confirmed, proposal.stage = partners_confirmed, stage
