"""A proposal's PDF attachments: the employer adds and removes them; the readers who may see the
project's contact download them."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from accounts.services import data_export_record

from .. import selectors, services
from ..forms import AttachmentForm
from .common import error_text, load_attachment, load_proposal, redirect_back


class AttachmentAddView(LoginRequiredMixin, View):
    def post(self, request, public_id):
        proposal = load_proposal(request, public_id)
        form = AttachmentForm(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        else:
            try:
                attachment = services.attachment_add(
                    actor=request.user, proposal=proposal, upload=form.cleaned_data["file"]
                )
            except ValidationError as exc:
                messages.error(request, error_text(exc))
            else:
                messages.success(request, _("“%(name)s” was attached.") % {"name": attachment.name})
        detail = reverse("projects:proposal-detail", args=[proposal.public_id])
        return redirect_back(request, detail, "#attachments")


class AttachmentDeleteView(LoginRequiredMixin, View):
    def post(self, request, public_id, attachment_id):
        proposal = load_proposal(request, public_id)
        attachment = load_attachment(proposal, attachment_id)
        attachment.proposal = proposal
        try:
            services.attachment_remove(actor=request.user, attachment=attachment)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("“%(name)s” was removed.") % {"name": attachment.name})
        detail = reverse("projects:proposal-detail", args=[proposal.public_id])
        return redirect_back(request, detail, "#attachments")


class AttachmentDownloadView(View):
    """The file itself, for the readers who may see the project's contact (selectors.
    may_see_contact: attachments often repeat it); anonymous visitors are sent to log in, others
    refused. Files are never served from MEDIA_URL."""

    def get(self, request, public_id, attachment_id):
        proposal = load_proposal(request, public_id)
        if not selectors.may_see_contact(request.user, proposal):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            raise PermissionDenied(
                _("Attachments are for the employer, ministry staff and verified universities.")
            )
        attachment = load_attachment(proposal, attachment_id)
        try:
            handle = attachment.file.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        data_export_record(actor=request.user, target=proposal, kind=f"attachment {attachment.name}")
        return FileResponse(
            handle, as_attachment=True, filename=attachment.name, content_type="application/pdf"
        )
