"""Every read of calls and proposals that depends on who asks."""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from accounts import permissions
from accounts.models import AuditEvent, FocusArea, User

from .models import Call, Proposal
from .workflow import Status


def proposals_visible_to(user: User) -> QuerySet:
    """Ministry staff see every proposal; an employer its own (any status) and the published
    ones; everyone else, anonymous included, only published proposals."""
    queryset = Proposal.objects.all()
    if permissions.is_ministry(user):
        return queryset
    published = Q(status=Status.PUBLISHED)
    if user.is_authenticated and user.employer_id:
        return queryset.filter(published | Q(employer_id=user.employer_id))
    return queryset.filter(published)


def proposal_get(*, user: User, public_id) -> Proposal:
    """The proposal, if this user may see it; Proposal.DoesNotExist otherwise."""
    return (proposals_visible_to(user).select_related("employer", "call")
            .prefetch_related("area_weights__area", "attachments").get(public_id=public_id))


def employer_proposals(user: User, call: Call | None = None) -> QuerySet:
    queryset = Proposal.objects.filter(employer_id=user.employer_id).select_related("call")
    return queryset.filter(call=call) if call else queryset


def employer_status_counts(user: User) -> dict[str, int]:
    rows = Proposal.objects.filter(employer_id=user.employer_id).values("status").annotate(n=Count("pk"))
    return {row["status"]: row["n"] for row in rows}


def area_and_children(code: str) -> list[int]:
    """A focus area's id and its sub-areas' ids (a parent area includes its sub-areas)."""
    return list(FocusArea.objects.filter(Q(code=code) | Q(parent__code=code)).values_list("pk", flat=True))


@dataclass
class QueueFilters:
    call: str = ""
    status: str = Status.SUBMITTED
    project_type: str = ""
    area: str = ""
    province: str = ""
    flagged: bool = False
    search: str = ""


def review_queue(*, user: User, filters: QueueFilters) -> QuerySet:
    """Ministry staff's queue: oldest submission first, with what a row shows loaded up front."""
    queryset = proposals_visible_to(user).select_related("employer", "call").prefetch_related(
        "area_weights__area")
    if filters.call:
        queryset = queryset.filter(call__slug=filters.call)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.project_type:
        queryset = queryset.filter(project_type=filters.project_type)
    if filters.area:
        queryset = queryset.filter(area_weights__area__in=area_and_children(filters.area)).distinct()
    if filters.province:
        queryset = queryset.filter(host_province=filters.province)
    if filters.flagged:
        queryset = queryset.exclude(flags=[])
    if filters.search:
        queryset = queryset.filter(Q(title__icontains=filters.search)
                                   | Q(employer__name__icontains=filters.search))
    return queryset.order_by("submitted_at", "pk")


def proposal_history(proposal: Proposal) -> QuerySet:
    return AuditEvent.objects.filter(
        content_type__app_label="projects", content_type__model="proposal", object_id=proposal.pk,
    ).select_related("actor").order_by("created_at", "pk")


def call_current() -> Call | None:
    """The call open now, else the next one to open, else the latest."""
    now = timezone.now()
    return (Call.objects.filter(opens_at__lte=now, closes_at__gte=now).order_by("closes_at").first()
            or Call.objects.filter(opens_at__gt=now).order_by("opens_at").first()
            or Call.objects.order_by("-closes_at").first())


def call_list() -> QuerySet:
    return Call.objects.order_by("-opens_at")
