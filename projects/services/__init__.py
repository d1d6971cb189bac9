"""Every write to calls and proposals: one function per rule."""

from .calls import call_create, call_update
from .contacts import ContactView, contact_view
from .interests import interest_create, interest_respond, interest_update, interest_withdraw
from .proposals import (
    attachment_add,
    attachment_remove,
    proposal_create,
    proposal_progress_record,
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
from .saved_searches import saved_search_create, saved_search_delete, saved_search_digest_send
from .shortlists import shortlist_add, shortlist_remove

__all__ = [
    "ContactView",
    "attachment_add",
    "attachment_remove",
    "call_create",
    "call_update",
    "contact_view",
    "draft_reminders_send",
    "interest_create",
    "interest_respond",
    "interest_update",
    "interest_withdraw",
    "proposal_approve",
    "proposal_bulk_approve",
    "proposal_create",
    "proposal_progress_record",
    "proposal_reject",
    "proposal_return",
    "proposal_submit",
    "proposal_update",
    "proposal_withdraw",
    "saved_search_create",
    "saved_search_delete",
    "saved_search_digest_send",
    "shortlist_add",
    "shortlist_remove",
]
