"""Ministry staff's matching pages: the run history with the form that starts a run, a run's
page (live progress, summary figures and the explained results with filters), publishing a run
and running a failed one again. Everyone else gets 403, anonymous users the login page."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from accounts import permissions
from accounts import selectors as account_selectors
from accounts.errors import Conflict
from accounts.forms import apply_errors
from projects import selectors as project_selectors

from .. import selectors, services
from ..forms import RESULT_VIEWS, MatchRunForm, ResultFilterForm
from ..models import MatchRun
from ..selectors import CandidateFilters
from . import explain

HISTORY_PAGE_SIZE = 25
GROUPS_PER_PAGE = 10
PER_GROUP = 20
PROPOSED_PAGE_SIZE = 50
OVER_PLACES_SHOWN = 20
STAGE_LABELS = {
    "load": gettext_lazy("Load the call"),
    "score_and_candidates": gettext_lazy("Score and choose candidates"),
    "assign": gettext_lazy("Optimal assignment"),
    "write": gettext_lazy("Write the results"),
}


def require_ministry(request) -> None:
    if not permissions.is_ministry(request.user):
        raise PermissionDenied(_("Only ministry staff run matching."))


def load_run(request, public_id) -> MatchRun:
    require_ministry(request)
    try:
        return selectors.run_get(user=request.user, public_id=public_id)
    except MatchRun.DoesNotExist:
        raise Http404 from None


def query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


class RunListView(LoginRequiredMixin, View):
    """Every run, newest first, and the form that starts one."""

    def get(self, request):
        require_ministry(request)
        return self._render(request, self._form(request))

    def post(self, request):
        require_ministry(request)
        form = self._form(request, request.POST)
        if form.is_valid():
            try:
                run = services.match_run_create(
                    actor=request.user, call=form.cleaned_data["call"], weights=form.weights(),
                    k=form.cleaned_data["k"], m=form.cleaned_data["m"])
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("The matching run of “%(name)s” was started.")
                                 % {"name": run.call.name})
                return redirect("matching:run-detail", run.public_id)
        return self._render(request, form, status=400)

    def _form(self, request, data=None) -> MatchRunForm:
        return MatchRunForm(data, calls=selectors.calls_for_matching(),
                            initial_call=project_selectors.call_current())

    def _render(self, request, form, status=200):
        page = Paginator(selectors.runs_visible_to(request.user),
                         HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
        return render(request, "matching/run_list.html",
                      {"form": form, "page": page, "query": ""}, status=status)


class RunDetailView(LoginRequiredMixin, View):
    """A run: its progress while it runs, its error if it failed, and once it succeeded its
    summary figures and results, grouped by project or university or as the proposed
    introductions, filtered through the query string."""

    def get(self, request, public_id):
        run = load_run(request, public_id)
        context = {"run": run, "weights": explain.weight_rows(run)}
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
    return {
        "summary": summary, "over_places": shown, "over_places_count": len(over),
        "over_places_more": max(len(over) - len(shown), 0),
        "timings": [(STAGE_LABELS.get(stage, stage), seconds) for stage, seconds in run.timings.items()],
        "total_seconds": sum(run.timings.values()),
    }


def view_tabs(request, current: str) -> list[tuple[str, str, str, bool]]:
    """(code, label, query string, current?) of each way to show the results, filters kept."""
    tabs = []
    for code, label in RESULT_VIEWS:
        query = request.GET.copy()
        query.pop("page", None)
        query["view"] = code
        tabs.append((code, label, query.urlencode(), code == current))
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
    groups = [(item, explain.rows(grouped[item.pk], areas, run),
               grouped[item.pk][0].group_size if grouped[item.pk] else 0) for item in page.object_list]
    return {**context, "page": page, "groups": groups, "per_group": PER_GROUP}


class RunProgressView(LoginRequiredMixin, View):
    """{"status", "progress", "error"} of a run, polled by the run page once a second."""

    def get(self, request, public_id):
        require_ministry(request)
        try:
            state = selectors.run_progress(user=request.user, public_id=public_id)
        except MatchRun.DoesNotExist:
            raise Http404 from None
        response = JsonResponse(state)
        response["Cache-Control"] = "no-store"
        return response


class RunPublishView(LoginRequiredMixin, View):
    """Publish a succeeded run: employers and universities then see its proposals about them."""

    def post(self, request, public_id):
        run = load_run(request, public_id)
        try:
            services.match_run_publish(actor=request.user, run=run)
        except Conflict as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The results were published: employers and universities now "
                                        "see the introductions proposed to them."))
        return redirect("matching:run-detail", run.public_id)


class RunRepeatView(LoginRequiredMixin, View):
    """Start a new run of the same call with the same parameters (after a failure, say)."""

    def post(self, request, public_id):
        run = load_run(request, public_id)
        try:
            again = services.match_run_create(actor=request.user, call=run.call, weights=run.weights,
                                              k=run.k, m=run.m, shards=run.shards)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("matching:run-detail", run.public_id)
        messages.success(request, _("A new run with the same parameters was started."))
        return redirect("matching:run-detail", again.public_id)
