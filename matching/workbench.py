"""我的工作台: what waits for each role, counted, with the page where it is done.

One function per role, each a handful of counting queries; the page shows only the tasks with
something waiting, soonest deadline first, and says so when nothing waits.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.models import User
from accounts.selectors import pending_counts
from projects.models import Call, Interest, Proposal
from projects.selectors import calls_taking_interest
from projects.services.review import resubmission_deadline
from projects.workflow import Status as ProposalStatus

from .brokering.selectors import introductions_awaiting, introductions_visible_to, outcomes_visible_to
from .brokering.workflow import Outcome, Status
from .models import Introduction, MatchRun, OutcomeReport

# How long before a round stops taking interest its projects count as closing soon.
CLOSING_SOON = timedelta(days=14)
ITEMS_SHOWN = 5


@dataclass
class Item:
    text: str
    url: str
    due: datetime | None = None


@dataclass
class Task:
    key: str  # the element's id, and the tests'
    label: str
    count: int
    url: str
    due: datetime | None = None  # the soonest deadline among them
    items: list[Item] = field(default_factory=list)


def work_for(user: User) -> list[Task]:
    """The tasks waiting for this user, soonest deadline first, then the most waiting."""
    if permissions.is_ministry(user):
        tasks = ministry_work()
    elif user.employer_id and permissions.is_verified_member(user):
        tasks = employer_work(user)
    elif user.university_id and permissions.is_verified_member(user):
        tasks = university_work(user)
    else:
        tasks = []
    waiting = [task for task in tasks if task.count]
    far = timezone.now() + timedelta(days=3650)
    return sorted(waiting, key=lambda task: (task.due or far, -task.count))


def _introductions(status: str = "", outcome: str = "") -> str:
    query = f"status={status}" if status else f"outcome={outcome}"
    return f"{reverse('brokering:introduction-list')}?{query}"


def ministry_work() -> list[Task]:
    pending = pending_counts()
    sent = Introduction.objects.filter(status=Status.SENT).aggregate(n=Count("pk"), due=Min("expires_at"))
    runs = MatchRun.objects.filter(status__in=[MatchRun.Status.QUEUED, MatchRun.Status.RUNNING]).count()
    unpublished = MatchRun.objects.filter(status=MatchRun.Status.SUCCEEDED, published_at__isnull=True).count()
    runs_page = reverse("matching:run-list")
    queue = reverse("accounts:organisation-queue")
    return [
        Task(
            "review",
            _("Proposals to review"),
            Proposal.objects.filter(status=ProposalStatus.SUBMITTED).count(),
            reverse("projects:review-queue"),
        ),
        Task("verify-employers", _("Employers to verify"), pending["employer"], f"{queue}?kind=employer"),
        Task(
            "verify-universities",
            _("Universities to verify"),
            pending["university"],
            f"{queue}?kind=university",
        ),
        Task("runs-running", _("Matching runs in progress"), runs, runs_page),
        Task("runs-to-publish", _("Matching runs to publish"), unpublished, runs_page),
        Task(
            "introductions-to-send",
            _("Drafted introductions to send"),
            Introduction.objects.filter(status=Status.PROPOSED).count(),
            _introductions(Status.PROPOSED),
        ),
        Task(
            "introductions-awaiting",
            _("Introductions awaiting the sides' answers"),
            sent["n"],
            _introductions(Status.SENT),
            due=sent["due"],
        ),
        Task(
            "outcomes-to-accept",
            _("Outcome reports to accept"),
            OutcomeReport.objects.filter(status=Outcome.CONFIRMED).count(),
            _introductions(outcome=Outcome.CONFIRMED),
        ),
        _deadlines(),
    ]


def _deadlines() -> Task:
    """The rounds not yet closed, each with its phase and when the phase ends."""
    now = timezone.now()
    calls = [call for call in Call.objects.order_by("opens_at") if call.phase_at(now) != Call.Phase.CLOSED]
    items = [
        Item(f"{call.name} · {call.phase.label}", reverse("projects:call-list"), call.phase_deadline)
        for call in calls
    ]
    return Task(
        "deadlines",
        _("Rounds under way"),
        len(items),
        reverse("projects:call-list"),
        due=min((item.due for item in items if item.due), default=None),
        items=items,
    )


def employer_work(user: User) -> list[Task]:
    now = timezone.now()
    unanswered = list(  # one query: the total and the projects shown both read it
        Interest.objects.filter(
            proposal__employer_id=user.employer_id, status=Interest.Status.LIVE, response=""
        )
        .values("proposal__public_id", "proposal__title")
        .annotate(n=Count("pk"))
        .order_by("-n", "proposal__title")
    )
    interest_items = [
        Item(
            _("%(title)s: %(n)d") % {"title": row["proposal__title"], "n": row["n"]},
            reverse("projects:proposal-interests", args=[row["proposal__public_id"]]),
        )
        for row in unanswered[:ITEMS_SHOWN]
    ]
    returned = list(
        Proposal.objects.filter(employer_id=user.employer_id, status=ProposalStatus.RETURNED)
        .select_related("call")
        .order_by("returned_at")
    )
    returned_items = [
        Item(p.title, reverse("projects:proposal-detail", args=[p.public_id]), resubmission_deadline(p))
        for p in returned
    ]
    drafts = Proposal.objects.filter(
        employer_id=user.employer_id,
        status=ProposalStatus.DRAFT,
        call__opens_at__lte=now,
        call__closes_at__gte=now,
    ).aggregate(n=Count("pk"), due=Min("call__closes_at"))
    mine = introductions_visible_to(user)
    return [
        Task(
            "interests-to-answer",
            _("Expressions of interest to answer"),
            sum(row["n"] for row in unanswered),
            reverse("matching:my-projects"),
            items=interest_items,
        ),
        *_answers(user),
        Task(
            "returned",
            _("Proposals returned for revision"),
            len(returned_items),
            f"{reverse('projects:dashboard')}?status={ProposalStatus.RETURNED}",
            due=min((item.due for item in returned_items if item.due), default=None),
            items=returned_items[:ITEMS_SHOWN],
        ),
        Task(
            "drafts",
            _("Drafts not yet submitted"),
            drafts["n"],
            f"{reverse('projects:dashboard')}?status={ProposalStatus.DRAFT}",
            due=drafts["due"],
        ),
        Task(
            "milestones",
            _("Signed agreements awaiting their first milestone"),
            mine.filter(status=Status.SIGNED).count(),
            _introductions(Status.SIGNED),
        ),
        Task(
            "outcomes-returned",
            _("Outcome reports sent back for correction"),
            outcomes_visible_to(user).filter(status=Outcome.RETURNED).count(),
            _introductions(outcome=Outcome.RETURNED),
        ),
    ]


def _answers(user: User) -> list[Task]:
    awaiting = introductions_awaiting(user).aggregate(n=Count("pk"), due=Min("expires_at"))
    return [
        Task(
            "introductions-to-answer",
            _("Introductions to answer"),
            awaiting["n"],
            _introductions(Status.SENT),
            due=awaiting["due"],
        )
    ]


def university_work(user: User) -> list[Task]:
    now = timezone.now()
    answered = Interest.objects.filter(university_id=user.university_id, status=Interest.Status.LIVE).exclude(
        response=""
    )
    taking = Call.objects.filter(pk__in=calls_taking_interest(now)).order_by("opens_at")
    counted = taking.annotate(
        projects=Count("proposals", filter=Q(proposals__status=ProposalStatus.PUBLISHED))
    )
    closing = [
        (call, ends)
        for call in counted
        if (ends := call.phase_dates()["interest_closes_at"]) <= now + CLOSING_SOON
    ]
    closing_items = [
        Item(
            _("%(call)s: %(n)d projects") % {"call": call.name, "n": call.projects},
            f"{reverse('projects:catalogue')}?call={call.slug}",
            ends,
        )
        for call, ends in closing
    ]
    return [
        *_answers(user),
        Task(
            "interests-answered",
            _("Expressions of interest the employers have answered"),
            answered.count(),
            reverse("matching:university-dashboard"),
        ),
        Task(
            "outcomes-to-confirm",
            _("Outcome reports to confirm"),
            outcomes_visible_to(user).filter(status=Outcome.SUBMITTED).count(),
            _introductions(outcome=Outcome.SUBMITTED),
        ),
        Task(
            "closing-soon",
            _("Rounds that stop taking interest within 14 days"),
            sum(call.projects for call, _ends in closing),
            reverse("projects:catalogue"),
            due=min((item.due for item in closing_items), default=None),
            items=closing_items,
        ),
    ]
