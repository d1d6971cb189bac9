"""The ministry's review forms: approve, return for revision, reject, and the review queue's
filters."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import ProjectType
from accounts.provinces import PROVINCE_CHOICES

from ..models import RejectionReason
from ..workflow import Status


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
