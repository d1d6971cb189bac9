"""Every write to accounts and organisations, one module per feature: the audit log's writer
(audit), registration and details (organisations), a university's profile (universities),
verification by ministry staff (verification) and a user's own settings (users). Callers use
this package: ``from accounts import services; services.organisation_verify(...)``."""

from .audit import audit_record, data_export_record
from .organisations import (
    EDITABLE_FIELDS,
    LOCKED_WHEN_VERIFIED,
    ORGANISATION_FIELDS,
    ROLE_OF,
    Organisation,
    organisation_register,
    organisation_update,
)
from .universities import MAX_CAPACITY, university_profile_update, university_update
from .users import password_set_record, user_set_digest, user_set_language
from .verification import organisation_reject, organisation_verify, verification_digest_send

__all__ = [
    "EDITABLE_FIELDS",
    "LOCKED_WHEN_VERIFIED",
    "MAX_CAPACITY",
    "ORGANISATION_FIELDS",
    "ROLE_OF",
    "Organisation",
    "audit_record",
    "data_export_record",
    "organisation_register",
    "organisation_reject",
    "organisation_update",
    "organisation_verify",
    "password_set_record",
    "university_profile_update",
    "university_update",
    "user_set_digest",
    "user_set_language",
    "verification_digest_send",
]
