"""The projects app's models, one module per feature: call rounds (calls), proposals with
their areas, attachments and compliance phrases (proposals), the draft reminders sent before a
deadline (reminders), the universities' expressions of interest (interests) and saved catalogue
searches (saved_searches). Import them from here: ``from projects.models import Proposal``.

The imports below keep the order in which the models were declared when this was one module."""

from .calls import Call
from .proposals import Attachment, CompliancePhrase, Proposal, ProposalArea, RejectionReason, Stage
from .reminders import DraftReminder

# isort: split
from .interests import Interest
from .saved_searches import SavedSearch, SavedSearchHit
from .shortlists import ShortlistEntry

__all__ = [
    "Attachment",
    "Call",
    "CompliancePhrase",
    "DraftReminder",
    "Interest",
    "Proposal",
    "ProposalArea",
    "RejectionReason",
    "SavedSearch",
    "SavedSearchHit",
    "ShortlistEntry",
    "Stage",
]
