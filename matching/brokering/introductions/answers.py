"""The sides' answers: the employer and the university each accept or decline a sent
introduction, which is accepted once both accept and the capacities still allow it; the ones
left unanswered past their deadline expire."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.errors import Conflict
from accounts.models import User
from accounts.services import audit_record

from ...audit import MatchingAudit
from ...models import Answer, Introduction
from ..selectors import EMPLOYER, UNIVERSITY, side_of
from ..workflow import Action, DeclineReason, Status
from .capacity import check_capacity, lock_pair, project_refresh
from .steps import check_allowed, move, notify_sides


def introduction_respond(
    *, actor: User, introduction: Introduction, accept: bool, reason: str = "", comment: str = ""
) -> Introduction:
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
            raise Conflict(_("This introduction was changed meanwhile; reload the page and try again."))
        if introduction.expires_at is not None and introduction.expires_at <= now:
            raise Conflict(
                _("This introduction expired on %(date)s; it can no longer be answered.")
                % {"date": timezone.localtime(introduction.expires_at).strftime("%Y-%m-%d %H:%M")}
            )
        if getattr(introduction, f"{side}_response"):
            raise Conflict(_("Your side has already answered this introduction."))
        answer = {
            f"{side}_response": Answer.ACCEPTED if accept else Answer.DECLINED,
            f"{side}_responded_at": now,
        }
        other = UNIVERSITY if side == EMPLOYER else EMPLOYER
        both = accept and getattr(introduction, f"{other}_response") == Answer.ACCEPTED
        accepted = MatchingAudit.EMPLOYER_ACCEPTED if side == EMPLOYER else MatchingAudit.UNIVERSITY_ACCEPTED
        declined = MatchingAudit.EMPLOYER_DECLINED if side == EMPLOYER else MatchingAudit.UNIVERSITY_DECLINED
        if accept and not both:
            _answer(actor=actor, introduction=introduction, answer=answer, action=accepted)
            notify_sides(introduction, "matching/email/introduction_half_accepted", sides=(other,), side=side)
        elif accept:
            check_capacity(introduction, introduction.places)
            move(
                actor=actor,
                introduction=introduction,
                to=new_status,
                action=accepted,
                updates={**answer, "accepted_at": now},
            )
            project_refresh(introduction.proposal)
            notify_sides(introduction, "matching/email/introduction_accepted", broker=True)
        else:
            move(
                actor=actor,
                introduction=introduction,
                to=new_status,
                action=declined,
                updates={**answer, "decline_reason": reason, "decline_comment": comment},
                comment=comment,
                reason=reason,
            )
            notify_sides(
                introduction,
                "matching/email/introduction_declined",
                sides=(other,),
                broker=True,
                side=side,
                reason=reason,
                comment=comment,
            )
    return introduction


def _answer(*, actor: User, introduction: Introduction, answer: dict, action: str) -> None:
    """Record one side's acceptance; the status stays sent until the other side's."""
    Introduction.objects.filter(pk=introduction.pk).update(updated_at=timezone.now(), **answer)
    audit_record(
        actor=actor,
        target=introduction,
        action=action,
        from_status=introduction.status,
        to_status=introduction.status,
    )
    for name, value in answer.items():
        setattr(introduction, name, value)


def introductions_expire(now=None) -> int:
    """Expire the sent introductions whose answer time has passed; returns how many."""
    now = now or timezone.now()
    due = Introduction.objects.filter(status=Status.SENT, expires_at__lte=now).select_related(
        "proposal", "proposal__employer", "university"
    )
    expired = 0
    for introduction in due.iterator(chunk_size=500):
        try:
            with transaction.atomic():
                move(actor=None, introduction=introduction, to=Status.EXPIRED, action=Action.EXPIRE)
                notify_sides(introduction, "matching/email/introduction_expired", broker=True)
        except Conflict:
            continue  # answered or cancelled meanwhile
        expired += 1
    return expired
