"""The HTML pages of calls and proposals: the employer's dashboard, drafting, preview and
attachments; the ministry's review queue, review page and call rounds.

Each view parses its form, loads through a selector, calls one service and renders or
redirects. ValidationError becomes field errors or a message, Conflict a message, and
PermissionDenied a 403."""

import uuid
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views import View

from accounts import permissions
from accounts import selectors as account_selectors
from accounts.errors import Conflict
from accounts.views import _apply_errors

from . import selectors, services, workflow
from .forms import (
    ApproveForm,
    AttachmentForm,
    CallForm,
    ProposalForm,
    QueueFilterForm,
    RejectForm,
    ReturnForm,
    WithdrawForm,
)
from .models import CompliancePhrase, Proposal
from .workflow import Action, Status

DASHBOARD_PAGE_SIZE = 20
QUEUE_PAGE_SIZE = 50
OTHER_PROPOSALS_SHOWN = 10


# --- shared helpers ---------------------------------------------------------------------------

def _proposal(request, public_id) -> Proposal:
    """The proposal if this user may see it; 404 for anyone else, whoever asks."""
    try:
        return selectors.proposal_get(user=request.user, public_id=public_id)
    except Proposal.DoesNotExist:
        raise Http404 from None


def _attachment(proposal: Proposal, attachment_id):
    for attachment in proposal.attachments.all():
        if attachment.public_id == attachment_id:
            return attachment
    raise Http404


def _owner_of(request, proposal: Proposal) -> bool:
    return permissions.belongs_to(request.user, proposal.employer)


def _verification_needed(request):
    """The page an employer sees while ministry staff have not verified its organisation."""
    return render(request, "projects/verification_needed.html",
                  {"organisation": request.user.organisation}, status=403)


def _require_employer(request):
    """None if the user is a verified employer, else the response to give instead."""
    if request.user.employer_id is None:
        raise PermissionDenied(_("Only employers write proposals."))
    if not permissions.is_verified_member(request.user):
        return _verification_needed(request)
    return None


def _require_ministry(request) -> None:
    if not permissions.is_ministry(request.user):
        raise PermissionDenied(_("Only ministry staff review proposals."))


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _missing_fields(exc: ValidationError) -> list[tuple[str, str]]:
    """A submission's ValidationError, one key per field, as (field label, message) pairs."""
    labels = {"areas": capfirst(Proposal._meta.get_field("areas").verbose_name)}
    rows = []
    for name, errors in exc.message_dict.items():
        if name not in labels:
            try:
                labels[name] = capfirst(Proposal._meta.get_field(name).verbose_name)
            except FieldDoesNotExist:  # "__all__"
                labels[name] = ""
        rows.extend((labels[name], message) for message in errors)
    return rows


def _flags(proposal: Proposal) -> list[tuple[str, str]]:
    """The compliance flags as (rule label, matched phrase)."""
    labels = dict(CompliancePhrase.Rule.choices)
    return [(labels.get(flag.get("rule"), flag.get("rule", "")), flag.get("phrase", ""))
            for flag in proposal.flags if isinstance(flag, dict)]


def _resubmit_by(proposal: Proposal):
    """The last moment a returned proposal may be resubmitted: the end of the revision window
    after its return, or the call's deadline if that is later."""
    window_ends = proposal.returned_at + timedelta(days=proposal.call.revision_days)
    return max(window_ends, proposal.call.closes_at)


def _countdown(call, now) -> dict:
    target = call.opens_at if now < call.opens_at else call.closes_at
    left = max(target - now, timedelta(0))
    return {"target": target, "days": left.days, "hours": left.seconds // 3600,
            "minutes": left.seconds % 3600 // 60, "phase": call.phase}


def _detail_context(request, proposal: Proposal, **extra) -> dict:
    is_owner = _owner_of(request, proposal)
    is_ministry = permissions.is_ministry(request.user)
    insider = is_owner or is_ministry
    actions = workflow.available_actions(proposal.status, is_owner=is_owner, is_ministry=is_ministry)
    history = list(selectors.proposal_history(proposal)) if insider else []
    is_returned = proposal.status == Status.RETURNED and proposal.returned_at is not None
    return {
        "proposal": proposal, "is_owner": is_owner, "is_ministry": is_ministry, "insider": insider,
        "actions": actions, "can_edit": is_owner and proposal.status in workflow.EDITABLE,
        "history": history, "flags": _flags(proposal) if insider else [],
        "last_return": next((e for e in reversed(history) if e.action == Action.RETURN), None),
        "attachment_form": AttachmentForm(), "withdraw_form": WithdrawForm(),
        "resubmit_by": _resubmit_by(proposal) if is_returned else None,
        "show_contact": request.user.is_authenticated, **extra,
    }


# --- employer pages ---------------------------------------------------------------------------

class EmployerDashboardView(LoginRequiredMixin, View):
    """My proposals by status, the current call and its countdown, what needs my attention."""

    def get(self, request):
        if permissions.is_ministry(request.user):
            return redirect("projects:review-queue")
        if (refusal := _require_employer(request)) is not None:
            return refusal
        now = timezone.now()
        mine = selectors.employer_proposals(request.user)
        status = request.GET.get("status", "")
        listed = mine.filter(status=status) if status in Status.values else mine
        returned = list(mine.filter(status=Status.RETURNED).order_by("returned_at"))
        call = selectors.call_current()
        counts = selectors.employer_status_counts(request.user)
        return render(request, "projects/dashboard.html", {
            "call": call, "countdown": _countdown(call, now) if call else None,
            "counts": [(value, label, counts.get(value, 0)) for value, label in Status.choices],
            "total": sum(counts.values()),
            "returned": [(p, _resubmit_by(p)) for p in returned if p.returned_at],
            "drafts": mine.filter(status=Status.DRAFT, call__opens_at__lte=now,
                                  call__closes_at__gte=now).order_by("call__closes_at", "-updated_at"),
            "page": Paginator(listed.order_by("-updated_at"), DASHBOARD_PAGE_SIZE).get_page(
                request.GET.get("page")),
            "status": status if status in Status.values else "", "statuses": Status.choices,
            "query": f"status={status}" if status in Status.values else "",
        })


def _form_kwargs(proposal: Proposal | None = None) -> dict:
    weights = {pa.area.code: pa.weight for pa in proposal.area_weights.all()} if proposal else {}
    return {"areas": list(account_selectors.focus_area_list()), "weights": weights}


class ProposalCreateView(LoginRequiredMixin, View):
    """Start a draft in a call that has not closed; only a type and a title are needed."""

    template_name = "projects/proposal_form.html"

    def _calls(self):
        return selectors.call_list().filter(closes_at__gt=timezone.now()).order_by("closes_at")

    def _form(self, data=None):
        calls = self._calls()
        current = selectors.call_current()
        initial = current if current and current.phase != "closed" else calls.first()
        return ProposalForm(data, calls=calls, initial_call=initial, **_form_kwargs())

    def get(self, request):
        if (refusal := _require_employer(request)) is not None:
            return refusal
        return self._render(request, self._form())

    def post(self, request):
        if (refusal := _require_employer(request)) is not None:
            return refusal
        form = self._form(request.POST)
        if form.is_valid():
            try:
                proposal = services.proposal_create(
                    actor=request.user, call=form.cleaned_data["call"],
                    fields=form.proposal_fields(), areas=form.area_weights(),
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("Your draft was saved. Check it below and submit it "
                                            "before the deadline."))
                return redirect("projects:proposal-detail", public_id=proposal.public_id)
        return self._render(request, form, status=400)

    def _render(self, request, form, status=200):
        return render(request, self.template_name, {
            "form": form, "title": _("New proposal"), "no_call": not form.fields["call"].queryset,
        }, status=status)


class ProposalDetailView(View):
    """The proposal as its readers see it: the owner and ministry staff also see its flags,
    its history with reviewers' comments and the actions open to them."""

    def get(self, request, public_id):
        proposal = _proposal(request, public_id)
        return render(request, "projects/proposal_detail.html", _detail_context(request, proposal))


class ProposalEditView(LoginRequiredMixin, View):
    template_name = "projects/proposal_form.html"

    def _load(self, request, public_id):
        proposal = _proposal(request, public_id)
        if not _owner_of(request, proposal):
            raise PermissionDenied(_("Only the employer that wrote this proposal may change it."))
        return proposal

    def get(self, request, public_id):
        proposal = self._load(request, public_id)
        if (refusal := _require_employer(request)) is not None:
            return refusal
        if proposal.status not in workflow.EDITABLE:
            messages.error(request, _("Only drafts and proposals returned for revision can be edited."))
            return redirect("projects:proposal-detail", public_id=public_id)
        return self._render(request, proposal, ProposalForm(instance=proposal, **_form_kwargs(proposal)))

    def post(self, request, public_id):
        proposal = self._load(request, public_id)
        if (refusal := _require_employer(request)) is not None:
            return refusal
        form = ProposalForm(request.POST, instance=proposal, **_form_kwargs(proposal))
        if form.is_valid():
            try:
                services.proposal_update(actor=request.user, proposal=proposal,
                                         fields=form.proposal_fields(), areas=form.area_weights())
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("Your changes were saved."))
                return redirect("projects:proposal-detail", public_id=public_id)
        return self._render(request, proposal, form, status=400)

    def _render(self, request, proposal, form, status=200):
        return render(request, self.template_name, {
            "form": form, "proposal": proposal, "title": _("Edit proposal"),
            "attachment_form": AttachmentForm(),
        }, status=status)


def _owned(request, public_id) -> Proposal:
    """The proposal for an action only its employer may take: 404 if invisible, else 403."""
    proposal = _proposal(request, public_id)
    if not _owner_of(request, proposal):
        raise PermissionDenied(_("Only the employer that wrote this proposal may do this."))
    return proposal


class ProposalSubmitView(LoginRequiredMixin, View):
    def post(self, request, public_id):
        proposal = _owned(request, public_id)
        try:
            services.proposal_submit(actor=request.user, proposal=proposal)
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):  # the deadline, the window, the limit
                messages.error(request, _error_text(exc))
                return redirect("projects:proposal-detail", public_id=public_id)
            proposal = _proposal(request, public_id)
            context = _detail_context(request, proposal, missing=_missing_fields(exc))
            return render(request, "projects/proposal_detail.html", context, status=400)
        except Conflict as exc:
            messages.error(request, exc.message)
        except PermissionDenied:
            return _verification_needed(request)
        else:
            messages.success(request, _("Your proposal was submitted. Ministry staff will review "
                                        "it; we will email you their decision."))
        return redirect("projects:proposal-detail", public_id=public_id)


class ProposalWithdrawView(LoginRequiredMixin, View):
    def post(self, request, public_id):
        proposal = _owned(request, public_id)
        form = WithdrawForm(request.POST)
        comment = form.cleaned_data["comment"] if form.is_valid() else ""
        try:
            services.proposal_withdraw(actor=request.user, proposal=proposal, comment=comment)
        except Conflict as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Your proposal was withdrawn."))
        return redirect("projects:proposal-detail", public_id=public_id)


class AttachmentAddView(LoginRequiredMixin, View):
    def post(self, request, public_id):
        proposal = _proposal(request, public_id)
        form = AttachmentForm(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        else:
            try:
                attachment = services.attachment_add(actor=request.user, proposal=proposal,
                                                     upload=form.cleaned_data["file"])
            except ValidationError as exc:
                messages.error(request, _error_text(exc))
            else:
                messages.success(request, _("“%(name)s” was attached.") % {"name": attachment.name})
        return _back(request, proposal)


class AttachmentDeleteView(LoginRequiredMixin, View):
    def post(self, request, public_id, attachment_id):
        proposal = _proposal(request, public_id)
        attachment = _attachment(proposal, attachment_id)
        attachment.proposal = proposal
        try:
            services.attachment_remove(actor=request.user, attachment=attachment)
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, _("“%(name)s” was removed.") % {"name": attachment.name})
        return _back(request, proposal)


class AttachmentDownloadView(View):
    """The file itself, for whoever may see the proposal; files are never served from MEDIA_URL."""

    def get(self, request, public_id, attachment_id):
        attachment = _attachment(_proposal(request, public_id), attachment_id)
        try:
            handle = attachment.file.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        return FileResponse(handle, as_attachment=True, filename=attachment.name,
                            content_type="application/pdf")


def _back(request, proposal: Proposal):
    """Back to the page the form was on (the detail or the edit page)."""
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = reverse("projects:proposal-detail", args=[proposal.public_id])
    return redirect(f"{target}#attachments")


# --- ministry pages ---------------------------------------------------------------------------

class ReviewQueueView(LoginRequiredMixin, View):
    """Ministry staff's queue, oldest submission first; the filters live in the query string."""

    def get(self, request):
        _require_ministry(request)
        data = request.GET.copy()
        data.setdefault("status", Status.SUBMITTED)
        form = QueueFilterForm(data, calls=selectors.call_list(),
                               areas=account_selectors.focus_area_list())
        queue = selectors.review_queue(user=request.user,
                                       filters=selectors.QueueFilters(**form.filters()))
        page = Paginator(queue, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        return render(request, "projects/review_queue.html", {
            "form": form, "page": page, "query": query.urlencode(),
            "back": request.get_full_path(),
        })


class BulkApproveView(LoginRequiredMixin, View):
    def post(self, request):
        _require_ministry(request)
        ids = set()
        for value in request.POST.getlist("ids"):
            try:
                ids.add(uuid.UUID(value))
            except ValueError:
                continue
        if not ids:
            messages.error(request, _("Select the proposals to approve."))
        else:
            selection = selectors.proposals_visible_to(request.user).filter(
                public_id__in=ids, status=Status.SUBMITTED)
            approved, _skipped = services.proposal_bulk_approve(actor=request.user, proposals=selection)
            messages.success(request, _("%(approved)d approved and published; %(skipped)d skipped "
                                        "(no longer submitted).") % {
                "approved": approved, "skipped": len(ids) - approved})
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
            target = reverse("projects:review-queue")
        return redirect(target)


REVIEW_FORMS = {Action.APPROVE: ApproveForm, Action.RETURN: ReturnForm, Action.REJECT: RejectForm}


class ReviewView(LoginRequiredMixin, View):
    """One proposal with everything a reviewer needs, and approve / return / reject."""

    template_name = "projects/review.html"

    def _load(self, request, public_id) -> Proposal:
        proposal = _proposal(request, public_id)
        _require_ministry(request)
        return proposal

    def get(self, request, public_id):
        return self._render(request, self._load(request, public_id))

    def post(self, request, public_id):
        proposal = self._load(request, public_id)
        action = request.POST.get("action")
        if action not in REVIEW_FORMS:
            messages.error(request, _("Choose approve, return or reject."))
            return redirect("projects:proposal-review", public_id=public_id)
        form = REVIEW_FORMS[action](request.POST, prefix=action)
        if form.is_valid():
            try:
                self._decide(request, proposal, action, form.cleaned_data)
            except ValidationError as exc:
                _apply_errors(form, exc)
            except Conflict as exc:
                messages.error(request, exc.message)
                return redirect("projects:proposal-review", public_id=public_id)
            else:
                return redirect("projects:review-queue")
        return self._render(request, proposal, {action: form}, status=400)

    def _decide(self, request, proposal, action, data) -> None:
        if action == Action.APPROVE:
            services.proposal_approve(actor=request.user, proposal=proposal, comment=data["comment"])
            text = _("“%(title)s” was approved and published.")
        elif action == Action.RETURN:
            services.proposal_return(actor=request.user, proposal=proposal, comment=data["comment"])
            text = _("“%(title)s” was returned to the employer for revision.")
        else:
            services.proposal_reject(actor=request.user, proposal=proposal, reason=data["reason"],
                                     comment=data["comment"])
            text = _("“%(title)s” was rejected.")
        messages.success(request, text % {"title": proposal.title})

    def _render(self, request, proposal, bound=None, status=200):
        forms = {action: form_class(prefix=action) for action, form_class in REVIEW_FORMS.items()}
        forms.update(bound or {})
        others = (selectors.proposals_visible_to(request.user)
                  .filter(employer_id=proposal.employer_id).exclude(pk=proposal.pk)
                  .select_related("call").order_by("-updated_at")[:OTHER_PROPOSALS_SHOWN])
        return render(request, self.template_name, {
            **_detail_context(request, proposal), "others": others,
            "approve_form": forms[Action.APPROVE], "return_form": forms[Action.RETURN],
            "reject_form": forms[Action.REJECT],
        }, status=status)


class CallListView(LoginRequiredMixin, View):
    def get(self, request):
        _require_ministry(request)
        return render(request, "projects/call_list.html", {"calls": selectors.call_list()})


class CallFormView(LoginRequiredMixin, View):
    """Open a call round, or change one (extend its deadline, for instance)."""

    template_name = "projects/call_form.html"

    def _load(self, request, slug):
        _require_ministry(request)
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
                _apply_errors(form, exc)
            else:
                messages.success(request, _("The call round “%(name)s” was saved.") % {"name": call.name})
                return redirect("projects:call-list")
        return self._render(request, call, form, status=400)

    def _render(self, request, call, form, status=200):
        title = _("Edit call round") if call else _("New call round")
        return render(request, self.template_name, {"form": form, "call": call, "title": title},
                      status=status)
