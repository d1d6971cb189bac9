"""Ministry staff's forms for matching runs: start a run, filter a run's results."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.provinces import PROVINCE_CHOICES
from projects.forms import area_choices

from .engine.scoring import DEFAULT_WEIGHTS
from .models import DEFAULT_MIN_AREA_FIT
from .selectors import CandidateFilters

WEIGHT_FIELDS = ("area", "capacity", "region", "interest")
WEIGHT_LABELS = {
    "area": _("Area fit weight"),
    "capacity": _("Capacity fit weight"),
    "region": _("Region weight"),
    "interest": _("Expressed interest weight"),
}
RESULT_VIEWS = [
    ("projects", _("By project")),
    ("universities", _("By university")),
    ("proposed", _("Proposed introductions")),
]


class MatchRunForm(forms.Form):
    """A run's parameters: the call, the four weights of the score, the candidate counts and
    the AI-fit floor. The weights need not sum to 1 (only their ratios change the ranking), but
    none may be negative and not all may be 0. A blank floor takes the default."""

    call = forms.ModelChoiceField(
        label=_("Call round"), queryset=None, to_field_name="slug", empty_label=None
    )
    area = forms.FloatField(min_value=0, max_value=1)
    capacity = forms.FloatField(min_value=0, max_value=1)
    region = forms.FloatField(min_value=0, max_value=1)
    interest = forms.FloatField(min_value=0, max_value=1)
    k = forms.IntegerField(
        label=_("Universities per project (k)"),
        min_value=1,
        max_value=200,
        initial=20,
        help_text=_("The best k universities of each project are kept, 1 to 200."),
    )
    m = forms.IntegerField(
        label=_("Projects per university (m)"),
        min_value=1,
        max_value=500,
        initial=50,
        help_text=_("The best m projects of each university are kept, 1 to 500."),
    )
    min_area_fit = forms.FloatField(
        label=_("AI-fit floor"),
        min_value=0,
        max_value=1,
        initial=DEFAULT_MIN_AREA_FIT,
        required=False,
        help_text=_(
            "From 0 to 1. A pair whose AI area fit is below it is never proposed, except "
            "a mutual-interest pair; it stays a ranked candidate."
        ),
    )

    def __init__(self, *args, calls, initial_call=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["call"].queryset = calls
        self.fields["call"].initial = initial_call
        self.fields["call"].label_from_instance = call_label
        for name in WEIGHT_FIELDS:
            field = self.fields[name]
            field.label = WEIGHT_LABELS[name]
            field.initial = getattr(DEFAULT_WEIGHTS, name)
            field.widget.attrs.update({"step": "0.01", "class": "weight"})
        self.fields["min_area_fit"].widget.attrs.update({"step": "0.01"})

    def clean(self):
        cleaned = super().clean()
        weights = [cleaned.get(name) for name in WEIGHT_FIELDS]
        if all(weight is not None for weight in weights) and sum(weights) <= 0:
            for name in WEIGHT_FIELDS:
                self.add_error(name, _("The weights must not all be 0."))
        return cleaned

    def weights(self) -> dict[str, float]:
        return {name: self.cleaned_data[name] for name in WEIGHT_FIELDS}

    def area_fit_floor(self) -> float:
        value = self.cleaned_data.get("min_area_fit")
        return DEFAULT_MIN_AREA_FIT if value is None else value


def call_label(call) -> str:
    count = getattr(call, "published_projects", None)
    if count is None:
        return call.name
    return ngettext(
        "%(name)s (%(count)s published project)", "%(name)s (%(count)s published projects)", count
    ) % {"name": call.name, "count": count}


class ResultFilterForm(forms.Form):
    """Filters of a run's results; every field is optional and lives in the query string."""

    view = forms.ChoiceField(label=_("Show"), choices=RESULT_VIEWS, required=False)
    project = forms.CharField(label=_("Project title"), max_length=100, required=False)
    university = forms.CharField(label=_("University name"), max_length=100, required=False)
    province = forms.ChoiceField(
        label=_("Province"), required=False, help_text=_("The project's host province or the university's.")
    )
    area = forms.ChoiceField(label=_("Focus area"), required=False)
    proposed = forms.BooleanField(label=_("Proposed only"), required=False)

    def __init__(self, *args, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"].choices = [("", _("All")), *PROVINCE_CHOICES]
        self.fields["area"].choices = [("", _("All")), *area_choices(areas)]
        for name in ("project", "university"):
            self.fields[name].widget.input_type = "search"

    def result_view(self) -> str:
        return self.cleaned_data.get("view") or "projects"

    def filters(self) -> CandidateFilters:
        data = self.cleaned_data
        return CandidateFilters(
            project=data["project"].strip(),
            university=data["university"].strip(),
            province=data["province"],
            area=data["area"],
            proposed=data["proposed"],
        )
