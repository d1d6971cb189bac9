"""Ministry staff's pages: the review queue, bulk approval and the review page."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from accounts import bulk, permissions
from accounts import selectors as account_selectors
from accounts.errors import Conflict
from accounts.forms import apply_errors
from common.views import query_without_page

from .. import selectors, services
from ..forms import ApproveForm, QueueFilterForm, RejectForm, ReturnForm
from ..models import Proposal
from ..workflow import Action, Status
from .common import (
    ONLY_MINISTRY,
    OTHER_PROPOSALS_SHOWN,
    QUEUE_PAGE_SIZE,
    detail_context,
    load_proposal,
)


class ReviewQueueView(LoginRequiredMixin, View):
    """Ministry staff's queue, oldest submission first; the filters live in the query string."""

    def get(self, request):
        permissions.require_ministry(request.user, ONLY_MINISTRY)
        data = request.GET.copy()
        data.setdefault("status", Status.SUBMITTED)
        form = QueueFilterForm(data, calls=selectors.call_list(), areas=account_selectors.focus_area_list())
        queue = selectors.review_queue(user=request.user, filters=selectors.QueueFilters(**form.filters()))
        page = Paginator(queue, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
        return render(
            request,
            "projects/review_queue.html",
            {
                "form": form,
                "page": page,
                "query": query_without_page(request),
                "bulk": bulk.controls(
                    ["proposals.approve", "proposals.return", "proposals.reject"],
                    request.GET,
                    queue.filter(status=Status.SUBMITTED).count(),
                ),
            },
        )


REVIEW_FORMS = {Action.APPROVE: ApproveForm, Action.RETURN: ReturnForm, Action.REJECT: RejectForm}


class ReviewView(LoginRequiredMixin, View):
    """One proposal with everything a reviewer needs, and approve / return / reject."""

    template_name = "projects/review.html"

    def _load(self, request, public_id) -> Proposal:
        proposal = load_proposal(request, public_id)
        permissions.require_ministry(request.user, ONLY_MINISTRY)
        return proposal

    def get(self, request, public_id):
        return self._render(request, self._load(request, public_id))

    def post(self, request, public_id):
        proposal = self._load(request, public_id)
        action = request.POST.get("action")
        if action not in REVIEW_FORMS:
            messages.error(request, _("Choose approve, return or reject."))
            return redirect("projects:proposal-review", public_id=public_id)
        form = REVIEW_FORMS[action](request.POST, prefix=action)
        if form.is_valid():
            try:
                self._decide(request, proposal, action, form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            except Conflict as exc:
                messages.error(request, exc.message)
                return redirect("projects:proposal-review", public_id=public_id)
            else:
                return redirect("projects:review-queue")
        return self._render(request, proposal, {action: form}, status=400)

    def _decide(self, request, proposal, action, data) -> None:
        if action == Action.APPROVE:
            services.proposal_approve(actor=request.user, proposal=proposal, comment=data["comment"])
            text = _("“%(title)s” was approved and published.")
        elif action == Action.RETURN:
            services.proposal_return(actor=request.user, proposal=proposal, comment=data["comment"])
            text = _("“%(title)s” was returned to the employer for revision.")
        else:
            services.proposal_reject(
                actor=request.user, proposal=proposal, reason=data["reason"], comment=data["comment"]
            )
            text = _("“%(title)s” was rejected.")
        messages.success(request, text % {"title": proposal.title})

    def _render(self, request, proposal, bound=None, status=200):
        forms = {action: form_class(prefix=action) for action, form_class in REVIEW_FORMS.items()}
        forms.update(bound or {})
        others = (
            selectors.proposals_visible_to(request.user)
            .filter(employer_id=proposal.employer_id)
            .exclude(pk=proposal.pk)
            .select_related("call")
            .order_by("-updated_at")[:OTHER_PROPOSALS_SHOWN]
        )
        return render(
            request,
            self.template_name,
            {
                **detail_context(request, proposal),
                "others": others,
                "approve_form": forms[Action.APPROVE],
                "return_form": forms[Action.RETURN],
                "reject_form": forms[Action.REJECT],
            },
            status=status,
        )
