"""The columns of each export: public UUIDs (never an integer key), a code beside its label
where a program reads the code and a person the label, and dates in ISO 8601."""

from django.utils.translation import gettext_lazy as _

from accounts.models import ProjectType
from accounts.provinces import PROVINCE_CHOICES
from accounts.tabular import Column
from projects.models import Interest
from projects.workflow import Status as ProposalStatus

from ..brokering.workflow import DeclineReason, Outcome
from ..brokering.workflow import Status as IntroductionStatus
from ..models import Answer, Candidate


def joined(codes: str) -> str:
    return "; ".join(codes.split())


def coded(code_header, label_header, field, choices) -> list[Column]:
    return [Column(code_header, field), Column(label_header, field, labels=choices)]


PROPOSALS = [
    Column(_("Project ID"), "public_id"),
    Column(_("Title"), "title"),
    Column(_("Employer ID"), "employer__public_id"),
    Column(_("Employer"), "employer__name"),
    Column(_("Call round code"), "call__slug"),
    Column(_("Call round"), "call__name"),
    *coded(_("Project type code"), _("Project type"), "project_type", ProjectType.choices),
    *coded(_("Status code"), _("Status"), "status", ProposalStatus.choices),
    *coded(_("Host province code"), _("Host province"), "host_province", PROVINCE_CHOICES),
    Column(_("Host city"), "host_city"),
    Column(_("Student places"), "student_places"),
    Column(_("Partner universities sought"), "partners_sought"),
    Column(_("Partners confirmed"), "partners_confirmed"),
    Column(_("Duration (months)"), "duration_months"),
    Column(_("Funding (CNY)"), "funding_cny"),
    Column(_("Submitted"), "submitted_at"),
    Column(_("Decided"), "decided_at"),
    Column(_("Updated"), "updated_at"),
]

INTERESTS = [
    Column(_("Interest ID"), "public_id"),
    Column(_("Project ID"), "proposal__public_id"),
    Column(_("Project"), "proposal__title"),
    Column(_("Call round code"), "proposal__call__slug"),
    Column(_("Employer"), "proposal__employer__name"),
    Column(_("University ID"), "university__public_id"),
    Column(_("University"), "university__name"),
    Column(_("Students offered"), "students_offered"),
    *coded(_("Status code"), _("Status"), "status", Interest.Status.choices),
    *coded(_("Employer's answer code"), _("Employer's answer"), "response", Interest.Response.choices),
    Column(_("Answered"), "responded_at"),
    Column(_("Contact person"), "contact_person"),
    Column(_("Contact phone"), "contact_phone"),
    Column(_("Contact email"), "contact_email"),
    Column(_("Statement"), "statement"),
    Column(_("Expressed"), "created_at"),
]

CANDIDATES = [
    Column(_("Project ID"), "proposal__public_id"),
    Column(_("Project"), "proposal__title"),
    Column(_("Employer"), "proposal__employer__name"),
    *coded(_("Host province code"), _("Host province"), "proposal__host_province", PROVINCE_CHOICES),
    Column(_("University ID"), "university__public_id"),
    Column(_("University"), "university__name"),
    *coded(_("University province code"), _("University province"), "university__province", PROVINCE_CHOICES),
    Column(_("Rank"), "rank"),
    Column(_("Score"), "score"),
    Column(_("Area fit"), "area_fit"),
    Column(_("Capacity fit"), "capacity_fit"),
    Column(_("Region"), "region"),
    Column(_("Expressed interest"), "interest"),
    Column(_("Proposed"), "proposed"),
    # Blank for a proposed pair: the column answers "why not".
    Column(
        _("Why not proposed"), "reason", labels=[(Candidate.Reason.NONE, ""), *Candidate.Reason.choices[1:]]
    ),
    Column(_("Top contributing areas"), "top_area_codes", convert=joined),
]

INTRODUCTIONS = [
    Column(_("Introduction ID"), "public_id"),
    Column(_("Project ID"), "proposal__public_id"),
    Column(_("Project"), "proposal__title"),
    Column(_("Call round code"), "proposal__call__slug"),
    Column(_("Employer ID"), "proposal__employer__public_id"),
    Column(_("Employer"), "proposal__employer__name"),
    Column(_("University ID"), "university__public_id"),
    Column(_("University"), "university__name"),
    *coded(_("Status code"), _("Status"), "status", IntroductionStatus.choices),
    Column(_("Student places"), "places"),
    *coded(_("Employer's answer code"), _("Employer's answer"), "employer_response", Answer.choices),
    *coded(_("University's answer code"), _("University's answer"), "university_response", Answer.choices),
    *coded(_("Decline reason code"), _("Decline reason"), "decline_reason", DeclineReason.choices),
    Column(_("Sent"), "sent_at"),
    Column(_("Answer by"), "expires_at"),
    Column(_("Accepted"), "accepted_at"),
    Column(_("Created"), "created_at"),
]

OUTCOMES = [
    Column(_("Introduction ID"), "introduction__public_id"),
    Column(_("Project ID"), "introduction__proposal__public_id"),
    Column(_("Project"), "introduction__proposal__title"),
    Column(_("Call round code"), "introduction__proposal__call__slug"),
    Column(_("Employer"), "introduction__proposal__employer__name"),
    Column(_("University ID"), "introduction__university__public_id"),
    Column(_("University"), "introduction__university__name"),
    *coded(_("Status code"), _("Status"), "status", Outcome.choices),
    Column(_("Students trained"), "students_trained"),
    Column(_("Interns hosted"), "interns_hosted"),
    Column(_("Graduates hired"), "graduates_hired"),
    Column(_("Funding delivered (CNY)"), "funding_delivered_cny"),
    Column(_("Summary of results"), "narrative"),
    Column(_("Reviewer's comment"), "comment"),
    Column(_("Submitted"), "submitted_at"),
    Column(_("Confirmed"), "confirmed_at"),
    Column(_("Decided"), "decided_at"),
]
