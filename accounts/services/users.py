"""A user's own settings: a new password (audited), the interface language, the email digest."""

from django.conf import settings
from django.db import transaction

from ..audit import AccountsAudit
from ..models import AuditEvent, User
from .audit import audit_record


def password_set_record(*, user: User, reset: bool) -> AuditEvent:
    """Audit a password the user changed, or reset through the emailed link (which proves the
    mailbox, so the user is the actor then too); call it in the transaction that saved it."""
    return audit_record(
        actor=user,
        target=user,
        action=AccountsAudit.PASSWORD_RESET if reset else AccountsAudit.PASSWORD_CHANGED,
    )


def user_set_language(*, user: User, language: str) -> None:
    """Remember the user's interface language: their emails are written in it."""
    if language in dict(settings.LANGUAGES) and user.language != language:
        user.language = language
        with transaction.atomic():
            user.save(update_fields=["language"])
            audit_record(actor=user, target=user, action=AccountsAudit.LANGUAGE_CHANGED, to_status=language)


def user_set_digest(*, actor: User, email_digest: bool) -> None:
    """Choose between one email per event and a daily digest of them, audited. Only what is
    notified from now on follows the new choice; what already waits for a digest goes out with
    the next one, so nothing is lost and nothing is sent twice."""
    if actor.email_digest != email_digest:
        actor.email_digest = email_digest
        with transaction.atomic():
            actor.save(update_fields=["email_digest"])
            audit_record(
                actor=actor,
                target=actor,
                action=AccountsAudit.EMAIL_DIGEST_CHANGED,
                to_status="daily" if email_digest else "each",
            )
