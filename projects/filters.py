"""The catalogue's filters, one FilterSet for the page, the API and saved searches."""

from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from accounts.models import Employer, ProjectType
from accounts.provinces import PROVINCE_CHOICES, PROVINCES, localised

from . import search, selectors
from .models import Proposal

REGION_CHOICES = sorted(
    {(p.region, localised(p.region_zh, p.region.capitalize())) for p in PROVINCES.values()},
    key=lambda choice: choice[0],
)
ORDERINGS = {
    "newest": ["-decided_at", "-pk"],
    "places": ["-student_places", "-pk"],
    "deadline": ["call__closes_at", "-decided_at", "-pk"],
}


# The `call` value for projects of every round; without a `call`, the rounds taking interest.
ALL_CALLS = "all"


class ProjectFilter(filters.FilterSet):
    call = filters.CharFilter(method="filter_call", label=_("Call round"))
    type = filters.ChoiceFilter(
        field_name="project_type", choices=ProjectType.choices, label=_("Project type")
    )
    area = filters.CharFilter(method="filter_area", label=_("Focus area"))
    province = filters.ChoiceFilter(field_name="host_province", choices=PROVINCE_CHOICES, label=_("Province"))
    region = filters.ChoiceFilter(method="filter_region", choices=REGION_CHOICES, label=_("Region"))
    student_places_min = filters.NumberFilter(
        field_name="student_places", lookup_expr="gte", min_value=0, label=_("Student places from")
    )
    student_places_max = filters.NumberFilter(
        field_name="student_places", lookup_expr="lte", min_value=0, label=_("Student places to")
    )
    employer_kind = filters.ChoiceFilter(
        field_name="employer__kind", choices=Employer.Kind.choices, label=_("Employer kind")
    )
    search = filters.CharFilter(method="filter_search", max_length=100, label=_("Search"))
    ordering = filters.ChoiceFilter(
        method="filter_ordering",
        label=_("Order by"),
        choices=[
            ("newest", _("Newest")),
            ("places", _("Most student places")),
            ("deadline", _("Call deadline")),
        ],
    )

    class Meta:
        model = Proposal
        fields: list[str] = []

    def filter_call(self, queryset, name, value):
        return queryset if value == ALL_CALLS else queryset.filter(call__slug=value)

    def filter_area(self, queryset, name, value):
        ids = selectors.area_and_children(value)
        if not ids:
            return queryset.none()
        return queryset.filter(pk__in=selectors.proposals_with_areas(ids))

    def filter_region(self, queryset, name, value):
        return queryset.filter(host_province__in=[p.code for p in PROVINCES.values() if p.region == value])

    def filter_search(self, queryset, name, value):
        return search.search(queryset, value)

    def filter_ordering(self, queryset, name, value):
        return queryset.order_by(*ORDERINGS[value])

    @property
    def qs(self):
        queryset = super().qs
        if not getattr(self.form, "cleaned_data", {}).get("call"):
            queryset = queryset.filter(call__in=selectors.calls_taking_interest())
        if not queryset.query.order_by:
            # The same order as "newest", which an index serves (Proposal.Meta.indexes): a
            # published project always has its decided_at, so where NULLs sort is moot.
            queryset = queryset.order_by(*ORDERINGS["newest"])
        return queryset
