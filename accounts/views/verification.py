"""Ministry staff: the queue of organisations by kind and status, and the page where one is
verified or rejected."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View

from common.views import query_without_page

from .. import bulk, permissions, selectors, services
from ..errors import Conflict
from ..forms import RejectForm
from ..models import Employer, University, VerificationStatus

KINDS = {"employer": Employer, "university": University}


def _visible_organisation(request, kind: str, public_id):
    model = KINDS.get(kind)
    if model is None:
        raise Http404
    queryset = selectors.organisations_visible_to(request.user, model)
    if model is University:
        queryset = selectors.with_profile(queryset)
    organisation = get_object_or_404(queryset, public_id=public_id)
    if not permissions.can_verify_organisations(request.user):
        raise PermissionDenied
    return organisation


class OrganisationQueueView(LoginRequiredMixin, View):
    """Ministry staff: organisations by kind and status, oldest first, searchable."""

    def get(self, request):
        if not permissions.can_verify_organisations(request.user):
            raise PermissionDenied
        kind = request.GET.get("kind") if request.GET.get("kind") in KINDS else "employer"
        status = request.GET.get("status", VerificationStatus.PENDING)
        if status not in VerificationStatus.values:
            status = ""
        queryset = selectors.organisation_list(
            user=request.user,
            model=KINDS[kind],
            status=status,
            search=request.GET.get("q", "").strip(),
        )
        page = Paginator(queryset, 25).get_page(request.GET.get("page"))
        return render(
            request,
            "accounts/queue.html",
            {
                "page": page,
                "kind": kind,
                "status": status,
                "q": request.GET.get("q", ""),
                "statuses": VerificationStatus.choices,
                "query": query_without_page(request),
                "bulk": bulk.controls(
                    [f"{kind}.verify", f"{kind}.reject"], request.GET, page.paginator.count
                ),
            },
        )


class OrganisationReviewView(LoginRequiredMixin, View):
    def get(self, request, kind, public_id):
        organisation = _visible_organisation(request, kind, public_id)
        return self._render(request, kind, organisation, RejectForm())

    def post(self, request, kind, public_id):
        organisation = _visible_organisation(request, kind, public_id)
        form = RejectForm()
        try:
            if request.POST.get("action") == "verify":
                services.organisation_verify(actor=request.user, organisation=organisation)
                messages.success(request, _("%(name)s is verified.") % {"name": organisation})
            else:
                form = RejectForm(request.POST)
                if not form.is_valid():
                    return self._render(request, kind, organisation, form, status=400)
                services.organisation_reject(
                    actor=request.user, organisation=organisation, reason=form.cleaned_data["reason"]
                )
                messages.success(request, _("%(name)s is rejected.") % {"name": organisation})
        except Conflict as exc:
            messages.error(request, exc.message)
        return redirect("accounts:organisation-review", kind=kind, public_id=public_id)

    def _render(self, request, kind, organisation, form, status=200):
        context = {
            "organisation": organisation,
            "kind": kind,
            "reject_form": form,
            "history": selectors.organisation_history(organisation),
        }
        return render(request, "accounts/review.html", context, status=status)
