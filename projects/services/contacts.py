"""Showing a project's contact person, phone and email: who may, the PIPL access record, and
each university's daily limit."""

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from accounts.audit import AccountsAudit
from accounts.models import University, User
from accounts.services import audit_record

from .. import selectors
from ..models import Proposal


@dataclass(frozen=True)
class ContactView:
    """A project's contact as one reader is shown it: None where withheld, with whether the
    university's daily limit is the reason."""

    person: str | None = None
    phone: str | None = None
    email: str | None = None
    limit_reached: bool = False

    @property
    def shown(self) -> bool:
        return self.person is not None

    @classmethod
    def of(cls, proposal: Proposal) -> "ContactView":
        return cls(proposal.contact_person, proposal.contact_phone, proposal.contact_email)


def contact_view(*, actor: User, proposal: Proposal, record: bool = True) -> ContactView:
    """The project's contact as this reader may see it; every page, API and export asks here.

    Who may see it at all is selectors.may_see_contact. The owner employer and ministry staff see
    it unrecorded. A verified university's member sees it only where the channel records the
    view (`record`: a project's page or detail, one record per view; never a list, which would
    write one per row): each view writes a contact_viewed audit record, and once the university's
    members have been shown settings.CONTACT_VIEWS_PER_DAY contacts today, nothing more is shown
    or recorded until midnight, Beijing time."""
    if not selectors.may_see_contact(actor, proposal):
        return ContactView()
    if not selectors.contact_view_is_recorded(actor):
        return ContactView.of(proposal)
    if not record or actor.university_id is None:
        return ContactView()
    with transaction.atomic():
        # One university's views are counted one at a time: parallel requests from its members
        # cannot all pass the limit on the same count.
        University.objects.select_for_update().only("pk").get(pk=actor.university_id)
        if selectors.contact_views_today(actor.university_id) >= settings.CONTACT_VIEWS_PER_DAY:
            return ContactView(limit_reached=True)
        audit_record(actor=actor, target=proposal, action=AccountsAudit.CONTACT_VIEWED)
    return ContactView.of(proposal)
