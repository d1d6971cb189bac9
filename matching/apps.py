from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "matching"
    verbose_name = _("Matching and brokering")

    def ready(self) -> None:
        from accounts.models import AUDIT_ACTIONS, AUDIT_STATUSES

        from .brokering.workflow import Action, Status

        AUDIT_ACTIONS.update(dict(Action.choices))
        AUDIT_ACTIONS.update({
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
            "outcome_accepted": _("Outcome report accepted; cooperation closed"),
        })
        AUDIT_STATUSES.update(dict(Status.choices))
