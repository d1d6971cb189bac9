"""Projects and places by area, type and province."""

from django.db.models import Case, Count, F, Max, Sum, When

from accounts.models import ProjectType
from projects.models import Call, ProposalArea
from projects.workflow import Status as ProposalStatus

from .common import in_tree, province_counts, province_label, province_order, published_in, top_areas
from .shapes import Row


def by_area(call: Call | None) -> list[Row]:
    """Published projects and their places per top-level focus area. A project counts under
    every top-level area it has, directly or through a sub-area, so the rows add up to more
    than the number of projects. Two queries: the areas, then one pass over the projects'
    area rows, grouped by project."""
    areas = top_areas()
    rows = ProposalArea.objects.filter(proposal__status=ProposalStatus.PUBLISHED)
    per_project = (
        (rows.filter(proposal__call=call) if call else rows)
        .order_by()
        .values("proposal_id")
        .annotate(
            places=Max("proposal__student_places"),
            **{f"in_{a.pk}": Max(Case(When(in_tree(a), then=1), default=0)) for a in areas},
        )
    )
    totals = per_project.aggregate(
        **{f"projects_{a.pk}": Sum(f"in_{a.pk}") for a in areas},
        **{f"places_{a.pk}": Sum(F(f"in_{a.pk}") * F("places")) for a in areas},
    )
    return [
        Row(a.code, str(a.name), totals[f"projects_{a.pk}"] or 0, totals[f"places_{a.pk}"] or 0)
        for a in areas
    ]


def by_type(call: Call | None) -> list[Row]:
    """Published projects and their places per project type, every type listed. One query."""
    counts = {
        row["project_type"]: row
        for row in published_in(call)
        .order_by()
        .values("project_type")
        .annotate(n=Count("pk"), places=Sum("student_places"))
    }
    return [
        Row(code, str(label), counts.get(code, {}).get("n", 0), counts.get(code, {}).get("places") or 0)
        for code, label in ProjectType.choices
    ]


def by_province(call: Call | None) -> list[Row]:
    """Published projects and their places per host province, the provinces hosting any."""
    counts = province_counts(call)
    return [
        Row(code, province_label(code), counts[code]["n"], counts[code]["places"] or 0)
        for code in province_order(counts)
    ]
