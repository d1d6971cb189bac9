"""A member's own organisation: the way to 我的工作台, its details and a university's profile."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View

from .. import permissions, selectors, services
from ..forms import EmployerForm, UniversityForm, UniversityProfileForm, apply_errors
from ..models import Employer, University

EDIT_FORMS = {Employer: EmployerForm, University: UniversityForm}


class DashboardView(LoginRequiredMixin, View):
    """The address of 我的工作台 in earlier links and emails: the page a member lands on after
    signing in (LOGIN_REDIRECT_URL), where the work of every app is gathered."""

    def get(self, request):
        return redirect(settings.LOGIN_REDIRECT_URL)


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
        return render(request, "accounts/organisation_form.html", {"form": self._form(request, organisation)})

    def post(self, request):
        organisation = self._organisation(request)
        form = self._form(request, organisation, request.POST)
        if form.is_valid():
            try:
                services.organisation_update(
                    actor=request.user, organisation=organisation, fields=form.cleaned_data
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Your organisation's details were saved."))
                return redirect(settings.LOGIN_REDIRECT_URL)
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
        return render(request, "accounts/university_profile.html", {"form": UniversityProfileForm(**kwargs)})

    def post(self, request):
        university, kwargs = self._load(request)
        form = UniversityProfileForm(request.POST, **kwargs)
        if form.is_valid():
            try:
                services.university_profile_update(
                    actor=request.user,
                    university=university,
                    strengths=form.strengths(),
                    capacity=form.capacity(),
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Your university's profile was saved."))
                return redirect(settings.LOGIN_REDIRECT_URL)
        return render(request, "accounts/university_profile.html", {"form": form}, status=400)
