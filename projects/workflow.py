"""The proposal (project guide) life cycle as a table: (status, action) -> (new status, who may).

Plain Python: the services apply it with a compare-and-set update, templates ask it which
buttons to show.
"""

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _


class Status(TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted, under review")
    RETURNED = "returned", _("Returned for revision")
    PUBLISHED = "published", _("Approved and published")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Action(TextChoices):
    SUBMIT = "submit", _("Submit")
    WITHDRAW = "withdraw", _("Withdraw")
    APPROVE = "approve", _("Approve and publish")
    RETURN = "return", _("Return for revision")
    REJECT = "reject", _("Reject")


OWNER, MINISTRY = "owner", "ministry"

TRANSITIONS: dict[tuple[str, str], tuple[str, str]] = {
    (Status.DRAFT, Action.SUBMIT): (Status.SUBMITTED, OWNER),
    (Status.RETURNED, Action.SUBMIT): (Status.SUBMITTED, OWNER),
    (Status.SUBMITTED, Action.APPROVE): (Status.PUBLISHED, MINISTRY),
    (Status.SUBMITTED, Action.RETURN): (Status.RETURNED, MINISTRY),
    (Status.SUBMITTED, Action.REJECT): (Status.REJECTED, MINISTRY),
    (Status.DRAFT, Action.WITHDRAW): (Status.WITHDRAWN, OWNER),
    (Status.SUBMITTED, Action.WITHDRAW): (Status.WITHDRAWN, OWNER),
    (Status.RETURNED, Action.WITHDRAW): (Status.WITHDRAWN, OWNER),
}

# Statuses in which the employer may edit the proposal's content.
EDITABLE = frozenset({Status.DRAFT, Status.RETURNED})


def transition(status: str, action: str) -> tuple[str, str] | None:
    """(new status, who may) for this action from this status, or None if it is not allowed."""
    return TRANSITIONS.get((status, action))


def available_actions(status: str, *, is_owner: bool, is_ministry: bool) -> list[str]:
    roles = {OWNER} if is_owner else set()
    if is_ministry:
        roles.add(MINISTRY)
    return [action for (source, action), (_, who) in TRANSITIONS.items()
            if source == status and who in roles]
