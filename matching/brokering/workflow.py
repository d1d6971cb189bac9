"""The brokering life cycles as tables of common.workflow.Workflow: the introduction and its
outcome report. Each row is (status, action) -> (new status, who may).

Accepting an introduction is special: each side records its own answer, and the introduction
becomes accepted only when both have (introductions.introduction_respond). No ORM.
"""

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _

from common.workflow import Workflow


class Status(TextChoices):
    PROPOSED = "proposed", _("Drafted, to send")
    SENT = "sent", _("Sent, awaiting answers")
    ACCEPTED = "accepted", _("Accepted by both sides")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("Expired")
    CANCELLED = "cancelled", _("Cancelled")
    SIGNED = "signed", _("Agreement signed")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")


class Action(TextChoices):
    SEND = "send", _("Send")
    ACCEPT = "accept", _("Accept")
    DECLINE = "decline", _("Decline")
    EXPIRE = "expire", _("Expire")
    CANCEL = "cancel", _("Cancel")
    SIGN = "sign", _("Record the agreement")
    START = "start", _("Record a milestone")
    COMPLETE = "complete", _("Close")


class DeclineReason(TextChoices):
    NOT_OUR_AREA = "not_our_area", _("Not our area")
    NO_CAPACITY = "no_capacity", _("No capacity")
    REGION = "region", _("Region")
    TIMING = "timing", _("Timing")
    OTHER = "other", _("Other")


MINISTRY, SIDE, SYSTEM = "ministry", "side", "system"

TRANSITIONS: dict[tuple[str, str], tuple[str, str]] = {
    (Status.PROPOSED, Action.SEND): (Status.SENT, MINISTRY),
    (Status.PROPOSED, Action.CANCEL): (Status.CANCELLED, MINISTRY),
    (Status.SENT, Action.ACCEPT): (Status.ACCEPTED, SIDE),
    (Status.SENT, Action.DECLINE): (Status.DECLINED, SIDE),
    (Status.SENT, Action.EXPIRE): (Status.EXPIRED, SYSTEM),
    (Status.SENT, Action.CANCEL): (Status.CANCELLED, MINISTRY),
    (Status.ACCEPTED, Action.CANCEL): (Status.CANCELLED, MINISTRY),
    (Status.ACCEPTED, Action.SIGN): (Status.SIGNED, SIDE),
    (Status.SIGNED, Action.START): (Status.IN_PROGRESS, SIDE),
    (Status.IN_PROGRESS, Action.START): (Status.IN_PROGRESS, SIDE),
    (Status.SIGNED, Action.COMPLETE): (Status.COMPLETED, MINISTRY),
    (Status.IN_PROGRESS, Action.COMPLETE): (Status.COMPLETED, MINISTRY),
}

# Introductions that hold a partner place, project slot and student places.
COUNTED = frozenset({Status.ACCEPTED, Status.SIGNED, Status.IN_PROGRESS, Status.COMPLETED})
# Introductions that still stand: one per project and university at a time.
OPEN = frozenset({Status.PROPOSED, Status.SENT, *COUNTED})
# What the two sides see; a proposed introduction is the ministry's draft.
VISIBLE_TO_SIDES = frozenset(Status.values) - {Status.PROPOSED}


INTRODUCTION = Workflow(TRANSITIONS, roles=(MINISTRY, SIDE, SYSTEM))
transition = INTRODUCTION.transition


def available_actions(status: str, *, is_side: bool, is_ministry: bool) -> list[str]:
    """The introduction actions a side and/or ministry staff may take from this status."""
    roles = {SIDE} if is_side else set()
    if is_ministry:
        roles.add(MINISTRY)
    return INTRODUCTION.available_actions(status, roles)


class Outcome(TextChoices):
    SUBMITTED = "submitted", _("Awaiting the university's confirmation")
    CONFIRMED = "confirmed", _("Confirmed, awaiting ministry review")
    RETURNED = "returned", _("Sent back for correction")
    ACCEPTED = "accepted", _("Accepted by the ministry")


class OutcomeAction(TextChoices):
    SUBMIT = "submit", _("Submit")
    CONFIRM = "confirm", _("Confirm")
    RETURN = "return", _("Send back")
    ACCEPT = "accept", _("Accept")


EMPLOYER, UNIVERSITY = "employer", "university"

# A report is filed as submitted; the employer resubmits one sent back. The university sends
# back before confirming, ministry staff after.
OUTCOME = Workflow(
    {
        (Outcome.RETURNED, OutcomeAction.SUBMIT): (Outcome.SUBMITTED, EMPLOYER),
        (Outcome.SUBMITTED, OutcomeAction.CONFIRM): (Outcome.CONFIRMED, UNIVERSITY),
        (Outcome.SUBMITTED, OutcomeAction.RETURN): (Outcome.RETURNED, UNIVERSITY),
        (Outcome.CONFIRMED, OutcomeAction.RETURN): (Outcome.RETURNED, MINISTRY),
        (Outcome.CONFIRMED, OutcomeAction.ACCEPT): (Outcome.ACCEPTED, MINISTRY),
    },
    roles=(EMPLOYER, UNIVERSITY, MINISTRY),
)
