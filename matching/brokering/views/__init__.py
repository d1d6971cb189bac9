"""The introductions' pages: the list, with ministry staff's bulk send and hand-made
introductions (lists.py); one introduction's page with every action its viewer may take
(detail.py); the introduction's own steps (answers.py); the agreement, milestones and outcome
report, and the downloads of the signed agreement and outcome evidence (implementation.py).
Parse, load, call one service, render."""

from .answers import AcceptView, CancelView, DeclineView, SendView
from .detail import FORMS, IntroductionDetailView, IntroductionPostView, detail_context, load
from .implementation import (
    AgreementView,
    DocumentView,
    MilestoneView,
    OutcomeAcceptView,
    OutcomeConfirmView,
    OutcomeReturnView,
    OutcomeSubmitView,
)
from .lists import (
    ONLY_MINISTRY,
    PAGE_SIZE,
    IntroductionCreateView,
    IntroductionListView,
    IntroductionsFromRunView,
    list_context,
    sent_message,
)

__all__ = [
    "FORMS",
    "ONLY_MINISTRY",
    "PAGE_SIZE",
    "AcceptView",
    "AgreementView",
    "CancelView",
    "DeclineView",
    "DocumentView",
    "IntroductionCreateView",
    "IntroductionDetailView",
    "IntroductionListView",
    "IntroductionPostView",
    "IntroductionsFromRunView",
    "MilestoneView",
    "OutcomeAcceptView",
    "OutcomeConfirmView",
    "OutcomeReturnView",
    "OutcomeSubmitView",
    "SendView",
    "detail_context",
    "list_context",
    "load",
    "sent_message",
]
