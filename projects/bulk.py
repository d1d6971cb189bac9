"""The review queue's bulk actions: approve, return (one comment for all) and reject (one reason
for all) the submitted proposals ticked or matching the queue's filters (accounts/bulk.py)."""

from collections.abc import Mapping

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts import selectors as account_selectors
from accounts.bulk import MAX_ITEMS, BulkAction, register
from accounts.models import User
from common.views import selected_ids

from . import selectors, services
from .forms import QueueFilterForm, RejectForm, ReturnForm
from .workflow import Status


def _select(user: User, data: Mapping) -> list[str]:
    if data.get("scope") != "all":
        return selected_ids(data)
    form = QueueFilterForm(data, calls=selectors.call_list(), areas=account_selectors.focus_area_list())
    queue = selectors.review_queue(user=user, filters=selectors.QueueFilters(**form.filters()))
    submitted = queue.filter(status=Status.SUBMITTED).values_list("public_id", flat=True)
    return [str(i) for i in submitted[:MAX_ITEMS]]


def _load(user: User, ids: list[str]) -> dict[str, object]:
    found = selectors.proposals_visible_to(user).filter(public_id__in=ids).select_related("employer", "call")
    return {str(p.public_id): p for p in found}


def _describe(proposal) -> tuple[str, str]:
    return proposal.title, reverse("projects:proposal-review", args=[proposal.public_id])


def _proposals(n: int) -> str:
    return ngettext("%(n)d proposal", "%(n)d proposals", n) % {"n": n}


def _action(key: str, label, verb, take, params=None) -> BulkAction:
    return BulkAction(
        key=key,
        label=label,
        summary=lambda n: verb() % {"what": _proposals(n)},
        select=_select,
        load=_load,
        take=take,
        describe=_describe,
        back="projects:review-queue",
        params=params,
    )


register(
    _action(
        "proposals.approve",
        gettext_lazy("Approve and publish"),
        lambda: _("Approve and publish %(what)s"),
        lambda actor, proposal, params: services.proposal_approve(actor=actor, proposal=proposal),
    )
)
register(
    _action(
        "proposals.return",
        gettext_lazy("Return for revision"),
        lambda: _("Return %(what)s for revision"),
        lambda actor, proposal, params: services.proposal_return(
            actor=actor, proposal=proposal, comment=params.get("comment", "")
        ),
        ReturnForm,
    )
)
register(
    _action(
        "proposals.reject",
        gettext_lazy("Reject"),
        lambda: _("Reject %(what)s"),
        lambda actor, proposal, params: services.proposal_reject(
            actor=actor, proposal=proposal, reason=params.get("reason", ""), comment=params.get("comment", "")
        ),
        RejectForm,
    )
)
