"""The audit actions the accounts app records, with their labels (see common/audit.py)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from common.audit import AuditAction


class AccountsAudit(AuditAction):
    # An organisation registered, its details or a university's strengths and capacity changed;
    # its verification decided (the code is the status it reaches).
    REGISTERED = "registered", pgettext_lazy("audit action", "Registered")  # not the column "Registered"
    UPDATED = "updated", _("Details changed")
    PROFILE_UPDATED = "profile_updated", _("Strengths and capacity changed")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")
    # A university member was shown a project's contact (PIPL access record); counted per
    # university and day against settings.CONTACT_VIEWS_PER_DAY, through a partial index.
    CONTACT_VIEWED = "contact_viewed", _("Contact details viewed")
    # Sign-ins (accounts/lockout.py), filed under the account.
    LOGGED_IN = "logged_in", _("Signed in")
    LOGIN_FAILED = "login_failed", _("Sign-in failed")
    LOCKED_OUT = "locked_out", _("Locked after failed sign-ins")
    # Credentials, filed under the account: a password changed or reset, an API token issued or
    # revoked.
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    PASSWORD_RESET = "password_reset", _("Password reset by email")
    TOKEN_ISSUED = "token_issued", _("API token issued")
    TOKEN_REVOKED = "token_revoked", _("API token revoked")
    # The second factor (accounts/credentials.py): an authenticator enrolled, a wrong code,
    # recovery codes made anew or one used (the comment: how many are left).
    TWO_FACTOR_ENROLLED = "two_factor_enrolled", _("Authenticator app enrolled")
    TWO_FACTOR_FAILED = "two_factor_failed", _("Wrong two-factor code")
    TWO_FACTOR_RECOVERY_CODES = "recovery_codes_made", _("New recovery codes made")
    RECOVERY_CODE_USED = "recovery_code_used", _("Recovery code used")
    # A copy of personal data taken away (PIPL): an export or a downloaded file, its kind in the
    # comment.
    DATA_EXPORTED = "data_exported", _("Data exported or downloaded")
    # The interface (and email) language a user chose, in to_status; and how they take their
    # notification emails, in to_status: "daily" (a digest) or "each" (one per event).
    LANGUAGE_CHANGED = "language_changed", _("Language changed")
    EMAIL_DIGEST_CHANGED = "email_digest_changed", _("Email preference changed")
    # An edit in Django's admin, filed under the edited object; the admin's LogEntry says what
    # changed.
    ADMIN_CHANGE = "admin_change", _("Changed in the admin")


# By path: accounts/models.py imports this module for the contact index.
AUDITED_STATUSES = ("accounts.models.VerificationStatus",)
