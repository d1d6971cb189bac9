"""The introductions' pages: the list (with ministry staff's bulk send and hand-made
introductions), one introduction's page with every action its viewer may take, and the
downloads of its signed agreement and outcome evidence. Parse, load, call one service, render."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View

from accounts import permissions
from accounts.errors import Conflict
from accounts.forms import apply_errors
from accounts.services import data_export_record
from common.views import get_visible_or_404, query_without_page
from projects.selectors import call_list, proposals_visible_to

from .. import selectors as run_selectors
from ..models import Introduction, OutcomeReport
from . import implementation, introductions, selectors, workflow
from .forms import (
    AgreementForm,
    BulkSendForm,
    CommentForm,
    DeclineForm,
    IntroductionCreateForm,
    IntroductionFilterForm,
    MilestoneForm,
    OutcomeForm,
    SendForm,
)

ONLY_MINISTRY = gettext_lazy("Only ministry staff broker introductions.")

PAGE_SIZE = 25


def sent_message(sent: int) -> str:
    return ngettext("%(n)d introduction was sent.", "%(n)d introductions were sent.", sent) % {
        "n": sent}


def proposed_list_url() -> str:
    return f"{reverse('brokering:introduction-list')}?status=proposed"


FORMS = {"send_form": SendForm, "cancel_form": CommentForm, "decline_form": DeclineForm,
         "agreement_form": AgreementForm, "milestone_form": MilestoneForm,
         "outcome_form": OutcomeForm, "review_form": CommentForm}


def load(request, public_id) -> Introduction:
    return get_visible_or_404(selectors.introduction_get, user=request.user, public_id=public_id)



def list_context(request, *, create_form=None) -> dict:
    form = IntroductionFilterForm(request.GET, calls=call_list())
    filters = selectors.IntroductionFilters(**form.cleaned_data) if form.is_valid() else None
    queryset = (selectors.introduction_list(user=request.user, filters=filters) if filters
                else Introduction.objects.none())
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "query": query_without_page(request),
               "is_ministry": permissions.is_ministry(request.user)}
    if context["is_ministry"]:
        context["create_form"] = create_form or IntroductionCreateForm()
        context["send_form"] = SendForm()
    return context


class IntroductionListView(LoginRequiredMixin, View):
    """Ministry staff see and filter every introduction; each side its own."""

    def get(self, request):
        return render(request, "matching/brokering/list.html", list_context(request))


class IntroductionBulkSendView(LoginRequiredMixin, View):
    """Send the ticked proposed introductions, each checked on its own."""

    def post(self, request):
        permissions.require_ministry(request.user, ONLY_MINISTRY)
        proposed = selectors.introductions_visible_to(request.user).filter(
            status=workflow.Status.PROPOSED)
        ids = request.POST.getlist("introductions")
        form = BulkSendForm(request.POST, choices=[(i, i) for i in ids])
        chosen = (proposed.filter(public_id__in=form.cleaned_data["introductions"])
                  if form.is_valid() else proposed.none())
        if not chosen.exists():
            messages.error(request, " ".join(form.errors.get("message", []))
                           or _("Tick the proposed introductions to send."))
            return redirect(proposed_list_url())
        sent, problems = introductions.introductions_send(
            actor=request.user, introductions=chosen, message=form.cleaned_data["message"] or None)
        messages.success(request, sent_message(sent))
        for problem in problems:
            messages.error(request, problem)
        return redirect(proposed_list_url())


class IntroductionCreateView(LoginRequiredMixin, View):
    """Ministry staff introduce a project and a university by hand."""

    def post(self, request):
        permissions.require_ministry(request.user, ONLY_MINISTRY)
        form = IntroductionCreateForm(request.POST)
        if form.is_valid():
            proposal = proposals_visible_to(request.user).filter(
                public_id=form.cleaned_data["project"]).first()
            university = selectors.university_to_introduce(
                user=request.user, institution_code=form.cleaned_data["institution_code"])
            if proposal is None:
                form.add_error("project", _("No project has this id."))
            if university is None:
                form.add_error("institution_code", _("No university has this institution code."))
            if proposal and university:
                try:
                    made = introductions.introduction_create(
                        actor=request.user, proposal=proposal, university=university,
                        message=form.cleaned_data["message"])
                except ValidationError as exc:
                    apply_errors(form, exc)
                else:
                    messages.success(request, _("The introduction was proposed; send it when "
                                                "ready."))
                    return redirect("brokering:introduction-detail", made.public_id)
        return render(request, "matching/brokering/list.html",
                      list_context(request, create_form=form), status=400)


class IntroductionsFromRunView(LoginRequiredMixin, View):
    """Turn a succeeded run's proposed pairs into proposed introductions, ready to send."""

    def post(self, request, public_id):
        permissions.require_ministry(request.user, ONLY_MINISTRY)
        run = get_visible_or_404(run_selectors.run_get, user=request.user, public_id=public_id)
        try:
            made = introductions.introductions_from_run(actor=request.user, run=run)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("matching:run-detail", run.public_id)
        messages.success(request, ngettext(
            "%(n)d introduction was proposed from the run; review and send it.",
            "%(n)d introductions were proposed from the run; review and send them.", made)
            % {"n": made})
        return redirect(f"{reverse('brokering:introduction-list')}?status=proposed&call={run.call.slug}")


def detail_context(request, introduction: Introduction, **bound) -> dict:
    side = selectors.side_of(request.user, introduction)
    is_ministry = permissions.is_ministry(request.user)
    # A member of an organisation no longer verified sees its introductions but may not act.
    acts = bool(side) and permissions.is_verified_member(request.user)
    report = getattr(introduction, "outcome", None)
    agreement = getattr(introduction, "agreement", None) if introduction.status in {
        workflow.Status.SIGNED, workflow.Status.IN_PROGRESS, workflow.Status.COMPLETED} else None
    context = {
        "introduction": introduction, "side": side if acts else None, "is_ministry": is_ministry,
        "actions": workflow.available_actions(introduction.status, is_side=acts,
                                              is_ministry=is_ministry),
        "answered": bool(side and getattr(introduction, f"{side}_response")),
        "agreement": agreement, "milestones": introduction.milestones.all(), "report": report,
        "history": selectors.introduction_history(introduction),
        "can_report": acts and side == selectors.EMPLOYER and introduction.status in {
            workflow.Status.SIGNED, workflow.Status.IN_PROGRESS}
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
        return render(request, "matching/brokering/detail.html",
                      detail_context(request, introduction, **{self.form_name: form}), status=400)


class SendView(IntroductionPostView):
    form_name = "send_form"

    def act(self, request, introduction, data):
        introductions.introduction_send(actor=request.user, introduction=introduction,
                                        message=data["message"] or None)
        self.done = _("The introduction was sent to both sides.")


class CancelView(IntroductionPostView):
    form_name = "cancel_form"

    def act(self, request, introduction, data):
        introductions.introduction_cancel(actor=request.user, introduction=introduction,
                                          comment=data["comment"])
        self.done = _("The introduction was cancelled.")


class AcceptView(IntroductionPostView):
    def act(self, request, introduction, data):
        introductions.introduction_respond(actor=request.user, introduction=introduction,
                                           accept=True)
        self.done = (_("Both sides have accepted: record the cooperation agreement once signed.")
                     if introduction.status == workflow.Status.ACCEPTED
                     else _("Your acceptance was recorded; the other side's answer is awaited."))


class DeclineView(IntroductionPostView):
    form_name = "decline_form"

    def act(self, request, introduction, data):
        introductions.introduction_respond(actor=request.user, introduction=introduction,
                                           accept=False, reason=data["reason"],
                                           comment=data["comment"])
        self.done = _("You declined the introduction.")


class AgreementView(IntroductionPostView):
    form_name = "agreement_form"

    def act(self, request, introduction, data):
        implementation.agreement_record(actor=request.user, introduction=introduction, **data)
        self.done = _("The cooperation agreement was recorded.")


class MilestoneView(IntroductionPostView):
    form_name = "milestone_form"

    def act(self, request, introduction, data):
        implementation.milestone_record(actor=request.user, introduction=introduction, **data)
        self.done = _("The milestone was recorded.")


class OutcomeSubmitView(IntroductionPostView):
    form_name = "outcome_form"

    def act(self, request, introduction, data):
        evidence = data.pop("evidence")
        implementation.outcome_submit(actor=request.user, introduction=introduction, fields=data,
                                      evidence=evidence)
        self.done = _("The outcome report was filed; the university is asked to confirm it.")


def _report(introduction: Introduction) -> OutcomeReport:
    report = getattr(introduction, "outcome", None)
    if report is None:
        raise Conflict(_("No outcome report has been filed yet."))
    report.introduction = introduction
    return report


class OutcomeConfirmView(IntroductionPostView):
    def act(self, request, introduction, data):
        implementation.outcome_confirm(actor=request.user, report=_report(introduction))
        self.done = _("You confirmed the outcome report; ministry staff will review it.")


class OutcomeReturnView(IntroductionPostView):
    form_name = "review_form"

    def act(self, request, introduction, data):
        implementation.outcome_return(actor=request.user, report=_report(introduction),
                                      comment=data["comment"])
        self.done = _("The report was sent back to the employer.")


class OutcomeAcceptView(IntroductionPostView):
    form_name = "review_form"

    def act(self, request, introduction, data):
        implementation.outcome_accept(actor=request.user, report=_report(introduction),
                                      comment=data["comment"])
        self.done = _("The outcome report was accepted and the cooperation closed.")


class DocumentView(LoginRequiredMixin, View):
    """The signed agreement or the outcome evidence, for those who may see the introduction."""

    kind = ""

    def get(self, request, public_id):
        introduction = load(request, public_id)
        owner = (getattr(introduction, "agreement", None) if self.kind == "agreement"
                 else getattr(introduction, "outcome", None))
        document = owner and (owner.document if self.kind == "agreement" else owner.evidence)
        if not document:
            raise Http404
        try:
            stream = document.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        filename = document.name.rsplit("/", 1)[-1]
        data_export_record(actor=request.user, target=introduction, kind=f"{self.kind} {filename}")
        return FileResponse(stream, as_attachment=True, filename=filename,
                            content_type="application/pdf")
