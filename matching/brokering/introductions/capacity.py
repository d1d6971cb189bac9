"""Capacity: the student places an introduction takes, the pair's row locks, the check that an
introduction fits the project's partners sought and the university's slots and places, and the
project's partner count and stage derived from its introductions."""

import math

from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from accounts.errors import Conflict
from accounts.models import University, UniversityCapacity
from projects.models import Proposal, Stage
from projects.services import proposal_progress_record

from ...models import Introduction
from .. import workflow
from ..workflow import COUNTED, Status


def share(student_places: int | None, partners_sought: int | None) -> int:
    """The student places one partner takes: the project's places split over its partners,
    rounded up."""
    return math.ceil((student_places or 0) / max(partners_sought or 1, 1))


def share_of(proposal: Proposal) -> int:
    return share(proposal.student_places, proposal.partners_sought)


def lock_pair(introduction: Introduction, action: str | None = None) -> None:
    """Lock the project, then the university (always in this order, so two transactions never
    wait on each other), and read the introduction afresh. With an action, the fresh status must
    still allow it: a page loaded (or a click made) before someone else changed the
    introduction must not act on the status it saw, or a cancelled one could be sent again."""
    Proposal.objects.select_for_update().get(pk=introduction.proposal_id)
    University.objects.select_for_update().get(pk=introduction.university_id)
    introduction.refresh_from_db(
        fields=["status", "employer_response", "university_response", "places", "expires_at"]
    )
    if action is not None and workflow.transition(introduction.status, action) is None:
        raise Conflict(_("This introduction was changed meanwhile; reload the page and try again."))


def check_capacity(introduction: Introduction, places: int) -> None:
    """Taking `places` more student places, the introduction must fit the project's partners
    sought and the university's project slots and places for the type in this call; callers
    hold the locks of lock_pair()."""
    proposal = introduction.proposal
    others = Introduction.objects.filter(status__in=COUNTED).exclude(pk=introduction.pk)
    if others.filter(proposal=proposal).count() >= (proposal.partners_sought or 0):
        raise ValidationError(
            _("This project already has all the %(n)d partner universities it sought.")
            % {"n": proposal.partners_sought or 0}
        )
    capacity = UniversityCapacity.objects.filter(
        university_id=introduction.university_id, project_type=proposal.project_type
    ).first()
    held = others.filter(
        university_id=introduction.university_id,
        proposal__call_id=proposal.call_id,
        proposal__project_type=proposal.project_type,
    ).aggregate(projects=Count("pk"), places=Sum("places"))
    slots, free = (capacity.projects, capacity.places) if capacity else (0, 0)
    if held["projects"] >= slots:
        raise ValidationError(
            _("%(university)s has taken on all the %(n)d projects of this type it offered for this round.")
            % {"university": introduction.university.name, "n": slots}
        )
    if (held["places"] or 0) + places > free:
        raise ValidationError(
            _(
                "%(university)s has %(left)d student places left for this project "
                "type; this introduction needs %(places)d."
            )
            % {
                "university": introduction.university.name,
                "left": max(free - (held["places"] or 0), 0),
                "places": places,
            }
        )


def project_refresh(proposal: Proposal) -> None:
    """Recount the project's confirmed partners and derive its stage from its introductions."""
    statuses = set(
        proposal.introductions.filter(status__in=COUNTED).values_list("status", flat=True).distinct()
    )
    confirmed = proposal.introductions.filter(status__in=COUNTED).count()
    if statuses & {Status.SIGNED, Status.IN_PROGRESS}:
        stage = Stage.IN_PROGRESS
    elif statuses == {Status.COMPLETED}:
        stage = Stage.COMPLETED
    elif statuses:
        stage = Stage.MATCHED
    else:
        stage = Stage.OPEN
    proposal_progress_record(proposal=proposal, partners_confirmed=confirmed, stage=stage)
