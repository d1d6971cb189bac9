"""The audit actions the matching app records, with their labels (see common/audit.py).

History reads in the past tense: what happened, not the button that did it.
"""

from django.utils.translation import gettext_lazy as _

from common.audit import AuditAction

from .brokering.workflow import Action, Status


class MatchingAudit(AuditAction):
    MATCH_RUN_CREATED = "match_run_created", _("Matching run started")
    MATCH_RUN_PUBLISHED = "match_run_published", _("Matching results published")
    INTRODUCTIONS_PROPOSED = "introductions_proposed", _("Introductions proposed from the run")
    CREATED = "created", _("Introduction proposed")
    # An introduction's moves through its table are recorded under the table's action; an answer
    # and a milestone under their own code, whether or not the status moves.
    SENT = Action.SEND.value, _("Sent to both sides")
    EXPIRED = Action.EXPIRE.value, _("Expired unanswered")
    CANCELLED = Action.CANCEL.value, _("Cancelled")
    SIGNED = Action.SIGN.value, _("Cooperation agreement recorded")
    COMPLETED = Action.COMPLETE.value, _("Cooperation closed")
    EMPLOYER_ACCEPTED = "employer_accepted", _("Accepted by the employer")
    UNIVERSITY_ACCEPTED = "university_accepted", _("Accepted by the university")
    EMPLOYER_DECLINED = "employer_declined", _("Declined by the employer")
    UNIVERSITY_DECLINED = "university_declined", _("Declined by the university")
    MILESTONE = "milestone", _("Milestone recorded")
    OUTCOME_SUBMITTED = "outcome_submitted", _("Outcome report filed")
    OUTCOME_CONFIRMED = "outcome_confirmed", _("Outcome report confirmed by the university")
    OUTCOME_RETURNED = "outcome_returned", _("Outcome report sent back")
    OUTCOME_ACCEPTED = "outcome_accepted", _("Outcome report accepted")


AUDITED_STATUSES = (Status,)
