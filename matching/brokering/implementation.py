"""After both sides accept: the cooperation agreement, the implementation's milestones, and the
outcome report that the employer files, the university confirms and ministry staff accept."""

from collections.abc import Mapping
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.errors import Conflict
from accounts.models import User
from accounts.notifications import notify_ministry
from accounts.services import audit_record
from accounts.validators import validate_pdf

from ..audit import MatchingAudit
from ..models import Agreement, Introduction, Milestone, OutcomeReport
from .introductions import (
    check_allowed,
    check_capacity,
    detail_url,
    lock_pair,
    move,
    notify_sides,
    project_refresh,
)
from .selectors import EMPLOYER, UNIVERSITY, side_of
from .workflow import COUNTED, MINISTRY, OUTCOME, Action, Outcome, OutcomeAction, Status

OUTCOME_FIELDS = [
    "students_trained",
    "interns_hosted",
    "graduates_hired",
    "funding_delivered_cny",
    "narrative",
]


def _pdf(upload: UploadedFile | None, field: str) -> None:
    if upload is None:
        return
    try:
        validate_pdf(upload)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from None


def agreement_record(
    *,
    actor: User,
    introduction: Introduction,
    signed_on: date,
    places_agreed: int,
    funding_agreed_cny: int = 0,
    document: UploadedFile | None = None,
) -> Agreement:
    """Either side records the cooperation agreement of an accepted introduction. The places
    agreed replace the share the introduction held, so they must fit the university's places and,
    with the project's other partners, the project's student places."""
    new_status = check_allowed(actor, introduction, Action.SIGN)
    agreement = Agreement(
        introduction=introduction,
        signed_on=signed_on,
        places_agreed=places_agreed,
        funding_agreed_cny=funding_agreed_cny,
        recorded_by=actor,
    )
    agreement.full_clean(exclude=["introduction", "recorded_by", "document"])
    if signed_on > timezone.localdate():
        raise ValidationError({"signed_on": _("The signing date cannot be in the future.")})
    _pdf(document, "document")
    with transaction.atomic():
        lock_pair(introduction, Action.SIGN)
        check_capacity(introduction, places_agreed)
        partners = (
            Introduction.objects.filter(proposal_id=introduction.proposal_id, status__in=COUNTED)
            .exclude(pk=introduction.pk)
            .aggregate(n=Sum("places"))["n"]
            or 0
        )
        if partners + places_agreed > (introduction.proposal.student_places or 0):
            raise ValidationError(
                {
                    "places_agreed": _(
                        "The project offers %(total)d student places and its other partners hold "
                        "%(held)d; at most %(left)d can be agreed here."
                    )
                    % {
                        "total": introduction.proposal.student_places or 0,
                        "held": partners,
                        "left": max((introduction.proposal.student_places or 0) - partners, 0),
                    }
                }
            )
        if document is not None:
            agreement.document.save(document.name or "agreement.pdf", document, save=False)
        agreement.save()
        move(
            actor=actor,
            introduction=introduction,
            to=new_status,
            action=Action.SIGN,
            updates={"places": places_agreed},
        )
        project_refresh(introduction.proposal)
        notify_sides(
            introduction,
            "matching/email/agreement_signed",
            broker=True,
            signed_on=signed_on.isoformat(),
            places=places_agreed,
        )
    return agreement


def milestone_record(
    *, actor: User, introduction: Introduction, title: str, happened_on: date, note: str = ""
) -> Milestone:
    """Either side records a step of the implementation; the first one starts it."""
    new_status = check_allowed(actor, introduction, Action.START)
    milestone = Milestone(
        introduction=introduction, title=title, happened_on=happened_on, note=note, recorded_by=actor
    )
    milestone.full_clean(exclude=["introduction", "recorded_by"])
    if happened_on > timezone.localdate():
        raise ValidationError({"happened_on": _("Record a milestone once it has happened.")})
    with transaction.atomic():
        lock_pair(introduction, Action.START)
        milestone.save()
        if introduction.status != new_status:
            move(
                actor=actor,
                introduction=introduction,
                to=new_status,
                action=MatchingAudit.MILESTONE,
                comment=title,
            )
            project_refresh(introduction.proposal)
        else:
            audit_record(
                actor=actor,
                target=introduction,
                action=MatchingAudit.MILESTONE,
                comment=title,
                from_status=introduction.status,
                to_status=introduction.status,
            )
        other = UNIVERSITY if side_of(actor, introduction) == EMPLOYER else EMPLOYER
        notify_sides(introduction, "matching/email/milestone_recorded", sides=(other,), milestone=title)
    return milestone


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
    _pdf(evidence, "evidence")
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
