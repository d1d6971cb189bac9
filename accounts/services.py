"""Every write to accounts and organisations."""

from collections.abc import Mapping

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Model, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit_chain, permissions
from .audit import AccountsAudit
from .client import current_client_address
from .errors import Conflict
from .models import (
    AuditEvent,
    Employer,
    FocusArea,
    ProjectType,
    University,
    UniversityCapacity,
    UniversityStrength,
    User,
    VerificationStatus,
)
from .notifications import notify_members
from .outbox import email_queue

Organisation = Employer | University
ROLE_OF = {Employer: User.Role.EMPLOYER, University: User.Role.UNIVERSITY}
# The fields a registration or an edit may set; status and dates belong to verification.
ORGANISATION_FIELDS = {"name", "province", "city", "contact_person", "phone", "email"}
EDITABLE_FIELDS = {
    Employer: ORGANISATION_FIELDS | {"credit_code", "kind", "industry"},
    University: ORGANISATION_FIELDS | {"institution_code", "tier"},
}
# Identity fields are fixed once verified: changing them would bypass the verification.
LOCKED_WHEN_VERIFIED = {Employer: {"name", "credit_code"}, University: {"name", "institution_code"}}


def audit_record(*, actor: User | None, target: Model, action: str, from_status: str = "",
                 to_status: str = "", comment: str = "", reason: str = "") -> AuditEvent:
    """Append an audit event in the caller's transaction, chained onto the last one.

    The only writer of audit events: it snapshots the actor's username (which outlives the
    user) and hashes the event onto its predecessor's hash. The chain lock is held to commit,
    so concurrent writers chain one after the other (SQLite, for development, has one writer).
    """
    actor = actor if actor and actor.is_authenticated else None
    with transaction.atomic(savepoint=False):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [audit_chain.CHAIN_LOCK_ID])
        # Timed once the lock is held, so that times rise along the chain.
        event = AuditEvent(
            created_at=timezone.now(), actor=actor,
            actor_username=actor.get_username() if actor else "",
            client_address=current_client_address()[:45], target=target, action=action,
            from_status=from_status, to_status=to_status, comment=comment, reason=reason,
        )
        last = AuditEvent.objects.order_by("-pk").values_list("hash", flat=True).first()
        event.hash = audit_chain.event_hash(last or "", event)
        event.save(force_insert=True)
    return event


def _check_fields(model: type[Organisation], fields: Mapping) -> None:
    unknown = set(fields) - EDITABLE_FIELDS[model]
    if unknown:
        raise ValidationError({name: _("This field cannot be set.") for name in sorted(unknown)})


def organisation_register(*, model: type[Organisation], fields: Mapping, username: str,
                          password: str, language: str = settings.LANGUAGE_CODE) -> User:
    """Register an employer or university together with its first user, the contact person.

    The organisation starts pending: it may log in and fix its details, nothing more, until
    ministry staff verify it. Invalid input raises ValidationError and writes nothing.
    """
    _check_fields(model, fields)
    organisation = model(**fields)
    user = User(username=username, email=organisation.email, role=ROLE_OF[model],
                first_name=organisation.contact_person, language=language)
    errors: dict[str, list] = {}
    for obj, exclude in ((organisation, []), (user, ["password", "employer", "university"])):
        try:
            obj.full_clean(exclude=exclude)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        errors["password"] = exc.messages
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            organisation.save()
            setattr(user, ROLE_OF[model], organisation)
            user.set_password(password)
            user.save()
            audit_record(actor=user, target=organisation, action=AccountsAudit.REGISTERED,
                         to_status=organisation.status)
    except IntegrityError as exc:  # a concurrent registration took the same code or username
        raise ValidationError(_("This organisation or username was registered a moment ago.")) from exc
    notify_members(organisation, "accounts/email/registered", {"organisation": organisation.name},
                   url=reverse("accounts:dashboard"))
    return user


def organisation_update(*, actor: User, organisation: Organisation, fields: Mapping) -> Organisation:
    """Change an organisation's details. Members may always fix their own details; a rejected
    organisation that does so goes back to pending for another review. Name and code are
    fixed once verified, except for ministry staff."""
    if not permissions.can_edit_organisation(actor, organisation):
        raise PermissionDenied(_("You may not change this organisation."))
    model, is_ministry = type(organisation), permissions.is_ministry(actor)
    _check_fields(model, fields)
    with transaction.atomic():
        # Read the stored row under lock: the caller's instance may hold unsaved edits, and a
        # verification may be under way.
        stored = model.objects.select_for_update().get(pk=organisation.pk)
        identity = {name: getattr(stored, name) for name in LOCKED_WHEN_VERIFIED[model]}
        for name, value in fields.items():
            setattr(stored, name, value)
        stored.full_clean()
        if stored.is_verified and not is_ministry:
            locked = [name for name, value in identity.items() if getattr(stored, name) != value]
            if locked:
                raise ValidationError({name: _("This cannot be changed after verification; ask "
                                               "the ministry.") for name in locked})
        before = stored.status
        if before == VerificationStatus.REJECTED and not is_ministry:
            stored.status, stored.status_changed_at = VerificationStatus.PENDING, timezone.now()
        stored.save()
        audit_record(actor=actor, target=stored, action=AccountsAudit.UPDATED, from_status=before,
                     to_status=stored.status)
    return stored


def password_set_record(*, user: User, reset: bool) -> AuditEvent:
    """Audit a password the user changed, or reset through the emailed link (which proves the
    mailbox, so the user is the actor then too); call it in the transaction that saved it."""
    return audit_record(actor=user, target=user, action=AccountsAudit.PASSWORD_RESET if reset
                        else AccountsAudit.PASSWORD_CHANGED)


def data_export_record(*, actor: User, target: Model, kind: str) -> AuditEvent:
    """Audit an export or a file download holding personal data (PIPL: who took a copy of
    what): `target` is what it is about (a run, a proposal, the reader's organisation) and
    `kind` says which export or file."""
    return audit_record(actor=actor, target=target, action=AccountsAudit.DATA_EXPORTED, comment=kind)


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
            audit_record(actor=actor, target=actor, action=AccountsAudit.EMAIL_DIGEST_CHANGED,
                         to_status="daily" if email_digest else "each")


def _parse_strengths(strengths: Mapping) -> list[tuple[FocusArea, float]]:
    areas = {a.code: a for a in FocusArea.objects.filter(code__in=list(strengths))}
    errors, parsed = [], []
    for code, weight in strengths.items():
        if code not in areas:
            errors.append(_("Unknown focus area “%(code)s”.") % {"code": code})
        elif isinstance(weight, bool) or not isinstance(weight, int | float) or not 0 <= weight <= 1:
            errors.append(_("The strength in “%(code)s” must be a number from 0 to 1.") % {"code": code})
        elif weight > 0:
            parsed.append((areas[code], float(weight)))
    if errors:
        raise ValidationError({"strengths": errors})
    return parsed


# The largest value PostgreSQL's integer column holds; a larger one would fail the INSERT (a 500).
MAX_CAPACITY = 2_147_483_647


def _parse_capacity(capacity: Mapping) -> list[tuple[str, int, int]]:
    errors, parsed = [], []
    for project_type, value in capacity.items():
        if project_type not in ProjectType.values:
            errors.append(_("Unknown project type “%(type)s”.") % {"type": project_type})
            continue
        numbers = [value.get(k) if isinstance(value, Mapping) else None for k in ("places", "projects")]
        if any(isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= MAX_CAPACITY
               for n in numbers) or len(value) != 2:
            errors.append(_("Capacity for “%(type)s” needs whole numbers “places” and “projects”, "
                            "zero or more.") % {"type": project_type})
            continue
        parsed.append((project_type, *numbers))
    if errors:
        raise ValidationError({"capacity": errors})
    return parsed


def university_profile_update(*, actor: User, university: University,
                              strengths: Mapping | None = None,
                              capacity: Mapping | None = None) -> University:
    """Replace a university's AI strengths ({area_code: weight in [0, 1]}) and/or its capacity
    per project type ({project_type: {"places": n, "projects": n}}). Only its own staff and the
    ministry may; a map given replaces the stored one whole."""
    if not permissions.can_edit_organisation(actor, university):
        raise PermissionDenied(_("You may not change this university's profile."))
    parsed_strengths = None if strengths is None else _parse_strengths(strengths)
    parsed_capacity = None if capacity is None else _parse_capacity(capacity)
    with transaction.atomic():
        if parsed_strengths is not None:
            university.strengths.all().delete()
            UniversityStrength.objects.bulk_create(
                UniversityStrength(university=university, area=area, weight=weight)
                for area, weight in parsed_strengths
            )
        if parsed_capacity is not None:
            university.capacities.all().delete()
            UniversityCapacity.objects.bulk_create(
                UniversityCapacity(university=university, project_type=t, places=p, projects=n)
                for t, p, n in parsed_capacity
            )
        audit_record(actor=actor, target=university, action=AccountsAudit.PROFILE_UPDATED)
    return university


def university_update(*, actor: User, university: University, fields: Mapping,
                      strengths: Mapping | None = None, capacity: Mapping | None = None) -> University:
    """A university's details and its profile (strengths, capacity) changed together or not
    at all, by the rules of organisation_update and university_profile_update."""
    with transaction.atomic():
        if fields:
            organisation_update(actor=actor, organisation=university, fields=fields)
        if strengths is not None or capacity is not None:
            university_profile_update(actor=actor, university=university, strengths=strengths,
                                      capacity=capacity)
    return university


def _change_status(*, actor: User, organisation: Organisation, to: str, allowed_from: set[str],
                   reason: str = "") -> Organisation:
    if not permissions.can_verify_organisations(actor):
        raise PermissionDenied(_("Only ministry staff may verify organisations."))
    model, now = type(organisation), timezone.now()
    with transaction.atomic():
        # Locked: of two staff acting at once, the second sees the first one's decision.
        current = model.objects.select_for_update().get(pk=organisation.pk)
        if current.status not in allowed_from:
            raise Conflict(_("This organisation is already “%(status)s”.")
                           % {"status": current.get_status_display()})
        before = current.status
        current.status, current.status_reason, current.status_changed_at = to, reason, now
        current.save(update_fields=["status", "status_reason", "status_changed_at", "updated_at"])
        audit_record(actor=actor, target=current, action=to, from_status=before, to_status=to,
                     comment=reason)
        notify_members(current, f"accounts/email/{to}", {"organisation": current.name, "reason": reason},
                       url=reverse("accounts:dashboard"))
    return current


def organisation_verify(*, actor: User, organisation: Organisation) -> Organisation:
    """Ministry staff verify a pending (or previously rejected) organisation; its members are
    told by email."""
    return _change_status(actor=actor, organisation=organisation, to=VerificationStatus.VERIFIED,
                          allowed_from={VerificationStatus.PENDING, VerificationStatus.REJECTED})


def organisation_reject(*, actor: User, organisation: Organisation, reason: str) -> Organisation:
    """Ministry staff reject a pending organisation, or revoke a verified one, always with a
    reason that its members receive by email."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the rejection.")})
    return _change_status(actor=actor, organisation=organisation, to=VerificationStatus.REJECTED,
                          allowed_from={VerificationStatus.PENDING, VerificationStatus.VERIFIED},
                          reason=reason)


def verification_digest_send() -> int:
    """Email ministry staff how many organisations wait for verification; returns that count."""
    waiting = sum(
        model.objects.filter(status=VerificationStatus.PENDING).count()
        for model in (Employer, University)
    )
    if waiting:
        staff = User.objects.filter(
            Q(role=User.Role.MINISTRY) | Q(is_superuser=True), is_active=True
        ).exclude(email="")
        today = timezone.localdate().isoformat()
        with transaction.atomic():
            for user in staff:   # once a day each, however often this runs
                email_queue(user=user, template="accounts/email/pending_digest",
                            context={"waiting": waiting}, key=f"pending-digest:{today}:{user.pk}")
    return waiting
