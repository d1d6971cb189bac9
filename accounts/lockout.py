"""Login protection (django-axes) as the portal answers it, and the audit of sign-ins: after
AXES_FAILURE_LIMIT wrong passwords for one account from one address, that pair is locked for
AXES_COOLOFF_TIME on the login page, the admin's and the API's token endpoint alike; ministry
staff unlock it in the admin (Axes › access attempts). Each record carries the client's address
(accounts/client.py), as every audit record written in a request does."""

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .audit import AccountsAudit
from .models import User
from .services import audit_record


def locked_out_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return _(
        "Too many failed sign-ins for this account from your address: it is locked for "
        "%(minutes)d minutes. Ministry staff can unlock it sooner."
    ) % {"minutes": minutes}


def locked_out_response(request, original_response=None, credentials=None):
    """What a locked-out sign-in gets: 429 with the message, as JSON under /api/."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": locked_out_message()}, status=429, json_dumps_params={"ensure_ascii": False}
        )
    return render(request, "registration/locked_out.html", {"message": locked_out_message()}, status=429)


def _account(username: str | None) -> User | None:
    return User.objects.filter(username=username).first() if username else None


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    audit_record(actor=user, target=user, action=AccountsAudit.LOGGED_IN)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    account = _account(credentials.get("username"))
    if account is not None:  # an unknown name has nothing to file it under; Axes logs it
        audit_record(actor=None, target=account, action=AccountsAudit.LOGIN_FAILED)


@receiver(user_locked_out)
def _locked_out(sender, request, username, **kwargs):
    account = _account(username)
    if account is not None:
        audit_record(actor=None, target=account, action=AccountsAudit.LOCKED_OUT)
