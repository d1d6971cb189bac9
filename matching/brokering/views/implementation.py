"""After both sides accepted: the cooperation agreement, the implementation's milestones, the
outcome report's filing, confirmation and review, and the downloads of the signed agreement and
the outcome evidence."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from django.views import View

from accounts.errors import Conflict
from accounts.services import data_export_record

from ...models import Introduction, OutcomeReport
from .. import implementation
from .detail import IntroductionPostView, load


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
        implementation.outcome_submit(
            actor=request.user, introduction=introduction, fields=data, evidence=evidence
        )
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
        implementation.outcome_return(
            actor=request.user, report=_report(introduction), comment=data["comment"]
        )
        self.done = _("The report was sent back to the employer.")


class OutcomeAcceptView(IntroductionPostView):
    form_name = "review_form"

    def act(self, request, introduction, data):
        implementation.outcome_accept(
            actor=request.user, report=_report(introduction), comment=data["comment"]
        )
        self.done = _("The outcome report was accepted and the cooperation closed.")


class DocumentView(LoginRequiredMixin, View):
    """The signed agreement or the outcome evidence, for those who may see the introduction."""

    kind = ""

    def get(self, request, public_id):
        introduction = load(request, public_id)
        owner = (
            getattr(introduction, "agreement", None)
            if self.kind == "agreement"
            else getattr(introduction, "outcome", None)
        )
        document = owner and (owner.document if self.kind == "agreement" else owner.evidence)
        if not document:
            raise Http404
        try:
            stream = document.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        filename = document.name.rsplit("/", 1)[-1]
        data_export_record(actor=request.user, target=introduction, kind=f"{self.kind} {filename}")
        return FileResponse(stream, as_attachment=True, filename=filename, content_type="application/pdf")
