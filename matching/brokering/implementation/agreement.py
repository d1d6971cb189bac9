"""After both sides accept: either side records the cooperation agreement (its date, the places
and funding agreed, the signed PDF) and then the implementation's milestones, the first of
which starts it."""

from datetime import date

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_record
from accounts.validators import validate_pdf

from ...audit import MatchingAudit
from ...models import Agreement, Introduction, Milestone
from ..introductions import check_allowed, check_capacity, lock_pair, move, notify_sides, project_refresh
from ..selectors import EMPLOYER, UNIVERSITY, side_of
from ..workflow import COUNTED, Action


def check_pdf(upload: UploadedFile | None, field: str) -> None:
    """An upload, if any, must be a readable PDF; its errors are reported on `field`."""
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
    accepted_on = timezone.localdate(introduction.accepted_at) if introduction.accepted_at else None
    if accepted_on and signed_on < accepted_on:
        raise ValidationError(
            {
                "signed_on": _("The agreement cannot be signed before both sides accepted, on %(date)s.")
                % {"date": date_format(accepted_on, "DATE_FORMAT")}
            }
        )
    check_pdf(document, "document")
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
