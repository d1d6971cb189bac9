"""The audit actions the projects app records, with their labels (see common/audit.py)."""

from django.utils.translation import gettext_lazy as _

from common.audit import AuditAction

from .workflow import Action, Status


class ProjectsAudit(AuditAction):
    CALL_CREATED = "call_created", _("Call opened")
    CALL_UPDATED = "call_updated", _("Call changed")
    PROPOSAL_CREATED = "proposal_created", _("Draft started")
    PROPOSAL_EDITED = "proposal_edited", _("Proposal edited")
    # A proposal's moves through its table (services/review.py) are recorded under the table's
    # action, with its label.
    SUBMIT = Action.SUBMIT.value, Action.SUBMIT.label
    WITHDRAW = Action.WITHDRAW.value, Action.WITHDRAW.label
    APPROVE = Action.APPROVE.value, Action.APPROVE.label
    RETURN = Action.RETURN.value, Action.RETURN.label
    REJECT = Action.REJECT.value, Action.REJECT.label
    ATTACHMENT_ADDED = "attachment_added", _("Attachment added")
    ATTACHMENT_REMOVED = "attachment_removed", _("Attachment removed")
    INTEREST_EXPRESSED = "interest_expressed", _("Interest expressed")
    INTEREST_CHANGED = "interest_changed", _("Interest changed")
    INTEREST_WITHDRAWN = "interest_withdrawn", _("Interest withdrawn")
    INTEREST_WELCOME = "interest_welcome", _("Interest welcomed by the employer")
    INTEREST_NOT_A_FIT = "interest_not_a_fit", _("Interest marked not a fit by the employer")
    SAVED_SEARCH_CREATED = "saved_search_created", _("Search saved")
    SAVED_SEARCH_DELETED = "saved_search_deleted", _("Saved search deleted")
    SHORTLISTED = "shortlisted", _("Project added to the shortlist")
    UNSHORTLISTED = "unshortlisted", _("Project removed from the shortlist")


AUDITED_STATUSES = (Status,)
