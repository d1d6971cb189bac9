"""Ministry staff's matching runs: the run history with the form that starts a run, a run's
live progress, publishing a run and running a failed one again; the run's own page is in
run_detail.py. Everyone else gets 403, anonymous users the login page."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from accounts import permissions
from accounts.errors import Conflict
from accounts.forms import apply_errors
from common.views import get_visible_or_404
from projects import selectors as project_selectors

from .. import selectors, services
from ..forms import MatchRunForm
from ..models import MatchRun

ONLY_MINISTRY = gettext_lazy("Only ministry staff run matching.")

HISTORY_PAGE_SIZE = 25


def load_run(request, public_id) -> MatchRun:
    permissions.require_ministry(request.user, ONLY_MINISTRY)
    return get_visible_or_404(selectors.run_get, user=request.user, public_id=public_id)


class RunListView(LoginRequiredMixin, View):
    """Every run, newest first, and the form that starts one."""

    def get(self, request):
        permissions.require_ministry(request.user, ONLY_MINISTRY)
        return self._render(request, self._form(request))

    def post(self, request):
        permissions.require_ministry(request.user, ONLY_MINISTRY)
        form = self._form(request, request.POST)
        if form.is_valid():
            try:
                run = services.match_run_create(
                    actor=request.user,
                    call=form.cleaned_data["call"],
                    weights=form.weights(),
                    k=form.cleaned_data["k"],
                    m=form.cleaned_data["m"],
                    min_area_fit=form.area_fit_floor(),
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(
                    request, _("The matching run of “%(name)s” was started.") % {"name": run.call.name}
                )
                if run.queue_unavailable:
                    messages.warning(request, services.QUEUE_UNAVAILABLE)
                return redirect("matching:run-detail", run.public_id)
        return self._render(request, form, status=400)

    def _form(self, request, data=None) -> MatchRunForm:
        return MatchRunForm(
            data, calls=selectors.calls_for_matching(), initial_call=project_selectors.call_current()
        )

    def _render(self, request, form, status=200):
        page = Paginator(selectors.runs_visible_to(request.user), HISTORY_PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        return render(
            request, "matching/run_list.html", {"form": form, "page": page, "query": ""}, status=status
        )


class RunProgressView(LoginRequiredMixin, View):
    """{"status", "progress", "error"} of a run, polled by the run page once a second."""

    def get(self, request, public_id):
        permissions.require_ministry(request.user, ONLY_MINISTRY)
        state = get_visible_or_404(selectors.run_progress, user=request.user, public_id=public_id)
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
            messages.success(
                request,
                _(
                    "The results were published: employers and universities now "
                    "see the introductions proposed to them."
                ),
            )
        return redirect("matching:run-detail", run.public_id)


class RunRepeatView(LoginRequiredMixin, View):
    """Start a new run of the same call with the same parameters (after a failure, say)."""

    def post(self, request, public_id):
        run = load_run(request, public_id)
        try:
            again = services.match_run_create(
                actor=request.user,
                call=run.call,
                weights=run.weights,
                k=run.k,
                m=run.m,
                shards=run.shards,
                min_area_fit=run.min_area_fit,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("matching:run-detail", run.public_id)
        messages.success(request, _("A new run with the same parameters was started."))
        if again.queue_unavailable:
            messages.warning(request, services.QUEUE_UNAVAILABLE)
        return redirect("matching:run-detail", again.public_id)
