"""The employer's proposal forms: the proposal's content in its sections with the focus-area
weights, a PDF attachment and a withdrawal's comment."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import FocusArea

from ..models import Call, Proposal
from ..services.proposals import EDITABLE_FIELDS

PROGRAM_RULES = _(
    "Program rules: an employer may not require a university to buy equipment or "
    "software or pay training fees, may not charge students anything, and may not "
    "use a project to sell or advertise products or services."
)

# The editable fields, in the order the form shows them, grouped in sections.
SECTIONS = [
    (_("The project"), ["project_type", "title", "summary", "description"]),
    (
        _("Students, partners and place"),
        ["student_places", "partners_sought", "host_province", "host_city", "duration_months"],
    ),
    (_("Support offered"), ["funding_cny", "in_kind_support"]),
    (_("Needed for some project types"), ["training_hours", "internship_places_per_year", "trainees"]),
    (_("Contact"), ["contact_person", "contact_phone", "contact_email"]),
]
PROPOSAL_FIELDS = [name for _legend, names in SECTIONS for name in names if name in EDITABLE_FIELDS]
REQUIRED_FOR_A_DRAFT = {"project_type", "title"}
TYPE_HELP = {
    "training_hours": _("Needed for directed talent training and workforce development."),
    "internship_places_per_year": _("Needed for an employment internship base."),
    "trainees": _("Needed for workforce development."),
}


class ProposalForm(forms.ModelForm):
    """A proposal's content. A draft needs only a type and a title, so every other field is
    optional here; the submission service lists what is still missing."""

    class Meta:
        model = Proposal
        fields = PROPOSAL_FIELDS
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "description": forms.Textarea(attrs={"rows": 8}),
            "in_kind_support": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(
        self,
        *args,
        areas: list[FocusArea],
        weights: dict[str, float] | None = None,
        calls=None,
        initial_call: Call | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.required = name in REQUIRED_FOR_A_DRAFT
        for name, text in TYPE_HELP.items():
            self.fields[name].help_text = text
        self.fields["description"].help_text = PROGRAM_RULES
        self.fields["in_kind_support"].help_text = _(
            "Software, hardware, mentors and other support offered, given free of charge: "
            "universities may not be required to buy anything."
        )
        self.fields["funding_cny"].help_text = _("In yuan (CNY). Offer funding, in-kind support, or both.")
        if calls is not None:
            self.fields["call"] = forms.ModelChoiceField(
                label=_("Call round"),
                queryset=calls,
                to_field_name="slug",
                initial=initial_call,
                empty_label=None,
            )
            self.order_fields(["call"])
        self.areas = areas
        weights = weights or {}
        for area in areas:
            weight = weights.get(area.code)
            self.fields[f"area:{area.code}"] = forms.IntegerField(
                label=area.name,
                required=False,
                min_value=0,
                max_value=100,
                initial=round(weight * 100) if weight else None,
                widget=forms.NumberInput(attrs={"step": "1", "class": "weight"}),
            )

    def sections(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(legend, [self[name] for name in names if name in self.fields]) for legend, names in SECTIONS]

    def area_groups(self) -> list[tuple[forms.BoundField, list[forms.BoundField]]]:
        """Each top-level area's weight field with its sub-areas' fields."""
        groups: dict[int, tuple] = {}
        for area in self.areas:
            if area.parent_id is None:
                groups[area.pk] = (self[f"area:{area.code}"], [])
        for area in self.areas:
            if area.parent_id in groups:
                groups[area.parent_id][1].append(self[f"area:{area.code}"])
        return list(groups.values())

    def proposal_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in PROPOSAL_FIELDS}

    def area_weights(self) -> dict[str, int]:
        return {
            name.split(":", 1)[1]: value
            for name, value in self.cleaned_data.items()
            if name.startswith("area:") and value
        }


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("Attach a PDF"),
        help_text=_("PDF only, at most 10 MB each, at most 5 files."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )


class WithdrawForm(forms.Form):
    comment = forms.CharField(
        label=_("Why (optional)"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
