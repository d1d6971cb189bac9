"""The employer's pages: the dashboard, and a proposal's drafting, preview, submission and
withdrawal."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from accounts import permissions
from accounts import selectors as account_selectors
from accounts.errors import Conflict
from accounts.forms import apply_errors

from .. import selectors, services, workflow
from ..forms import AttachmentForm, ProposalForm, WithdrawForm
from ..models import Proposal
from ..services.review import resubmission_deadline
from ..workflow import Status
from .common import (
    DASHBOARD_PAGE_SIZE,
    countdown,
    detail_context,
    error_text,
    load_proposal,
    missing_field_rows,
    owner_of,
    require_employer,
    verification_needed,
)


class EmployerDashboardView(LoginRequiredMixin, View):
    """My proposals by status, the current call and its countdown, what needs my attention."""

    def get(self, request):
        if permissions.is_ministry(request.user):
            return redirect("projects:review-queue")
        if (refusal := require_employer(request)) is not None:
            return refusal
        now = timezone.now()
        mine = selectors.employer_proposals(request.user)
        status = request.GET.get("status", "")
        listed = mine.filter(status=status) if status in Status.values else mine
        returned = list(mine.filter(status=Status.RETURNED).order_by("returned_at"))
        call = selectors.call_current()
        counts = selectors.employer_status_counts(request.user)
        return render(
            request,
            "projects/dashboard.html",
            {
                "call": call,
                "countdown": countdown(call, now) if call else None,
                "counts": [(value, label, counts.get(value, 0)) for value, label in Status.choices],
                "total": sum(counts.values()),
                "returned": [(p, resubmission_deadline(p)) for p in returned if p.returned_at],
                "drafts": mine.filter(
                    status=Status.DRAFT, call__opens_at__lte=now, call__closes_at__gte=now
                ).order_by("call__closes_at", "-updated_at"),
                "page": Paginator(listed.order_by("-updated_at"), DASHBOARD_PAGE_SIZE).get_page(
                    request.GET.get("page")
                ),
                "status": status if status in Status.values else "",
                "statuses": Status.choices,
                "query": f"status={status}" if status in Status.values else "",
            },
        )


def _form_kwargs(proposal: Proposal | None = None) -> dict:
    weights = {pa.area.code: pa.weight for pa in proposal.area_weights.all()} if proposal else {}
    return {"areas": list(account_selectors.focus_area_list()), "weights": weights}


class ProposalCreateView(LoginRequiredMixin, View):
    """Start a draft in a call that has not closed; only a type and a title are needed."""

    template_name = "projects/proposal_form.html"

    def _calls(self):
        return selectors.call_list().filter(closes_at__gt=timezone.now()).order_by("closes_at")

    def _form(self, data=None, contact=None):
        calls = self._calls()
        current = selectors.call_current()
        initial = current if current and current.accepts_drafts() else calls.first()
        return ProposalForm(data, calls=calls, initial_call=initial, initial=contact, **_form_kwargs())

    def get(self, request):
        if (refusal := require_employer(request)) is not None:
            return refusal
        employer = request.user.employer  # the contact given at registration, to change if need be
        contact = {
            "contact_person": employer.contact_person,
            "contact_phone": employer.phone,
            "contact_email": employer.email,
        }
        return self._render(request, self._form(contact=contact))

    def post(self, request):
        if (refusal := require_employer(request)) is not None:
            return refusal
        form = self._form(request.POST)
        if form.is_valid():
            try:
                proposal = services.proposal_create(
                    actor=request.user,
                    call=form.cleaned_data["call"],
                    fields=form.proposal_fields(),
                    areas=form.area_weights(),
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(
                    request, _("Your draft was saved. Check it below and submit it before the deadline.")
                )
                return redirect("projects:proposal-detail", public_id=proposal.public_id)
        return self._render(request, form, status=400)

    def _render(self, request, form, status=200):
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "title": _("New proposal"),
                "no_call": not form.fields["call"].queryset,
            },
            status=status,
        )


class ProposalDetailView(View):
    """The proposal as its readers see it: the owner and ministry staff also see its flags,
    its history with reviewers' comments and the actions open to them."""

    def get(self, request, public_id):
        proposal = load_proposal(request, public_id)
        return render(request, "projects/proposal_detail.html", detail_context(request, proposal))


class ProposalEditView(LoginRequiredMixin, View):
    template_name = "projects/proposal_form.html"

    def _load(self, request, public_id):
        proposal = load_proposal(request, public_id)
        if not owner_of(request, proposal):
            raise PermissionDenied(_("Only the employer that wrote this proposal may change it."))
        return proposal

    def get(self, request, public_id):
        proposal = self._load(request, public_id)
        if (refusal := require_employer(request)) is not None:
            return refusal
        if proposal.status not in workflow.EDITABLE:
            messages.error(request, _("Only drafts and proposals returned for revision can be edited."))
            return redirect("projects:proposal-detail", public_id=public_id)
        return self._render(request, proposal, ProposalForm(instance=proposal, **_form_kwargs(proposal)))

    def post(self, request, public_id):
        proposal = self._load(request, public_id)
        if (refusal := require_employer(request)) is not None:
            return refusal
        form = ProposalForm(request.POST, instance=proposal, **_form_kwargs(proposal))
        if form.is_valid():
            try:
                services.proposal_update(
                    actor=request.user,
                    proposal=proposal,
                    fields=form.proposal_fields(),
                    areas=form.area_weights(),
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Your changes were saved."))
                return redirect("projects:proposal-detail", public_id=public_id)
        return self._render(request, proposal, form, status=400)

    def _render(self, request, proposal, form, status=200):
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "proposal": proposal,
                "title": _("Edit proposal"),
                "attachment_form": AttachmentForm(),
            },
            status=status,
        )


def _owned(request, public_id) -> Proposal:
    """The proposal for an action only its employer may take: 404 if invisible, else 403."""
    proposal = load_proposal(request, public_id)
    if not owner_of(request, proposal):
        raise PermissionDenied(_("Only the employer that wrote this proposal may do this."))
    return proposal


class ProposalSubmitView(LoginRequiredMixin, View):
    def post(self, request, public_id):
        proposal = _owned(request, public_id)
        try:
            services.proposal_submit(actor=request.user, proposal=proposal)
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):  # the deadline, the window, the limit
                messages.error(request, error_text(exc))
                return redirect("projects:proposal-detail", public_id=public_id)
            proposal = load_proposal(request, public_id)
            context = detail_context(request, proposal, missing=missing_field_rows(exc))
            return render(request, "projects/proposal_detail.html", context, status=400)
        except Conflict as exc:
            messages.error(request, exc.message)
        except PermissionDenied:
            return verification_needed(request)
        else:
            messages.success(
                request,
                _(
                    "Your proposal was submitted. Ministry staff will review "
                    "it; we will email you their decision."
                ),
            )
        return redirect("projects:proposal-detail", public_id=public_id)


class ProposalWithdrawView(LoginRequiredMixin, View):
    def post(self, request, public_id):
        proposal = _owned(request, public_id)
        form = WithdrawForm(request.POST)
        comment = form.cleaned_data["comment"] if form.is_valid() else ""
        try:
            services.proposal_withdraw(actor=request.user, proposal=proposal, comment=comment)
        except Conflict as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Your proposal was withdrawn."))
        return redirect("projects:proposal-detail", public_id=public_id)
