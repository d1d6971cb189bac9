"""Who may do what: plain predicates used by services, API permission classes and templates."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy
from rest_framework.permissions import BasePermission

from .models import Employer, University, User

Organisation = Employer | University


def is_ministry(user) -> bool:
    return bool(user.is_authenticated and user.is_ministry)


def require_ministry(user, message: str) -> None:
    """For pages: PermissionDenied with the page's own message, unless ministry staff."""
    if not is_ministry(user):
        raise PermissionDenied(message)


class IsMinistry(BasePermission):
    """For the API: ministry staff only."""

    message = gettext_lazy("Only ministry staff may see or do this.")

    def has_permission(self, request, view) -> bool:
        return is_ministry(request.user)


def needs_two_factor(user) -> bool:
    """Ministry staff, and anyone who may enter the admin, sign in with a second factor."""
    return bool(user.is_authenticated and (is_ministry(user) or user.is_staff))


def belongs_to(user, organisation: Organisation) -> bool:
    if not user.is_authenticated:
        return False
    if isinstance(organisation, Employer):
        return user.employer_id == organisation.pk
    return user.university_id == organisation.pk


def can_view_organisation(user, organisation: Organisation) -> bool:
    return is_ministry(user) or belongs_to(user, organisation)


def can_edit_organisation(user, organisation: Organisation) -> bool:
    """Members edit their own organisation whatever its status: a pending or rejected one must
    be able to fix its details."""
    return is_ministry(user) or belongs_to(user, organisation)


def can_verify_organisations(user) -> bool:
    return is_ministry(user)


def is_verified_member(user: User) -> bool:
    """May act in the program: ministry staff, or a member of a verified organisation. Pending
    and rejected organisations may only see their status and fix their details."""
    if is_ministry(user):
        return True
    organisation = user.organisation if user.is_authenticated else None
    return bool(organisation and organisation.is_verified)
