"""Expressions of interest: a university's interest in a project, its later edit, and the
employer's answer."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Interest


class InterestForm(forms.ModelForm):
    """A university's expression of interest. The contact fields start with the university's
    own; left empty, the university's are used."""

    class Meta:
        model = Interest
        fields = ["students_offered", "statement", "contact_person", "contact_phone", "contact_email"]
        widgets = {"statement": forms.Textarea(attrs={"rows": 5})}
        help_texts = {
            "students_offered": _(
                "Counted against your university's student places for this "
                "project type while the interest is live."
            ),
            "statement": _(
                "Why your university fits the project: its AI strengths, its students "
                "and what it offers. At most 2,000 characters."
            ),
        }

    def __init__(self, *args, university=None, **kwargs):
        if university is not None:
            kwargs.setdefault(
                "initial",
                {
                    "contact_person": university.contact_person,
                    "contact_phone": university.phone,
                    "contact_email": university.email,
                },
            )
        super().__init__(*args, **kwargs)

    def interest_fields(self) -> dict:
        """What the service sets: an empty contact field keeps the university's own."""
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if not (name.startswith("contact_") and not value)
        }


class InterestEditForm(InterestForm):
    class Meta(InterestForm.Meta):
        fields = ["students_offered", "statement"]


class InterestRespondForm(forms.Form):
    """The employer's answer: the form's two buttons carry "welcome" or "not a fit"."""

    response = forms.ChoiceField(
        label=_("Answer"),
        choices=Interest.Response.choices,
        error_messages={"required": _("Choose “welcome” or “not a fit”.")},
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed for “not a fit”; sent to the university."),
    )
