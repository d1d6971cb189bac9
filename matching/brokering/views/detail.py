"""One introduction's page, with every action its viewer may take, and the base of the views
that take one: validate the form, call one service, come back."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views import View

from accounts import permissions
from accounts.errors import Conflict
from accounts.forms import apply_errors
from common.views import get_visible_or_404

from ...models import Introduction
from .. import selectors, workflow
from ..forms import (
    AgreementForm,
    CommentForm,
    DeclineForm,
    MilestoneForm,
    OutcomeForm,
    SendForm,
)

FORMS = {
    "send_form": SendForm,
    "cancel_form": CommentForm,
    "decline_form": DeclineForm,
    "agreement_form": AgreementForm,
    "milestone_form": MilestoneForm,
    "outcome_form": OutcomeForm,
    "review_form": CommentForm,
}


def load(request, public_id) -> Introduction:
    return get_visible_or_404(selectors.introduction_get, user=request.user, public_id=public_id)


def detail_context(request, introduction: Introduction, **bound) -> dict:
    side = selectors.side_of(request.user, introduction)
    is_ministry = permissions.is_ministry(request.user)
    # A member of an organisation no longer verified sees its introductions but may not act.
    acts = bool(side) and permissions.is_verified_member(request.user)
    report = getattr(introduction, "outcome", None)
    agreement = (
        getattr(introduction, "agreement", None)
        if introduction.status
        in {workflow.Status.SIGNED, workflow.Status.IN_PROGRESS, workflow.Status.COMPLETED}
        else None
    )
    context = {
        "introduction": introduction,
        "side": side if acts else None,
        "is_ministry": is_ministry,
        "actions": workflow.available_actions(introduction.status, is_side=acts, is_ministry=is_ministry),
        "answered": bool(side and getattr(introduction, f"{side}_response")),
        "agreement": agreement,
        "milestones": introduction.milestones.all(),
        "report": report,
        "history": selectors.introduction_history(introduction),
        "can_report": acts
        and side == selectors.EMPLOYER
        and introduction.status in {workflow.Status.SIGNED, workflow.Status.IN_PROGRESS}
        and (report is None or report.status == workflow.Outcome.RETURNED),
    }
    for name, form_class in FORMS.items():
        context[name] = bound.get(name) or form_class()
    return context


class IntroductionDetailView(LoginRequiredMixin, View):
    def get(self, request, public_id):
        introduction = load(request, public_id)
        return render(request, "matching/brokering/detail.html", detail_context(request, introduction))


class IntroductionPostView(LoginRequiredMixin, View):
    """One action on an introduction: validate the form, call one service, come back."""

    form_name = ""
    done = ""

    def act(self, request, introduction: Introduction, data: dict) -> None:
        raise NotImplementedError

    def post(self, request, public_id):
        introduction = load(request, public_id)
        form = FORMS[self.form_name](request.POST, request.FILES) if self.form_name else None
        if form is None or form.is_valid():
            try:
                self.act(request, introduction, form.cleaned_data if form else {})
            except ValidationError as exc:
                if form is None:
                    messages.error(request, " ".join(exc.messages))
                else:
                    apply_errors(form, exc)
            except Conflict as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, self.done)
                return redirect("brokering:introduction-detail", introduction.public_id)
        if form is None or not form.errors:
            return redirect("brokering:introduction-detail", introduction.public_id)
        introduction = load(request, public_id)
        return render(
            request,
            "matching/brokering/detail.html",
            detail_context(request, introduction, **{self.form_name: form}),
            status=400,
        )
