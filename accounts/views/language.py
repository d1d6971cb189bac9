"""Switching the interface language, remembered for the signed-in user's emails."""

from django.http import HttpResponseRedirect
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from .. import services


@require_POST
def language_view(request):
    """Switch the interface language and remember it for the user's emails."""
    response = set_language(request)
    language = request.POST.get("language")
    if request.user.is_authenticated and isinstance(response, HttpResponseRedirect):
        services.user_set_language(user=request.user, language=language)
    return response
