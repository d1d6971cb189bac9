"""The introductions' bulk action: send the proposed (drafted) introductions ticked, or all
matching the list's filters, with one message to both sides (accounts/bulk.py)."""

from collections.abc import Mapping

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.bulk import MAX_ITEMS, BulkAction, register
from accounts.models import User
from common.views import selected_ids
from projects.selectors import call_list

from . import introductions, selectors
from .forms import IntroductionFilterForm, SendForm
from .workflow import Status


def _select(user: User, data: Mapping) -> list[str]:
    if data.get("scope") != "all":
        return selected_ids(data)
    form = IntroductionFilterForm(data, calls=call_list())
    if not form.is_valid():
        return []
    filters = selectors.IntroductionFilters(**{**form.cleaned_data, "status": Status.PROPOSED})
    found = selectors.introduction_list(user=user, filters=filters).values_list("public_id", flat=True)
    return [str(i) for i in found[:MAX_ITEMS]]


def _load(user: User, ids: list[str]) -> dict[str, object]:
    found = selectors.introductions_visible_to(user).filter(public_id__in=ids)
    return {str(i.public_id): i for i in found}


def _describe(introduction) -> tuple[str, str]:
    label = f"{introduction.proposal.title} – {introduction.university.name}"
    return label, reverse("brokering:introduction-detail", args=[introduction.public_id])


register(
    BulkAction(
        key="introductions.send",
        label=gettext_lazy("Send"),
        summary=lambda n: (
            _("Send %(what)s") % {"what": ngettext("%(n)d introduction", "%(n)d introductions", n) % {"n": n}}
        ),
        select=_select,
        load=_load,
        take=lambda actor, introduction, params: introductions.introduction_send(
            actor=actor, introduction=introduction, message=params.get("message") or None
        ),
        describe=_describe,
        back="brokering:introduction-list",
        back_query=f"status={Status.PROPOSED}",
        params=SendForm,
    )
)
