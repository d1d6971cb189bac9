"""The figures of the ministry's dashboard and of the public statistics page.

Plain selector functions over aggregate queries: each runs a fixed number of queries whatever
the round's size (75,000 projects, 2,000 universities), letting the database group and sum.
Labels come out in the active language; the public figures are cached per language.
"""

from dataclasses import dataclass
from datetime import datetime
from statistics import fmean, median

from django.core.cache import cache
from django.db.models import (
    Case,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import (
    FocusArea,
    ProjectType,
    University,
    UniversityCapacity,
    UniversityStrength,
    VerificationStatus,
)
from accounts.provinces import PROVINCES, localised
from projects.models import Call, Interest, Proposal, ProposalArea
from projects.selectors import LIVE_INTEREST, call_current
from projects.workflow import Status as ProposalStatus

from ..brokering.workflow import COUNTED, Outcome, Status
from ..models import Candidate, Introduction, MatchRun, OutcomeReport

PUBLIC_CACHE_SECONDS = 5 * 60
DASHBOARD_CACHE_SECONDS = 2 * 60
SIGNED = frozenset({Status.SIGNED, Status.IN_PROGRESS, Status.COMPLETED})
VERIFIED = VerificationStatus.VERIFIED

# A context of their own: "Submitted" and "Published" are column headings (times) elsewhere.
FUNNEL_STEPS = [
    ("submitted", pgettext_lazy("funnel step", "Submitted")),
    ("published", pgettext_lazy("funnel step", "Published")),
    ("interest", pgettext_lazy("funnel step", "Interest expressed")),
    ("proposed", pgettext_lazy("funnel step", "Proposed for introduction")),
    ("sent", pgettext_lazy("funnel step", "Introduction sent")),
    ("accepted", pgettext_lazy("funnel step", "Accepted by both sides")),
    ("signed", pgettext_lazy("funnel step", "Agreement signed")),
    ("completed", pgettext_lazy("funnel step", "Completed")),
]
# What an introduction must show to reach each step from "sent" on.
INTRODUCTION_STEPS = {
    "sent": Q(sent_at__isnull=False),
    "accepted": Q(status__in=sorted(COUNTED)),
    "signed": Q(status__in=sorted(SIGNED)),
    "completed": Q(status=Status.COMPLETED),
}


@dataclass(frozen=True)
class Row:
    """Published projects and their student places in one group (area, type or province)."""
    code: str
    label: str
    projects: int
    places: int


@dataclass(frozen=True)
class FunnelStep:
    code: str
    label: str
    projects: int
    pairs: int | None          # project–university pairs, from "proposed" on


@dataclass(frozen=True)
class Balance:
    """Student places asked for (demand) against places offered (supply) in a province or area."""
    code: str
    label: str
    demand: float
    supply: float
    gap: float                 # demand − supply: above 0, demand outruns supply
    shortfall: bool


@dataclass(frozen=True)
class SupplyDemand:
    by_province: list[Balance]
    by_area: list[Balance]


@dataclass(frozen=True)
class ResponseTimes:
    side: str
    label: str
    answered: int
    pending: int
    median_hours: float | None
    mean_hours: float | None


@dataclass(frozen=True)
class Unintroduced:
    count: int
    universities: QuerySet      # by name, each with `call_interests`


@dataclass(frozen=True)
class PublicFigures:
    employers_connected: int
    universities_reached: int
    projects: int
    students_benefited: int
    by_area: list[Row]
    by_type: list[Row]
    by_province: list[Row]


@dataclass(frozen=True)
class Dashboard:
    call: Call
    funnel: list[FunnelStep]
    by_area: list[Row]
    by_type: list[Row]
    by_province: list[Row]
    supply_demand: SupplyDemand
    unintroduced: Unintroduced
    response_times: list[ResponseTimes]
    as_of: datetime


def dashboard_call(slug: str = "") -> Call | None:
    """The call the dashboard shows: the one named by `slug` (Call.DoesNotExist if none is),
    else the current call, else None when no call round exists yet."""
    if slug:
        return Call.objects.get(slug=slug)
    return call_current()


# --- helpers ------------------------------------------------------------------------------------

def _count(field: str = "pk") -> Func:
    """COUNT as a plain function: a subquery's single value, without a GROUP BY."""
    return Func(F(field), function="COUNT", output_field=IntegerField())


def _published(call: Call | None) -> QuerySet:
    projects = Proposal.objects.filter(status=ProposalStatus.PUBLISHED)
    return projects.filter(call=call) if call else projects


def province_label(code: str) -> str:
    province = PROVINCES.get(code)
    return str(localised(province.name_zh, province.name_en)) if province else str(_("Not given"))


def _top_areas() -> list[FocusArea]:
    return list(FocusArea.objects.filter(parent__isnull=True).order_by("position", "code"))


def _in_tree(area: FocusArea) -> Q:
    """A row whose focus area is this top-level area or one of its sub-areas."""
    return Q(area_id=area.pk) | Q(area__parent_id=area.pk)


def _latest_run(call: Call) -> Subquery:
    """The call's latest succeeded run, whose proposed candidates are its current proposals."""
    return Subquery(MatchRun.objects.filter(call=call, status=MatchRun.Status.SUCCEEDED)
                    .order_by("-finished_at", "-pk").values("pk")[:1])


# --- the funnel ---------------------------------------------------------------------------------

def funnel(call: Call) -> list[FunnelStep]:
    """How many of the call's projects reached each step, and from "proposed" on how many
    project–university pairs did: a project or pair counts once at a step, however many of its
    introductions reached it. Four queries, each one pass over its table."""
    projects = Proposal.objects.filter(call=call).aggregate(
        submitted=Count("pk", filter=Q(submitted_at__isnull=False)),
        published=Count("pk", filter=Q(status=ProposalStatus.PUBLISHED)),
        interest=Count("pk", filter=Q(status=ProposalStatus.PUBLISHED, pk__in=Interest.objects.filter(
            status__in=LIVE_INTEREST).values("proposal_id"))),
    )
    # One row per introduced pair, marking the steps any of its introductions reached.
    pairs = (Introduction.objects.filter(proposal__call=call).order_by()
             .values("proposal_id", "university_id")
             .annotate(**{f"{step}_reached": Max(Case(When(reached, then=1), default=0))
                          for step, reached in INTRODUCTION_STEPS.items()}))
    introduced = pairs.aggregate(
        proposed_pairs=Count("proposal_id"), proposed=Count("proposal_id", distinct=True),
        **{f"{step}_pairs": Coalesce(Sum(f"{step}_reached"), 0) for step in INTRODUCTION_STEPS},
        **{step: Count("proposal_id", distinct=True, filter=Q(**{f"{step}_reached": 1}))
           for step in INTRODUCTION_STEPS})
    # The latest run's proposals that no introduction followed (yet); two queries, as anti-joins.
    run_proposed = Candidate.objects.filter(run_id=_latest_run(call), proposed=True)
    run_only_pairs = run_proposed.exclude(Exists(Introduction.objects.filter(
        proposal_id=OuterRef("proposal_id"), university_id=OuterRef("university_id")))).count()
    run_only_projects = (run_proposed.exclude(proposal_id__in=Introduction.objects.values("proposal_id"))
                         .aggregate(n=Count("proposal_id", distinct=True))["n"])
    counts = {**projects, **introduced}
    counts["proposed"] += run_only_projects
    counts["proposed_pairs"] += run_only_pairs
    return [FunnelStep(code, str(label), counts[code], counts.get(f"{code}_pairs"))
            for code, label in FUNNEL_STEPS]


# --- projects and places by area, type and province ---------------------------------------------

def by_area(call: Call | None) -> list[Row]:
    """Published projects and their places per top-level focus area. A project counts under
    every top-level area it has, directly or through a sub-area, so the rows add up to more
    than the number of projects. Two queries: the areas, then one pass over the projects'
    area rows, grouped by project."""
    areas = _top_areas()
    rows = ProposalArea.objects.filter(proposal__status=ProposalStatus.PUBLISHED)
    per_project = ((rows.filter(proposal__call=call) if call else rows).order_by()
                   .values("proposal_id")
                   .annotate(places=Max("proposal__student_places"),
                             **{f"in_{a.pk}": Max(Case(When(_in_tree(a), then=1), default=0))
                                for a in areas}))
    totals = per_project.aggregate(
        **{f"projects_{a.pk}": Sum(f"in_{a.pk}") for a in areas},
        **{f"places_{a.pk}": Sum(F(f"in_{a.pk}") * F("places")) for a in areas})
    return [Row(a.code, str(a.name), totals[f"projects_{a.pk}"] or 0, totals[f"places_{a.pk}"] or 0)
            for a in areas]


def by_type(call: Call | None) -> list[Row]:
    """Published projects and their places per project type, every type listed. One query."""
    counts = {row["project_type"]: row for row in _published(call).order_by()
              .values("project_type").annotate(n=Count("pk"), places=Sum("student_places"))}
    return [Row(code, str(label), counts.get(code, {}).get("n", 0),
                counts.get(code, {}).get("places") or 0) for code, label in ProjectType.choices]


def _by_province_counts(call: Call | None) -> dict[str, dict]:
    return {row["host_province"]: row for row in _published(call).order_by()
            .values("host_province").annotate(n=Count("pk"), places=Sum("student_places"))}


def _province_order(codes) -> list[str]:
    """GB/T 2260 order, a project without a host province last."""
    return sorted(codes, key=lambda code: (code not in PROVINCES, code))


def by_province(call: Call | None) -> list[Row]:
    """Published projects and their places per host province, the provinces hosting any."""
    counts = _by_province_counts(call)
    return [Row(code, province_label(code), counts[code]["n"], counts[code]["places"] or 0)
            for code in _province_order(counts)]


# --- supply and demand --------------------------------------------------------------------------

def _balance(code: str, label: str, demand: float, supply: float) -> Balance:
    demand, supply = round(float(demand), 1), round(float(supply), 1)
    return Balance(code, label, demand, supply, round(demand - supply, 1), demand > supply)


def _area_supply(areas: list[FocusArea]) -> dict[int, float]:
    """Per top-level area: Σ over verified universities of their places (all types) × their
    effective strength there, the largest of the area's own and its sub-areas' strengths. One
    pass over the strengths, grouped by university."""
    places = (UniversityCapacity.objects.filter(university_id=OuterRef("university_id")).order_by()
              .values("university_id").annotate(total=Sum("places")).values("total"))
    per_university = (UniversityStrength.objects.filter(university__status=VERIFIED).order_by()
                      .values("university_id")
                      .annotate(places=Subquery(places),
                                **{f"s_{a.pk}": Max("weight", filter=_in_tree(a)) for a in areas}))
    totals = per_university.aggregate(**{
        f"supply_{a.pk}": Sum(ExpressionWrapper(F(f"s_{a.pk}") * F("places"), output_field=FloatField()))
        for a in areas})
    return {a.pk: totals[f"supply_{a.pk}"] or 0 for a in areas}


def supply_demand(call: Call) -> SupplyDemand:
    """Student places demanded by the call's published projects against places offered by
    verified universities, per province (host province against the universities' own) and per
    top-level area (places × the project's weight there, sub-areas counting to their parent,
    against places × effective strength). Five queries."""
    demand = _by_province_counts(call)
    supply = dict(UniversityCapacity.objects.filter(university__status=VERIFIED).order_by()
                  .values("university__province").annotate(places=Sum("places"))
                  .values_list("university__province", "places"))
    provinces = [_balance(code, province_label(code), (demand.get(code) or {}).get("places") or 0,
                          supply.get(code) or 0)
                 for code in _province_order(set(demand) | set(supply))]
    area_demand = dict(
        ProposalArea.objects.filter(proposal__call=call, proposal__status=ProposalStatus.PUBLISHED)
        .order_by().values(top=Coalesce("area__parent_id", "area_id"))
        .annotate(d=Sum(ExpressionWrapper(F("weight") * F("proposal__student_places"),
                                          output_field=FloatField())))
        .values_list("top", "d"))
    top_areas = _top_areas()
    area_supply = _area_supply(top_areas)
    areas = [_balance(a.code, str(a.name), area_demand.get(a.pk) or 0, area_supply[a.pk])
             for a in top_areas]
    return SupplyDemand(by_province=provinces, by_area=areas)


# --- universities, response times --------------------------------------------------------------

def universities_without_introduction(call: Call, *, count: bool = True) -> Unintroduced:
    """Verified universities that no introduction of the call reached (a proposed one is the
    ministry's draft, so it does not count), by name, each with its live interests in the call."""
    reached = (Introduction.objects.filter(proposal__call=call).exclude(status=Status.PROPOSED)
               .values("university_id"))
    interests = (Interest.objects.filter(university_id=OuterRef("pk"), proposal__call=call,
                                         status__in=LIVE_INTEREST).order_by().values(n=_count()))
    universities = (University.objects.filter(status=VERIFIED).exclude(pk__in=reached)
                    .annotate(call_interests=Coalesce(Subquery(interests), 0))
                    .order_by("name", "pk"))
    return Unintroduced(universities.count() if count else 0, universities)


def _hours(durations) -> tuple[float | None, float | None]:
    hours = [d.total_seconds() / 3600 for d in durations if d is not None]
    return (round(median(hours), 1), round(fmean(hours), 1)) if hours else (None, None)


def response_times(call: Call) -> list[ResponseTimes]:
    """Per side: introductions it answered, those still awaiting its answer (sent, no answer
    from it yet), and the median and mean hours from sending to its answer. Two queries."""
    sent = Introduction.objects.filter(proposal__call=call, sent_at__isnull=False)
    sides = [("employer", _("Employers")), ("university", _("Universities"))]
    counts = sent.aggregate(**{
        f"{side}_{what}": Count("pk", filter=condition)
        for side, _label in sides
        for what, condition in [
            ("answered", Q(**{f"{side}_responded_at__isnull": False})),
            ("pending", Q(status=Status.SENT, **{f"{side}_responded_at__isnull": True})),
        ]})
    durations = list(sent.filter(Q(employer_responded_at__isnull=False)
                                 | Q(university_responded_at__isnull=False)).order_by().values_list(
        *[ExpressionWrapper(F(f"{side}_responded_at") - F("sent_at"), output_field=DurationField())
          for side, _label in sides]))
    rows = []
    for index, (side, label) in enumerate(sides):
        median_hours, mean_hours = _hours(row[index] for row in durations)
        rows.append(ResponseTimes(side, str(label), counts[f"{side}_answered"],
                                  counts[f"{side}_pending"], median_hours, mean_hours))
    return rows


# --- the public figures -------------------------------------------------------------------------

def public_figures() -> PublicFigures:
    """The program's headline figures over every call: aggregates only, no names. Cached for
    five minutes per language (the labels are localised)."""
    key = f"stats:public:{get_language()}"
    figures = cache.get(key)
    if figures is None:
        figures = _public_figures()
        cache.set(key, figures, PUBLIC_CACHE_SECONDS)
    return figures


def _public_figures() -> PublicFigures:
    connected = Introduction.objects.filter(status__in=sorted(COUNTED)).aggregate(
        employers=Count("proposal__employer_id", distinct=True),
        universities=Count("university_id", distinct=True))
    benefited = OutcomeReport.objects.filter(status=Outcome.ACCEPTED).aggregate(
        n=Sum(F("students_trained") + F("interns_hosted")))["n"]
    return PublicFigures(
        employers_connected=connected["employers"], universities_reached=connected["universities"],
        projects=_published(None).count(), students_benefited=benefited or 0,
        by_area=by_area(None), by_type=by_type(None), by_province=by_province(None))


# --- everything the dashboard shows -------------------------------------------------------------

def dashboard(call: Call) -> Dashboard:
    """The ministry dashboard's figures of one call; the unintroduced universities stay a
    queryset for the caller to page through. The aggregates take seconds at the size of the
    busiest round (75,000 projects), so they are kept for two minutes per call and language;
    the page says when they were computed."""
    key = f"stats:dashboard:{call.pk}:{get_language()}"
    kept = cache.get(key)
    unintroduced = universities_without_introduction(call, count=kept is None)
    if kept is None:
        kept = {"funnel": funnel(call), "by_area": by_area(call), "by_type": by_type(call),
                "by_province": by_province(call), "supply_demand": supply_demand(call),
                "response_times": response_times(call), "unintroduced_count": unintroduced.count,
                "as_of": timezone.now()}
        cache.set(key, kept, DASHBOARD_CACHE_SECONDS)
    figures = dict(kept)
    unintroduced = Unintroduced(figures.pop("unintroduced_count"), unintroduced.universities)
    return Dashboard(call=call, unintroduced=unintroduced, **figures)
