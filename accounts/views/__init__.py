"""The accounts app's HTML pages, one module per feature: registration and the rate-limited page
(registration), a member's own organisation (organisations), verification by ministry staff
(verification), the inbox (inbox), the language switch (language) and the audited password
views (passwords). accounts/urls.py routes them; settings.RATELIMIT_VIEW names rate_limited."""

from .bulk import BulkConfirmView, BulkJobView, BulkProgressView, BulkStartView
from .inbox import InboxView, inbox_read_all, notification_open
from .language import language_view
from .organisations import DashboardView, OrganisationEditView, UniversityProfileView
from .passwords import AuditedPassword, PasswordChangeView, PasswordResetConfirmView, PasswordResetView
from .registration import RegisterView, rate_limited
from .verification import OrganisationQueueView, OrganisationReviewView

__all__ = [
    "AuditedPassword",
    "BulkConfirmView",
    "BulkJobView",
    "BulkProgressView",
    "BulkStartView",
    "DashboardView",
    "InboxView",
    "OrganisationEditView",
    "OrganisationQueueView",
    "OrganisationReviewView",
    "PasswordChangeView",
    "PasswordResetConfirmView",
    "PasswordResetView",
    "RegisterView",
    "UniversityProfileView",
    "inbox_read_all",
    "language_view",
    "notification_open",
    "rate_limited",
]
