from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and organisations")

    def ready(self):
        from . import admin_audit, lockout, sessions  # noqa: F401  (their signal receivers)
