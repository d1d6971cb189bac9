from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "matching"
    verbose_name = _("Matching and brokering")

    def ready(self) -> None:
        from accounts.models import AUDIT_ACTIONS, AUDIT_STATUSES

        from .brokering.workflow import Action, Status

        # History reads in the past tense: what happened, not the button that did it.
        AUDIT_ACTIONS.update({
            Action.SEND: _("Sent to both sides"),
            Action.EXPIRE: _("Expired unanswered"),
            Action.CANCEL: _("Cancelled"),
            Action.SIGN: _("Cooperation agreement recorded"),
            Action.COMPLETE: _("Cooperation closed"),
            "created": _("Introduction proposed"),
            "introductions_proposed": _("Introductions proposed from the run"),
            "employer_accepted": _("Accepted by the employer"),
            "university_accepted": _("Accepted by the university"),
            "employer_declined": _("Declined by the employer"),
            "university_declined": _("Declined by the university"),
            "milestone": _("Milestone recorded"),
            "outcome_submitted": _("Outcome report filed"),
            "outcome_confirmed": _("Outcome report confirmed by the university"),
            "outcome_returned": _("Outcome report sent back"),
            "outcome_accepted": _("Outcome report accepted"),
        })
        AUDIT_STATUSES.update(dict(Status.choices))
