"""The catalogue of published projects: its filter form dressed for the page, the focus-area
choices it shares with the matching pages, and a saved search's name."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..filters import ALL_CALLS, ProjectFilter

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

    fields["call"] = forms.ChoiceField(
        label=fields["call"].label,
        required=False,
        choices=[
            ("", _("Rounds taking interest")),
            (ALL_CALLS, _("All rounds")),
            *((call.slug, call.name) for call in calls),
        ],
    )
    fields["area"] = select("area", area_choices(areas))
    for name in ("type", "province", "region", "employer_kind"):
        fields[name] = select(name, found.filters[name].extra["choices"])
    fields["ordering"] = select("ordering", found.filters["ordering"].extra["choices"], all_choice=False)
    fields["search"].widget.input_type = "search"
    fields["search"].widget.attrs["placeholder"] = _("Title, description or employer")
    for name in ("student_places_min", "student_places_max"):
        fields[name].widget.attrs.update({"step": 1, "class": "places"})
    return found


class SavedSearchForm(forms.Form):
    name = forms.CharField(label=_("Name of this search"), max_length=100)
    query = forms.CharField(required=False, max_length=1000, widget=forms.HiddenInput)
