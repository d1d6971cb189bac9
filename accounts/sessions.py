"""How long a signed-in session lasts (MLPS 2.0 level 3: session timeout): ministry staff are
signed out after SESSION_IDLE_MINISTRY idle, everyone else after SESSION_IDLE, and everyone
SESSION_ABSOLUTE after signing in. A password change ends the user's other sessions (Django's
session hash) and every API token (below)."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils.translation import gettext as _
from knox.models import AuthToken

from . import credentials, permissions
from .models import User

SIGNED_IN, LAST_SEEN = "signed_in_at", "last_seen_at"
# The last-seen time is saved at most this often: not a session write on every request.
SEEN_EVERY = 60


class SessionTimeouts:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and _expired(request):
            logout(request)
            if not request.path.startswith("/api/"):
                messages.info(
                    request, _("You were signed out after a time without activity. Please sign in again.")
                )
                return redirect_to_login(request.get_full_path())
        return self.get_response(request)


def _expired(request) -> bool:
    now, session = time.time(), request.session
    signed_in, seen = session.get(SIGNED_IN), session.get(LAST_SEEN)
    if signed_in is None:  # a session from before this rule: its clock starts now
        session[SIGNED_IN] = session[LAST_SEEN] = now
        return False
    idle = (
        settings.SESSION_IDLE_MINISTRY if permissions.is_ministry(request.user) else settings.SESSION_IDLE
    ).total_seconds()
    if now - seen > idle or now - signed_in > settings.SESSION_ABSOLUTE.total_seconds():
        return True
    if now - seen > SEEN_EVERY:
        session[LAST_SEEN] = now
    return False


@receiver(user_logged_in)
def _start_clock(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN] = request.session[LAST_SEEN] = time.time()


@receiver(pre_save, sender=User)
def _password_changed(sender, instance: User, **kwargs):
    """A new password revokes the user's API tokens, audited as any revocation is, in the
    transaction that saves the password when the caller opened one (the password views do);
    the user's other sessions end by themselves."""
    update_fields = kwargs.get("update_fields")
    if update_fields is not None and "password" not in update_fields:
        return  # a sign-in's last_login, say: no query for it
    if instance.pk and not kwargs.get("raw"):
        before = User.objects.filter(pk=instance.pk).values_list("password", flat=True).first()
        if before is not None and before != instance.password:
            credentials.tokens_revoke(actor=instance, tokens=AuthToken.objects.filter(user=instance))
