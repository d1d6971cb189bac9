"""Introductions: ministry staff propose, send and cancel them; each side accepts or declines;
unanswered ones expire. Accepted and later introductions hold capacity, which is checked under
the project's and the university's row locks so that no two acceptances can overbook either."""

import math
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.errors import Conflict
from accounts.models import University, UniversityCapacity, User, VerificationStatus
from accounts.notifications import notify_members, notify_users
from accounts.services import audit_record
from projects.models import Proposal, Stage
from projects.services import proposal_progress_record
from projects.workflow import Status as ProposalStatus

from ..audit import MatchingAudit
from ..models import Answer, Candidate, Introduction, MatchRun
from . import workflow
from .selectors import EMPLOYER, UNIVERSITY, side_of
from .workflow import COUNTED, Action, DeclineReason, Status


def check_allowed(actor: User, introduction: Introduction, action: str) -> str:
    """The status the action leads to, if the table allows it and the actor may take it."""
    step = workflow.transition(introduction.status, action)
    if step is None:
        raise Conflict(_("“%(action)s” is not possible while the introduction is “%(status)s”.") % {
            "action": Action(action).label, "status": introduction.get_status_display()})
    new_status, who = step
    if who == workflow.MINISTRY and not permissions.is_ministry(actor):
        raise PermissionDenied(_("Only ministry staff broker introductions."))
    if who == workflow.SIDE and not (side_of(actor, introduction)
                                     and permissions.is_verified_member(actor)):
        raise PermissionDenied(_("Only the employer and the university introduced may do this."))
    return new_status


def move(*, actor: User | None, introduction: Introduction, to: str, action: str,
          updates: dict | None = None, comment: str = "", reason: str = "") -> None:
    """Move the status through the table's compare-and-set, then audit: of two clicks or
    workers exactly one wins."""
    was = introduction.status
    if not workflow.INTRODUCTION.move(introduction, to=to, updates=updates):
        raise Conflict(_("This introduction was changed meanwhile; reload the page and try again."))
    audit_record(actor=actor, target=introduction, action=action, from_status=was,
                 to_status=to, comment=comment, reason=reason)


def _context(introduction: Introduction, **extra) -> dict:
    return {"title": introduction.proposal.title, "employer": introduction.proposal.employer.name,
            "university": introduction.university.name, **extra}


def detail_url(introduction: Introduction) -> str:
    return reverse("brokering:introduction-detail", args=[introduction.public_id])


def notify_sides(introduction: Introduction, template: str, *, sides=(EMPLOYER, UNIVERSITY),
                 broker: bool = False, **extra) -> None:
    """Tell the named sides (and the broker) what happened, in the inbox and by email."""
    context, url = _context(introduction, **extra), detail_url(introduction)
    if EMPLOYER in sides:
        notify_members(introduction.proposal.employer, template, context, url)
    if UNIVERSITY in sides:
        notify_members(introduction.university, template, context, url)
    if broker and introduction.broker_id:
        notify_users([introduction.broker_id], template, context, url)


def share(student_places: int | None, partners_sought: int | None) -> int:
    """The student places one partner takes: the project's places split over its partners,
    rounded up."""
    return math.ceil((student_places or 0) / max(partners_sought or 1, 1))


def share_of(proposal: Proposal) -> int:
    return share(proposal.student_places, proposal.partners_sought)


def lock_pair(introduction: Introduction, action: str | None = None) -> None:
    """Lock the project, then the university (always in this order, so two transactions never
    wait on each other), and read the introduction afresh. With an action, the fresh status must
    still allow it: a page loaded (or a click made) before someone else changed the
    introduction must not act on the status it saw, or a cancelled one could be sent again."""
    Proposal.objects.select_for_update().get(pk=introduction.proposal_id)
    University.objects.select_for_update().get(pk=introduction.university_id)
    introduction.refresh_from_db(fields=["status", "employer_response", "university_response",
                                         "places", "expires_at"])
    if action is not None and workflow.transition(introduction.status, action) is None:
        raise Conflict(_("This introduction was changed meanwhile; reload the page and try again."))


def check_capacity(introduction: Introduction, places: int) -> None:
    """Taking `places` more student places, the introduction must fit the project's partners
    sought and the university's project slots and places for the type in this call; callers
    hold the locks of lock_pair()."""
    proposal = introduction.proposal
    others = Introduction.objects.filter(status__in=COUNTED).exclude(pk=introduction.pk)
    if others.filter(proposal=proposal).count() >= (proposal.partners_sought or 0):
        raise ValidationError(_("This project already has all the %(n)d partner universities it "
                                "sought.") % {"n": proposal.partners_sought or 0})
    capacity = UniversityCapacity.objects.filter(university_id=introduction.university_id,
                                                 project_type=proposal.project_type).first()
    held = others.filter(university_id=introduction.university_id,
                         proposal__call_id=proposal.call_id,
                         proposal__project_type=proposal.project_type).aggregate(
        projects=Count("pk"), places=Sum("places"))
    slots, free = (capacity.projects, capacity.places) if capacity else (0, 0)
    if held["projects"] >= slots:
        raise ValidationError(_("%(university)s has taken on all the %(n)d projects of this type "
                                "it offered for this round.") % {
            "university": introduction.university.name, "n": slots})
    if (held["places"] or 0) + places > free:
        raise ValidationError(_("%(university)s has %(left)d student places left for this project "
                                "type; this introduction needs %(places)d.") % {
            "university": introduction.university.name,
            "left": max(free - (held["places"] or 0), 0), "places": places})


def project_refresh(proposal: Proposal) -> None:
    """Recount the project's confirmed partners and derive its stage from its introductions."""
    statuses = set(proposal.introductions.filter(status__in=COUNTED)
                   .values_list("status", flat=True).distinct())
    confirmed = proposal.introductions.filter(status__in=COUNTED).count()
    if statuses & {Status.SIGNED, Status.IN_PROGRESS}:
        stage = Stage.IN_PROGRESS
    elif statuses == {Status.COMPLETED}:
        stage = Stage.COMPLETED
    elif statuses:
        stage = Stage.MATCHED
    else:
        stage = Stage.OPEN
    proposal_progress_record(proposal=proposal, partners_confirmed=confirmed, stage=stage)


def introduction_create(*, actor: User, proposal: Proposal, university: University,
                        message: str = "", candidate: Candidate | None = None) -> Introduction:
    """Ministry staff propose an introduction of a published project and a verified university,
    by hand or from a run's candidate; one open introduction per pair."""
    if not permissions.is_ministry(actor):
        raise PermissionDenied(_("Only ministry staff broker introductions."))
    if proposal.status != ProposalStatus.PUBLISHED:
        raise ValidationError(_("Only published projects can be introduced."))
    if not university.is_verified:
        raise ValidationError(_("Only verified universities can be introduced."))
    introduction = Introduction(proposal=proposal, university=university, candidate=candidate,
                                broker=actor, message=message, places=share_of(proposal))
    introduction.full_clean(exclude=["proposal", "university", "candidate", "broker"],
                            validate_constraints=False)
    try:
        with transaction.atomic():
            introduction.save()
            audit_record(actor=actor, target=introduction, action=MatchingAudit.CREATED,
                         to_status=Status.PROPOSED)
    except IntegrityError as exc:
        raise ValidationError(_("This project and university already have an open "
                                "introduction.")) from exc
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
        proposal_id=OuterRef("proposal_id"), university_id=OuterRef("university_id"),
        status__in=sorted(workflow.OPEN | {Status.DECLINED, Status.EXPIRED}))
    candidates = (Candidate.objects.filter(run=run, proposed=True,
                                           proposal__status=ProposalStatus.PUBLISHED,
                                           university__status=VerificationStatus.VERIFIED)
                  .exclude(Exists(already)).select_related("proposal")
                  .order_by("proposal_id", "rank"))
    made = [Introduction(proposal=c.proposal, university_id=c.university_id, candidate=c,
                         broker=actor, places=share_of(c.proposal)) for c in candidates]
    with transaction.atomic():
        before = Introduction.objects.filter(candidate__run=run).count()
        # A pair introduced meanwhile is skipped by the partial unique constraint.
        Introduction.objects.bulk_create(made, ignore_conflicts=True, batch_size=2000)
        count = Introduction.objects.filter(candidate__run=run).count() - before
        audit_record(actor=actor, target=run, action=MatchingAudit.INTRODUCTIONS_PROPOSED, comment=str(count))
    return count


def introduction_send(*, actor: User, introduction: Introduction, message: str | None = None
                      ) -> Introduction:
    """Ministry staff send a proposed introduction to both sides, who then have the call's
    response window to answer. It cannot be sent if accepting it would exceed a capacity."""
    new_status = check_allowed(actor, introduction, Action.SEND)
    now = timezone.now()
    with transaction.atomic():
        lock_pair(introduction, Action.SEND)
        if not Proposal.objects.filter(pk=introduction.proposal_id,
                                       status=ProposalStatus.PUBLISHED).exists():
            raise ValidationError(_("This project is no longer published."))
        check_capacity(introduction, introduction.places)
        expires = now + timedelta(days=introduction.proposal.call.response_days)
        updates = {"sent_at": now, "expires_at": expires, "broker": actor}
        if message is not None:
            updates["message"] = message
        move(actor=actor, introduction=introduction, to=new_status, action=Action.SEND,
              updates=updates)
        notify_sides(introduction, "matching/email/introduction_sent", message=introduction.message,
                     expires=timezone.localtime(expires).strftime("%Y-%m-%d %H:%M"))
    return introduction


def introductions_send(*, actor: User, introductions, message: str | None = None
                       ) -> tuple[int, list[str]]:
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


def introduction_respond(*, actor: User, introduction: Introduction, accept: bool,
                         reason: str = "", comment: str = "") -> Introduction:
    """The employer or the university answers a sent introduction for its own side, before it
    expires. A decline needs a reason and ends it; it is accepted once both sides accept, if the
    capacities still allow it (checked under lock: of two acceptances racing for the last
    place, exactly one wins)."""
    action = Action.ACCEPT if accept else Action.DECLINE
    new_status = check_allowed(actor, introduction, action)
    side = side_of(actor, introduction)
    if not accept and reason not in DeclineReason.values:
        raise ValidationError({"reason": _("Choose the reason for declining.")})
    if not accept and reason == DeclineReason.OTHER and not comment.strip():
        raise ValidationError({"comment": _("Say why, in a few words.")})
    with transaction.atomic():
        lock_pair(introduction)
        now = timezone.now()
        if introduction.status != Status.SENT:
            raise Conflict(_("This introduction was changed meanwhile; reload the page and try "
                             "again."))
        if introduction.expires_at <= now:
            raise Conflict(_("This introduction expired on %(date)s; it can no longer be "
                             "answered.") % {"date": timezone.localtime(introduction.expires_at)
                                             .strftime("%Y-%m-%d %H:%M")})
        if getattr(introduction, f"{side}_response"):
            raise Conflict(_("Your side has already answered this introduction."))
        answer = {f"{side}_response": Answer.ACCEPTED if accept else Answer.DECLINED,
                  f"{side}_responded_at": now}
        other = UNIVERSITY if side == EMPLOYER else EMPLOYER
        both = accept and getattr(introduction, f"{other}_response") == Answer.ACCEPTED
        accepted = MatchingAudit.EMPLOYER_ACCEPTED if side == EMPLOYER else MatchingAudit.UNIVERSITY_ACCEPTED
        declined = MatchingAudit.EMPLOYER_DECLINED if side == EMPLOYER else MatchingAudit.UNIVERSITY_DECLINED
        if accept and not both:
            _answer(actor=actor, introduction=introduction, answer=answer, action=accepted)
            notify_sides(introduction, "matching/email/introduction_half_accepted", sides=(other,),
                         side=side)
        elif accept:
            check_capacity(introduction, introduction.places)
            move(actor=actor, introduction=introduction, to=new_status,
                  action=accepted, updates={**answer, "accepted_at": now})
            project_refresh(introduction.proposal)
            notify_sides(introduction, "matching/email/introduction_accepted", broker=True)
        else:
            move(actor=actor, introduction=introduction, to=new_status, action=declined,
                  updates={**answer, "decline_reason": reason, "decline_comment": comment},
                  comment=comment, reason=reason)
            notify_sides(introduction, "matching/email/introduction_declined", sides=(other,),
                         broker=True, side=side, reason=reason, comment=comment)
    return introduction


def _answer(*, actor: User, introduction: Introduction, answer: dict, action: str) -> None:
    """Record one side's acceptance; the status stays sent until the other side's."""
    Introduction.objects.filter(pk=introduction.pk).update(updated_at=timezone.now(), **answer)
    audit_record(actor=actor, target=introduction, action=action,
                 from_status=introduction.status, to_status=introduction.status)
    for name, value in answer.items():
        setattr(introduction, name, value)


def introduction_cancel(*, actor: User, introduction: Introduction, comment: str = ""
                        ) -> Introduction:
    """Ministry staff cancel an introduction not yet under agreement; its places are freed."""
    new_status = check_allowed(actor, introduction, Action.CANCEL)
    with transaction.atomic():
        lock_pair(introduction, Action.CANCEL)
        was = introduction.status  # as it is now, not as the page showed it
        move(actor=actor, introduction=introduction, to=new_status, action=Action.CANCEL,
              comment=comment)
        if was in COUNTED:
            project_refresh(introduction.proposal)
        if was != Status.PROPOSED:
            notify_sides(introduction, "matching/email/introduction_cancelled", comment=comment)
    return introduction


def introductions_expire(now=None) -> int:
    """Expire the sent introductions whose answer time has passed; returns how many."""
    now = now or timezone.now()
    due = Introduction.objects.filter(status=Status.SENT, expires_at__lte=now).select_related(
        "proposal", "proposal__employer", "university")
    expired = 0
    for introduction in due.iterator(chunk_size=500):
        try:
            with transaction.atomic():
                move(actor=None, introduction=introduction, to=Status.EXPIRED,
                      action=Action.EXPIRE)
                notify_sides(introduction, "matching/email/introduction_expired", broker=True)
        except Conflict:
            continue  # answered or cancelled meanwhile
        expired += 1
    return expired
