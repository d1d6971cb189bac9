"""The workflow's transitions: submit, withdraw, approve (publish), return, reject."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.errors import Conflict
from accounts.models import Employer, ProjectType, User
from accounts.notifications import notify_members
from accounts.services import audit_record

from .. import compliance, workflow
from ..models import CompliancePhrase, Proposal, RejectionReason
from ..workflow import Action, Status
from .proposals import search_document

# What a proposal must have, besides a title and type, to be submitted.
SUBMIT_REQUIRED = [
    "summary",
    "description",
    "student_places",
    "partners_sought",
    "host_province",
    "host_city",
    "duration_months",
    "contact_person",
    "contact_phone",
    "contact_email",
]
TYPE_FIELDS = {
    ProjectType.DIRECTED_TRAINING: ["training_hours"],
    ProjectType.INTERNSHIP_BASE: ["internship_places_per_year"],
    ProjectType.WORKFORCE_DEVELOPMENT: ["training_hours", "trainees"],
}


def _check_allowed(actor: User, proposal: Proposal, action: str) -> str:
    """The status the action leads to, if the table has the row and the actor may take it."""
    step = workflow.transition(proposal.status, action)
    if step is None:
        raise Conflict(
            _("“%(action)s” is not possible while the proposal is “%(status)s”.")
            % {"status": proposal.get_status_display(), "action": Action(action).label}
        )
    new_status, who = step
    if who == workflow.MINISTRY and not permissions.is_ministry(actor):
        raise PermissionDenied(_("Only ministry staff review proposals."))
    if who == workflow.OWNER and not permissions.belongs_to(actor, proposal.employer):
        raise PermissionDenied(_("Only the employer that wrote this proposal may do this."))
    return new_status


def _transition(
    *,
    actor: User,
    proposal: Proposal,
    action: str,
    comment: str = "",
    reason: str = "",
    updates: dict | None = None,
    email: str = "",
    email_context: dict | None = None,
) -> Proposal:
    """Apply one row of the workflow table: permission, compare-and-set, audit, email."""
    new_status = _check_allowed(actor, proposal, action)
    was = proposal.status
    with transaction.atomic():
        # Compare-and-set: of two clicks or two reviewers, exactly one moves the proposal on.
        if not workflow.PROPOSAL.move(proposal, to=new_status, updates=updates):
            raise Conflict(_("This proposal was changed meanwhile; reload the page and try again."))
        audit_record(
            actor=actor,
            target=proposal,
            action=action,
            from_status=was,
            to_status=new_status,
            comment=comment,
            reason=reason,
        )
        if email:
            notify_members(
                proposal.employer,
                email,
                {
                    "title": proposal.title,
                    "comment": comment,
                    "proposal_id": str(proposal.public_id),
                    **(email_context or {}),
                },
                url=reverse("projects:proposal-detail", args=[proposal.public_id]),
            )
    proposal.refresh_from_db()
    return proposal


def _missing_fields(proposal: Proposal) -> dict[str, str]:
    required = SUBMIT_REQUIRED + TYPE_FIELDS[ProjectType(proposal.project_type)]
    missing = {
        name: _("Required to submit.")
        for name in required
        if getattr(proposal, name) is None or str(getattr(proposal, name)).strip() == ""
    }
    if not proposal.area_weights.exists():
        missing["areas"] = _("Choose at least one focus area.")
    if not proposal.funding_cny and not proposal.in_kind_support.strip():
        missing["funding_cny"] = _("Offer funding, in-kind support, or both.")
    if (
        proposal.student_places
        and proposal.partners_sought
        and proposal.partners_sought > proposal.student_places
    ):
        missing["partners_sought"] = _("Cannot seek more partner universities than student places.")
    return missing


def resubmission_deadline(proposal: Proposal):
    """The last moment a returned proposal may be resubmitted: the end of the call's revision
    window after the return, or the call's deadline if that is later."""
    if proposal.returned_at is None:  # not returned: only the call's own deadline
        return proposal.call.closes_at
    window_ends = proposal.returned_at + timedelta(days=proposal.call.revision_days)
    return max(window_ends, proposal.call.closes_at)


def _beijing(moment) -> str:
    return date_format(timezone.localtime(moment), "Y-m-d H:i:s")


def _check_deadline(proposal: Proposal, now) -> None:
    call = proposal.call
    # Deadlines are exact to the second: 23:59:59.4 is still 23:59:59.
    now = now.replace(microsecond=0)
    if proposal.status == Status.RETURNED and proposal.returned_at:
        last = resubmission_deadline(proposal)
        if now <= last:
            return
        raise ValidationError(
            _("The revision window closed at %(time)s (Beijing time).") % {"time": _beijing(last)}
        )
    if now < call.opens_at:
        raise ValidationError(
            _("The call “%(call)s” opens at %(time)s (Beijing time).")
            % {"call": call, "time": _beijing(call.opens_at)}
        )
    if now > call.closes_at:
        raise ValidationError(
            _("The call “%(call)s” closed at %(time)s (Beijing time); proposals can no longer be submitted.")
            % {"call": call, "time": _beijing(call.closes_at)}
        )


def _check_limit(proposal: Proposal) -> None:
    limit = proposal.call.max_proposals_per_employer
    if limit is None:
        return
    others = (
        Proposal.objects.filter(employer=proposal.employer, call=proposal.call)
        .exclude(status__in=[Status.DRAFT, Status.WITHDRAWN])
        .exclude(pk=proposal.pk)
        .count()
    )
    if others >= limit:
        raise ValidationError(
            _("An employer may submit at most %(limit)d proposals in this call.") % {"limit": limit}
        )


def compliance_flags(proposal: Proposal) -> list[dict]:
    """The program's rules that the proposal's text may break, for the reviewer to judge: the
    active phrases staff keep in the admin, then the patterns of projects/compliance.py."""
    texts = [proposal.title, proposal.summary, proposal.description, proposal.in_kind_support]
    phrases = CompliancePhrase.objects.filter(active=True).values_list("rule", "phrase")
    return compliance.flags(texts, phrases)


def proposal_submit(*, actor: User, proposal: Proposal) -> Proposal:
    """The employer submits a draft (or resubmits a returned proposal) for review: only before
    the call's deadline, or within the revision window after a return; only when every field
    the program needs is filled; within the call's limit per employer. Text that suggests a
    breach of the program's rules is flagged for the reviewer."""
    if not permissions.is_verified_member(actor):
        raise PermissionDenied(_("Your organisation must be verified first."))
    now = timezone.now()
    with transaction.atomic():
        # One submission per employer at a time, so two cannot both slip under the limit.
        Employer.objects.select_for_update().get(pk=proposal.employer_id)
        proposal.refresh_from_db()
        # State and permission first: a stale page clicked after the deadline is told the
        # proposal is already submitted, and nobody else learns what the draft lacks.
        _check_allowed(actor, proposal, Action.SUBMIT)
        _check_deadline(proposal, now)
        if missing := _missing_fields(proposal):
            raise ValidationError(missing)
        _check_limit(proposal)
        return _transition(
            actor=actor,
            proposal=proposal,
            action=Action.SUBMIT,
            updates={"submitted_at": now, "flags": compliance_flags(proposal)},
            email="projects/email/submitted",
        )


def proposal_withdraw(*, actor: User, proposal: Proposal, comment: str = "") -> Proposal:
    """The employer withdraws a proposal that is not yet decided."""
    return _transition(actor=actor, proposal=proposal, action=Action.WITHDRAW, comment=comment)


def proposal_approve(*, actor: User, proposal: Proposal, comment: str = "") -> Proposal:
    """Ministry staff approve a submitted proposal, which publishes it."""
    return _transition(
        actor=actor,
        proposal=proposal,
        action=Action.APPROVE,
        comment=comment,
        updates={"decided_at": timezone.now(), "search_document": search_document(proposal)},
        email="projects/email/approved",
    )


def proposal_return(*, actor: User, proposal: Proposal, comment: str) -> Proposal:
    """Ministry staff return a submitted proposal for revision, saying what to fix; the
    employer may resubmit within the call's revision window even after the deadline."""
    _check_allowed(actor, proposal, Action.RETURN)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("Say what the employer should fix.")})
    now = timezone.now()
    # The same rule as resubmission_deadline(), for the return about to be recorded.
    window_ends = timezone.localtime(
        max(now + timedelta(days=proposal.call.revision_days), proposal.call.closes_at)
    )
    return _transition(
        actor=actor,
        proposal=proposal,
        action=Action.RETURN,
        comment=comment,
        updates={"returned_at": now},
        email="projects/email/returned",
        email_context={"resubmit_by": date_format(window_ends, "Y-m-d H:i")},
    )


def proposal_reject(*, actor: User, proposal: Proposal, reason: str, comment: str = "") -> Proposal:
    """Ministry staff reject a submitted proposal, always with a structured reason, and with a
    comment when the reason is "other"."""
    _check_allowed(actor, proposal, Action.REJECT)
    if reason not in RejectionReason.values:
        raise ValidationError({"reason": _("Choose the reason for the rejection.")})
    if reason == RejectionReason.OTHER and not (comment or "").strip():
        raise ValidationError({"comment": _("Explain the reason.")})
    return _transition(
        actor=actor,
        proposal=proposal,
        action=Action.REJECT,
        comment=comment,
        reason=reason,
        updates={"decided_at": timezone.now()},
        email="projects/email/rejected",
        email_context={"reason": reason},
    )


def proposal_bulk_approve(*, actor: User, proposals) -> tuple[int, int]:
    """Approve each submitted proposal of the selection on its own; returns (approved, skipped)."""
    if not permissions.is_ministry(actor):
        raise PermissionDenied(_("Only ministry staff review proposals."))
    approved = skipped = 0
    for proposal in proposals.select_related("employer", "call"):
        try:
            proposal_approve(actor=actor, proposal=proposal)
            approved += 1
        except Conflict:
            skipped += 1
    return approved, skipped
