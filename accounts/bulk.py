"""Bulk work: ministry staff take one action on many items at once, each item through the same
service as when taken alone, with a result per item (some may be refused, with their reasons).

Each app registers its actions here (projects/bulk.py, matching/brokering/bulk.py, and below
the organisations' own), as the admin registers models, so this module imports no app above it.
Up to INLINE_LIMIT items are taken during the request; more run as a Celery task whose
progress the job's page shows. With the task queue away they are taken during the request too:
the action is carried out, only more slowly.
"""

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from common.views import selected_ids

from . import permissions
from .errors import Conflict
from .models import BulkJob, Employer, University, User, VerificationStatus

logger = logging.getLogger(__name__)

INLINE_LIMIT = 200
PROGRESS_EVERY = 25  # items between two progress writes
MAX_ITEMS = 20000
# A running job that has written no progress for this long died with its worker: it may be
# taken up again where it stopped (each item's service refuses what is already done).
STALE = timedelta(minutes=10)


@dataclass(frozen=True)
class BulkAction:
    key: str
    label: Promise  # the button: "Send"
    summary: Callable[[int], str]  # the confirmation: "Send 591 introductions"
    select: Callable[[User, Mapping], list[str]]  # the ids ticked, or all matching the filters
    load: Callable[[User, list[str]], dict[str, object]]  # those of the ids this user may act on
    take: Callable[[User, object, dict], object]  # one item, through its service; raises if refused
    describe: Callable[[object], tuple[str, str]]  # an item's label and page
    back: str  # the list's URL name
    back_query: str = ""  # and its query, if it needs one
    params: type[forms.Form] | None = None  # what the action asks once for all: a comment, a reason


ACTIONS: dict[str, BulkAction] = {}


def register(action: BulkAction) -> None:
    ACTIONS[action.key] = action


def action_get(key: str) -> BulkAction | None:
    return ACTIONS.get(key)


def _refusal(exc: Exception) -> str:
    return " ".join(getattr(exc, "messages", None) or [str(exc)])


def bulk_start(*, actor: User, action: BulkAction, ids: Iterable[str], params: dict) -> BulkJob:
    """Record the job and take its items: now if few (or the task queue is away), otherwise on a
    worker once this commits."""
    if not permissions.is_ministry(actor):
        raise PermissionDenied(_("Only ministry staff take actions in bulk."))
    items = list(dict.fromkeys(str(i) for i in ids))[:MAX_ITEMS]
    if not items:
        raise ValidationError(_("Select at least one item."))
    job = BulkJob.objects.create(
        actor=actor,
        action=action.key,
        params=params,
        items=items,
        language=translation.get_language() or actor.language,
    )
    if len(items) <= INLINE_LIMIT:
        return bulk_run(job.pk) or job
    transaction.on_commit(lambda: _enqueue(job))
    return job


def _enqueue(job: BulkJob) -> None:
    from .tasks import run_bulk_job

    try:
        run_bulk_job.delay(job.pk)
    except Exception as error:  # the broker is unreachable, whatever its client raises
        logger.warning("bulk job %s could not be queued, taken now: %s", job.pk, error)
        bulk_run(job.pk)


def bulk_run(job_id: int) -> BulkJob | None:
    """Take the job's items not yet taken, each in its own transaction, recording its result;
    None if another process is taking them or they are all taken."""
    now = timezone.now()
    claimable = Q(status=BulkJob.Status.QUEUED) | Q(status=BulkJob.Status.RUNNING, updated_at__lt=now - STALE)
    if not BulkJob.objects.filter(claimable, pk=job_id).update(status=BulkJob.Status.RUNNING, updated_at=now):
        return None
    job = BulkJob.objects.select_related("actor").get(pk=job_id)
    action = ACTIONS[job.action]
    with translation.override(job.language):
        pending = job.items[job.done :]
        found = action.load(job.actor, pending)
        # This runner holds the claim, so it keeps the progress itself and writes it as it goes.
        results, succeeded = list(job.results), job.succeeded
        for n, item_id in enumerate(pending, start=1):
            results.append(row := _take(action, job, found.get(item_id), item_id))
            succeeded += row["ok"]
            if n % PROGRESS_EVERY == 0 or n == len(pending):
                BulkJob.objects.filter(pk=job_id).update(
                    done=len(results), succeeded=succeeded, results=results, updated_at=timezone.now()
                )
    BulkJob.objects.filter(pk=job_id).update(status=BulkJob.Status.FINISHED, finished_at=timezone.now())
    job.refresh_from_db()
    return job


def _take(action: BulkAction, job: BulkJob, item, item_id: str) -> dict:
    """One item through its service: its result row."""
    if item is None:
        return {"label": item_id, "url": "", "ok": False, "reason": _("Not found, or not yours to change.")}
    label, url = action.describe(item)
    try:
        action.take(job.actor, item, job.params)
    except (ValidationError, PermissionDenied, Conflict) as exc:
        return {"label": label, "url": url, "ok": False, "reason": _refusal(exc)}
    return {"label": label, "url": url, "ok": True, "reason": ""}


def job_for(*, user: User, public_id) -> BulkJob:
    """A job, for the member of staff who started it (DoesNotExist for anyone else)."""
    return BulkJob.objects.get(public_id=public_id, actor_id=user.pk)


# --- The organisations' actions ---------------------------------------------------------------


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Sent to every organisation rejected."),
    )


def _organisation_actions(kind: str, model, noun: Callable[[int], str]) -> None:
    from . import selectors, services

    def select(user: User, data: Mapping) -> list[str]:
        if data.get("scope") != "all":
            return selected_ids(data)
        status = data.get("status", "")
        queryset = selectors.organisation_list(
            user=user,
            model=model,
            status=status if status in VerificationStatus.values else "",
            search=str(data.get("q", "")).strip(),
        )
        return [str(i) for i in queryset.values_list("public_id", flat=True)[:MAX_ITEMS]]

    def load(user: User, ids: list[str]) -> dict[str, object]:
        return {
            str(o.public_id): o
            for o in selectors.organisations_visible_to(user, model).filter(public_id__in=ids)
        }

    def describe(organisation) -> tuple[str, str]:
        return organisation.name, reverse("accounts:organisation-review", args=[kind, organisation.public_id])

    register(
        BulkAction(
            key=f"{kind}.verify",
            label=gettext_lazy("Verify"),
            summary=lambda n: _("Verify %(what)s") % {"what": noun(n)},
            select=select,
            load=load,
            take=lambda actor, organisation, params: services.organisation_verify(
                actor=actor, organisation=organisation
            ),
            describe=describe,
            back="accounts:organisation-queue",
            back_query=f"kind={kind}",
        )
    )
    register(
        BulkAction(
            key=f"{kind}.reject",
            label=gettext_lazy("Reject"),
            summary=lambda n: _("Reject %(what)s") % {"what": noun(n)},
            select=select,
            load=load,
            take=lambda actor, organisation, params: services.organisation_reject(
                actor=actor, organisation=organisation, reason=params.get("reason", "")
            ),
            describe=describe,
            back="accounts:organisation-queue",
            back_query=f"kind={kind}",
            params=ReasonForm,
        )
    )


_organisation_actions(
    "employer", Employer, lambda n: ngettext("%(n)d employer", "%(n)d employers", n) % {"n": n}
)
_organisation_actions(
    "university", University, lambda n: ngettext("%(n)d university", "%(n)d universities", n) % {"n": n}
)


def controls(keys: list[str], query: Mapping, total: int) -> dict:
    """What a list page's bulk controls show: its actions, how many items match its filters,
    and the filters, carried to the confirmation for "all matching"."""
    filters = [(name, value) for name in query if name != "page" for value in query.getlist(name)]
    return {"actions": [(key, ACTIONS[key].label) for key in keys], "total": total, "filters": filters}
