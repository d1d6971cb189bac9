"""The ministry's dashboard of a call round (/dashboard/) and the program's public statistics
(/statistics/). Every chart's figures travel in a json_script element for static/js/charts.js
and appear in a table beside the chart, which is what a screen reader or a browser without
JavaScript shows."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views import View

from accounts import permissions
from projects.models import Call
from projects.selectors import call_list

from . import figures
from .figures.shapes import Balance, Row

UNINTRODUCED_PAGE_SIZE = 50


def chart(rows, datasets, *, horizontal: bool = False) -> dict:
    """What charts.js draws: labels from the rows, one series per (label, attribute, axis)."""
    return {
        "horizontal": horizontal,
        "labels": [row.label for row in rows],
        "datasets": [
            {"label": str(label), "axis": axis, "data": [getattr(row, attribute) for row in rows]}
            for label, attribute, axis in datasets
        ],
    }


def grouping_chart(rows: list[Row]) -> dict:
    """Projects on the lower axis, their student places on the upper one."""
    return chart(
        rows, [(_("Projects"), "projects", "x"), (_("Student places"), "places", "x2")], horizontal=True
    )


def balance_chart(rows: list[Balance]) -> dict:
    return chart(
        rows,
        [(_("Demand (student places)"), "demand", "x"), (_("Supply (student places)"), "supply", "x")],
        horizontal=True,
    )


class DashboardView(LoginRequiredMixin, View):
    """A call's funnel, its projects and places by area, type and province, supply against
    demand, the verified universities no introduction reached yet and how fast each side
    answers. Ministry staff only; ?call=<short name> picks the call (default: the current)."""

    template_name = "matching/stats/dashboard.html"

    def get(self, request):
        if not permissions.is_ministry(request.user):
            raise PermissionDenied(_("Only ministry staff see the dashboard."))
        slug = request.GET.get("call", "").strip()
        context = {"calls": call_list()}
        try:
            call = figures.dashboard_call(slug)
        except Call.DoesNotExist:
            return render(request, self.template_name, {**context, "unknown_call": slug}, status=400)
        if call is None:
            return render(request, self.template_name, context)
        data = figures.dashboard(call)
        paginator = Paginator(data.unintroduced.universities, UNINTRODUCED_PAGE_SIZE)
        paginator.count = data.unintroduced.count  # counted once, by the selector
        page = paginator.get_page(request.GET.get("page"))
        return render(
            request,
            self.template_name,
            {
                **context,
                "call": call,
                "data": data,
                "page": page,
                "query": urlencode({"call": call.slug}),
                "charts": {
                    "funnel": chart(
                        data.funnel,
                        [(_("Projects"), "projects", "x"), (_("Project–university pairs"), "pairs", "x")],
                        horizontal=True,
                    ),
                    "area": grouping_chart(data.by_area),
                    "type": grouping_chart(data.by_type),
                    "province": grouping_chart(data.by_province),
                    "supply_province": balance_chart(data.supply_demand.by_province),
                    "supply_area": balance_chart(data.supply_demand.by_area),
                },
            },
        )


class StatisticsView(View):
    """The program's headline figures and projects by area, type and province, for anyone."""

    def get(self, request):
        data = figures.public_figures()
        return render(
            request,
            "matching/stats/public.html",
            {
                "data": data,
                "charts": {
                    "area": grouping_chart(data.by_area),
                    "type": grouping_chart(data.by_type),
                    "province": grouping_chart(data.by_province),
                },
            },
        )
