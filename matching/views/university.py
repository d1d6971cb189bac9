"""The university's pages: the published projects ranked by the matching engine's score for it
(each explained), and its dashboard. Both are for verified universities: other organisations
get 403, a university not yet verified a page saying so (also 403), anonymous users the login."""

from dataclasses import dataclass

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from accounts import permissions
from accounts import selectors as account_selectors
from accounts.models import ProjectType, University
from common.views import query_without_page
from projects import selectors
from projects.filters import ProjectFilter
from projects.forms import catalogue_filter

from ..brokering.selectors import introductions_awaiting
from ..engine.scoring import COMPONENTS, DEFAULT_WEIGHTS, Weights
from ..recommend import Recommendation, recommended

PAGE_SIZE = 20
DASHBOARD_RECOMMENDED = 5
DASHBOARD_INTERESTS = 20
DASHBOARD_AWAITING = 5

COMPONENT_LABELS = {
    "area": gettext_lazy("Area fit"),
    "capacity": gettext_lazy("Capacity fit"),
    "region": gettext_lazy("Region"),
    "interest": gettext_lazy("Expressed interest"),
}
COMPONENT_HELP = {
    "area": gettext_lazy(
        "How well the project's focus areas match your university's AI strengths: each area's "
        "weight in the project times your strength in it (for a main area, the strongest of the "
        "area and its sub-areas)."
    ),
    "capacity": gettext_lazy(
        "Your student places for the project's type against the places the project offers each "
        "partner university (its student places divided by the partner universities sought); 1 "
        "when you can fill a partner's share."
    ),
    "region": gettext_lazy(
        "1 when the project is hosted in your province, 0.5 when it is in the same region of "
        "China, 0 otherwise."
    ),
    "interest": gettext_lazy("1 when your university has expressed interest in the project, else 0."),
}


@dataclass(frozen=True)
class Part:
    """One component of a score as a page shows it."""

    code: str
    label: str
    value: float
    weight: float

    @property
    def points(self) -> float:
        return self.value * self.weight

    @property
    def percent(self) -> int:
        return round(min(max(self.value, 0.0), 1.0) * 100)


def score_parts(recommendation: Recommendation, weights: Weights = DEFAULT_WEIGHTS) -> list[Part]:
    return [
        Part(code, COMPONENT_LABELS[code], recommendation.components[code], getattr(weights, code))
        for code in COMPONENTS
    ]


def component_legend(weights: Weights = DEFAULT_WEIGHTS) -> list[dict]:
    return [
        {
            "code": code,
            "label": COMPONENT_LABELS[code],
            "weight": getattr(weights, code),
            "help": COMPONENT_HELP[code],
        }
        for code in COMPONENTS
    ]


def verified_university(request) -> tuple[University | None, HttpResponse | None]:
    """The user's university and None if it is verified; else None and the response to give."""
    if not request.user.university_id:
        raise PermissionDenied(_("Only universities have these pages."))
    university = request.user.university
    if not permissions.is_verified_member(request.user):
        return None, render(
            request, "matching/verification_needed.html", {"organisation": university}, status=403
        )
    return university, None


def filter_set(data) -> ProjectFilter:
    """The catalogue's filters, dressed as on the catalogue page, without its ordering: the
    engine's score orders this page."""
    filterset = catalogue_filter(
        data,
        queryset=selectors.catalogue(),
        areas=account_selectors.focus_area_list(),
        calls=selectors.call_list(),
    )
    del filterset.filters["ordering"]
    del filterset.form.fields["ordering"]
    return filterset


def ranking_key(filterset: ProjectFilter) -> str:
    """The valid filters, normalised: the ranking's cache key (unknown parameters and the page
    number do not change the ranking)."""
    data = filterset.form.cleaned_data
    return urlencode(sorted((name, str(value)) for name, value in data.items() if value not in (None, "")))


def page_number(value) -> int:
    try:
        return max(int(value), 1)
    except (TypeError, ValueError):
        return 1


def recommendation_page(
    university: University, filterset: ProjectFilter, number: int
) -> tuple[list[Recommendation], Page]:
    """A page of the ranking; past the last page, the last page."""
    key = ranking_key(filterset)
    results, total = recommended(
        university, queryset=filterset.qs, key=key, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE
    )
    page = Paginator(range(total), PAGE_SIZE).get_page(number)
    if page.number != number:
        results, total = recommended(
            university, queryset=filterset.qs, key=key, limit=PAGE_SIZE, offset=(page.number - 1) * PAGE_SIZE
        )
    return results, page


class RecommendedView(LoginRequiredMixin, View):
    """Published projects ranked by the engine's score for the user's university, each with
    its score, the score's components and the focus areas that contribute most."""

    def get(self, request):
        university, refusal = verified_university(request)
        if refusal is not None:
            return refusal
        filterset = filter_set(request.GET)
        valid = filterset.is_valid()
        results, page = [], None
        if valid:
            results, page = recommendation_page(university, filterset, page_number(request.GET.get("page")))
        return render(
            request,
            "matching/recommended.html",
            {
                "university": university,
                "form": filterset.form,
                "valid": valid,
                "filtered": not valid or bool(ranking_key(filterset)),
                "rows": [(r, score_parts(r)) for r in results],
                "page": page,
                "query": query_without_page(request),
                "legend": component_legend(),
            },
            status=200 if valid else 400,
        )


class UniversityDashboardView(LoginRequiredMixin, View):
    """The university's interests and the employers' answers, its capacity left per project
    type, its interest allowance left in the current call, its best recommendations."""

    def get(self, request):
        university, refusal = verified_university(request)
        if refusal is not None:
            return refusal
        interests = Paginator(selectors.interests_visible_to(request.user), DASHBOARD_INTERESTS).get_page(
            request.GET.get("page")
        )
        capacity = selectors.university_capacity_left(university)
        call = selectors.call_current()
        top, total = recommended(university, limit=DASHBOARD_RECOMMENDED)
        return render(
            request,
            "matching/dashboard.html",
            {
                "university": university,
                "interests": interests,
                "page": interests,
                "query": "",
                "capacity": [(label, capacity[value]) for value, label in ProjectType.choices],
                "call": call,
                "allowance": selectors.interest_allowance_left(university, call),
                "top": top,
                "recommended_total": total,
                "awaiting": introductions_awaiting(request.user)[:DASHBOARD_AWAITING],
            },
        )
