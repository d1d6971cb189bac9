"""Supply and demand of student places by area and type."""

from django.db.models import ExpressionWrapper, F, FloatField, Max, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce

from accounts.models import FocusArea, UniversityCapacity, UniversityStrength
from projects.models import Call, ProposalArea
from projects.workflow import Status as ProposalStatus

from .common import VERIFIED, in_tree, province_counts, province_label, province_order, top_areas
from .shapes import Balance, SupplyDemand


def _balance(code: str, label: str, demand: float, supply: float) -> Balance:
    demand, supply = round(float(demand), 1), round(float(supply), 1)
    return Balance(code, label, demand, supply, round(demand - supply, 1), demand > supply)


def _area_supply(areas: list[FocusArea]) -> dict[int, float]:
    """Per top-level area: Σ over verified universities of their places (all types) × their
    effective strength there, the largest of the area's own and its sub-areas' strengths. One
    pass over the strengths, grouped by university."""
    places = (
        UniversityCapacity.objects.filter(university_id=OuterRef("university_id"))
        .order_by()
        .values("university_id")
        .annotate(total=Sum("places"))
        .values("total")
    )
    per_university = (
        UniversityStrength.objects.filter(university__status=VERIFIED)
        .order_by()
        .values("university_id")
        .annotate(places=Subquery(places), **{f"s_{a.pk}": Max("weight", filter=in_tree(a)) for a in areas})
    )
    totals = per_university.aggregate(
        **{
            f"supply_{a.pk}": Sum(ExpressionWrapper(F(f"s_{a.pk}") * F("places"), output_field=FloatField()))
            for a in areas
        }
    )
    return {a.pk: totals[f"supply_{a.pk}"] or 0 for a in areas}


def supply_demand(call: Call) -> SupplyDemand:
    """Student places demanded by the call's published projects against places offered by
    verified universities, per province (host province against the universities' own) and per
    top-level area (places × the project's weight there, sub-areas counting to their parent,
    against places × effective strength). Five queries."""
    demand = province_counts(call)
    supply = dict(
        UniversityCapacity.objects.filter(university__status=VERIFIED)
        .order_by()
        .values("university__province")
        .annotate(places=Sum("places"))
        .values_list("university__province", "places")
    )
    provinces = [
        _balance(
            code, province_label(code), (demand.get(code) or {}).get("places") or 0, supply.get(code) or 0
        )
        for code in province_order(set(demand) | set(supply))
    ]
    area_demand = dict(
        ProposalArea.objects.filter(proposal__call=call, proposal__status=ProposalStatus.PUBLISHED)
        .order_by()
        .values(top=Coalesce("area__parent_id", "area_id"))
        .annotate(
            d=Sum(ExpressionWrapper(F("weight") * F("proposal__student_places"), output_field=FloatField()))
        )
        .values_list("top", "d")
    )
    shown = top_areas()
    area_supply = _area_supply(shown)
    areas = [_balance(a.code, str(a.name), area_demand.get(a.pk) or 0, area_supply[a.pk]) for a in shown]
    return SupplyDemand(by_province=provinces, by_area=areas)
