"""Every read of matching runs and their candidates that depends on who asks.

Ministry staff see every run and every candidate; employers and universities see only the
proposed introductions of a call's latest published run, and only those about themselves."""

from dataclasses import dataclass, replace

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Window
from django.db.models.functions import RowNumber

from accounts import permissions
from accounts.models import University, User
from projects.models import Call, Proposal
from projects.selectors import area_and_children, proposals_with_areas
from projects.workflow import Status

from .models import Candidate, MatchRun, UniversityCandidates, unpack_ids


def runs_visible_to(user: User) -> QuerySet:
    """Ministry staff see every run, newest first; nobody else sees runs as such."""
    if not permissions.is_ministry(user):
        return MatchRun.objects.none()
    return MatchRun.objects.select_related("call", "created_by").order_by("-created_at", "-pk")


def run_get(*, user: User, public_id) -> MatchRun:
    """The run, if this user may see it; MatchRun.DoesNotExist otherwise."""
    return runs_visible_to(user).get(public_id=public_id)


def run_progress(*, user: User, public_id) -> dict:
    """What the progress endpoint answers, read in one small query."""
    return runs_visible_to(user).values("status", "progress", "error").get(public_id=public_id)


def calls_for_matching() -> QuerySet:
    """Call rounds, newest first, each with its number of published projects."""
    return Call.objects.annotate(
        published_projects=Count("proposals", filter=Q(proposals__status=Status.PUBLISHED)),
    ).order_by("-opens_at")


def universities_named(public_ids: list[str], limit: int) -> list[University]:
    """The first `limit` (by name) of the universities a run's summary names by public id."""
    return list(University.objects.filter(public_id__in=public_ids).order_by("name", "pk")[:limit])


@dataclass
class CandidateFilters:
    project: str = ""  # in the project's title
    university: str = ""  # in the university's name
    province: str = ""  # the project's host province or the university's province
    area: str = ""  # a focus area of the project (a main area includes its sub-areas)
    proposed: bool = False  # proposed introductions only


def run_candidates(run: MatchRun, filters: CandidateFilters | None = None) -> QuerySet:
    """The run's candidates that pass the filters, with the project and university loaded."""
    return _passing(Candidate.objects.filter(run=run), filters or CandidateFilters())


def _passing(queryset: QuerySet, filters: CandidateFilters) -> QuerySet:
    if filters.project:
        queryset = queryset.filter(proposal__title__icontains=filters.project)
    if filters.university:
        queryset = queryset.filter(university__name__icontains=filters.university)
    if filters.province:
        queryset = queryset.filter(
            Q(proposal__host_province=filters.province) | Q(university__province=filters.province)
        )
    if filters.area:
        queryset = queryset.filter(proposal_id__in=proposals_with_areas(area_and_children(filters.area)))
    if filters.proposed:
        queryset = queryset.filter(proposed=True)
    return queryset.select_related("proposal", "proposal__employer", "university")


def run_projects(run: MatchRun, filters: CandidateFilters) -> QuerySet:
    """The projects with at least one candidate passing the filters, by title."""
    ids = run_candidates(run, filters).values("proposal_id")
    return Proposal.objects.filter(pk__in=ids).select_related("employer").order_by("title", "pk")


def run_universities(run: MatchRun, filters: CandidateFilters) -> QuerySet:
    """The universities with at least one candidate passing the filters, by name. Candidates
    have no index by university: unless a filter narrows the projects, the universities are
    read from their packed candidates."""
    universities = University.objects.filter(
        pk__in=UniversityCandidates.objects.filter(run=run).values("university_id")
    )
    if filters.university:
        universities = universities.filter(name__icontains=filters.university)
    if filters.project or filters.area or filters.proposed:
        universities = universities.filter(pk__in=run_candidates(run, filters).values("university_id"))
    elif filters.province:
        in_province = Candidate.objects.filter(run=run, proposal__host_province=filters.province)
        universities = universities.filter(
            Q(province=filters.province) | Q(pk__in=in_province.values("university_id"))
        )
    return universities.order_by("name", "pk")


def candidate_ids_at(run: MatchRun, universities) -> list[int]:
    """The ids of the run's candidates at these universities."""
    return [pk for ids in _packed_ids(run, universities).values() for pk in ids]


def _packed_ids(run: MatchRun, universities) -> dict[int, list[int]]:
    """Each university's candidate ids of the run, in the order the results show them."""
    packs = UniversityCandidates.objects.filter(run=run, university__in=universities)
    return {university: unpack_ids(ids) for university, ids in packs.values_list("university_id", "ids")}


def _with_sizes(sizes: dict[int, int], order: list) -> list[Candidate]:
    """The candidates of these ids with their project and university, each with its group's
    size (`sizes`: id → size)."""
    rows = list(
        Candidate.objects.filter(pk__in=sizes)
        .select_related("proposal", "proposal__employer", "university")
        .order_by(*order)
    )
    for row in rows:
        row.group_size = sizes[row.pk]
    return rows


def _first_per_group(queryset: QuerySet, group: str, key, limit: int) -> list[Candidate]:
    """At most `limit` candidates per group — the proposed ones first, then the best others —
    each with its group's size, returned in `key` order within each group. Two queries: the
    window runs over the candidates alone, and only the rows kept are read with their project
    and university (a project's row is wide)."""
    ranked = queryset.annotate(
        place=Window(
            RowNumber(), partition_by=[F(group)], order_by=[F("proposed").desc(), *key, F("pk").asc()]
        ),
        group_size=Window(Count("pk"), partition_by=[F(group)]),
    ).filter(place__lte=limit)
    return _with_sizes(dict(ranked.values_list("pk", "group_size")), [group, *key, "pk"])


def _grouped(rows: list[Candidate], items: list, group: str) -> dict[int, list[Candidate]]:
    grouped: dict[int, list[Candidate]] = {item.pk: [] for item in items}
    for row in rows:
        grouped[getattr(row, group)].append(row)
    return grouped


def candidates_by_project(
    run: MatchRun, filters: CandidateFilters, projects: list[Proposal], limit: int
) -> dict[int, list[Candidate]]:
    """Each listed project's candidates passing the filters, by rank: its proposed
    universities and the best-ranked others, at most `limit`."""
    rows = _first_per_group(
        run_candidates(run, filters).filter(proposal__in=projects), "proposal_id", [F("rank").asc()], limit
    )
    return _grouped(rows, projects, "proposal_id")


def candidates_by_university(
    run: MatchRun, filters: CandidateFilters, universities: list[University], limit: int
) -> dict[int, list[Candidate]]:
    """Each listed university's candidate projects passing the filters, best score first: its
    proposed projects and the best-scoring others, at most `limit`. The universities are a page
    of run_universities: they pass the filter on their name already."""
    ids = _packed_ids(run, universities)
    filters = replace(filters, university="")
    if filters == CandidateFilters():
        # A pack is in the order shown: its first ids are the rows.
        sizes = {pk: len(each) for each in ids.values() for pk in each[:limit]}
        rows = _with_sizes(sizes, ["university_id", "-score", "pk"])
    else:
        # By the packed ids: the primary key finds them, whatever the planner thinks of the run.
        candidates = Candidate.objects.filter(pk__in=[pk for each in ids.values() for pk in each])
        rows = _first_per_group(_passing(candidates, filters), "university_id", [F("score").desc()], limit)
    return _grouped(rows, universities, "university_id")


def proposed_introductions(run: MatchRun, filters: CandidateFilters) -> QuerySet:
    """The run's proposed introductions passing the filters, by project title then score."""
    return (
        run_candidates(run, filters)
        .filter(proposed=True)
        .order_by("proposal__title", "proposal_id", "-score", "pk")
    )


# --- what employers and universities see once results are published ---------------------------


def published_runs() -> QuerySet:
    """Each call's latest published run: the results employers and universities see."""
    latest = (
        MatchRun.objects.filter(
            call=OuterRef("call"), status=MatchRun.Status.SUCCEEDED, published_at__isnull=False
        )
        .order_by("-published_at", "-pk")
        .values("pk")[:1]
    )
    return MatchRun.objects.filter(
        status=MatchRun.Status.SUCCEEDED, published_at__isnull=False, pk=Subquery(latest)
    )


def published_proposals_for(user: User) -> QuerySet:
    """The proposed introductions of the published runs about this user's organisation: an
    employer's projects, or a university's institution; nothing for anybody else."""
    queryset = Candidate.objects.filter(run__in=published_runs(), proposed=True)
    if not user.is_authenticated:
        return queryset.none()
    if user.employer_id:
        queryset = queryset.filter(proposal__employer_id=user.employer_id)
    elif user.university_id:
        queryset = queryset.filter(university_id=user.university_id)
    else:
        return queryset.none()
    return queryset.select_related("run", "proposal", "proposal__employer", "proposal__call", "university")


def published_call_ids() -> set[int]:
    """The calls whose matching results have been published."""
    return set(published_runs().values_list("call_id", flat=True))


def employer_published_projects(user: User) -> QuerySet:
    """An employer's own published projects, newest call first."""
    if user.employer_id is None:
        return Proposal.objects.none()
    return (
        Proposal.objects.filter(employer_id=user.employer_id, status=Status.PUBLISHED)
        .select_related("call")
        .order_by("-call__opens_at", "title", "pk")
    )


def employer_project_get(*, user: User, public_id) -> Proposal:
    """One of the employer's own published projects; Proposal.DoesNotExist for any other."""
    if not (user.is_authenticated and user.employer_id):
        raise Proposal.DoesNotExist
    return employer_published_projects(user).get(public_id=public_id)


def run_proposed_at(run: MatchRun, *, universities: set[int], projects: set[int]) -> list[Candidate]:
    """The run's proposed candidates at these universities or of these projects, with both
    sides loaded, best score first: what took the capacity a result page's other candidates
    could not have. One query for a whole page."""
    if not universities and not projects:
        return []
    return list(
        Candidate.objects.filter(run=run, proposed=True)
        .filter(Q(university_id__in=universities) | Q(proposal_id__in=projects))
        .select_related("proposal", "university")
        .order_by("-score", "pk")
    )
