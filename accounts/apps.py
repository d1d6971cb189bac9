from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and organisations")

    def ready(self):
        # Their signal receivers, the system checks and the organisations' bulk actions.
        from . import admin_audit, bulk, checks, lockout, sessions  # noqa: F401
