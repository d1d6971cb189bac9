from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.provinces import PROVINCE_CHOICES

from ..models import OUTCOME_MAX
from .workflow import DeclineReason, Outcome, Status


class SendForm(forms.Form):
    message = forms.CharField(
        label=_("Message to both sides"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class DeclineForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=DeclineReason.choices)
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


def _lookup(url: str, value: str, label: str, datalist: str) -> dict:
    """A field's search as you type (static/js/lookup.js)."""
    return {
        "list": datalist,
        "autocomplete": "off",
        "data-lookup": url,
        "data-lookup-value": value,
        "data-lookup-label": label,
    }


class IntroductionCreateForm(forms.Form):
    project = forms.UUIDField(
        label=_("Project"),
        help_text=_("Type words of its title to choose it, or its project number (on the project's page)."),
        widget=forms.TextInput(
            attrs=_lookup(
                "/api/v1/projects/?call=all&search=", "id", "title employer.name", "project-options"
            )
        ),
    )
    institution_code = forms.CharField(
        label=_("University"),
        max_length=10,
        min_length=10,
        help_text=_("Type words of its name to choose it, or its 10-digit institution code."),
        widget=forms.TextInput(
            attrs=_lookup("/api/v1/universities/?search=", "institution_code", "name", "university-options")
        ),
    )
    message = forms.CharField(
        label=_("Message to both sides"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AgreementForm(forms.Form):
    signed_on = forms.DateField(label=_("Signed on"), widget=forms.DateInput(attrs={"type": "date"}))
    places_agreed = forms.IntegerField(label=_("Student places agreed"), min_value=1, max_value=OUTCOME_MAX)
    funding_agreed_cny = forms.IntegerField(
        label=_("Funding agreed (CNY)"), min_value=0, max_value=10**10, initial=0
    )
    document = forms.FileField(label=_("Signed agreement (PDF)"), required=False)


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("Milestone"), max_length=200)
    happened_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class OutcomeForm(forms.Form):
    students_trained = forms.IntegerField(label=_("Students trained"), min_value=0, max_value=OUTCOME_MAX)
    interns_hosted = forms.IntegerField(label=_("Interns hosted"), min_value=0, max_value=OUTCOME_MAX)
    graduates_hired = forms.IntegerField(label=_("Graduates hired"), min_value=0, max_value=OUTCOME_MAX)
    funding_delivered_cny = forms.IntegerField(
        label=_("Funding delivered (CNY)"), min_value=0, max_value=10**10, initial=0
    )
    narrative = forms.CharField(
        label=_("Summary of results"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    evidence = forms.FileField(label=_("Evidence (PDF)"), required=False)


class IntroductionFilterForm(forms.Form):
    call = forms.ChoiceField(label=_("Call round"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *Status.choices]
    )
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("Project title, employer or university."),
    )
    province = forms.ChoiceField(
        label=_("Province"), required=False, choices=[("", _("Any province")), *PROVINCE_CHOICES]
    )
    outcome = forms.ChoiceField(
        label=_("Outcome report"), required=False, choices=[("", _("Any or none")), *Outcome.choices]
    )

    def __init__(self, *args, calls=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["call"].choices = [("", _("Any call round")), *((c.slug, c.name) for c in calls)]
