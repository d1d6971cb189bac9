"""The query-string filters of the exports that have no page form of their own to reuse.

An invalid value is refused (400), not ignored: a file that silently dropped a filter would
look like the filtered list and hold more."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.provinces import PROVINCE_CHOICES
from projects.models import Interest

from ..brokering.selectors import IntroductionFilters
from ..brokering.workflow import Outcome
from ..brokering.workflow import Status as IntroductionStatus


def optional(choices) -> list:
    return [("", _("All")), *choices]


class InterestFilterForm(forms.Form):
    project = forms.UUIDField(label=_("Project"), required=False)
    call = forms.SlugField(label=_("Call round"), max_length=64, required=False)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=optional(Interest.Status.choices))


class IntroductionFilterForm(forms.Form):
    call = forms.SlugField(label=_("Call round"), max_length=64, required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=optional(IntroductionStatus.choices)
    )
    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    province = forms.ChoiceField(label=_("Province"), required=False, choices=optional(PROVINCE_CHOICES))

    def filters(self) -> IntroductionFilters:
        data = self.cleaned_data
        return IntroductionFilters(
            call=data["call"], status=data["status"], q=data["q"].strip(), province=data["province"]
        )


class OutcomeFilterForm(forms.Form):
    call = forms.SlugField(label=_("Call round"), max_length=64, required=False)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=optional(Outcome.choices))
