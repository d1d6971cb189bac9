"""Ministry staff's side of an introduction: propose it by hand or from a run's proposed pairs,
send it to both sides (one or several at a time) and cancel it."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.errors import Conflict
from accounts.models import University, User, VerificationStatus
from accounts.services import audit_record
from projects.models import Proposal
from projects.workflow import Status as ProposalStatus

from ...audit import MatchingAudit
from ...models import Candidate, Introduction, MatchRun
from .. import workflow
from ..workflow import COUNTED, Action, Status
from .capacity import check_capacity, lock_pair, project_refresh, share_of
from .steps import check_allowed, move, notify_sides


def introduction_create(
    *,
    actor: User,
    proposal: Proposal,
    university: University,
    message: str = "",
    candidate: Candidate | None = None,
) -> Introduction:
    """Ministry staff propose an introduction of a published project and a verified university,
    by hand or from a run's candidate; one open introduction per pair."""
    if not permissions.is_ministry(actor):
        raise PermissionDenied(_("Only ministry staff broker introductions."))
    if proposal.status != ProposalStatus.PUBLISHED:
        raise ValidationError(_("Only published projects can be introduced."))
    if not university.is_verified:
        raise ValidationError(_("Only verified universities can be introduced."))
    introduction = Introduction(
        proposal=proposal,
        university=university,
        candidate=candidate,
        broker=actor,
        message=message,
        places=share_of(proposal),
    )
    introduction.full_clean(
        exclude=["proposal", "university", "candidate", "broker"], validate_constraints=False
    )
    try:
        with transaction.atomic():
            introduction.save()
            audit_record(
                actor=actor, target=introduction, action=MatchingAudit.CREATED, to_status=Status.PROPOSED
            )
    except IntegrityError as exc:
        raise ValidationError(_("This project and university already have an open introduction.")) from exc
    return introduction


def introductions_from_run(*, actor: User, run: MatchRun) -> int:
    """Propose an introduction for each proposed pair of a succeeded run that has no open
    introduction yet; returns how many were made."""
    if not permissions.is_ministry(actor):
        raise PermissionDenied(_("Only ministry staff broker introductions."))
    if run.status != MatchRun.Status.SUCCEEDED:
        raise ValidationError(_("Only a succeeded run's proposals can be introduced."))
    # A pair with an open introduction, or one a side declined or left to expire, is not
    # proposed again from a run (staff may still introduce it by hand).
    already = Introduction.objects.filter(
        proposal_id=OuterRef("proposal_id"),
        university_id=OuterRef("university_id"),
        status__in=sorted(workflow.OPEN | {Status.DECLINED, Status.EXPIRED}),
    )
    candidates = (
        Candidate.objects.filter(
            run=run,
            proposed=True,
            proposal__status=ProposalStatus.PUBLISHED,
            university__status=VerificationStatus.VERIFIED,
        )
        .exclude(Exists(already))
        .select_related("proposal")
        .order_by("proposal_id", "rank")
    )
    made = [
        Introduction(
            proposal=c.proposal,
            university_id=c.university_id,
            candidate=c,
            broker=actor,
            places=share_of(c.proposal),
        )
        for c in candidates
    ]
    with transaction.atomic():
        before = Introduction.objects.filter(candidate__run=run).count()
        # A pair introduced meanwhile is skipped by the partial unique constraint.
        Introduction.objects.bulk_create(made, ignore_conflicts=True, batch_size=2000)
        count = Introduction.objects.filter(candidate__run=run).count() - before
        audit_record(actor=actor, target=run, action=MatchingAudit.INTRODUCTIONS_PROPOSED, comment=str(count))
    return count


def introduction_send(*, actor: User, introduction: Introduction, message: str | None = None) -> Introduction:
    """Ministry staff send a proposed introduction to both sides, who then have the call's
    response window to answer. It cannot be sent if accepting it would exceed a capacity."""
    new_status = check_allowed(actor, introduction, Action.SEND)
    now = timezone.now()
    with transaction.atomic():
        lock_pair(introduction, Action.SEND)
        if not Proposal.objects.filter(pk=introduction.proposal_id, status=ProposalStatus.PUBLISHED).exists():
            raise ValidationError(_("This project is no longer published."))
        check_capacity(introduction, introduction.places)
        expires = now + timedelta(days=introduction.proposal.call.response_days)
        updates = {"sent_at": now, "expires_at": expires, "broker": actor}
        if message is not None:
            updates["message"] = message
        move(actor=actor, introduction=introduction, to=new_status, action=Action.SEND, updates=updates)
        notify_sides(
            introduction,
            "matching/email/introduction_sent",
            message=introduction.message,
            expires=timezone.localtime(expires).strftime("%Y-%m-%d %H:%M"),
        )
    return introduction


def introductions_send(*, actor: User, introductions, message: str | None = None) -> tuple[int, list[str]]:
    """Send several introductions, each in its own transaction; returns how many were sent and
    the reasons the others were not."""
    sent, problems = 0, []
    for introduction in introductions:
        try:
            introduction_send(actor=actor, introduction=introduction, message=message)
            sent += 1
        except (ValidationError, Conflict) as exc:
            problems.append(f"{introduction}: {' '.join(getattr(exc, 'messages', [str(exc)]))}")
    return sent, problems


def introduction_cancel(*, actor: User, introduction: Introduction, comment: str = "") -> Introduction:
    """Ministry staff cancel an introduction not yet under agreement; its places are freed."""
    new_status = check_allowed(actor, introduction, Action.CANCEL)
    with transaction.atomic():
        lock_pair(introduction, Action.CANCEL)
        was = introduction.status  # as it is now, not as the page showed it
        move(actor=actor, introduction=introduction, to=new_status, action=Action.CANCEL, comment=comment)
        if was in COUNTED:
            project_refresh(introduction.proposal)
        if was != Status.PROPOSED:
            notify_sides(introduction, "matching/email/introduction_cancelled", comment=comment)
    return introduction
