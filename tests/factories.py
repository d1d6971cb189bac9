from datetime import timedelta

import factory
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from factory.django import DjangoModelFactory

from accounts.models import Employer, University, User, VerificationStatus
from accounts.permissions import needs_two_factor
from accounts.validators import credit_code_check_char


def credit_code(n: int) -> str:
    first17 = f"91110108{n:09d}"
    return first17 + credit_code_check_char(first17)


class EmployerFactory(DjangoModelFactory):
    class Meta:
        model = Employer

    name = factory.Sequence(lambda n: f"北京智能科技有限公司{n}")
    credit_code = factory.Sequence(credit_code)
    kind = Employer.Kind.ENTERPRISE
    province = "11"
    city = "北京"
    industry = "软件和信息技术服务业"
    contact_person = "王伟"
    phone = "13800138000"
    email = factory.Sequence(lambda n: f"contact{n}@employer.example.cn")
    status = VerificationStatus.VERIFIED


class UniversityFactory(DjangoModelFactory):
    class Meta:
        model = University

    name = factory.Sequence(lambda n: f"江苏理工大学{n}")
    institution_code = factory.Sequence(lambda n: f"4132{n:06d}")
    tier = University.Tier.UNDERGRADUATE
    province = "32"
    city = "南京"
    contact_person = "李娜"
    phone = "13900139000"
    email = factory.Sequence(lambda n: f"ai{n}@university.example.edu.cn")
    status = VerificationStatus.VERIFIED


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.cn")
    password = factory.PostGenerationMethodCall("set_password", "Correct-Horse-9")

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class EmployerUserFactory(UserFactory):
    role = User.Role.EMPLOYER
    employer = factory.SubFactory(EmployerFactory)


class UniversityUserFactory(UserFactory):
    role = User.Role.UNIVERSITY
    university = factory.SubFactory(UniversityFactory)


class MinistryUserFactory(UserFactory):
    role = User.Role.MINISTRY
    is_staff = True


class CallFactory(DjangoModelFactory):
    """An open call: opened a week ago, closing in thirty days."""

    class Meta:
        model = "projects.Call"

    name = factory.Sequence(lambda n: f"2027 年人工智能领域第 {n} 批")
    slug = factory.Sequence(lambda n: f"ai-2027-{n}")
    year = 2027
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=7))
    closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))


class ProposalFactory(DjangoModelFactory):
    """A complete draft, ready to submit: every field the program requires is filled."""

    class Meta:
        model = "projects.Proposal"
        skip_postgeneration_save = True

    employer = factory.SubFactory(EmployerFactory)
    call = factory.SubFactory(CallFactory)
    project_type = "internship_base"
    title = factory.Sequence(lambda n: f"工业视觉质检就业实习基地 {n}")
    summary = "面向智能制造企业的工业视觉质检实习岗位。"
    description = "学生在真实产线上参与缺陷检测模型的数据标注、训练与部署。"
    student_places = 40
    partners_sought = 2
    host_province = "32"
    host_city = "苏州"
    duration_months = 12
    funding_cny = 200000
    in_kind_support = "GPU 服务器与企业导师"
    contact_person = "王伟"
    contact_phone = "13800138000"
    contact_email = "hr@employer.example.cn"
    internship_places_per_year = 20

    @factory.post_generation
    def areas(obj, create, extracted, **kwargs):
        """areas={"cv": 2, "ml": 1}; by default computer vision only."""
        if not create:
            return
        from accounts.models import FocusArea
        from projects.models import ProposalArea

        weights = extracted if extracted is not None else {"cv": 1}
        total = sum(weights.values()) or 1
        ProposalArea.objects.bulk_create(
            ProposalArea(proposal=obj, area=FocusArea.objects.get(code=code), weight=w / total)
            for code, w in weights.items()
        )


class InterestFactory(DjangoModelFactory):
    """A university's live interest in a published project (capacity is not checked here)."""

    class Meta:
        model = "projects.Interest"

    proposal = factory.SubFactory(
        ProposalFactory, status="published", decided_at=factory.LazyFunction(timezone.now)
    )
    university = factory.SubFactory(UniversityFactory)
    students_offered = 5
    statement = "我校人工智能学院可派出学生参与该项目。"


class IntroductionFactory(DjangoModelFactory):
    """A sent introduction of a published project, answer by in 14 days (capacity is not checked
    here: the services do that)."""

    class Meta:
        model = "matching.Introduction"

    proposal = factory.SubFactory(
        ProposalFactory, status="published", decided_at=factory.LazyFunction(timezone.now)
    )
    university = factory.SubFactory(UniversityFactory)
    status = "sent"
    places = 20
    message = "教育部推荐贵单位与该校对接。"
    sent_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))


class AgreementFactory(DjangoModelFactory):
    class Meta:
        model = "matching.Agreement"

    introduction = factory.SubFactory(IntroductionFactory, status="signed")
    signed_on = factory.LazyFunction(lambda: timezone.localdate())
    places_agreed = 20
    funding_agreed_cny = 100000


class OutcomeReportFactory(DjangoModelFactory):
    class Meta:
        model = "matching.OutcomeReport"

    introduction = factory.SubFactory(IntroductionFactory, status="in_progress")
    status = "submitted"
    students_trained = 18
    interns_hosted = 10
    graduates_hired = 6
    funding_delivered_cny = 100000
    narrative = "完成两期工业视觉质检实训，6 名毕业生入职。"
    submitted_at = factory.LazyFunction(timezone.now)


def plain_pdf() -> bytes:
    """A well-formed one-page PDF with nothing active in it, as an upload would be."""
    import io

    from pypdf import PdfWriter

    writer, out = PdfWriter(), io.BytesIO()
    writer.add_blank_page(width=595, height=842)
    writer.write(out)
    return out.getvalue()


def authenticator_of(user) -> TOTPDevice:
    """The user's confirmed authenticator app, enrolled now if it has none."""
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, confirmed=True, defaults={"name": "authenticator"}
    )
    return device


def code_of(device: TOTPDevice, at: float | None = None) -> str:
    """The code the authenticator app shows now (or at a time, in seconds)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if at is not None:
        totp.time = at
    return f"{totp.token():0{device.digits}d}"


def log_in(client, user) -> None:
    """Sign a test client in as the user, having given the second factor where it is needed,
    as the two-factor page leaves a session (tests/accounts/test_two_factor.py goes through it)."""
    client.force_login(user)
    if needs_two_factor(user):
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = authenticator_of(user).persistent_id
        session.save()
