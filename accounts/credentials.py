"""Every write to a user's credentials beyond the password: API tokens (django-rest-knox: stored
hashed, expiring, revocable) and the second factor ministry staff sign in with (django-otp: an
authenticator app's time-based codes, and one-use recovery codes). Each write is audited."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import verify_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from . import permissions
from .audit import AccountsAudit
from .errors import Conflict
from .models import User
from .services import audit_record

RECOVERY_CODES = 10
AUTHENTICATOR, RECOVERY = "authenticator", "recovery"


# --- API tokens -----------------------------------------------------------------------------------


def token_issue(*, user: User, code: str = "") -> tuple[AuthToken, str]:
    """A new API token for a user who has just given their password; staff who sign in with
    a second factor give a valid code too. Returns the stored token and its key, shown once:
    only a hash is kept. Whoever holds the key acts as the user until it expires or is revoked."""
    if permissions.needs_two_factor(user):
        two_factor_check(user=user, code=code)  # not in the transaction: a refusal is recorded
    with transaction.atomic():
        token, key = AuthToken.objects.create(user=user)
        audit_record(actor=user, target=user, action=AccountsAudit.TOKEN_ISSUED, comment=token.token_key)
    return token, key


def tokens_revoke(*, actor: User, tokens) -> int:
    """Revoke these of the actor's own tokens (a queryset of AuthToken); returns how many."""
    with transaction.atomic():
        keys = list(tokens.filter(user=actor).values_list("token_key", flat=True))
        tokens.filter(user=actor).delete()
        if keys:
            audit_record(
                actor=actor, target=actor, action=AccountsAudit.TOKEN_REVOKED, comment=" ".join(keys)
            )
    return len(keys)


def tokens_of(user: User):
    """A user's tokens that have not expired, newest first (expired ones no longer sign in)."""
    return AuthToken.objects.filter(user=user, expiry__gt=timezone.now()).order_by("-created")


# --- Two-factor sign-in -----------------------------------------------------------------------------


def authenticator(user: User) -> TOTPDevice | None:
    """The user's confirmed authenticator, if they have enrolled one."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__name=RECOVERY).count()


def enrolment_start(*, user: User) -> TOTPDevice:
    """The authenticator being enrolled: a new secret shown as a QR code until a code from it
    confirms it. Enrolling again replaces an unconfirmed one (a confirmed one stays until the
    new one is confirmed)."""
    pending = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return pending or TOTPDevice.objects.create(user=user, name=AUTHENTICATOR, confirmed=False)


def enrolment_confirm(*, user: User, code: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm the pending authenticator with a code from it: it replaces any earlier one, and
    a fresh set of recovery codes is made. Returns the device and the codes (shown once)."""
    pending = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if pending is None:
        raise Conflict(_("Start the enrolment again: no authenticator is waiting for a code."))
    if not verify_token(user, pending.persistent_id, _normalised(code)):
        audit_record(actor=user, target=user, action=AccountsAudit.TWO_FACTOR_FAILED, comment="enrolment")
        raise ValidationError(
            _("That code is not right. Check the time on your phone and enter the code the app shows now.")
        )
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=True).delete()
        pending.confirmed = True
        pending.save(update_fields=["confirmed"])
        codes = _new_recovery_codes(user)
        audit_record(actor=user, target=user, action=AccountsAudit.TWO_FACTOR_ENROLLED)
    return pending, codes


def recovery_codes_renew(*, user: User) -> list[str]:
    """Replace the user's recovery codes with a fresh set (the old ones stop working)."""
    if authenticator(user) is None:
        raise Conflict(_("Enrol an authenticator app first."))
    with transaction.atomic():
        codes = _new_recovery_codes(user)
        audit_record(actor=user, target=user, action=AccountsAudit.TWO_FACTOR_RECOVERY_CODES)
    return codes


def two_factor_check(*, user: User, code: str):
    """The device that accepts the code: the authenticator for six digits, else a recovery code
    (used up). A wrong code is audited and refused; each device slows down repeated failures.
    Not to be called in a transaction that a refusal rolls back (the record and the slowing
    down would go with it)."""
    code, app = _normalised(code), authenticator(user)
    if app is None:
        raise ValidationError(
            _(
                "Two-factor sign-in is not set up for this account: enrol an "
                "authenticator app on the website first."
            )
        )
    if not code:
        raise ValidationError(_("Enter the code from your authenticator app, or a recovery code."))
    if code.isdigit() and len(code) == app.digits:
        device = app
    else:  # a recovery code: eight characters of a-z and 2-7
        device = StaticDevice.objects.filter(user=user, name=RECOVERY).first()
    if device is None or not verify_token(user, device.persistent_id, code):
        audit_record(actor=user, target=user, action=AccountsAudit.TWO_FACTOR_FAILED)
        raise ValidationError(
            _("That code is not right, or was already used. Wait for the next code and try again.")
        )
    if device.name == RECOVERY:
        audit_record(
            actor=user,
            target=user,
            action=AccountsAudit.RECOVERY_CODE_USED,
            comment=str(recovery_codes_left(user)),
        )
    return device


def _normalised(code: str) -> str:
    return "".join(code.split()).lower()


def _new_recovery_codes(user: User) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(user=user, name=RECOVERY)
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes
