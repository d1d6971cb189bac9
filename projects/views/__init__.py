"""The HTML pages of calls and proposals. Each view parses its form, loads through a selector,
calls one service and renders or redirects: ValidationError becomes field errors or a message,
Conflict a message, PermissionDenied a 403."""

from .attachments import AttachmentAddView, AttachmentDeleteView, AttachmentDownloadView
from .calls import CallFormView, CallListView
from .proposals import (
    EmployerDashboardView,
    ProposalCreateView,
    ProposalDetailView,
    ProposalEditView,
    ProposalSubmitView,
    ProposalWithdrawView,
)
from .review import ReviewQueueView, ReviewView
from .shortlists import CompareView, ShortlistChangeView, ShortlistView

__all__ = [
    "AttachmentAddView",
    "AttachmentDeleteView",
    "AttachmentDownloadView",
    "CallFormView",
    "CallListView",
    "CompareView",
    "EmployerDashboardView",
    "ProposalCreateView",
    "ProposalDetailView",
    "ProposalEditView",
    "ProposalSubmitView",
    "ProposalWithdrawView",
    "ReviewQueueView",
    "ReviewView",
    "ShortlistChangeView",
    "ShortlistView",
]

from .catalogue import (
    CatalogueView,
    ProjectDetailView,
    SavedSearchDeleteView,
    SavedSearchListView,
)
from .interests import (
    InterestCreateView,
    InterestEditView,
    InterestRespondView,
    InterestWithdrawView,
    ProposalInterestsView,
)

__all__ += [
    "CatalogueView",
    "InterestCreateView",
    "InterestEditView",
    "InterestRespondView",
    "InterestWithdrawView",
    "ProjectDetailView",
    "ProposalInterestsView",
    "SavedSearchDeleteView",
    "SavedSearchListView",
]
