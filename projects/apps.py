from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Calls and proposals")

    def ready(self) -> None:
        from accounts.models import AUDIT_ACTIONS, AUDIT_STATUSES

        from .workflow import Action, Status

        AUDIT_ACTIONS.update(dict(Action.choices))
        AUDIT_ACTIONS.update({"call_created": _("Call opened"), "call_updated": _("Call changed")})
        AUDIT_STATUSES.update(dict(Status.choices))
