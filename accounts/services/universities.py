"""A university's profile: its AI strengths and its capacity per project type, alone or with
its details."""

from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .. import permissions
from ..audit import AccountsAudit
from ..models import FocusArea, ProjectType, University, UniversityCapacity, UniversityStrength, User
from .audit import audit_record
from .organisations import organisation_update


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
        if (
            any(isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= MAX_CAPACITY for n in numbers)
            or len(value) != 2
        ):
            errors.append(
                _("Capacity for “%(type)s” needs whole numbers “places” and “projects”, zero or more.")
                % {"type": project_type}
            )
            continue
        parsed.append((project_type, *numbers))
    if errors:
        raise ValidationError({"capacity": errors})
    return parsed


def university_profile_update(
    *, actor: User, university: University, strengths: Mapping | None = None, capacity: Mapping | None = None
) -> University:
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


def university_update(
    *,
    actor: User,
    university: University,
    fields: Mapping,
    strengths: Mapping | None = None,
    capacity: Mapping | None = None,
) -> University:
    """A university's details and its profile (strengths, capacity) changed together or not
    at all, by the rules of organisation_update and university_profile_update."""
    with transaction.atomic():
        if fields:
            organisation_update(actor=actor, organisation=university, fields=fields)
        if strengths is not None or capacity is not None:
            university_profile_update(
                actor=actor, university=university, strengths=strengths, capacity=capacity
            )
    return university
