"""The introduction life cycle as a table: (status, action) -> (new status, who may).

Accepting is special: each side records its own answer, and the introduction becomes accepted
only when both have (services.introduction_respond). Plain Python, no ORM.
"""

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _


class Status(TextChoices):
    PROPOSED = "proposed", _("Proposed")
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


def transition(status: str, action: str) -> tuple[str, str] | None:
    """(new status, who may) for this action from this status, or None if it is not allowed."""
    return TRANSITIONS.get((status, action))


def available_actions(status: str, *, is_side: bool, is_ministry: bool) -> list[str]:
    roles = {SIDE} if is_side else set()
    if is_ministry:
        roles.add(MINISTRY)
    return [action for (source, action), (_, who) in TRANSITIONS.items()
            if source == status and who in roles]


class Outcome(TextChoices):
    SUBMITTED = "submitted", _("Awaiting the university's confirmation")
    CONFIRMED = "confirmed", _("Confirmed, awaiting ministry review")
    RETURNED = "returned", _("Sent back for correction")
    ACCEPTED = "accepted", _("Accepted by the ministry")
