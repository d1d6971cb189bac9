"""Synthetic, reproducible demo data: organisations, profiles and one known login per role."""

import random
import uuid
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import (
    Employer,
    FocusArea,
    ProjectType,
    University,
    UniversityCapacity,
    UniversityStrength,
    User,
    VerificationStatus,
)
from .provinces import PROVINCES
from .validators import CREDIT_CODE_CHARSET, credit_code_check_char

DEMO_PASSWORD = "Portal-demo-2026"
# The name of the demo ministry login's authenticator, the only one `manage.py demo_otp` reads.
DEMO_DEVICE = "demo"
DEMO_LOGINS = {
    "ministry": "ministry staff (superuser; two-factor code: make otp)",
    "employer": "verified employer",
    "university": "verified university",
    "pending": "employer awaiting verification",
}
CAPITALS = {
    "11": "北京",
    "12": "天津",
    "13": "石家庄",
    "14": "太原",
    "15": "呼和浩特",
    "21": "沈阳",
    "22": "长春",
    "23": "哈尔滨",
    "31": "上海",
    "32": "南京",
    "33": "杭州",
    "34": "合肥",
    "35": "福州",
    "36": "南昌",
    "37": "济南",
    "41": "郑州",
    "42": "武汉",
    "43": "长沙",
    "44": "广州",
    "45": "南宁",
    "46": "海口",
    "50": "重庆",
    "51": "成都",
    "52": "贵阳",
    "53": "昆明",
    "54": "拉萨",
    "61": "西安",
    "62": "兰州",
    "63": "西宁",
    "64": "银川",
    "65": "乌鲁木齐",
}
EMPLOYER_WORDS = [
    "智源",
    "云图",
    "数智",
    "星河",
    "明视",
    "深思",
    "启航",
    "天工",
    "灵犀",
    "睿知",
    "华芯",
    "博远",
    "新程",
    "九章",
    "致远",
    "极目",
]
EMPLOYER_SUFFIX = {
    Employer.Kind.ENTERPRISE: [
        "智能科技有限公司",
        "信息技术股份有限公司",
        "机器人有限公司",
        "数据科技有限公司",
    ],
    Employer.Kind.INDUSTRY_ASSOCIATION: ["人工智能产业协会", "软件行业协会"],
    Employer.Kind.OTHER: ["人工智能研究院", "智能制造创新中心"],
}
INDUSTRIES = [
    "软件和信息技术服务业",
    "智能制造",
    "医疗健康",
    "金融科技",
    "智慧交通",
    "教育科技",
    "电子商务",
    "能源电力",
]
UNIVERSITY_SUFFIX = ["大学", "理工大学", "科技大学", "师范大学", "工业大学", "职业技术学院"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "娜", "敏", "静", "磊", "洋", "勇", "艳", "杰", "涛", "明", "超", "霞"]


@dataclass
class DemoSizes:
    employers: int = 60
    universities: int = 120
    seed: int = 2026


class DemoBuilder:
    def __init__(self, sizes: DemoSizes):
        self.sizes = sizes
        self.rng = random.Random(sizes.seed)
        self.province_codes = list(PROVINCES)
        self.province_weights = [p.universities_weight for p in PROVINCES.values()]

    def uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def province(self) -> str:
        return self.rng.choices(self.province_codes, self.province_weights)[0]

    def status(self) -> str:
        roll = self.rng.random()
        if roll < 0.85:
            return VerificationStatus.VERIFIED
        return VerificationStatus.PENDING if roll < 0.97 else VerificationStatus.REJECTED

    def contact(self) -> dict:
        name = self.rng.choice(SURNAMES) + "".join(self.rng.sample(GIVEN, self.rng.randint(1, 2)))
        return {
            "contact_person": name,
            "phone": f"1{self.rng.randint(3, 9)}{self.rng.randint(0, 10**9 - 1):09d}",
        }

    def credit_code(self, province: str, used: set[str]) -> str:
        while True:
            body = "".join(self.rng.choices(CREDIT_CODE_CHARSET, k=9))
            first17 = f"91{province}0100{body}"
            code = first17 + credit_code_check_char(first17)
            if code not in used:
                used.add(code)
                return code

    def employers(self) -> list[Employer]:
        used: set[str] = set()
        kinds = [Employer.Kind.ENTERPRISE] * 8 + [Employer.Kind.INDUSTRY_ASSOCIATION, Employer.Kind.OTHER]
        result = []
        for i in range(self.sizes.employers):
            province, kind = self.province(), self.rng.choice(kinds)
            city = CAPITALS[province]
            status = (
                VerificationStatus.VERIFIED
                if i == 0
                else (VerificationStatus.PENDING if i == 1 else self.status())
            )
            result.append(
                Employer(
                    public_id=self.uuid(),
                    name=f"{city}{self.rng.choice(EMPLOYER_WORDS)}{self.rng.choice(EMPLOYER_SUFFIX[kind])}",
                    credit_code=self.credit_code(province, used),
                    kind=kind,
                    province=province,
                    city=city,
                    industry=self.rng.choice(INDUSTRIES),
                    email=f"contact{i}@employer.example.cn",
                    status=status,
                    status_reason="营业执照信息与填报不一致" if status == "rejected" else "",
                    **self.contact(),
                )
            )
        return result

    def universities(self) -> list[University]:
        result = []
        for i in range(self.sizes.universities):
            province = self.province()
            city = CAPITALS[province]
            suffix = self.rng.choice(UNIVERSITY_SUFFIX)
            tier = (
                University.Tier.VOCATIONAL
                if "职业" in suffix
                else self.rng.choice(
                    [University.Tier.DOUBLE_FIRST_CLASS] + [University.Tier.UNDERGRADUATE] * 4
                )
            )
            result.append(
                University(
                    public_id=self.uuid(),
                    name=f"{city}{self.rng.choice(EMPLOYER_WORDS)}{suffix}",
                    institution_code=f"41{province}{i:06d}",
                    tier=tier,
                    province=province,
                    city=city,
                    email=f"ai-office{i}@university.example.edu.cn",
                    status=VerificationStatus.VERIFIED if i == 0 else self.status(),
                    **self.contact(),
                )
            )
        return result

    def profiles(self, universities: list[University], areas: list[FocusArea]):
        strengths, capacities = [], []
        for university in universities:
            boost = {"double_first_class": 0.25, "undergraduate": 0.0, "vocational": -0.15}[university.tier]
            for area in self.rng.sample(areas, self.rng.randint(2, 8)):
                weight = min(1.0, max(0.05, self.rng.betavariate(2, 3) + boost))
                strengths.append(
                    UniversityStrength(university=university, area=area, weight=round(weight, 2))
                )
            for project_type in ProjectType.values:
                if self.rng.random() < 0.85:
                    capacities.append(
                        UniversityCapacity(
                            university=university,
                            project_type=project_type,
                            places=self.rng.choice([10, 20, 30, 50, 80, 120, 200]),
                            projects=self.rng.randint(1, 8),
                        )
                    )
        return strengths, capacities

    def users(self, employers: list[Employer], universities: list[University]) -> list[User]:
        password = make_password(DEMO_PASSWORD)
        return [
            User(
                username="ministry",
                email="ministry@moe.example.cn",
                role=User.Role.MINISTRY,
                is_staff=True,
                is_superuser=True,
                first_name="教育部工作人员",
                password=password,
            ),
            User(
                username="employer",
                email=employers[0].email,
                role=User.Role.EMPLOYER,
                employer=employers[0],
                first_name=employers[0].contact_person,
                password=password,
            ),
            User(
                username="university",
                email=universities[0].email,
                role=User.Role.UNIVERSITY,
                university=universities[0],
                first_name=universities[0].contact_person,
                password=password,
            ),
            User(
                username="pending",
                email=employers[1].email,
                role=User.Role.EMPLOYER,
                employer=employers[1],
                first_name=employers[1].contact_person,
                password=password,
            ),
        ]

    @transaction.atomic
    def build(self) -> dict[str, int]:
        employers = Employer.objects.bulk_create(self.employers(), batch_size=1000)
        universities = University.objects.bulk_create(self.universities(), batch_size=1000)
        strengths, capacities = self.profiles(universities, list(FocusArea.objects.order_by("code")))
        UniversityStrength.objects.bulk_create(strengths, batch_size=5000)
        UniversityCapacity.objects.bulk_create(capacities, batch_size=5000)
        User.objects.bulk_create(self.users(employers, universities))
        return {
            "employers": len(employers),
            "universities": len(universities),
            "strengths": len(strengths),
            "capacities": len(capacities),
        }


def demo_authenticator() -> None:
    """Give the demo ministry login an authenticator, unless it has enrolled one: `make otp`
    prints its current code, so the demo journey stays one command away."""
    ministry = User.objects.filter(username="ministry").first()
    if ministry and not TOTPDevice.objects.filter(user=ministry, confirmed=True).exists():
        TOTPDevice.objects.create(user=ministry, name=DEMO_DEVICE, confirmed=True)


def demo_is_loaded() -> bool:
    return User.objects.filter(username__in=DEMO_LOGINS).exists()
