"""Ministry staff's pages for call rounds."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from accounts import permissions
from accounts.forms import apply_errors

from .. import selectors, services
from ..forms import CallForm
from .common import ONLY_MINISTRY


class CallListView(LoginRequiredMixin, View):
    def get(self, request):
        permissions.require_ministry(request.user, ONLY_MINISTRY)
        return render(request, "projects/call_list.html", {"calls": selectors.call_list()})


class CallFormView(LoginRequiredMixin, View):
    """Open a call round, or change one (extend its deadline, for instance)."""

    template_name = "projects/call_form.html"

    def _load(self, request, slug):
        permissions.require_ministry(request.user, ONLY_MINISTRY)
        if slug is None:
            return None
        call = selectors.call_list().filter(slug=slug).first()
        if call is None:
            raise Http404
        return call

    def get(self, request, slug=None):
        call = self._load(request, slug)
        return self._render(request, call, CallForm(instance=call))

    def post(self, request, slug=None):
        call = self._load(request, slug)
        form = CallForm(request.POST, instance=call)
        if form.is_valid():
            try:
                if call is None:
                    call = services.call_create(actor=request.user, fields=form.call_fields())
                else:
                    call = services.call_update(actor=request.user, call=call, fields=form.call_fields())
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("The call round “%(name)s” was saved.") % {"name": call.name})
                return redirect("projects:call-list")
        return self._render(request, call, form, status=400)

    def _render(self, request, call, form, status=200):
        title = _("Edit call round") if call else _("New call round")
        return render(
            request, self.template_name, {"form": form, "call": call, "title": title}, status=status
        )
