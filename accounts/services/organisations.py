"""Registering an employer or a university with its first user, and changing its details."""

from collections.abc import Mapping

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import permissions
from ..audit import AccountsAudit
from ..models import Employer, University, User, VerificationStatus
from ..notifications import notify_members
from .audit import audit_record

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


def _check_fields(model: type[Organisation], fields: Mapping) -> None:
    unknown = set(fields) - EDITABLE_FIELDS[model]
    if unknown:
        raise ValidationError({name: _("This field cannot be set.") for name in sorted(unknown)})


def organisation_register(
    *,
    model: type[Organisation],
    fields: Mapping,
    username: str,
    password: str,
    language: str = settings.LANGUAGE_CODE,
) -> User:
    """Register an employer or university together with its first user, the contact person.

    The organisation starts pending: it may log in and fix its details, nothing more, until
    ministry staff verify it. Invalid input raises ValidationError and writes nothing.
    """
    _check_fields(model, fields)
    organisation = model(**fields)
    user = User(
        username=username,
        email=organisation.email,
        role=ROLE_OF[model],
        first_name=organisation.contact_person,
        language=language,
    )
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
            audit_record(
                actor=user,
                target=organisation,
                action=AccountsAudit.REGISTERED,
                to_status=organisation.status,
            )
    except IntegrityError as exc:  # a concurrent registration took the same code or username
        raise ValidationError(_("This organisation or username was registered a moment ago.")) from exc
    notify_members(
        organisation,
        "accounts/email/registered",
        {"organisation": organisation.name},
        url=reverse("accounts:dashboard"),
    )
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
                raise ValidationError(
                    {
                        name: _("This cannot be changed after verification; ask the ministry.")
                        for name in locked
                    }
                )
        before = stored.status
        if before == VerificationStatus.REJECTED and not is_ministry:
            stored.status, stored.status_changed_at = VerificationStatus.PENDING, timezone.now()
        stored.save()
        audit_record(
            actor=actor,
            target=stored,
            action=AccountsAudit.UPDATED,
            from_status=before,
            to_status=stored.status,
        )
    return stored
