"""Every write to calls and proposals: one function per rule."""

from .calls import call_create, call_update
from .proposals import (
    attachment_add,
    attachment_remove,
    proposal_create,
    proposal_update,
)
from .reminders import draft_reminders_send
from .review import (
    proposal_approve,
    proposal_bulk_approve,
    proposal_reject,
    proposal_return,
    proposal_submit,
    proposal_withdraw,
)

__all__ = [
    "attachment_add", "attachment_remove", "call_create", "call_update", "draft_reminders_send",
    "proposal_approve", "proposal_bulk_approve", "proposal_create", "proposal_reject",
    "proposal_return", "proposal_submit", "proposal_update", "proposal_withdraw",
]
