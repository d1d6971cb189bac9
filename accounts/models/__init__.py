"""The accounts app's models, one module per feature: the shared field, timestamps and choices
(base), the AI focus areas (areas), employers and universities with a university's strengths and
capacity (organisations), the user (users), the audit log (audit), the inbox (notifications) and
the email outbox (outbox). Import them from here: ``from accounts.models import User``.

The imports below keep the order in which the models were declared when this was one module."""

# isort: off
from .base import CodeField, ProjectType, TimeStampedModel, VerificationStatus
from .areas import FocusArea
from .organisations import Employer, Organisation, University, UniversityCapacity, UniversityStrength
from .users import User
from .audit import AuditEvent
from .notifications import Notification
from .outbox import OutboundEmail
from .bulk import BulkJob
# isort: on

__all__ = [
    "AuditEvent",
    "BulkJob",
    "CodeField",
    "Employer",
    "FocusArea",
    "Notification",
    "Organisation",
    "OutboundEmail",
    "ProjectType",
    "TimeStampedModel",
    "University",
    "UniversityCapacity",
    "UniversityStrength",
    "User",
    "VerificationStatus",
]
