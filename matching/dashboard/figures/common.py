"""What the figure families share: the published projects, counts as subqueries, the
top-level areas and the current run."""

from django.db.models import Count, F, Func, IntegerField, Q, QuerySet, Subquery, Sum
from django.utils.translation import gettext_lazy as _

from accounts.models import FocusArea, VerificationStatus
from accounts.provinces import PROVINCES, localised
from projects.models import Call, Proposal
from projects.workflow import Status as ProposalStatus

from ...brokering.workflow import Status
from ...models import MatchRun

SIGNED = frozenset({Status.SIGNED, Status.IN_PROGRESS, Status.COMPLETED})
VERIFIED = VerificationStatus.VERIFIED


def count_of(field: str = "pk") -> Func:
    """COUNT as a plain function: a subquery's single value, without a GROUP BY."""
    return Func(F(field), function="COUNT", output_field=IntegerField())


def published_in(call: Call | None) -> QuerySet:
    projects = Proposal.objects.filter(status=ProposalStatus.PUBLISHED)
    return projects.filter(call=call) if call else projects


def province_label(code: str) -> str:
    province = PROVINCES.get(code)
    return str(localised(province.name_zh, province.name_en)) if province else str(_("Not given"))


def top_areas() -> list[FocusArea]:
    return list(FocusArea.objects.filter(parent__isnull=True).order_by("position", "code"))


def in_tree(area: FocusArea) -> Q:
    """A row whose focus area is this top-level area or one of its sub-areas."""
    return Q(area_id=area.pk) | Q(area__parent_id=area.pk)


def latest_run(call: Call) -> Subquery:
    """The call's latest succeeded run, whose proposed candidates are its current proposals."""
    return Subquery(
        MatchRun.objects.filter(call=call, status=MatchRun.Status.SUCCEEDED)
        .order_by("-finished_at", "-pk")
        .values("pk")[:1]
    )


def province_counts(call: Call | None) -> dict[str, dict]:
    return {
        row["host_province"]: row
        for row in published_in(call)
        .order_by()
        .values("host_province")
        .annotate(n=Count("pk"), places=Sum("student_places"))
    }


def province_order(codes) -> list[str]:
    """GB/T 2260 order, a project without a host province last."""
    return sorted(codes, key=lambda code: (code not in PROVINCES, code))
