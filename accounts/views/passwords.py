"""Django's password views, with the reset request rate-limited and every new password audited."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.db import transaction
from django.utils.decorators import method_decorator
from django_ratelimit.decorators import ratelimit

from .. import services


@method_decorator(
    [
        ratelimit(key="ip", rate=settings.RATE_PASSWORD_RESET, method="POST", group="password_reset"),
        ratelimit(
            key="post:email", rate=settings.RATE_PASSWORD_RESET, method="POST", group="password_reset_email"
        ),
    ],
    name="post",
)
class PasswordResetView(auth_views.PasswordResetView):
    """Django's, limited per address and per email address asked for: each request emails."""


class AuditedPassword:
    """A password form view whose new password is audited in the transaction that saves it."""

    reset = False

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            services.password_set_record(user=form.user, reset=self.reset)
        return response


class PasswordChangeView(AuditedPassword, auth_views.PasswordChangeView):
    """Django's, audited."""


class PasswordResetConfirmView(AuditedPassword, auth_views.PasswordResetConfirmView):
    """Django's, audited as a reset (through the emailed link)."""

    reset = True
