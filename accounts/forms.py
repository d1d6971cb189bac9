from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import Employer, FocusArea, ProjectType, University
from .services import LOCKED_WHEN_VERIFIED


def apply_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: by field where the form has that field."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


ORGANISATION_FIELDS = ["name", "province", "city", "contact_person", "phone", "email"]
EMPLOYER_FIELDS = ["name", "credit_code", "kind", "industry", *ORGANISATION_FIELDS[1:]]
UNIVERSITY_FIELDS = ["name", "institution_code", "tier", *ORGANISATION_FIELDS[1:]]


class AccountFieldsMixin(forms.Form):
    """The first user's login, added to a registration form."""

    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        help_text=_("Letters, digits and @/./+/-/_ only; you will log in with it."),
    )
    password = forms.CharField(label=_("Password"), strip=False, widget=forms.PasswordInput)
    password_confirm = forms.CharField(label=_("Confirm password"), strip=False, widget=forms.PasswordInput)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password") != cleaned.get("password_confirm"):
            self.add_error("password_confirm", _("The two passwords differ."))
        return cleaned

    def organisation_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class EmployerRegistrationForm(AccountFieldsMixin, forms.ModelForm):
    class Meta:
        model = Employer
        fields = EMPLOYER_FIELDS


class UniversityRegistrationForm(AccountFieldsMixin, forms.ModelForm):
    class Meta:
        model = University
        fields = UNIVERSITY_FIELDS


class OrganisationForm(forms.ModelForm):
    """Edit an organisation's details; identity fields are read-only once it is verified."""

    def __init__(self, *args, lock_identity: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if lock_identity:
            for name in LOCKED_WHEN_VERIFIED[self._meta.model] & self.fields.keys():
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Fixed after verification; ask the ministry.")


class EmployerForm(OrganisationForm):
    class Meta:
        model = Employer
        fields = EMPLOYER_FIELDS


class UniversityForm(OrganisationForm):
    class Meta:
        model = University
        fields = UNIVERSITY_FIELDS


# A university's strength in a focus area, on the five-level scale staff judge by, stored as the
# 0-1 value the matching engine reads (an earlier value shows as the nearest level).
STRENGTH_LEVELS = [
    (0.0, pgettext_lazy("strength", "None"), _("Not taught or researched here.")),
    (0.25, pgettext_lazy("strength", "Basic"), _("Taught in a few courses; little research.")),
    (0.5, pgettext_lazy("strength", "Moderate"), _("A teaching team and some projects with industry.")),
    (0.75, pgettext_lazy("strength", "Strong"), _("An established programme with steady research output.")),
    (
        1.0,
        pgettext_lazy("strength", "Outstanding"),
        _("Among the country's leaders: key laboratories, major projects."),
    ),
]


def strength_level(weight: float | None) -> float | None:
    """The level nearest to a stored strength (None for none stored)."""
    if weight is None:
        return None
    return min((level for level, _label, _text in STRENGTH_LEVELS), key=lambda level: abs(level - weight))


class UniversityProfileForm(forms.Form):
    """AI strength per focus area (a level of STRENGTH_LEVELS) and capacity per project type,
    one field each."""

    def __init__(self, *args, areas: list[FocusArea], strengths: dict, capacity: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.areas = areas
        self.levels = STRENGTH_LEVELS
        for area in areas:
            self.fields[f"strength:{area.code}"] = forms.TypedChoiceField(
                label=area.name,
                required=False,
                coerce=float,
                empty_value=None,
                choices=[(str(level), label) for level, label, _text in STRENGTH_LEVELS],
                initial=str(strength_level(strengths.get(area.code, 0.0))),
            )
        for value, label in ProjectType.choices:
            current = capacity.get(value, {})
            for key, key_label in (("places", _("student places")), ("projects", _("most projects"))):
                self.fields[f"capacity:{value}:{key}"] = forms.IntegerField(
                    label=f"{label} · {key_label}",
                    min_value=0,
                    required=False,
                    initial=current.get(key, 0),
                )

    def strength_fields(self):
        return [self[name] for name in self.fields if name.startswith("strength:")]

    def capacity_fields(self):
        return [self[name] for name in self.fields if name.startswith("capacity:")]

    def strengths(self) -> dict[str, float]:
        return {
            name.split(":", 1)[1]: value
            for name, value in self.cleaned_data.items()
            if name.startswith("strength:") and value
        }

    def capacity(self) -> dict[str, dict[str, int]]:
        return {
            value: {key: self.cleaned_data[f"capacity:{value}:{key}"] or 0 for key in ("places", "projects")}
            for value in ProjectType.values
        }


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for rejection"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Sent to the organisation; say what to correct."),
    )


class DigestForm(forms.Form):
    """How a user wants to be emailed about new notifications."""

    email_digest = forms.TypedChoiceField(
        label=_("Email me"),
        widget=forms.RadioSelect,
        choices=[("each", _("one email per event")), ("daily", _("a daily digest"))],
        coerce=lambda value: value == "daily",
    )

    @classmethod
    def for_user(cls, user, data=None) -> "DigestForm":
        return cls(data, initial={"email_digest": "daily" if user.email_digest else "each"})
