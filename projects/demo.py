"""Demo call rounds and proposals in every status, on top of accounts.demo's organisations."""

import random
import uuid
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import (
    Employer,
    FocusArea,
    ProjectType,
    University,
    UniversityCapacity,
    VerificationStatus,
)

from . import search
from .models import Call, Interest, Proposal, ProposalArea
from .services.review import TYPE_FIELDS
from .workflow import Status

STATUS_MIX = [
    (Status.PUBLISHED, 70),
    (Status.SUBMITTED, 12),
    (Status.DRAFT, 8),
    (Status.RETURNED, 4),
    (Status.REJECTED, 3),
    (Status.WITHDRAWN, 3),
]
TYPE_NOUN = {
    ProjectType.DIRECTED_TRAINING: "定向人才培养项目",
    ProjectType.INTERNSHIP_BASE: "就业实习基地",
    ProjectType.WORKFORCE_DEVELOPMENT: "师资人力资源提升项目",
}
SCENES = ["智能制造", "智慧医疗", "金融风控", "智慧城市", "新能源", "智慧农业", "物流调度", "教育数字化"]


class ProposalDemo:
    def __init__(self, rng: random.Random, count: int):
        self.rng, self.count = rng, count

    def calls(self) -> tuple[Call, Call]:
        now, beijing = timezone.now(), timezone.get_default_timezone()  # settings.TIME_ZONE
        deadline = datetime(now.year + (now.month > 4), 4, 30, 23, 59, 59, tzinfo=beijing)
        current = Call.objects.create(
            name=f"{deadline.year} 年供需对接就业育人项目（人工智能领域）",
            slug=f"ai-{deadline.year}",
            year=deadline.year,
            opens_at=now - timedelta(days=30),
            closes_at=deadline,
            description="面向人工智能算法、机器学习、自然语言处理、计算机视觉、智能机器人、人工智能工具应用等方向征集项目指南。",
            max_proposals_per_employer=20,
            max_interests_per_university=60,
        )
        earlier = Call.objects.create(
            name=f"{deadline.year - 1} 年供需对接就业育人项目（人工智能领域）",
            slug=f"ai-{deadline.year - 1}",
            year=deadline.year - 1,
            opens_at=datetime(deadline.year - 1, 3, 1, 9, 0, tzinfo=beijing),
            closes_at=datetime(deadline.year - 1, 4, 30, 23, 59, 59, tzinfo=beijing),
        )
        return current, earlier

    def proposal(self, employer: Employer, call: Call, status: str, areas: list[FocusArea]):
        project_type = self.rng.choice(ProjectType.values)
        chosen = self.rng.sample(areas, self.rng.randint(1, 3))
        places = self.rng.choice([10, 20, 30, 40, 60, 80, 120, 200])
        submitted = call.opens_at + timedelta(hours=self.rng.randint(1, 24 * 25))
        decided = status in (Status.PUBLISHED, Status.REJECTED)
        proposal = Proposal(
            public_id=uuid.UUID(int=self.rng.getrandbits(128), version=4),
            employer=employer,
            call=call,
            project_type=project_type,
            status=status,
            title=f"{self.rng.choice(SCENES)}{chosen[0].name_zh}{TYPE_NOUN[project_type]}",
            summary=f"{employer.name}联合高校开展{chosen[0].name_zh}方向的{TYPE_NOUN[project_type]}。",
            description="企业提供真实业务场景、数据与导师，与高校共同制定培养方案，学生参与项目研发与实践。",
            student_places=places,
            partners_sought=self.rng.randint(1, min(5, places)),
            host_province=employer.province,
            host_city=employer.city,
            duration_months=self.rng.choice([6, 12, 18, 24]),
            funding_cny=self.rng.choice([0, 100_000, 200_000, 500_000, 1_000_000]),
            in_kind_support="GPU 算力平台、行业数据集与企业导师",
            contact_person=employer.contact_person,
            contact_phone=employer.phone,
            contact_email=employer.email,
            submitted_at=None if status == Status.DRAFT else submitted,
            decided_at=submitted + timedelta(days=3) if decided else None,
            returned_at=submitted + timedelta(days=2) if status == Status.RETURNED else None,
        )
        proposal.search_document = search.document(
            proposal.title, proposal.summary, proposal.description, employer.name
        )
        for field in TYPE_FIELDS[project_type]:
            setattr(proposal, field, self.rng.choice([16, 32, 48, 64, 120]))
        weights = [self.rng.randint(1, 5) for _ in chosen]
        links = [(area, w / sum(weights)) for area, w in zip(chosen, weights, strict=True)]
        return proposal, links

    @transaction.atomic
    def build(self) -> dict[str, int]:
        current, earlier = self.calls()
        employers = list(Employer.objects.filter(status=VerificationStatus.VERIFIED).order_by("pk"))
        areas = list(FocusArea.objects.order_by("code"))
        statuses, weights = zip(*STATUS_MIX, strict=True)
        rows, links = [], []
        for i in range(self.count):
            # The demo employer (the first) gets one proposal in every status.
            employer = employers[0] if i < len(STATUS_MIX) else self.rng.choice(employers)
            status = statuses[i] if i < len(STATUS_MIX) else self.rng.choices(statuses, weights)[0]
            call = earlier if i >= len(STATUS_MIX) and self.rng.random() < 0.15 else current
            if call is earlier and status in (Status.DRAFT, Status.RETURNED, Status.SUBMITTED):
                status = Status.PUBLISHED
            proposal, proposal_links = self.proposal(employer, call, status, areas)
            rows.append(proposal)
            links.append(proposal_links)
        Proposal.objects.bulk_create(rows, batch_size=2000)
        ProposalArea.objects.bulk_create(
            (
                ProposalArea(proposal=p, area=a, weight=w)
                for p, ls in zip(rows, links, strict=True)
                for a, w in ls
            ),
            batch_size=5000,
        )
        interests = self.interests([p for p in rows if p.status == Status.PUBLISHED and p.call == current])
        return {"calls": 2, "proposals": len(rows), "interests": interests}

    def interests(self, published: list[Proposal], per_university: int = 3) -> int:
        """Universities' interests in published projects of the open call, within their places
        per type; the demo employer's published project gets the demo university's, welcomed,
        and employers have welcomed about a third of the others."""
        places = {
            (c.university_id, c.project_type): c.places
            for c in UniversityCapacity.objects.filter(places__gt=0)
        }
        universities = list(University.objects.filter(status=VerificationStatus.VERIFIED).order_by("pk")[:60])
        rows, now = [], timezone.now()
        for index, university in enumerate(universities):
            choices = (
                [p for p in published if p.employer_id == published[0].employer_id][:1]
                if index == 0 and published
                else []
            )
            choices += self.rng.sample(published, min(per_university, len(published)))
            for proposal in dict.fromkeys(choices):
                left = places.get((university.pk, proposal.project_type), 0)
                students = min(left, self.rng.randint(2, 8))
                if students < 1:
                    continue
                places[university.pk, proposal.project_type] = left - students
                # The demo pair's interest is welcomed, and about a third of the others: the
                # run then has mutual-interest pairs to propose first.
                welcomed = (index == 0 and not rows) or (index > 0 and self.rng.random() < 0.35)
                rows.append(
                    Interest(
                        public_id=uuid.UUID(int=self.rng.getrandbits(128), version=4),
                        proposal=proposal,
                        university=university,
                        students_offered=students,
                        statement="我校人工智能学院相关专业学生基础扎实，希望参与本项目。",
                        contact_person=university.contact_person,
                        contact_phone=university.phone,
                        contact_email=university.email,
                        response=Interest.Response.WELCOME if welcomed else "",
                        responded_at=now if welcomed else None,
                    )
                )
        Interest.objects.bulk_create(rows)
        return len(rows)
