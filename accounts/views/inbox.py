"""The user's inbox: their notifications, how they want them emailed, and following one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.decorators.http import require_POST

from common.views import query_without_page

from .. import notifications, services
from ..forms import DigestForm


class InboxView(LoginRequiredMixin, View):
    """The user's own notifications, newest first, and how they want them emailed."""

    def get(self, request):
        return self._render(request, DigestForm.for_user(request.user))

    def post(self, request):
        form = DigestForm.for_user(request.user, request.POST)
        if not form.is_valid():
            return self._render(request, form, status=400)
        services.user_set_digest(actor=request.user, email_digest=form.cleaned_data["email_digest"])
        messages.success(request, _("Your email preference was saved."))
        return redirect("accounts:inbox")

    def _render(self, request, form, status=200):
        unread_only = request.GET.get("unread") == "1"
        queryset = notifications.notification_list_for(user=request.user, unread_only=unread_only)
        page = Paginator(queryset, 20).get_page(request.GET.get("page"))
        return render(
            request,
            "accounts/inbox.html",
            {
                "page": page,
                "unread_only": unread_only,
                "query": query_without_page(request),
                "lines": [(n, notifications.notification_text(n)) for n in page],
                "digest_form": form,
            },
            status=status,
        )


@login_required
@require_POST
def inbox_read_all(request):
    count = notifications.notification_mark_read(actor=request.user)
    messages.success(
        request,
        ngettext("%(count)d notification marked as read.", "%(count)d notifications marked as read.", count)
        % {"count": count},
    )
    return redirect("accounts:inbox")


@login_required
def notification_open(request, public_id):
    """Follow a notification's link; opening one of your own marks it read."""
    notification = get_object_or_404(
        notifications.notification_list_for(user=request.user), public_id=public_id
    )
    notifications.notification_mark_read(actor=request.user, public_ids=[notification.public_id])
    url = notification.url
    if not url or not url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect("accounts:inbox")
    return redirect(url)
