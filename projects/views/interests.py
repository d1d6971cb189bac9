"""Expressions of interest: a university expresses, changes or withdraws its interest in a
published project; the project's employer reads the interests with the universities' profiles
and answers each (ministry staff read them too)."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from accounts import permissions
from accounts.errors import Conflict
from accounts.forms import apply_errors

from .. import selectors, services
from ..forms import InterestEditForm, InterestForm, InterestRespondForm
from ..models import Interest, Proposal
from .catalogue import is_verified_university, load_project, project_context
from .common import error_text, owner_of, redirect_back


def project_url(interest: Interest) -> str:
    return reverse("projects:project-detail", args=[interest.proposal.public_id])


def load_interest(request, public_id) -> Interest:
    """The interest if this user may see it (its university, the project's employer, ministry
    staff); 404 for anyone else."""
    interest = selectors.interests_visible_to(request.user).filter(public_id=public_id).first()
    if interest is None:
        raise Http404
    return interest


def own_interest(request, public_id) -> Interest:
    interest = load_interest(request, public_id)
    if not permissions.belongs_to(request.user, interest.university):
        raise PermissionDenied(_("Only the university that expressed this interest may change it."))
    return interest


class InterestCreateView(LoginRequiredMixin, View):
    """A verified university expresses interest: the rules it breaks (its places for the
    project type, the call's allowance, a second interest) are shown, nothing is saved."""

    def post(self, request, public_id):
        proposal = load_project(public_id)
        if not is_verified_university(request.user):
            raise PermissionDenied(_("Only verified universities express interest in projects."))
        form = InterestForm(request.POST)
        if form.is_valid():
            try:
                services.interest_create(actor=request.user, proposal=proposal, fields=form.interest_fields())
            except ValidationError as exc:
                if not hasattr(exc, "error_dict"):  # allowance, duplicate, no longer published
                    messages.error(request, error_text(exc))
                    return redirect("projects:project-detail", public_id=public_id)
                apply_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Your university's interest was sent to the employer. You will be emailed its answer."),
                )
                return redirect("projects:project-detail", public_id=public_id)
        return render(
            request,
            "projects/project_detail.html",
            project_context(request, proposal, interest_form=form),
            status=400,
        )


class InterestEditView(LoginRequiredMixin, View):
    """The university changes the students it offers or its statement while its interest is live."""

    def post(self, request, public_id):
        interest = own_interest(request, public_id)
        form = InterestEditForm(request.POST)
        if form.is_valid():
            try:
                services.interest_update(actor=request.user, interest=interest, fields=form.interest_fields())
            except ValidationError as exc:
                apply_errors(form, exc)
            except Conflict as exc:
                messages.error(request, exc.message)
                return redirect_back(request, project_url(interest))
            else:
                messages.success(request, _("Your interest was updated."))
                return redirect_back(request, project_url(interest))
        proposal = load_project(interest.proposal.public_id)
        return render(
            request,
            "projects/project_detail.html",
            project_context(request, proposal, edit_form=form),
            status=400,
        )


class InterestWithdrawView(LoginRequiredMixin, View):
    def post(self, request, public_id):
        interest = own_interest(request, public_id)
        try:
            services.interest_withdraw(actor=request.user, interest=interest)
        except Conflict as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, _("Your interest in “%(title)s” was withdrawn.") % {"title": interest.proposal.title}
            )
        return redirect_back(request, project_url(interest))


def load_interests_proposal(request, public_id) -> Proposal:
    """The proposal whose interests this user may read: its employer's own, or any for ministry
    staff; 404 for everyone else."""
    user = request.user
    proposals = (
        selectors.proposals_visible_to(user)
        if permissions.is_ministry(user)
        else selectors.employer_proposals(user)
    )
    proposal = proposals.select_related("employer", "call").filter(public_id=public_id).first()
    if proposal is None:
        raise Http404
    return proposal


def interests_context(request, proposal: Proposal, bound: InterestRespondForm | None = None) -> dict:
    """Every interest in the project with its university's profile (strengths, capacity) loaded
    up front, and for the employer a form to answer each live one."""
    interests = selectors.proposal_interests(request.user, proposal)
    can_respond = owner_of(request, proposal)
    rows = []
    for interest in interests:
        form = None
        if can_respond and interest.status == Interest.Status.LIVE:
            prefix = interest.public_id.hex
            form = (
                bound if bound is not None and bound.prefix == prefix else InterestRespondForm(prefix=prefix)
            )
        rows.append((interest, form))
    return {
        "proposal": proposal,
        "rows": rows,
        "can_respond": can_respond,
        "summary": selectors.interest_summary(proposal),
    }


class ProposalInterestsView(LoginRequiredMixin, View):
    """The employer's view of the interests in its project (ministry staff: read only)."""

    def get(self, request, public_id):
        proposal = load_interests_proposal(request, public_id)
        return render(request, "projects/interests.html", interests_context(request, proposal))


class InterestRespondView(LoginRequiredMixin, View):
    """The project's employer marks an interest welcome, or not a fit with a reason."""

    def post(self, request, public_id):
        interest = load_interest(request, public_id)
        if not permissions.belongs_to(request.user, interest.proposal.employer):
            raise PermissionDenied(_("Only the project's employer may answer this interest."))
        form = InterestRespondForm(request.POST, prefix=interest.public_id.hex)
        back = reverse("projects:proposal-interests", args=[interest.proposal.public_id])
        if form.is_valid():
            try:
                services.interest_respond(
                    actor=request.user,
                    interest=interest,
                    response=form.cleaned_data["response"],
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            except Conflict as exc:
                messages.error(request, exc.message)
                return redirect(back)
            else:
                messages.success(
                    request,
                    _("Your answer was sent to %(university)s.") % {"university": interest.university.name},
                )
                return redirect(f"{back}#interest-{interest.public_id}")
        proposal = load_interests_proposal(request, interest.proposal.public_id)
        return render(
            request, "projects/interests.html", interests_context(request, proposal, bound=form), status=400
        )
