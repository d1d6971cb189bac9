"""Pages for a user's credentials: the second factor staff sign in with (enrol, give a code,
recovery codes) and the account's security page (API tokens to revoke)."""

import io
from base64 import b32encode

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy, ngettext
from django.views import View
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import credentials, permissions
from .errors import Conflict


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=20,
        strip=True,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


class TwoFactorView(LoginRequiredMixin, View):
    """After the password: a code from the enrolled authenticator (or a recovery code), or, on
    the first sign-in, the authenticator's enrolment from a QR code."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not permissions.needs_two_factor(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        if request.user.is_verified():
            return redirect(_next(request))
        return self._page(request, CodeForm())

    def post(self, request):
        form = CodeForm(request.POST)
        if form.is_valid():
            enrolled = credentials.authenticator(request.user) is not None
            try:
                if enrolled:
                    otp_login(
                        request,
                        credentials.two_factor_check(user=request.user, code=form.cleaned_data["code"]),
                    )
                    return redirect(_next(request))
                device, codes = credentials.enrolment_confirm(
                    user=request.user, code=form.cleaned_data["code"]
                )
            except (ValidationError, Conflict) as error:
                form.add_error("code", error.message)
            else:
                otp_login(request, device)
                return render(
                    request,
                    "registration/recovery_codes.html",
                    {"codes": codes, "next": _next(request), "enrolled": True},
                )
        return self._page(request, form, status=400)

    def _page(self, request, form, status=200):
        enrolled = credentials.authenticator(request.user) is not None
        context = {"form": form, "next": _next(request), "enrolled": enrolled}
        if not enrolled:
            device = credentials.enrolment_start(user=request.user)
            context["secret"] = _spaced(b32encode(device.bin_key).decode())
        return render(request, "registration/two_factor.html", context, status=status)


@login_required
def two_factor_qr(request):
    """The pending authenticator's secret as a QR code for the app to scan (SVG, not cached)."""
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None or not permissions.needs_two_factor(request.user):
        raise Http404
    image = io.BytesIO()
    segno.make(device.config_url, error="m").save(image, kind="svg", scale=5)
    response = HttpResponse(image.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "no-store"
    return response


def _spaced(secret: str) -> str:
    """The secret in groups of four, for typing it into the app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


class SecurityView(LoginRequiredMixin, View):
    """The account's security: its API tokens (revoke one or all) and, for staff, the second
    factor (recovery codes left, a new set)."""

    def get(self, request):
        user = request.user
        context = {
            "tokens": credentials.tokens_of(user),
            "token_days": settings.REST_KNOX["TOKEN_TTL"].days,
            "two_factor": permissions.needs_two_factor(user),
        }
        if context["two_factor"]:
            context["codes_left"] = credentials.recovery_codes_left(user)
        return render(request, "accounts/security.html", context)

    def post(self, request):
        action, user = request.POST.get("action"), request.user
        if action == "recovery-codes":
            try:
                codes = credentials.recovery_codes_renew(user=user)
            except Conflict as error:
                messages.error(request, error.message)
                return redirect("accounts:security")
            return render(
                request,
                "registration/recovery_codes.html",
                {"codes": codes, "next": reverse("accounts:security")},
            )
        tokens = credentials.tokens_of(user)
        if action == "revoke":
            tokens = tokens.filter(token_key=request.POST.get("token", ""))
        elif action != "revoke-all":
            return redirect("accounts:security")
        revoked = credentials.tokens_revoke(actor=user, tokens=tokens)
        messages.success(
            request,
            ngettext("%(count)d API token revoked.", "%(count)d API tokens revoked.", revoked)
            % {"count": revoked},
        )
        return redirect("accounts:security")
