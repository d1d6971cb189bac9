"""Every read of introductions, agreements and outcome reports that depends on who asks.

Ministry staff see every introduction; each side sees only its own, and only once sent (a
proposed introduction is the ministry's draft). An outsider asking for one gets a 404."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from accounts import permissions
from accounts.models import AuditEvent, University, User

from ..models import Candidate, Introduction, MatchRun, OutcomeReport
from .workflow import VISIBLE_TO_SIDES, Status

EMPLOYER, UNIVERSITY = "employer", "university"


def introductions_visible_to(user: User) -> QuerySet:
    queryset = Introduction.objects.select_related(
        "proposal", "proposal__employer", "proposal__call", "university", "broker"
    )
    if permissions.is_ministry(user):
        return queryset
    if not user.is_authenticated or not (user.employer_id or user.university_id):
        return queryset.none()
    own = (
        Q(proposal__employer_id=user.employer_id) if user.employer_id else Q(university_id=user.university_id)
    )
    return queryset.filter(own, status__in=sorted(VISIBLE_TO_SIDES))


def introduction_get(*, user: User, public_id) -> Introduction:
    """The introduction, if this user may see it; Introduction.DoesNotExist otherwise."""
    return introductions_visible_to(user).get(public_id=public_id)


def side_of(user: User, introduction: Introduction) -> str | None:
    """Which side of the introduction the user speaks for: employer, university or neither."""
    if not user.is_authenticated:
        return None
    if user.employer_id and user.employer_id == introduction.proposal.employer_id:
        return EMPLOYER
    if user.university_id and user.university_id == introduction.university_id:
        return UNIVERSITY
    return None


@dataclass
class IntroductionFilters:
    call: str = ""  # call slug
    status: str = ""
    q: str = ""  # in the project's title, the employer's or the university's name
    province: str = ""  # the project's host province or the university's province
    outcome: str = ""  # the outcome report's status


def introduction_list(*, user: User, filters: IntroductionFilters | None = None) -> QuerySet:
    """The introductions this user may see that pass the filters, newest first."""
    filters = filters or IntroductionFilters()
    queryset = introductions_visible_to(user)
    if filters.call:
        queryset = queryset.filter(proposal__call__slug=filters.call)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.q:
        queryset = queryset.filter(
            Q(proposal__title__icontains=filters.q)
            | Q(proposal__employer__name__icontains=filters.q)
            | Q(university__name__icontains=filters.q)
        )
    if filters.province:
        queryset = queryset.filter(
            Q(proposal__host_province=filters.province) | Q(university__province=filters.province)
        )
    if filters.outcome:
        queryset = queryset.filter(outcome__status=filters.outcome)
    return queryset.order_by("-created_at", "-pk")


def outcomes_visible_to(user: User) -> QuerySet:
    """Outcome reports of the introductions this user may see."""
    return OutcomeReport.objects.filter(
        introduction__in=introductions_visible_to(user).values("pk")
    ).select_related(
        "introduction",
        "introduction__proposal",
        "introduction__proposal__employer",
        "introduction__university",
    )


def outcome_list(*, user: User, call: str = "", status: str = "") -> QuerySet:
    """The outcome reports this user may see, of one call (by slug) or status when given, newest
    first: the export's list."""
    queryset = outcomes_visible_to(user)
    if call:
        queryset = queryset.filter(introduction__proposal__call__slug=call)
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-created_at", "-pk")


def introduction_history(introduction: Introduction) -> QuerySet:
    """The introduction's audit trail, oldest first."""
    return (
        AuditEvent.objects.filter(
            content_type__app_label="matching",
            content_type__model="introduction",
            object_id=introduction.pk,
        )
        .select_related("actor")
        .order_by("created_at", "pk")
    )


def introductions_awaiting(user: User) -> QuerySet:
    """Sent introductions that wait for this user's side to answer, soonest to expire first."""
    queryset = introductions_visible_to(user).filter(status=Status.SENT)
    side = "employer" if user.employer_id else "university"
    return queryset.filter(**{f"{side}_response": ""}).order_by("expires_at", "pk")


def candidate_to_introduce(*, user: User, candidate_id: int) -> Candidate | None:
    """A candidate of a succeeded run, for ministry staff to introduce; None otherwise."""
    if not permissions.is_ministry(user):
        return None
    return (
        Candidate.objects.select_related("proposal", "university")
        .filter(pk=candidate_id, run__status=MatchRun.Status.SUCCEEDED)
        .first()
    )


def university_to_introduce(*, user: User, public_id=None, institution_code: str = "") -> University | None:
    """A university, by id or institution code, for ministry staff to introduce; None otherwise."""
    if not permissions.is_ministry(user):
        return None
    found = (
        University.objects.filter(public_id=public_id)
        if public_id
        else University.objects.filter(institution_code=institution_code)
    )
    return found.first()
