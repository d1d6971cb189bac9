"""The HTML forms of calls and proposals, by feature: the employer's proposals, the ministry's
review and call rounds, the catalogue and expressions of interest. Callers import from
`projects.forms`; the names below are the package's whole surface."""

from .calls import BeijingDateTimeField, CallForm
from .catalogue import SUB_AREA_INDENT, SavedSearchForm, area_choices, catalogue_filter
from .interests import InterestEditForm, InterestForm, InterestRespondForm
from .proposals import (
    PROGRAM_RULES,
    PROPOSAL_FIELDS,
    REQUIRED_FOR_A_DRAFT,
    SECTIONS,
    TYPE_HELP,
    AttachmentForm,
    ProposalForm,
    WithdrawForm,
)
from .review import STATUS_FILTER_ALL, ApproveForm, QueueFilterForm, RejectForm, ReturnForm

__all__ = [
    "PROGRAM_RULES",
    "PROPOSAL_FIELDS",
    "REQUIRED_FOR_A_DRAFT",
    "SECTIONS",
    "STATUS_FILTER_ALL",
    "SUB_AREA_INDENT",
    "TYPE_HELP",
    "ApproveForm",
    "AttachmentForm",
    "BeijingDateTimeField",
    "CallForm",
    "InterestEditForm",
    "InterestForm",
    "InterestRespondForm",
    "ProposalForm",
    "QueueFilterForm",
    "RejectForm",
    "ReturnForm",
    "SavedSearchForm",
    "WithdrawForm",
    "area_choices",
    "catalogue_filter",
]
