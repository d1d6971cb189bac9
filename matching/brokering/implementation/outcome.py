"""The outcome report of a cooperation: the employer files it (or corrects it once sent back),
the university confirms or returns it, and ministry staff accept it, completing the cooperation,
or return it. Each step is the outcome table's compare-and-set move, audited."""

from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.errors import Conflict
from accounts.models import User
from accounts.notifications import notify_ministry
from accounts.services import audit_record

from ...audit import MatchingAudit
from ...models import Introduction, OutcomeReport
from ..introductions import check_allowed, detail_url, lock_pair, move, notify_sides, project_refresh
from ..selectors import EMPLOYER, UNIVERSITY, side_of
from ..workflow import MINISTRY, OUTCOME, Action, Outcome, OutcomeAction, Status
from .agreement import check_pdf

OUTCOME_FIELDS = [
    "students_trained",
    "interns_hosted",
    "graduates_hired",
    "funding_delivered_cny",
    "narrative",
]


def _report_fields(report: OutcomeReport, fields: Mapping) -> None:
    unknown = set(fields) - set(OUTCOME_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be set.") for name in sorted(unknown)})
    for name, value in fields.items():
        setattr(report, name, value)
    report.full_clean(exclude=["introduction", "evidence"], validate_constraints=False)
    if report.graduates_hired > report.students_trained + report.interns_hosted:
        raise ValidationError(
            {
                "graduates_hired": _(
                    "More graduates hired than students trained and interns hosted together: check the "
                    "figures."
                )
            }
        )


def outcome_submit(
    *, actor: User, introduction: Introduction, fields: Mapping, evidence: UploadedFile | None = None
) -> OutcomeReport:
    """The employer files (or, after it was sent back, corrects) the outcome report of its own
    cooperation once the agreement is signed; the university is asked to confirm it."""
    if side_of(actor, introduction) != EMPLOYER or not permissions.is_verified_member(actor):
        raise PermissionDenied(_("Only the employer that owns the project reports its outcomes."))
    if introduction.status not in {Status.SIGNED, Status.IN_PROGRESS}:
        raise Conflict(_("Outcomes are reported once the agreement is signed."))
    report = OutcomeReport.objects.filter(introduction=introduction).first() or OutcomeReport(
        introduction=introduction
    )
    if report.pk and report.status != Outcome.RETURNED:
        raise Conflict(_("The outcome report has been filed; it can be changed only if it is sent back."))
    _report_fields(report, fields)
    check_pdf(evidence, "evidence")
    with transaction.atomic():
        # Two filings at once (colleagues, a double click): the second waits here, then finds
        # the first one's report instead of failing on the one-report-per-cooperation key.
        lock_pair(introduction)
        filed = OutcomeReport.objects.filter(introduction=introduction).values_list("pk", "status")
        expected = (report.pk, Outcome.RETURNED) if report.pk else None
        if introduction.status not in {Status.SIGNED, Status.IN_PROGRESS} or filed.first() != expected:
            raise Conflict(_("This report was changed meanwhile; reload the page and try again."))
        if evidence is not None:
            report.evidence.save(evidence.name or "evidence.pdf", evidence, save=False)
        if report.pk:
            # A report sent back is resubmitted through the table; a new one is filed submitted.
            corrected = {name: getattr(report, name) for name in [*OUTCOME_FIELDS, "evidence"]}
            if not OUTCOME.move(
                report,
                to=Outcome.SUBMITTED,
                updates={**corrected, "submitted_at": timezone.now(), "comment": ""},
            ):
                raise Conflict(_("This report was changed meanwhile; reload the page and try again."))
        else:
            report.submitted_at, report.comment = timezone.now(), ""
            report.save()
        audit_record(actor=actor, target=introduction, action=MatchingAudit.OUTCOME_SUBMITTED)
        notify_sides(introduction, "matching/email/outcome_submitted", sides=(UNIVERSITY,))
    return report


def _report_move(
    *,
    actor: User,
    report: OutcomeReport,
    step: str,
    role: str,
    audit: str,
    comment: str = "",
    updates: dict | None = None,
) -> None:
    """Take the outcome table's step for this role from the one status it allows it, by
    compare-and-set (whatever status the caller's copy shows), then audit."""
    (allowed_from,) = OUTCOME.sources(step, role)
    to = OUTCOME.next_status(allowed_from, step)
    if not OUTCOME.move(report, to=to, expected=allowed_from, updates=updates):
        raise Conflict(_("This report is not awaiting this step; reload the page."))
    audit_record(actor=actor, target=report.introduction, action=audit, comment=comment)


def outcome_confirm(*, actor: User, report: OutcomeReport) -> OutcomeReport:
    """The university confirms the employer's figures; ministry staff are asked to review."""
    introduction = report.introduction
    if side_of(actor, introduction) != UNIVERSITY or not permissions.is_verified_member(actor):
        raise PermissionDenied(_("Only the university of this cooperation confirms its outcomes."))
    with transaction.atomic():
        _report_move(
            actor=actor,
            report=report,
            step=OutcomeAction.CONFIRM,
            role=UNIVERSITY,
            audit=MatchingAudit.OUTCOME_CONFIRMED,
            updates={"confirmed_at": timezone.now()},
        )
        notify_ministry(
            "matching/email/outcome_confirmed",
            {"title": introduction.proposal.title, "university": introduction.university.name},
            detail_url(introduction),
        )
    return report


def outcome_return(*, actor: User, report: OutcomeReport, comment: str) -> OutcomeReport:
    """The university (before confirming) or ministry staff (when reviewing) send the report
    back to the employer with a comment saying what to correct."""
    introduction = report.introduction
    if permissions.is_ministry(actor):
        role = MINISTRY
    elif side_of(actor, introduction) == UNIVERSITY and permissions.is_verified_member(actor):
        role = UNIVERSITY
    else:
        raise PermissionDenied(_("Only the university or ministry staff send a report back."))
    if not comment.strip():
        raise ValidationError({"comment": _("Say what should be corrected.")})
    with transaction.atomic():
        _report_move(
            actor=actor,
            report=report,
            step=OutcomeAction.RETURN,
            role=role,
            audit=MatchingAudit.OUTCOME_RETURNED,
            comment=comment,
            updates={"comment": comment},
        )
        notify_sides(introduction, "matching/email/outcome_returned", sides=(EMPLOYER,), comment=comment)
    return report


def outcome_accept(*, actor: User, report: OutcomeReport, comment: str = "") -> OutcomeReport:
    """Ministry staff accept a confirmed report: the cooperation is completed (结项) and its
    figures count in the program's statistics."""
    introduction = report.introduction
    new_status = check_allowed(actor, introduction, Action.COMPLETE)
    with transaction.atomic():
        lock_pair(introduction, Action.COMPLETE)
        _report_move(
            actor=actor,
            report=report,
            step=OutcomeAction.ACCEPT,
            role=MINISTRY,
            audit=MatchingAudit.OUTCOME_ACCEPTED,
            comment=comment,
            updates={"decided_at": timezone.now(), "comment": comment},
        )
        move(actor=actor, introduction=introduction, to=new_status, action=Action.COMPLETE)
        project_refresh(introduction.proposal)
        notify_sides(introduction, "matching/email/outcome_accepted")
    return report
