"""What the projects pages share: loading through selectors, the permission gates, the
context of a proposal's page."""

from datetime import timedelta

from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import permissions
from common.views import get_visible_or_404

from .. import selectors, services, workflow
from ..forms import AttachmentForm, WithdrawForm
from ..models import Call, CompliancePhrase, Proposal
from ..services.review import resubmission_deadline
from ..workflow import Action, Status

ONLY_MINISTRY = gettext_lazy("Only ministry staff review proposals.")

DASHBOARD_PAGE_SIZE = 20
QUEUE_PAGE_SIZE = 50
OTHER_PROPOSALS_SHOWN = 10


def load_proposal(request, public_id) -> Proposal:
    """The proposal if this user may see it; 404 for anyone else, whoever asks."""
    return get_visible_or_404(selectors.proposal_get, user=request.user, public_id=public_id)


def load_attachment(proposal: Proposal, attachment_id):
    for attachment in proposal.attachments.all():
        if attachment.public_id == attachment_id:
            return attachment
    raise Http404


def owner_of(request, proposal: Proposal) -> bool:
    return permissions.belongs_to(request.user, proposal.employer)


def verification_needed(request):
    """The page an employer sees while ministry staff have not verified its organisation."""
    return render(
        request, "projects/verification_needed.html", {"organisation": request.user.organisation}, status=403
    )


def require_employer(request):
    """None if the user is a verified employer, else the response to give instead."""
    if request.user.employer_id is None:
        raise PermissionDenied(_("Only employers write proposals."))
    if not permissions.is_verified_member(request.user):
        return verification_needed(request)
    return None


def error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def missing_field_rows(exc: ValidationError) -> list[tuple[str, str]]:
    """A submission's ValidationError, one key per field, as (field label, message) pairs."""
    labels = {"areas": capfirst(Proposal._meta.get_field("areas").verbose_name)}
    rows = []
    for name, errors in exc.message_dict.items():
        if name not in labels:
            try:
                labels[name] = capfirst(Proposal._meta.get_field(name).verbose_name)
            except FieldDoesNotExist:  # "__all__"
                labels[name] = ""
        rows.extend((labels[name], message) for message in errors)
    return rows


def flag_rows(proposal: Proposal) -> list[tuple[str, str]]:
    """The compliance flags as (rule label, matched phrase)."""
    labels = dict(CompliancePhrase.Rule.choices)
    return [
        (labels.get(flag.get("rule"), flag.get("rule", "")), flag.get("phrase", ""))
        for flag in proposal.flags
        if isinstance(flag, dict)
    ]


COLLECTING = (Call.Phase.UPCOMING, Call.Phase.OPEN)


def countdown(call, now) -> dict:
    target = call.opens_at if now < call.opens_at else call.closes_at
    left = max(target - now, timedelta(0))
    return {
        "target": target,
        "days": left.days,
        "hours": left.seconds // 3600,
        "minutes": left.seconds % 3600 // 60,
        # The collection's own phase: once its deadline has passed, submission is closed.
        "phase": phase if (phase := call.phase_at(now)) in COLLECTING else Call.Phase.CLOSED,
    }


def detail_context(request, proposal: Proposal, **extra) -> dict:
    is_owner = owner_of(request, proposal)
    is_ministry = permissions.is_ministry(request.user)
    insider = is_owner or is_ministry
    actions = workflow.available_actions(proposal.status, is_owner=is_owner, is_ministry=is_ministry)
    history = list(selectors.proposal_history(proposal)) if insider else []
    is_returned = proposal.status == Status.RETURNED and proposal.returned_at is not None
    return {
        "proposal": proposal,
        "is_owner": is_owner,
        "is_ministry": is_ministry,
        "insider": insider,
        "actions": actions,
        "can_edit": is_owner and proposal.status in workflow.EDITABLE,
        "history": history,
        "flags": flag_rows(proposal) if insider else [],
        "last_return": next((e for e in reversed(history) if e.action == Action.RETURN), None),
        "attachment_form": AttachmentForm(),
        "withdraw_form": WithdrawForm(),
        "resubmit_by": resubmission_deadline(proposal) if is_returned else None,
        "contact": services.contact_view(actor=request.user, proposal=proposal),
        "may_download": selectors.may_see_contact(request.user, proposal),
        **extra,
    }


def redirect_back(request, default: str, anchor: str = ""):
    """Back to the page a form was posted from (its "next" field), if that is on this site."""
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = default
    return redirect(f"{target}{anchor}")
