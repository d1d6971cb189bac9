"""An introduction's own steps: ministry staff send or cancel it, each side accepts or declines
it."""

from django.utils.translation import gettext as _

from .. import introductions, workflow
from .detail import IntroductionPostView


class SendView(IntroductionPostView):
    form_name = "send_form"

    def act(self, request, introduction, data):
        introductions.introduction_send(
            actor=request.user, introduction=introduction, message=data["message"] or None
        )
        self.done = _("The introduction was sent to both sides.")


class CancelView(IntroductionPostView):
    form_name = "cancel_form"

    def act(self, request, introduction, data):
        introductions.introduction_cancel(
            actor=request.user, introduction=introduction, comment=data["comment"]
        )
        self.done = _("The introduction was cancelled.")


class AcceptView(IntroductionPostView):
    def act(self, request, introduction, data):
        introductions.introduction_respond(actor=request.user, introduction=introduction, accept=True)
        self.done = (
            _("Both sides have accepted: record the cooperation agreement once signed.")
            if introduction.status == workflow.Status.ACCEPTED
            else _("Your acceptance was recorded; the other side's answer is awaited.")
        )


class DeclineView(IntroductionPostView):
    form_name = "decline_form"

    def act(self, request, introduction, data):
        introductions.introduction_respond(
            actor=request.user,
            introduction=introduction,
            accept=False,
            reason=data["reason"],
            comment=data["comment"],
        )
        self.done = _("You declined the introduction.")
