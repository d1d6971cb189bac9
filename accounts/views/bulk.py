"""Bulk work's pages: the confirmation that states the count and the action, the start, and the
job's page with its progress and a result per item (accounts/bulk.py does the work)."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from common.views import get_visible_or_404, selected_ids

from .. import bulk, permissions


def _action(request) -> bulk.BulkAction:
    permissions.require_ministry(request.user, _("Only ministry staff take actions in bulk."))
    action = bulk.action_get(request.POST.get("action", ""))
    if action is None:
        raise Http404
    return action


def _back(action: bulk.BulkAction) -> str:
    url = reverse(action.back)
    return f"{url}?{action.back_query}" if action.back_query else url


def _confirm(request, action: bulk.BulkAction, ids: list[str], form, status: int = 200):
    return render(
        request,
        "accounts/bulk_confirm.html",
        {
            "action": action,
            "ids": ",".join(ids),
            "count": len(ids),
            "summary": action.summary(len(ids)),
            "form": form,
            "back": _back(action),
        },
        status=status,
    )


class BulkConfirmView(LoginRequiredMixin, View):
    """A list page's bulk button: the items ticked, or all matching its filters, and the action,
    to be confirmed (with the comment or reason the action asks once for all)."""

    def post(self, request):
        action = _action(request)
        ids = action.select(request.user, request.POST)
        if not ids:
            messages.error(request, _("Select at least one item."))
            return redirect(_back(action))
        return _confirm(request, action, ids, action.params() if action.params else None)


class BulkStartView(LoginRequiredMixin, View):
    def post(self, request):
        action = _action(request)
        ids = selected_ids(request.POST)
        form = action.params(request.POST) if action.params else None
        if form is not None and not form.is_valid():
            return _confirm(request, action, ids, form, status=400)
        try:
            job = bulk.bulk_start(
                actor=request.user, action=action, ids=ids, params=form.cleaned_data if form else {}
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(_back(action))
        return redirect("accounts:bulk-job", public_id=job.public_id)


class BulkJobView(LoginRequiredMixin, View):
    def get(self, request, public_id):
        job = get_visible_or_404(bulk.job_for, user=request.user, public_id=public_id)
        action = bulk.action_get(job.action)
        failed = [row for row in job.results if not row["ok"]]
        return render(
            request,
            "accounts/bulk_job.html",
            {
                "job": job,
                "summary": action.summary(job.total) if action else job.action,
                "back": _back(action) if action else "",
                "failed": failed,
                "succeeded_rows": [row for row in job.results if row["ok"]],
            },
        )


class BulkProgressView(LoginRequiredMixin, View):
    """{"status", "progress"} of a job, polled by its page once a second."""

    def get(self, request, public_id):
        job = get_visible_or_404(bulk.job_for, user=request.user, public_id=public_id)
        response = JsonResponse({"status": job.status, "progress": job.percent})
        response["Cache-Control"] = "no-store"
        return response
