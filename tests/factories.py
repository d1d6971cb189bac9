import factory
from factory.django import DjangoModelFactory

from accounts.models import Employer, University, User, VerificationStatus
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
