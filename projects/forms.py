from datetime import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import FocusArea, ProjectType
from accounts.provinces import PROVINCE_CHOICES

from .filters import ProjectFilter
from .models import Call, Interest, Proposal, RejectionReason
from .services.proposals import EDITABLE_FIELDS
from .workflow import Status

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


class ApproveForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("What the employer should fix"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Sent to the employer, who may resubmit within the call's revision window."),
    )


class RejectForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Reason for rejection"), choices=[("", "---------"), *RejectionReason.choices]
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Sent to the employer; required when the reason is “Other”."),
    )


STATUS_FILTER_ALL = "all"


class QueueFilterForm(forms.Form):
    """The review queue's filters, read from the query string so that a URL can be shared."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Title or employer")}),
    )
    call = forms.ChoiceField(label=_("Call round"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[*Status.choices, (STATUS_FILTER_ALL, _("All"))]
    )
    project_type = forms.ChoiceField(
        label=_("Project type"), required=False, choices=[("", _("All")), *ProjectType.choices]
    )
    area = forms.ChoiceField(label=_("Focus area"), required=False)
    province = forms.ChoiceField(label=_("Host province"), required=False)
    flagged = forms.BooleanField(label=_("Flagged only"), required=False)

    def __init__(self, *args, calls, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["call"].choices = [("", _("All")), *((c.slug, c.name) for c in calls)]
        self.fields["area"].choices = [
            ("", _("All")),
            *((a.code, f"— {a.name}" if a.parent_id else a.name) for a in areas),
        ]
        self.fields["province"].choices = [("", _("All")), *PROVINCE_CHOICES]

    def filters(self) -> dict:
        """The valid filters (an invalid value is ignored); the status defaults to submitted, and
        "flagged only" unticked shows every proposal."""
        self.is_valid()
        data = {name: self.cleaned_data.get(name) for name in self.fields}
        status = data["status"] or Status.SUBMITTED
        return {
            "call": data["call"] or "",
            "project_type": data["project_type"] or "",
            "area": data["area"] or "",
            "province": data["province"] or "",
            "flagged": True if data["flagged"] else None,
            "search": (data["q"] or "").strip(),
            "status": "" if status == STATUS_FILTER_ALL else status,
        }


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
            "max_proposals_per_employer",
            "max_interests_per_university",
            "revision_days",
        ]
        field_classes = {"opens_at": BeijingDateTimeField, "closes_at": BeijingDateTimeField}
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "opens_at": _("Beijing time."),
            "closes_at": _("Beijing time. Submissions after this moment are refused."),
            "slug": _("Letters, digits and hyphens; used in addresses, e.g. ai-2027."),
        }

    def call_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields}


# --- The catalogue, expressions of interest and saved searches ------------------------------

SUB_AREA_INDENT = "\u00a0" * 4


def area_choices(areas) -> list[tuple[str, str]]:
    """Each top-level focus area followed by its sub-areas, indented: choosing a parent area
    includes its sub-areas."""
    children: dict[int | None, list] = {}
    for area in areas:
        children.setdefault(area.parent_id, []).append(area)
    choices = []
    for parent in children.get(None, []):
        choices.append((parent.code, parent.name))
        choices.extend(
            (child.code, f"{SUB_AREA_INDENT}{child.name}") for child in children.get(parent.pk, [])
        )
    return choices


def catalogue_filter(data, *, queryset, areas, calls) -> ProjectFilter:
    """The catalogue's one FilterSet with its form dressed for the page: calls and focus areas
    as selects (an unknown one is a form error), "All" as the empty choice, newest first."""
    found = ProjectFilter(data, queryset=queryset)
    fields = found.form.fields

    def select(name: str, choices, all_choice: bool = True) -> forms.ChoiceField:
        return forms.ChoiceField(
            label=fields[name].label,
            required=False,
            choices=[("", _("All")), *choices] if all_choice else list(choices),
        )

    fields["call"] = select("call", [(call.slug, call.name) for call in calls])
    fields["area"] = select("area", area_choices(areas))
    for name in ("type", "province", "region", "employer_kind"):
        fields[name] = select(name, found.filters[name].extra["choices"])
    fields["ordering"] = select("ordering", found.filters["ordering"].extra["choices"], all_choice=False)
    fields["search"].widget.input_type = "search"
    fields["search"].widget.attrs["placeholder"] = _("Title, description or employer")
    for name in ("student_places_min", "student_places_max"):
        fields[name].widget.attrs.update({"step": 1, "class": "places"})
    return found


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


class SavedSearchForm(forms.Form):
    name = forms.CharField(label=_("Name of this search"), max_length=100)
    query = forms.CharField(required=False, max_length=1000, widget=forms.HiddenInput)
