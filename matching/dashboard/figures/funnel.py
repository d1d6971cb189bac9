"""The funnel: projects and pairs at each step from submission to completion."""

from django.db.models import Case, Count, Exists, Max, OuterRef, Q, Sum, When
from django.db.models.functions import Coalesce
from django.utils.translation import pgettext_lazy

from projects.models import Call, Interest, Proposal
from projects.selectors import LIVE_INTEREST
from projects.workflow import Status as ProposalStatus

from ...brokering.workflow import COUNTED, Status
from ...models import Candidate, Introduction
from .common import SIGNED, latest_run
from .shapes import FunnelStep

# A context of their own: "Submitted" and "Published" are column headings (times) elsewhere.
FUNNEL_STEPS = [
    ("submitted", pgettext_lazy("funnel step", "Submitted")),
    ("published", pgettext_lazy("funnel step", "Published")),
    ("interest", pgettext_lazy("funnel step", "Interest expressed")),
    ("proposed", pgettext_lazy("funnel step", "Proposed for introduction")),
    ("sent", pgettext_lazy("funnel step", "Introduction sent")),
    ("accepted", pgettext_lazy("funnel step", "Accepted by both sides")),
    ("signed", pgettext_lazy("funnel step", "Agreement signed")),
    ("completed", pgettext_lazy("funnel step", "Completed")),
]
# What an introduction must show to reach each step from "sent" on.
INTRODUCTION_STEPS = {
    "sent": Q(sent_at__isnull=False),
    "accepted": Q(status__in=sorted(COUNTED)),
    "signed": Q(status__in=sorted(SIGNED)),
    "completed": Q(status=Status.COMPLETED),
}


def funnel(call: Call) -> list[FunnelStep]:
    """How many of the call's projects reached each step, and from "proposed" on how many
    project–university pairs did: a project or pair counts once at a step, however many of its
    introductions reached it. Four queries, each one pass over its table."""
    projects = Proposal.objects.filter(call=call).aggregate(
        submitted=Count("pk", filter=Q(submitted_at__isnull=False)),
        published=Count("pk", filter=Q(status=ProposalStatus.PUBLISHED)),
        interest=Count(
            "pk",
            filter=Q(
                status=ProposalStatus.PUBLISHED,
                pk__in=Interest.objects.filter(status__in=LIVE_INTEREST).values("proposal_id"),
            ),
        ),
    )
    # One row per introduced pair, marking the steps any of its introductions reached.
    pairs = (
        Introduction.objects.filter(proposal__call=call)
        .order_by()
        .values("proposal_id", "university_id")
        .annotate(
            **{
                f"{step}_reached": Max(Case(When(reached, then=1), default=0))
                for step, reached in INTRODUCTION_STEPS.items()
            }
        )
    )
    introduced = pairs.aggregate(
        proposed_pairs=Count("proposal_id"),
        proposed=Count("proposal_id", distinct=True),
        **{f"{step}_pairs": Coalesce(Sum(f"{step}_reached"), 0) for step in INTRODUCTION_STEPS},
        **{
            step: Count("proposal_id", distinct=True, filter=Q(**{f"{step}_reached": 1}))
            for step in INTRODUCTION_STEPS
        },
    )
    # The latest run's proposals that no introduction followed (yet); two queries, as anti-joins.
    run_proposed = Candidate.objects.filter(run_id=latest_run(call), proposed=True)
    run_only_pairs = run_proposed.exclude(
        Exists(
            Introduction.objects.filter(
                proposal_id=OuterRef("proposal_id"), university_id=OuterRef("university_id")
            )
        )
    ).count()
    run_only_projects = run_proposed.exclude(
        proposal_id__in=Introduction.objects.values("proposal_id")
    ).aggregate(n=Count("proposal_id", distinct=True))["n"]
    counts = {**projects, **introduced}
    counts["proposed"] += run_only_projects
    counts["proposed_pairs"] += run_only_pairs
    return [
        FunnelStep(code, str(label), counts[code], counts.get(f"{code}_pairs"))
        for code, label in FUNNEL_STEPS
    ]
