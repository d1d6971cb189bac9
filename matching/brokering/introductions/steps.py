"""The steps every introduction's service takes: check that the state table allows the action
and the actor may take it, move the status with the table's compare-and-set and audit it, and
tell the sides (and the broker) what happened."""

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.errors import Conflict
from accounts.models import User
from accounts.notifications import notify_members, notify_users
from accounts.services import audit_record

from ...models import Introduction
from .. import workflow
from ..selectors import EMPLOYER, UNIVERSITY, side_of
from ..workflow import Action


def check_allowed(actor: User, introduction: Introduction, action: str) -> str:
    """The status the action leads to, if the table allows it and the actor may take it."""
    step = workflow.transition(introduction.status, action)
    if step is None:
        raise Conflict(
            _("“%(action)s” is not possible while the introduction is “%(status)s”.")
            % {"action": Action(action).label, "status": introduction.get_status_display()}
        )
    new_status, who = step
    if who == workflow.MINISTRY and not permissions.is_ministry(actor):
        raise PermissionDenied(_("Only ministry staff broker introductions."))
    if who == workflow.SIDE and not (side_of(actor, introduction) and permissions.is_verified_member(actor)):
        raise PermissionDenied(_("Only the employer and the university introduced may do this."))
    return new_status


def move(
    *,
    actor: User | None,
    introduction: Introduction,
    to: str,
    action: str,
    updates: dict | None = None,
    comment: str = "",
    reason: str = "",
) -> None:
    """Move the status through the table's compare-and-set, then audit: of two clicks or
    workers exactly one wins."""
    was = introduction.status
    if not workflow.INTRODUCTION.move(introduction, to=to, updates=updates):
        raise Conflict(_("This introduction was changed meanwhile; reload the page and try again."))
    audit_record(
        actor=actor,
        target=introduction,
        action=action,
        from_status=was,
        to_status=to,
        comment=comment,
        reason=reason,
    )


def _context(introduction: Introduction, **extra) -> dict:
    return {
        "title": introduction.proposal.title,
        "employer": introduction.proposal.employer.name,
        "university": introduction.university.name,
        **extra,
    }


def detail_url(introduction: Introduction) -> str:
    return reverse("brokering:introduction-detail", args=[introduction.public_id])


def notify_sides(
    introduction: Introduction, template: str, *, sides=(EMPLOYER, UNIVERSITY), broker: bool = False, **extra
) -> None:
    """Tell the named sides (and the broker) what happened, in the inbox and by email."""
    context, url = _context(introduction, **extra), detail_url(introduction)
    if EMPLOYER in sides:
        notify_members(introduction.proposal.employer, template, context, url)
    if UNIVERSITY in sides:
        notify_members(introduction.university, template, context, url)
    if broker and introduction.broker_id:
        notify_users([introduction.broker_id], template, context, url)
