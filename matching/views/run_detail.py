"""A matching run's page for ministry staff: its live progress while it runs, its error if it
failed, and once it succeeded its summary figures (quality, reasons, held capacity, coverage by
region and tier) and the explained results, grouped by project or university or as the proposed
introductions, filtered through the query string."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext_lazy
from django.views import View

from accounts import selectors as account_selectors
from accounts.models import University
from accounts.provinces import PROVINCES
from common.views import query_without_page
from projects.filters import REGION_CHOICES

from .. import selectors
from ..forms import RESULT_VIEWS, ResultFilterForm
from ..models import Candidate, MatchRun
from ..selectors import CandidateFilters
from . import explain
from .runs import load_run

GROUPS_PER_PAGE = 10
PER_GROUP = 20
PROPOSED_PAGE_SIZE = 50
OVER_PLACES_SHOWN = 20
STAGE_LABELS = {
    "load": gettext_lazy("Load the call"),
    "score_and_candidates": gettext_lazy("Score and choose candidates"),
    "assign": gettext_lazy("Choose the introductions (HiGHS solver)"),
    "write": gettext_lazy("Write the results"),
}
EMPTY_BECAUSE = {
    "no_candidates": gettext_lazy(
        "The run found no candidate: the call has no published project, or no university has "
        "student places and project slots for its projects' types."
    ),
    "all_held": gettext_lazy(
        "All capacity is already held: no project has a partner place left, or no university has "
        "both student places and project slots left once earlier introductions take what they "
        "hold."
    ),
    "no_scores": gettext_lazy("No pair scored above 0 with these weights."),
    "nothing_fits": gettext_lazy(
        "No pair fits: every pair that scores above 0 is below the AI-fit floor, already "
        "introduced, or needs more partner places, project slots or student places than are left."
    ),
}
COVERAGE_FIGURES = ("universities", "reached", "placed", "greedy_reached", "greedy_placed")
# China's seven regions as the program lists them (华北 东北 华东 华中 华南 西南 西北): the order
# they first appear in among the provinces by GB/T 2260 code.
REGION_ORDER = list(dict.fromkeys(province.region for province in PROVINCES.values()))


class RunDetailView(LoginRequiredMixin, View):
    """A run: its progress while it runs, its error if it failed, and once it succeeded its
    summary figures and results, grouped by project or university or as the proposed
    introductions, filtered through the query string."""

    def get(self, request, public_id):
        run = load_run(request, public_id)
        # The version's number only: its words named the methods of its day.
        context = {
            "run": run,
            "weights": explain.weight_rows(run),
            "version": run.algorithm_version.split(" (")[0],
        }
        status = 200
        if run.status == MatchRun.Status.SUCCEEDED:
            areas = list(account_selectors.focus_area_list())
            form = ResultFilterForm(request.GET, areas=areas)
            context.update(summary_context(run), form=form, query=query_without_page(request))
            if form.is_valid():
                context.update(results_context(request, run, form, {a.code: a for a in areas}))
            else:
                status = 400
        return render(request, "matching/run_detail.html", context, status=status)


def summary_context(run: MatchRun) -> dict:
    summary = run.summary or {}
    over = summary.get("over_places") or []
    shown = selectors.universities_named(over, OVER_PLACES_SHOWN) if over else []
    coverage = summary.get("coverage") or {}
    return {
        "summary": summary,
        "over_places": shown,
        "over_places_count": len(over),
        "over_places_more": max(len(over) - len(shown), 0),
        "timings": [(STAGE_LABELS.get(stage, stage), seconds) for stage, seconds in run.timings.items()],
        "total_seconds": sum(run.timings.values()),
        "quality": quality(run, summary),
        "empty_because": EMPTY_BECAUSE.get(summary.get("empty_because")),
        "reasons": reason_rows(summary.get("reasons") or {}),
        "mutual": mutual_figures(summary),
        "held": held_totals(summary.get("held") or {}),
        "regions": coverage_rows(coverage.get("regions"), dict(REGION_CHOICES), REGION_ORDER),
        "tiers": coverage_rows(coverage.get("tiers"), dict(University.Tier.choices), University.Tier.values),
    }


def quality(run: MatchRun, summary: dict) -> dict | None:
    """The bound and the gap in percent; None for a run from before they were computed."""
    if run.bound is None or run.gap is None:
        return None
    return {"bound": run.bound, "gap": run.gap * 100, "time_limited": bool(summary.get("time_limited"))}


def reason_rows(counts: dict[str, int]) -> list[tuple[str, str, int]]:
    """(code, label, candidates) per reason, in the order the engine checks them."""
    known = {reason.name.lower(): reason for reason in Candidate.Reason}
    order = list(known)
    return [
        (code, known[code].label if code in known else code, n)
        for code, n in sorted(
            counts.items(), key=lambda item: order.index(item[0]) if item[0] in known else len(order)
        )
    ]


def mutual_figures(summary: dict) -> dict | None:
    mutual = summary.get("mutual")
    if mutual is None:
        return None
    pairs, proposed = mutual.get("pairs", 0), mutual.get("proposed", 0)
    return {
        "pairs": pairs,
        "proposed": proposed,
        "rest": max(pairs - proposed, 0),
        "missed": mutual.get("missed", 0),
        "reasons": reason_rows(mutual.get("not_proposed") or {}),
    }


def held_totals(held: dict) -> dict:
    """How many universities held capacity from earlier introductions, and how much in all."""
    figures = [by_type for types in held.values() for by_type in types.values()]
    return {
        "universities": len(held),
        "places": sum(f.get("places", 0) for f in figures),
        "projects": sum(f.get("projects", 0) for f in figures),
    }


def coverage_rows(rows: list[dict] | None, labels: dict, order: list[str]) -> dict | None:
    """A coverage table's rows in the program's order, each with its label, and their total."""
    if rows is None:
        return None
    rows = sorted(
        ({**row, "label": labels.get(row["code"], row["code"])} for row in rows),
        key=lambda row: order.index(row["code"]) if row["code"] in order else len(order),
    )
    return {"rows": rows, "total": {key: sum(row.get(key, 0) for row in rows) for key in COVERAGE_FIGURES}}


def view_tabs(request, current: str) -> list[tuple[str, str, str, bool]]:
    """(code, label, query string, current?) of each way to show the results, filters kept."""
    tabs = []
    for code, label in RESULT_VIEWS:
        tabs.append((code, label, query_without_page(request, view=code), code == current))
    return tabs


def results_context(request, run: MatchRun, form: ResultFilterForm, areas: dict) -> dict:
    view, filters = form.result_view(), form.filters()
    number = request.GET.get("page")
    context = {"view": view, "tabs": view_tabs(request, view), "filtered": filters != CandidateFilters()}
    if view == "proposed":
        page = Paginator(selectors.proposed_introductions(run, filters), PROPOSED_PAGE_SIZE).get_page(number)
        return {**context, "page": page, "rows": explain.rows(page.object_list, areas, run)}
    if view == "universities":
        page = Paginator(selectors.run_universities(run, filters), GROUPS_PER_PAGE).get_page(number)
        grouped = selectors.candidates_by_university(run, filters, list(page.object_list), PER_GROUP)
    else:
        page = Paginator(selectors.run_projects(run, filters), GROUPS_PER_PAGE).get_page(number)
        grouped = selectors.candidates_by_project(run, filters, list(page.object_list), PER_GROUP)
    groups = [
        (
            item,
            explain.rows(grouped[item.pk], areas, run),
            grouped[item.pk][0].group_size if grouped[item.pk] else 0,
        )
        for item in page.object_list
    ]
    shown = [row for _item, item_rows, _size in groups for row in item_rows]
    universities, projects = explain.takers_wanted(shown)
    explain.name_takers(shown, selectors.run_proposed_at(run, universities=universities, projects=projects))
    return {**context, "page": page, "groups": groups, "per_group": PER_GROUP}
