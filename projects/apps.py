from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Calls and proposals")

    def ready(self) -> None:
        from accounts.models import AUDIT_ACTIONS, AUDIT_STATUSES

        from .workflow import Action, Status

        AUDIT_ACTIONS.update(dict(Action.choices))
        AUDIT_ACTIONS.update({
            "call_created": _("Call opened"),
            "call_updated": _("Call changed"),
            "proposal_created": _("Draft started"),
            "proposal_edited": _("Proposal edited"),
            "attachment_added": _("Attachment added"),
            "attachment_removed": _("Attachment removed"),
            "interest_expressed": _("Interest expressed"),
            "interest_changed": _("Interest changed"),
            "interest_withdrawn": _("Interest withdrawn"),
            "interest_welcome": _("Interest welcomed by the employer"),
            "interest_not_a_fit": _("Interest marked not a fit by the employer"),
            "saved_search_created": _("Search saved"),
            "saved_search_deleted": _("Saved search deleted"),
        })
        AUDIT_STATUSES.update(dict(Status.choices))
