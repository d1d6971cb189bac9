"""Universities' expressions of interest in published projects, and employers' answers."""

from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.errors import Conflict
from accounts.models import University, User
from accounts.notifications import notify_members
from accounts.services import audit_record

from ..audit import ProjectsAudit
from ..models import Interest, Proposal
from ..selectors import LIVE_INTEREST, interest_allowance_left, university_capacity_left
from ..workflow import INTEREST, InterestAction, Status

INTEREST_FIELDS = {"students_offered", "statement", "contact_person", "contact_phone", "contact_email"}


def _university_of(actor: User) -> University:
    university = actor.university if actor.is_authenticated else None
    if university is None:
        raise PermissionDenied(_("Only universities express interest in projects."))
    if not permissions.is_verified_member(actor):
        raise PermissionDenied(_("Your organisation must be verified first."))
    return university


def _check_capacity(university: University, interest: Interest) -> None:
    """The students offered across the university's live interests in projects of a type may
    not exceed its places for that type."""
    row = university_capacity_left(university, excluding=interest)[interest.proposal.project_type]
    if row["offered"] + interest.students_offered > row["places"]:
        raise ValidationError(
            {
                "students_offered": _(
                    "Your university has %(places)d places for this project type and has offered "
                    "%(offered)d already; at most %(left)d more can be offered."
                )
                % row
            }
        )


def _check_allowance(university: University, proposal: Proposal) -> None:
    if interest_allowance_left(university, proposal.call) == 0:
        raise ValidationError(
            _("Your university has used all %(n)d expressions of interest this call allows.")
            % {"n": proposal.call.max_interests_per_university}
        )


def _check_phase(proposal: Proposal) -> None:
    """Interest is expressed, and changed, only in the call's interest phase."""
    call = proposal.call
    if not call.takes_interest():
        raise ValidationError(
            _("The call “%(call)s” takes interest from %(opens)s to %(closes)s; it is not taking any now.")
            % {
                "call": call,
                "opens": date_format(timezone.localtime(call.opens_at), "DATE_FORMAT"),
                "closes": date_format(timezone.localtime(call.interest_closes_at), "DATE_FORMAT"),
            }
        )


def _apply(interest: Interest, fields: Mapping) -> None:
    unknown = set(fields) - INTEREST_FIELDS
    if unknown:
        raise ValidationError({name: _("This field cannot be set.") for name in sorted(unknown)})
    for name, value in fields.items():
        setattr(interest, name, value)
    interest.full_clean(exclude=["proposal", "university"], validate_constraints=False)


def interest_create(*, actor: User, proposal: Proposal, fields: Mapping) -> Interest:
    """A verified university expresses interest in a published project: once per project,
    within the call's allowance and its own places for the project's type."""
    university = _university_of(actor)
    interest = Interest(
        proposal=proposal,
        university=university,
        contact_person=university.contact_person,
        contact_phone=university.phone,
        contact_email=university.email,
    )
    _apply(interest, fields)
    try:
        with transaction.atomic():
            # One interest of this university at a time, so two cannot both fit the capacity.
            University.objects.select_for_update().get(pk=university.pk)
            if not Proposal.objects.filter(pk=proposal.pk, status=Status.PUBLISHED).exists():
                raise ValidationError(_("Interest can be expressed only in a published project."))
            _check_phase(proposal)
            if Interest.objects.filter(
                proposal=proposal, university=university, status__in=LIVE_INTEREST
            ).exists():
                raise ValidationError(_("Your university has already expressed interest in this project."))
            _check_allowance(university, proposal)
            _check_capacity(university, interest)
            interest.save()
            audit_record(actor=actor, target=interest, action=ProjectsAudit.INTEREST_EXPRESSED)
            notify_members(
                proposal.employer,
                "projects/email/interest_received",
                {
                    "title": proposal.title,
                    "university": university.name,
                    "proposal_id": str(proposal.public_id),
                },
                url=reverse("projects:proposal-interests", args=[proposal.public_id]),
            )
    except IntegrityError as exc:  # the unique constraint caught a concurrent duplicate
        raise ValidationError(_("Your university has already expressed interest in this project.")) from exc
    return interest


def _own_live(actor: User, interest: Interest, action: str) -> Interest:
    """The interest read afresh under lock, if its university's member may take the action from
    the status it now has."""
    if not permissions.belongs_to(actor, interest.university):
        raise PermissionDenied(_("Only the university that expressed this interest may change it."))
    current = Interest.objects.select_for_update().select_related("proposal").get(pk=interest.pk)
    if INTEREST.transition(current.status, action) is None:
        raise Conflict(_("This interest can no longer be changed."))
    return current


def interest_update(*, actor: User, interest: Interest, fields: Mapping) -> Interest:
    """The university changes the students it offers or its statement, until introduced."""
    with transaction.atomic():
        University.objects.select_for_update().get(pk=interest.university_id)
        current = _own_live(actor, interest, InterestAction.CHANGE)
        _check_phase(current.proposal)
        _apply(current, fields)
        _check_capacity(current.university, current)
        current.save()
        audit_record(
            actor=actor,
            target=current,
            action=ProjectsAudit.INTEREST_CHANGED,
            comment=", ".join(sorted(fields)),
        )
    return current


def interest_withdraw(*, actor: User, interest: Interest) -> Interest:
    """The university withdraws its interest, until an introduction is made."""
    with transaction.atomic():
        current = _own_live(actor, interest, InterestAction.WITHDRAW)
        to = INTEREST.next_status(current.status, InterestAction.WITHDRAW)
        # Under the row lock the compare-and-set always holds; it is the one way a status moves.
        if not INTEREST.move(current, to=to):
            raise Conflict(_("This interest can no longer be changed."))
        audit_record(actor=actor, target=current, action=ProjectsAudit.INTEREST_WITHDRAWN)
    return current


def interest_respond(*, actor: User, interest: Interest, response: str, reason: str = "") -> Interest:
    """The project's employer marks an interest welcome, or not a fit with a reason; the
    university is told by email."""
    if not permissions.belongs_to(actor, interest.proposal.employer):
        raise PermissionDenied(_("Only the project's employer may answer this interest."))
    if response not in Interest.Response.values:
        raise ValidationError({"response": _("Answer “welcome” or “not a fit”.")})
    reason = (reason or "").strip()
    if response == Interest.Response.NOT_A_FIT and not reason:
        raise ValidationError({"reason": _("Say why it is not a fit.")})
    with transaction.atomic():
        current = (
            Interest.objects.select_for_update().select_related("proposal", "university").get(pk=interest.pk)
        )
        if INTEREST.transition(current.status, InterestAction.RESPOND) is None:
            raise Conflict(_("This interest can no longer be answered."))
        current.response, current.response_reason = response, reason
        current.responded_at = timezone.now()
        current.save(update_fields=["response", "response_reason", "responded_at", "updated_at"])
        audit_record(
            actor=actor,
            target=current,
            comment=reason,
            action=ProjectsAudit.INTEREST_WELCOME
            if response == Interest.Response.WELCOME
            else ProjectsAudit.INTEREST_NOT_A_FIT,
        )
        notify_members(
            current.university,
            "projects/email/interest_answered",
            {
                "title": current.proposal.title,
                "response": response,
                "reason": reason,
                "proposal_id": str(current.proposal.public_id),
            },
            url=reverse("projects:project-detail", args=[current.proposal.public_id]),
        )
    return current
