"""Every read of calls and proposals that depends on who asks."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts import permissions
from accounts.audit import AccountsAudit
from accounts.models import AuditEvent, FocusArea, ProjectType, University, User
from accounts.selectors import with_profile

from .models import Call, Interest, Proposal, ProposalArea, ShortlistEntry
from .models.calls import DEFAULT_PHASE_DAYS
from .workflow import Status

LIVE_INTEREST = [Interest.Status.LIVE, Interest.Status.INTRODUCED]


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
    return (
        proposals_visible_to(user)
        .select_related("employer", "call")
        .prefetch_related("area_weights__area", "attachments")
        .get(public_id=public_id)
    )


def may_see_contact(user: User, proposal: Proposal) -> bool:
    """PIPL, minimum necessary: a project's contact person, phone and email, and its attachments
    (which often repeat them), are for the project's own employer, ministry staff and members of
    verified universities (published projects only). Never for anonymous visitors, other
    employers, or organisations still pending or rejected."""
    if not user.is_authenticated:
        return False
    if permissions.is_ministry(user) or (user.employer_id and user.employer_id == proposal.employer_id):
        return True
    return bool(
        user.university_id and permissions.is_verified_member(user) and proposal.status == Status.PUBLISHED
    )


def contact_view_is_recorded(user: User) -> bool:
    """A university member's sight of a contact is recorded and counted against its university's
    daily limit; the owner's and ministry staff's are not."""
    return bool(user.is_authenticated and user.university_id)


def contact_views_today(university_id: int) -> int:
    """How many contacts the university's members have been shown since midnight, Beijing
    time (the partial index audit_contact_viewed serves it, per member)."""
    midnight = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
    return AuditEvent.objects.filter(
        action=AccountsAudit.CONTACT_VIEWED, created_at__gte=midnight, actor__university_id=university_id
    ).count()


def employer_proposals(user: User, call: Call | None = None) -> QuerySet:
    if user.employer_id is None:
        return Proposal.objects.none()
    queryset = Proposal.objects.filter(employer_id=user.employer_id).select_related("call")
    return queryset.filter(call=call) if call else queryset


def employer_status_counts(user: User) -> dict[str, int]:
    if user.employer_id is None:
        return {}
    rows = Proposal.objects.filter(employer_id=user.employer_id).values("status").annotate(n=Count("pk"))
    return {row["status"]: row["n"] for row in rows}


def area_and_children(code: str) -> list[int]:
    """A focus area's id and its sub-areas' ids (a parent area includes its sub-areas)."""
    return list(FocusArea.objects.filter(Q(code=code) | Q(parent__code=code)).values_list("pk", flat=True))


def proposals_with_areas(area_ids: list[int]) -> QuerySet:
    """The ids of proposals with any of these focus areas, as a subquery (no duplicate rows)."""
    return ProposalArea.objects.filter(area_id__in=area_ids).values("proposal_id")


def catalogue() -> QuerySet:
    """Published projects with what a catalogue row shows, for anyone (anonymous included)."""
    return (
        Proposal.objects.filter(status=Status.PUBLISHED)
        .select_related("employer", "call")
        .prefetch_related("area_weights__area")
    )


def published_project(public_id) -> Proposal:
    return catalogue().get(public_id=public_id)


def interest_summary(proposal: Proposal) -> dict[str, int]:
    """How many universities expressed interest, and the partner places still open (partners
    sought less the partners confirmed by accepted introductions)."""
    return {
        "interests": proposal.interests.filter(status__in=LIVE_INTEREST).count(),
        "places_left": max((proposal.partners_sought or 0) - proposal.partners_confirmed, 0),
    }


def interests_visible_to(user: User) -> QuerySet:
    """A university sees its own interests; an employer those in its projects; ministry all."""
    queryset = Interest.objects.select_related("proposal", "proposal__call", "university")
    if permissions.is_ministry(user):
        return queryset
    if user.is_authenticated and user.university_id:
        return queryset.filter(university_id=user.university_id)
    if user.is_authenticated and user.employer_id:
        return queryset.filter(proposal__employer_id=user.employer_id)
    return queryset.none()


def interest_list(*, user: User, project: str = "", call: str = "", status: str = "") -> QuerySet:
    """The interests this user may see, of one project (by public id), call (by slug) or status
    when given, newest first: the export's list."""
    queryset = interests_visible_to(user)
    if project:
        queryset = queryset.filter(proposal__public_id=project)
    if call:
        queryset = queryset.filter(proposal__call__slug=call)
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-created_at", "-pk")


def university_capacity_left(university, *, excluding: Interest | None = None) -> dict[str, dict[str, int]]:
    """Per project type: the university's places, the students offered in its live interests
    (but `excluding`, an interest being changed), and what is left. The one home of this rule:
    pages show it and interest_create/interest_update check against it."""
    live = Interest.objects.filter(university=university, status__in=LIVE_INTEREST)
    if excluding is not None and excluding.pk is not None:
        live = live.exclude(pk=excluding.pk)
    offered: dict[str, int] = dict(
        live.values_list("proposal__project_type").annotate(n=Sum("students_offered"))
    )
    rows = {c.project_type: c.places for c in university.capacities.all()}
    return {
        t: {
            "places": rows.get(t, 0),
            "offered": offered.get(t, 0),
            "left": max(rows.get(t, 0) - offered.get(t, 0), 0),
        }
        for t in ProjectType.values
    }


def interest_allowance_left(university, call: Call | None) -> int | None:
    """How many more interests the university may express in the call (None: no limit). The
    one home of this rule: pages show it and interest_create checks against it."""
    if call is None or call.max_interests_per_university is None:
        return None
    used = Interest.objects.filter(
        university=university, status__in=LIVE_INTEREST, proposal__call=call
    ).count()
    return max(call.max_interests_per_university - used, 0)


def proposal_interests(user: User, proposal: Proposal) -> QuerySet:
    """The interests in a proposal that this user may see, oldest first, each with its
    university's profile (strengths, capacity) loaded up front."""
    universities = with_profile(University.objects.all())
    return (
        interests_visible_to(user)
        .filter(proposal=proposal)
        .select_related(None)
        .select_related("proposal")
        .prefetch_related(Prefetch("university", queryset=universities))
        .order_by("created_at", "pk")
    )


@dataclass
class QueueFilters:
    """The filters of a list of proposals: the review queue's page, its export and the API's
    `proposals/` alike. An empty value does not filter; `flagged` None does not either."""

    call: str = ""
    status: str = Status.SUBMITTED
    project_type: str = ""
    area: str = ""
    province: str = ""
    flagged: bool | None = None
    search: str = ""


def proposals_filtered(queryset: QuerySet, filters: QueueFilters) -> QuerySet:
    """These proposals that pass the filters: the one home of how a proposal list is filtered
    (a main area includes its sub-areas, by a subquery, so no row is repeated)."""
    if filters.call:
        queryset = queryset.filter(call__slug=filters.call)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.project_type:
        queryset = queryset.filter(project_type=filters.project_type)
    if filters.area:
        queryset = queryset.filter(pk__in=proposals_with_areas(area_and_children(filters.area)))
    if filters.province:
        queryset = queryset.filter(host_province=filters.province)
    if filters.flagged is not None:
        queryset = queryset.exclude(flags=[]) if filters.flagged else queryset.filter(flags=[])
    if filters.search:
        queryset = queryset.filter(
            Q(title__icontains=filters.search) | Q(employer__name__icontains=filters.search)
        )
    return queryset


def review_queue(*, user: User, filters: QueueFilters) -> QuerySet:
    """Ministry staff's queue: oldest submission first, with what a row shows loaded up front."""
    queryset = (
        proposals_visible_to(user).select_related("employer", "call").prefetch_related("area_weights__area")
    )
    return proposals_filtered(queryset, filters).order_by("submitted_at", "pk")


def proposal_export_list(*, user: User, filters: QueueFilters) -> QuerySet:
    """The proposals a user exports, in the review queue's order: any for ministry staff, an
    employer's own only (it sees others' published projects, but exports its own)."""
    queryset = review_queue(user=user, filters=filters)
    if permissions.is_ministry(user):
        return queryset
    if user.employer_id is None:
        return queryset.none()
    return queryset.filter(employer_id=user.employer_id)


def proposal_history(proposal: Proposal) -> QuerySet:
    """The proposal's life cycle as its employer and the reviewers read it; the PIPL access
    records of its contact are for the ministry's audit (the admin), not for this timeline."""
    return (
        AuditEvent.objects.filter(
            content_type__app_label="projects",
            content_type__model="proposal",
            object_id=proposal.pk,
        )
        .exclude(action=AccountsAudit.CONTACT_VIEWED)
        .select_related("actor")
        .order_by("created_at", "pk")
    )


def call_current() -> Call | None:
    """The call open now, else the next one to open, else the latest."""
    now = timezone.now()
    return (
        Call.objects.filter(opens_at__lte=now, closes_at__gte=now).order_by("closes_at").first()
        or Call.objects.filter(opens_at__gt=now).order_by("opens_at").first()
        or Call.objects.order_by("-closes_at").first()
    )


def call_list() -> QuerySet:
    return Call.objects.order_by("-opens_at")


def calls_taking_interest(now=None) -> QuerySet:
    """The calls in their interest phase (Call.takes_interest), as a query."""
    now = now or timezone.now()
    default = F("closes_at") + timedelta(days=DEFAULT_PHASE_DAYS["interest_closes_at"])
    return (
        Call.objects.alias(interest_ends=Coalesce("interest_closes_at", default))
        .filter(opens_at__lte=now, interest_ends__gte=now)
        .values("pk")
    )


def shortlist_of(user: User) -> QuerySet:
    """The published projects on the user's university's shortlist, last added first."""
    if not (user.is_authenticated and user.university_id):
        return Proposal.objects.none()
    entries = ShortlistEntry.objects.filter(university_id=user.university_id, proposal_id=OuterRef("pk"))
    return catalogue().filter(Exists(entries)).order_by("-pk")
