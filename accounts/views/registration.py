"""Registering an employer or a university with its first user, rate-limited per address, and
the page a rate-limited request is answered with."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views import View
from django_ratelimit.decorators import ratelimit

from .. import services
from ..forms import EmployerRegistrationForm, UniversityRegistrationForm, apply_errors
from ..models import Employer, University
from ..validators import credit_code_province

REGISTRATION_FORMS = {Employer: EmployerRegistrationForm, University: UniversityRegistrationForm}
REGISTRATION_TITLES = {Employer: _lazy("Register an employer"), University: _lazy("Register a university")}


class RegisterView(View):
    model: type = Employer
    template_name = "accounts/register.html"

    def get(self, request):
        if request.user.is_authenticated:
            return redirect(settings.LOGIN_REDIRECT_URL)
        return self._render(request, REGISTRATION_FORMS[self.model]())

    @method_decorator(ratelimit(key="ip", rate=settings.RATE_REGISTER, method="POST", group="register"))
    def post(self, request):
        form = REGISTRATION_FORMS[self.model](request.POST)
        if form.is_valid():
            try:
                user = services.organisation_register(
                    model=self.model,
                    fields=form.organisation_fields(),
                    username=form.cleaned_data["username"],
                    password=form.cleaned_data["password"],
                    language=request.LANGUAGE_CODE,
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(
                    request,
                    _(
                        "Registration received. Ministry staff will verify "
                        "your organisation; we will email you the result."
                    ),
                )
                if user.employer_id and credit_code_province(user.employer.credit_code) is None:
                    messages.warning(
                        request,
                        _(
                            "Your credit code was issued at national level, so its region could not be "
                            "checked against the province; ministry staff will check it."
                        ),
                    )
                return redirect(settings.LOGIN_REDIRECT_URL)
        return self._render(request, form, status=400)

    def _render(self, request, form, status=200):
        context = {"form": form, "title": REGISTRATION_TITLES[self.model]}
        return render(request, self.template_name, context, status=status)


def rate_limited(request, exception):
    """RATELIMIT_VIEW: too many registrations or reset requests, 429 and when to try again."""
    return render(
        request,
        "429.html",
        {
            "message": _(
                "Too many requests of this kind from your address or for this email address. Please try "
                "again in an hour."
            )
        },
        status=429,
    )
