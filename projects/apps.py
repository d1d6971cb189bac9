from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Calls and proposals")

    def ready(self):
        from . import bulk  # noqa: F401  (the review queue's bulk actions)
