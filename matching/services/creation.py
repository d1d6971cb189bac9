"""Starting a matching run and publishing it: its parameters checked, the run saved and audited,
handed to a worker once that commits (kept queued when the task queue is away), and, once it
succeeded, published to employers and universities."""

import logging
from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import permissions
from accounts.errors import Conflict
from accounts.models import User
from accounts.services import audit_record
from projects.models import Call

from ..audit import MatchingAudit
from ..engine.scoring import Weights
from ..models import DEFAULT_MIN_AREA_FIT, MatchRun
from ..tasks import execute_match_run

logger = logging.getLogger(__name__)
QUEUE_UNAVAILABLE = gettext_lazy("Queued: the run will start when the task queue is back.")


def parse_weights(weights: Mapping | None) -> dict[str, float]:
    """{"area", "capacity", "region", "interest"}: numbers ≥ 0 summing to more than 0; missing
    ones take the defaults."""
    defaults = Weights().__dict__
    weights = dict(weights or {})
    unknown = set(weights) - set(defaults)
    if unknown:
        names = ", ".join(sorted(unknown))
        raise ValidationError({"weights": _("Unknown weights: %(names)s.") % {"names": names}})
    merged = {**defaults, **weights}
    if any(isinstance(v, bool) or not isinstance(v, int | float) or v < 0 for v in merged.values()):
        raise ValidationError({"weights": _("Weights must be numbers of 0 or more.")})
    if sum(merged.values()) <= 0:
        raise ValidationError({"weights": _("The weights must not all be 0.")})
    return {name: float(value) for name, value in merged.items()}


def parse_min_area_fit(value) -> float:
    """The AI-fit floor: a number from 0 to 1."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ValidationError({"min_area_fit": _("The AI-fit floor must be a number from 0 to 1.")})
    return float(value)


def match_run_create(
    *,
    actor: User,
    call: Call,
    weights: Mapping | None = None,
    k: int = 20,
    m: int = 50,
    shards: int = 1,
    min_area_fit: float = DEFAULT_MIN_AREA_FIT,
) -> MatchRun:
    """Ministry staff start a matching run of a call; a worker runs it once this commits. With
    the task queue away the run is kept, queued (`queue_unavailable` set on the returned run),
    and the sweeper hands it to a worker once the queue is back."""
    if not permissions.is_ministry(actor):
        raise PermissionDenied(_("Only ministry staff run matching."))
    run = MatchRun(
        call=call,
        created_by=actor,
        weights=parse_weights(weights),
        k=k,
        m=m,
        shards=shards,
        min_area_fit=parse_min_area_fit(min_area_fit),
    )
    run.full_clean(exclude=["created_by"])
    with transaction.atomic():
        run.save()
        audit_record(actor=actor, target=run, action=MatchingAudit.MATCH_RUN_CREATED)
        transaction.on_commit(lambda: match_run_enqueue(run))
    return run


def match_run_enqueue(run: MatchRun) -> bool:
    """Hand the run to a worker. With the broker unreachable the run stays queued, marked
    `queue_unavailable`, for the sweeper to hand over again; returns whether it was queued."""
    try:
        execute_match_run.delay(run.pk)
    except Exception as error:  # the broker is unreachable, whatever its client raises
        logger.warning("matching run %s could not be queued: %s", run.pk, error)
        run.queue_unavailable = True
        return False
    return True


def match_run_publish(*, actor: User, run: MatchRun) -> MatchRun:
    """Ministry staff publish a succeeded run: employers and universities then see its proposed
    counterparts for their own projects and institution."""
    if not permissions.is_ministry(actor):
        raise PermissionDenied(_("Only ministry staff publish matching results."))
    with transaction.atomic():
        changed = MatchRun.objects.filter(
            pk=run.pk, status=MatchRun.Status.SUCCEEDED, published_at__isnull=True
        ).update(published_at=timezone.now())
        if not changed:
            raise Conflict(_("Only a succeeded run that is not yet published can be published."))
        audit_record(actor=actor, target=run, action=MatchingAudit.MATCH_RUN_PUBLISHED)
    run.refresh_from_db()
    return run
