"""The ministry's call round form, its dates entered and shown in Beijing time."""

from datetime import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import Call


class BeijingDateTimeField(forms.DateTimeField):
    """A `datetime-local` input read and shown in Beijing time, whatever zone is active."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

    def to_python(self, value):
        with timezone.override(timezone.get_default_timezone()):
            return super().to_python(value)

    def prepare_value(self, value):
        if isinstance(value, datetime) and timezone.is_aware(value):
            return timezone.make_naive(value, timezone.get_default_timezone())
        return value


class CallForm(forms.ModelForm):
    class Meta:
        model = Call
        fields = [
            "name",
            "slug",
            "year",
            "description",
            "opens_at",
            "closes_at",
            "interest_closes_at",
            "brokering_closes_at",
            "ends_at",
            "max_proposals_per_employer",
            "max_interests_per_university",
            "revision_days",
        ]
        field_classes = dict.fromkeys(
            ["opens_at", "closes_at", "interest_closes_at", "brokering_closes_at", "ends_at"],
            BeijingDateTimeField,
        )
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "opens_at": _("Beijing time."),
            "closes_at": _("Beijing time. Submissions after this moment are refused."),
            "slug": _("Letters, digits and hyphens; used in addresses, e.g. ai-2027."),
        }

    def call_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields}
