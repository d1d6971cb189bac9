"""Demo brokering on top of projects.demo: last year's round matched, its proposed pairs
introduced and followed to every stage (so the dashboard and the public statistics have a
history), and one introduction of the demo employer's project and the demo university sent and
awaiting both answers, for the demo logins to take through the whole cycle."""

import random
import uuid
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import UniversityCapacity, User
from projects.models import Call, Proposal
from projects.workflow import Status as ProposalStatus

from .brokering.introductions import project_refresh, share_of
from .brokering.workflow import DeclineReason, Outcome, Status
from .models import Agreement, Answer, Candidate, Introduction, MatchRun, Milestone, OutcomeReport
from .services import match_run_execute

# How last year's introductions ended up, by weight.
FATES = [
    (Status.COMPLETED, 30),
    (Status.IN_PROGRESS, 20),
    (Status.SIGNED, 10),
    (Status.ACCEPTED, 8),
    (Status.DECLINED, 12),
    (Status.EXPIRED, 8),
    (Status.CANCELLED, 4),
    (Status.SENT, 8),
]


class BrokeringDemo:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.staff = User.objects.get(username="ministry")

    def build(self) -> dict[str, int]:
        earlier = Call.objects.order_by("opens_at").first()
        run = MatchRun.objects.create(
            call=earlier,
            created_by=self.staff,
            weights={"area": 0.6, "capacity": 0.15, "region": 0.15, "interest": 0.1},
        )
        match_run_execute(run.pk)
        with transaction.atomic():
            MatchRun.objects.filter(pk=run.pk).update(published_at=timezone.now())
            made = self.history(run)
            self.demo_pair()
        return {"introductions": made + 1}

    def history(self, run: MatchRun) -> int:
        proposed = list(
            Candidate.objects.filter(run=run, proposed=True)
            .select_related("proposal")
            .order_by("proposal_id", "rank")
        )
        statuses, weights = zip(*FATES, strict=True)
        rows, now = [], timezone.now()
        # The run keeps every university's places, so each proposed pair can be introduced.
        for candidate in proposed:
            share = share_of(candidate.proposal)
            fate = self.rng.choices(statuses, weights)[0]
            rows.append(self.introduction(candidate, fate, share, now))
        Introduction.objects.bulk_create(rows, batch_size=2000)
        self.implementation(
            [i for i in rows if i.status in {Status.SIGNED, Status.IN_PROGRESS, Status.COMPLETED}], now
        )
        for proposal in Proposal.objects.filter(pk__in={i.proposal_id for i in rows}):
            project_refresh(proposal)
        return len(rows)

    def introduction(self, candidate: Candidate, fate: str, share: int, now) -> Introduction:
        sent = now - timedelta(days=self.rng.randint(120, 200))
        employer_hours, university_hours = self.rng.randint(2, 240), self.rng.randint(2, 300)
        answered = fate not in {Status.SENT, Status.EXPIRED, Status.CANCELLED}
        declined_by = self.rng.choice(["employer", "university"])
        introduction = Introduction(
            public_id=uuid.UUID(int=self.rng.getrandbits(128), version=4),
            proposal=candidate.proposal,
            university_id=candidate.university_id,
            candidate=candidate,
            broker=self.staff,
            status=fate,
            places=share,
            message="根据智能匹配结果推荐双方对接。",
            sent_at=sent,
            expires_at=sent + timedelta(days=14) if fate != Status.SENT else now + timedelta(days=5),
        )
        if answered:
            for side, hours in (("employer", employer_hours), ("university", university_hours)):
                if fate == Status.DECLINED and side != declined_by:
                    continue
                setattr(
                    introduction,
                    f"{side}_response",
                    Answer.DECLINED if fate == Status.DECLINED else Answer.ACCEPTED,
                )
                setattr(introduction, f"{side}_responded_at", sent + timedelta(hours=hours))
        if fate == Status.DECLINED:
            introduction.decline_reason = self.rng.choice(DeclineReason.values)
            introduction.decline_comment = "本期名额已满，期待下次合作。"
        elif answered:
            introduction.accepted_at = sent + timedelta(hours=max(employer_hours, university_hours))
        return introduction

    def implementation(self, signed: list[Introduction], now) -> None:
        agreements, milestones, reports = [], [], []
        for introduction in signed:
            agreed = introduction.accepted_at + timedelta(days=self.rng.randint(7, 30))
            agreements.append(
                Agreement(
                    introduction=introduction,
                    signed_on=agreed.date(),
                    places_agreed=introduction.places,
                    recorded_by=self.staff,
                    funding_agreed_cny=self.rng.choice([0, 50_000, 200_000]),
                )
            )
            if introduction.status == Status.SIGNED:
                continue
            milestones.append(
                Milestone(
                    introduction=introduction,
                    title="首批学生进入企业实践",
                    happened_on=(agreed + timedelta(days=30)).date(),
                )
            )
            if introduction.status == Status.COMPLETED:
                trained = self.rng.randint(introduction.places // 2, introduction.places)
                hosted = self.rng.randint(0, introduction.places // 2)
                reports.append(
                    OutcomeReport(
                        introduction=introduction,
                        status=Outcome.ACCEPTED,
                        students_trained=trained,
                        interns_hosted=hosted,
                        graduates_hired=self.rng.randint(0, (trained + hosted) // 3),
                        funding_delivered_cny=agreements[-1].funding_agreed_cny,
                        narrative="完成实践教学与实习任务，部分毕业生留用。",
                        submitted_at=now,
                        confirmed_at=now,
                        decided_at=now,
                    )
                )
        Agreement.objects.bulk_create(agreements)
        Milestone.objects.bulk_create(milestones)
        OutcomeReport.objects.bulk_create(reports)

    def demo_pair(self) -> None:
        """The demo employer's published project and the demo university: sent, awaiting both."""
        employer = User.objects.get(username="employer").employer
        university = User.objects.get(username="university").university
        proposal = (
            Proposal.objects.filter(employer=employer, status=ProposalStatus.PUBLISHED).order_by("pk").first()
        )
        if proposal is None:
            return
        capacity, _ = UniversityCapacity.objects.get_or_create(
            university=university, project_type=proposal.project_type, defaults={"places": 50, "projects": 4}
        )
        share = share_of(proposal)
        if capacity.places < share:
            capacity.places = share
            capacity.save(update_fields=["places"])
        now = timezone.now()
        Introduction.objects.create(
            proposal=proposal,
            university=university,
            broker=self.staff,
            status=Status.SENT,
            places=share,
            message="贵校人工智能学院与该项目方向高度契合，推荐双方对接。",
            sent_at=now,
            expires_at=now + timedelta(days=proposal.call.response_days),
        )
