"""The projects app's life cycles as tables of common.workflow.Workflow: the proposal (project
guide) and a university's expression of interest. Each row is (status, action) -> (new status,
who may).

No ORM: the services apply a table through its compare-and-set move, templates ask it which
buttons to show.
"""

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _

from common.workflow import Workflow


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


OWNER, MINISTRY, UNIVERSITY = "owner", "ministry", "university"

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


PROPOSAL = Workflow(TRANSITIONS, roles=(OWNER, MINISTRY))
transition = PROPOSAL.transition


def available_actions(status: str, *, is_owner: bool, is_ministry: bool) -> list[str]:
    """The proposal actions the owner and/or ministry staff may take from this status."""
    roles = {OWNER} if is_owner else set()
    if is_ministry:
        roles.add(MINISTRY)
    return PROPOSAL.available_actions(status, roles)


class InterestStatus(TextChoices):
    LIVE = "live", _("Expressed")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    INTRODUCED = "introduced", _("Introduced")


class InterestAction(TextChoices):
    CHANGE = "change", _("Change")
    WITHDRAW = "withdraw", _("Withdraw")
    RESPOND = "respond", _("Answer")


# Changing and answering keep the interest live; only withdrawing ends it. No service marks an
# interest introduced yet, so that status has no row.
INTEREST = Workflow(
    {
        (InterestStatus.LIVE, InterestAction.CHANGE): (InterestStatus.LIVE, UNIVERSITY),
        (InterestStatus.LIVE, InterestAction.RESPOND): (InterestStatus.LIVE, OWNER),
        (InterestStatus.LIVE, InterestAction.WITHDRAW): (InterestStatus.WITHDRAWN, UNIVERSITY),
    },
    roles=(UNIVERSITY, OWNER),
)
