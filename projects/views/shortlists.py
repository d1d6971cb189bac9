"""A university's shortlist (收藏) of projects, and two to four projects side by side."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from common.views import selected_ids

from .. import selectors, services
from .catalogue import is_verified_university, load_project
from .common import error_text, redirect_back

COMPARE_MIN, COMPARE_MAX = 2, 4


class ShortlistView(LoginRequiredMixin, View):
    def get(self, request):
        if not is_verified_university(request.user):
            raise PermissionDenied(_("Only verified universities keep a shortlist."))
        projects = list(selectors.shortlist_of(request.user))
        return render(request, "projects/shortlist.html", {"projects": projects})


class ShortlistChangeView(LoginRequiredMixin, View):
    """Add a project to the shortlist, or take it off (action=remove)."""

    def post(self, request, public_id):
        proposal = load_project(public_id)
        remove = request.POST.get("action") == "remove"
        try:
            if remove:
                services.shortlist_remove(actor=request.user, proposal=proposal)
            else:
                services.shortlist_add(actor=request.user, proposal=proposal)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(
                request, _("Taken off the shortlist.") if remove else _("Added to your shortlist.")
            )
        return redirect_back(request, reverse("projects:project-detail", args=[public_id]))


class CompareView(View):
    """Two to four published projects side by side (?ids=…, from the shortlist or the catalogue)."""

    def get(self, request):
        ids = selected_ids(request.GET)
        found = {str(p.public_id): p for p in selectors.catalogue().filter(public_id__in=ids)}
        projects = [found[i] for i in ids if i in found]
        if not COMPARE_MIN <= len(projects) <= COMPARE_MAX:
            error = _("Choose two to four published projects to compare.")
            return render(request, "projects/compare.html", {"error": error, "projects": []}, status=400)
        return render(request, "projects/compare.html", {"projects": projects})
