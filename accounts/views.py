from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext
from django.views import View
from django.views.decorators.http import require_POST
from django.views.i18n import set_language
from django_ratelimit.decorators import ratelimit

from common.views import query_without_page

from . import notifications, permissions, selectors, services
from .errors import Conflict
from .forms import (
    DigestForm,
    EmployerForm,
    EmployerRegistrationForm,
    RejectForm,
    UniversityForm,
    UniversityProfileForm,
    UniversityRegistrationForm,
    apply_errors,
)
from .models import Employer, University, VerificationStatus

KINDS = {"employer": Employer, "university": University}
REGISTRATION_FORMS = {Employer: EmployerRegistrationForm, University: UniversityRegistrationForm}
EDIT_FORMS = {Employer: EmployerForm, University: UniversityForm}
REGISTRATION_TITLES = {Employer: _lazy("Register an employer"), University: _lazy("Register a university")}


class RegisterView(View):
    model: type = Employer
    template_name = "accounts/register.html"

    def get(self, request):
        if request.user.is_authenticated:
            return redirect("accounts:dashboard")
        return self._render(request, REGISTRATION_FORMS[self.model]())

    @method_decorator(ratelimit(key="ip", rate=settings.RATE_REGISTER, method="POST", group="register"))
    def post(self, request):
        form = REGISTRATION_FORMS[self.model](request.POST)
        if form.is_valid():
            try:
                user = services.organisation_register(
                    model=self.model, fields=form.organisation_fields(),
                    username=form.cleaned_data["username"], password=form.cleaned_data["password"],
                    language=request.LANGUAGE_CODE,
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, _("Registration received. Ministry staff will verify "
                                            "your organisation; we will email you the result."))
                return redirect("accounts:dashboard")
        return self._render(request, form, status=400)

    def _render(self, request, form, status=200):
        context = {"form": form, "title": REGISTRATION_TITLES[self.model]}
        return render(request, self.template_name, context, status=status)


class DashboardView(LoginRequiredMixin, View):
    def get(self, request):
        context = {"organisation": request.user.organisation}
        if permissions.is_ministry(request.user):
            context["pending"] = selectors.pending_counts()
        return render(request, "accounts/dashboard.html", context)


class OrganisationEditView(LoginRequiredMixin, View):
    """A member edits their own organisation's details (whatever its verification status)."""

    def _organisation(self, request):
        organisation = request.user.organisation
        if organisation is None:
            raise Http404
        return organisation

    def _form(self, request, organisation, data=None):
        lock = organisation.is_verified and not permissions.is_ministry(request.user)
        return EDIT_FORMS[type(organisation)](data, instance=organisation, lock_identity=lock)

    def get(self, request):
        organisation = self._organisation(request)
        return render(request, "accounts/organisation_form.html",
                      {"form": self._form(request, organisation)})

    def post(self, request):
        organisation = self._organisation(request)
        form = self._form(request, organisation, request.POST)
        if form.is_valid():
            try:
                services.organisation_update(actor=request.user, organisation=organisation,
                                             fields=form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Your organisation's details were saved."))
                return redirect("accounts:dashboard")
        return render(request, "accounts/organisation_form.html", {"form": form}, status=400)


class UniversityProfileView(LoginRequiredMixin, View):
    """A university's AI strengths and its capacity per project type."""

    def _load(self, request):
        university = get_object_or_404(
            selectors.with_profile(University.objects.all()), pk=request.user.university_id
        )
        strengths, capacity = selectors.university_profile(university)
        areas = list(selectors.focus_area_list())
        return university, dict(areas=areas, strengths=strengths, capacity=capacity)

    def get(self, request):
        _university, kwargs = self._load(request)
        return render(request, "accounts/university_profile.html",
                      {"form": UniversityProfileForm(**kwargs)})

    def post(self, request):
        university, kwargs = self._load(request)
        form = UniversityProfileForm(request.POST, **kwargs)
        if form.is_valid():
            try:
                services.university_profile_update(
                    actor=request.user, university=university,
                    strengths=form.strengths(), capacity=form.capacity(),
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Your university's profile was saved."))
                return redirect("accounts:dashboard")
        return render(request, "accounts/university_profile.html", {"form": form}, status=400)


def _visible_organisation(request, kind: str, public_id):
    model = KINDS.get(kind)
    if model is None:
        raise Http404
    queryset = selectors.organisations_visible_to(request.user, model)
    if model is University:
        queryset = selectors.with_profile(queryset)
    organisation = get_object_or_404(queryset, public_id=public_id)
    if not permissions.can_verify_organisations(request.user):
        raise PermissionDenied
    return organisation


class OrganisationQueueView(LoginRequiredMixin, View):
    """Ministry staff: organisations by kind and status, oldest first, searchable."""

    def get(self, request):
        if not permissions.can_verify_organisations(request.user):
            raise PermissionDenied
        kind = request.GET.get("kind") if request.GET.get("kind") in KINDS else "employer"
        status = request.GET.get("status", VerificationStatus.PENDING)
        if status not in VerificationStatus.values:
            status = ""
        queryset = selectors.organisation_list(
            user=request.user, model=KINDS[kind], status=status,
            search=request.GET.get("q", "").strip(),
        )
        page = Paginator(queryset, 25).get_page(request.GET.get("page"))
        return render(request, "accounts/queue.html", {
            "page": page, "kind": kind, "status": status, "q": request.GET.get("q", ""),
            "statuses": VerificationStatus.choices, "query": query_without_page(request),
        })


class OrganisationReviewView(LoginRequiredMixin, View):
    def get(self, request, kind, public_id):
        organisation = _visible_organisation(request, kind, public_id)
        return self._render(request, kind, organisation, RejectForm())

    def post(self, request, kind, public_id):
        organisation = _visible_organisation(request, kind, public_id)
        form = RejectForm()
        try:
            if request.POST.get("action") == "verify":
                services.organisation_verify(actor=request.user, organisation=organisation)
                messages.success(request, _("%(name)s is verified.") % {"name": organisation})
            else:
                form = RejectForm(request.POST)
                if not form.is_valid():
                    return self._render(request, kind, organisation, form, status=400)
                services.organisation_reject(actor=request.user, organisation=organisation,
                                             reason=form.cleaned_data["reason"])
                messages.success(request, _("%(name)s is rejected.") % {"name": organisation})
        except Conflict as exc:
            messages.error(request, exc.message)
        return redirect("accounts:organisation-review", kind=kind, public_id=public_id)

    def _render(self, request, kind, organisation, form, status=200):
        context = {"organisation": organisation, "kind": kind, "reject_form": form,
                   "history": selectors.organisation_history(organisation)}
        return render(request, "accounts/review.html", context, status=status)


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
        return render(request, "accounts/inbox.html", {
            "page": page, "unread_only": unread_only, "query": query_without_page(request),
            "lines": [(n, notifications.notification_text(n)) for n in page],
            "digest_form": form,
        }, status=status)


@login_required
@require_POST
def inbox_read_all(request):
    count = notifications.notification_mark_read(actor=request.user)
    messages.success(request, ngettext("%(count)d notification marked as read.",
                                       "%(count)d notifications marked as read.", count)
                     % {"count": count})
    return redirect("accounts:inbox")


@login_required
def notification_open(request, public_id):
    """Follow a notification's link; opening one of your own marks it read."""
    notification = get_object_or_404(notifications.notification_list_for(user=request.user),
                                     public_id=public_id)
    notifications.notification_mark_read(actor=request.user, public_ids=[notification.public_id])
    url = notification.url
    if not url or not url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()},
                                                      require_https=request.is_secure()):
        return redirect("accounts:inbox")
    return redirect(url)


@require_POST
def language_view(request):
    """Switch the interface language and remember it for the user's emails."""
    response = set_language(request)
    language = request.POST.get("language")
    if request.user.is_authenticated and isinstance(response, HttpResponseRedirect):
        services.user_set_language(user=request.user, language=language)
    return response



@method_decorator([
    ratelimit(key="ip", rate=settings.RATE_PASSWORD_RESET, method="POST", group="password_reset"),
    ratelimit(key="post:email", rate=settings.RATE_PASSWORD_RESET, method="POST",
              group="password_reset_email"),
], name="post")
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


def rate_limited(request, exception):
    """RATELIMIT_VIEW: too many registrations or reset requests, 429 and when to try again."""
    return render(request, "429.html", {"message": _(
        "Too many requests of this kind from your address or for this email address. Please try "
        "again in an hour.")}, status=429)
