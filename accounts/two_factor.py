"""Two-factor sign-in for ministry staff (MLPS 2.0 level 3): after the password, every page, the
admin and the session-authenticated API wait for a code from the user's authenticator app,
or for its enrolment on first sign-in. API tokens are only issued with a code (credentials.py)."""

from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from . import permissions

# The pages a signed-in user may reach before the second factor: giving it, and leaving.
OPEN_VIEWS = {
    "accounts:two-factor",
    "accounts:two-factor-qr",
    "accounts:logout",
    "accounts:language",
    "set_language",
    "javascript-catalog",
}


class RequireTwoFactor:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not permissions.needs_two_factor(user) or user.is_verified():
            return None
        if request.resolver_match.view_name in OPEN_VIEWS:
            return None
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"detail": _("Give your two-factor code on the website first.")},
                status=403,
                json_dumps_params={"ensure_ascii": False},
            )
        return redirect_to_login(request.get_full_path(), reverse("accounts:two-factor"))
