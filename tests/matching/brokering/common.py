"""Helpers of the introductions' page and API tests: personas, a published project, the answers
an introduction in a status carries, and what a refused request must leave as it was."""

from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import AuditEvent, Notification, UniversityCapacity
from matching.models import Agreement, Introduction, Milestone, OutcomeReport
from projects.models import Proposal
from tests.factories import ProposalFactory, plain_pdf

PDF = plain_pdf()
VISION = "工业视觉质检就业实习基地"
OUTSIDERS = ["other_employer", "other_university", "pending_employer"]
PERSONAS = ["anonymous", "employer", "university", *OUTSIDERS, "ministry"]


def room(university_org, places: int = 100, projects: int = 5) -> None:
    UniversityCapacity.objects.update_or_create(
        university=university_org,
        project_type="internship_base",
        defaults={"places": places, "projects": projects},
    )


def pdf(name: str = "协议.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def published(employer_org, **fields):
    """40 student places over 2 partners: a share of 20."""
    return ProposalFactory(employer=employer_org, status="published", decided_at=timezone.now(), **fields)


def answers(status: str) -> dict:
    """The times and answers an introduction in this status carries."""
    now = timezone.now()
    sent = {"sent_at": now, "expires_at": now + timedelta(days=14)}
    both = {
        **sent,
        "employer_response": "accepted",
        "employer_responded_at": now,
        "university_response": "accepted",
        "university_responded_at": now,
        "accepted_at": now,
    }
    if status == "proposed":
        return {"sent_at": None, "expires_at": None}
    return both if status in {"accepted", "signed", "in_progress", "completed"} else sent


def state(introduction: Introduction) -> tuple:
    """What a refused action must leave as it was."""
    introduction.refresh_from_db()
    report = OutcomeReport.objects.filter(introduction=introduction).first()
    return (
        introduction.status,
        introduction.employer_response,
        introduction.university_response,
        introduction.message,
        Agreement.objects.filter(introduction=introduction).exists(),
        Milestone.objects.filter(introduction=introduction).count(),
        report and (report.status, report.graduates_hired, report.comment),
    )


def today() -> str:
    return timezone.localdate().isoformat()


def events(introduction: Introduction) -> list[tuple[str, str, str]]:
    return list(
        AuditEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(Introduction),
            object_id=introduction.pk,
        )
        .order_by("pk")
        .values_list("action", "from_status", "to_status")
    )


def inbox(user) -> list[str]:
    return list(Notification.objects.filter(user=user).order_by("pk").values_list("template", flat=True))


def world() -> dict:
    """Everything a refused step must leave as it was."""
    return {
        "introductions": list(Introduction.objects.order_by("pk").values()),
        "projects": list(Proposal.objects.order_by("pk").values_list("pk", "stage", "partners_confirmed")),
        "agreements": list(Agreement.objects.order_by("pk").values()),
        "milestones": Milestone.objects.count(),
        "reports": list(OutcomeReport.objects.order_by("pk").values()),
        "audit": AuditEvent.objects.count(),
        "inbox": Notification.objects.count(),
    }


# Each action as the page posts it and as the API does: the introduction it needs (status,
# outcome report), the persona who may take it, and the fields it reads.
OUTCOME_FIELDS = [
    "students_trained",
    "interns_hosted",
    "graduates_hired",
    "funding_delivered_cny",
    "narrative",
]
ACTION_INPUTS = [
    ("introduction-send", "send", "proposed", None, "ministry", ["message"]),
    ("introduction-cancel", "cancel", "sent", None, "ministry", ["comment"]),
    ("introduction-accept", "accept", "sent", None, "employer", ["anything"]),
    ("introduction-decline", "decline", "sent", None, "employer", ["reason", "comment"]),
    (
        "agreement-record",
        "agreement",
        "accepted",
        None,
        "employer",
        ["signed_on", "places_agreed", "funding_agreed_cny", "document"],
    ),
    ("milestone-record", "milestones", "signed", None, "university", ["title", "happened_on", "note"]),
    ("outcome-submit", "outcome", "signed", None, "employer", [*OUTCOME_FIELDS, "evidence"]),
    ("outcome-confirm", "outcome/confirm", "in_progress", "submitted", "university", ["anything"]),
    ("outcome-return", "outcome/return", "in_progress", "submitted", "university", ["comment"]),
    ("outcome-accept", "outcome/accept", "in_progress", "confirmed", "ministry", ["comment"]),
]
