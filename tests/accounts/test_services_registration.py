"""Service tests on the real database: registering an employer or a university with its
first user (organisation_register), its audit record and its acknowledgement email."""

import pytest
from django.core.exceptions import ValidationError

from accounts import services
from accounts.models import Employer, University, User, VerificationStatus
from accounts.validators import validate_credit_code
from tests.accounts.conftest import row_counts
from tests.accounts.helpers import events_for
from tests.factories import EmployerFactory, UniversityFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Ai-match-2026!"


def register(model=Employer, fields=None, username="contact", password=PASSWORD, language="zh-hans"):
    return services.organisation_register(
        model=model, fields=fields, username=username, password=password, language=language
    )


def test_employer_registration_creates_a_pending_employer_with_its_contact_user(employer_fields):
    user = register(Employer, employer_fields, username="chenjing")

    organisation = Employer.objects.get(credit_code=employer_fields["credit_code"])
    assert organisation.status == VerificationStatus.PENDING
    assert organisation.name == employer_fields["name"]
    user.refresh_from_db()
    assert user.username == "chenjing"
    assert user.role == User.Role.EMPLOYER
    assert user.employer == organisation and user.university is None
    assert user.email == employer_fields["email"]
    assert user.first_name == employer_fields["contact_person"]
    assert user.check_password(PASSWORD)
    assert not user.is_ministry and not user.is_staff


def test_university_registration_creates_a_pending_university_with_its_contact_user(university_fields):
    user = register(University, university_fields, username="zhoumin", language="en")

    organisation = University.objects.get(institution_code="4133099901")
    assert organisation.status == VerificationStatus.PENDING
    user.refresh_from_db()
    assert user.role == User.Role.UNIVERSITY
    assert user.university == organisation and user.employer is None
    assert user.language == "en"
    assert organisation.users.get() == user


def test_registration_writes_an_audit_event_by_the_new_user(employer_fields):
    user = register(Employer, employer_fields)

    [event] = events_for(user.employer)
    assert event.action == "registered"
    assert event.actor == user
    assert event.from_status == "" and event.to_status == VerificationStatus.PENDING


def test_registration_stores_a_lower_case_spaced_credit_code_normalised(employer_fields):
    code = employer_fields["credit_code"]
    employer_fields["credit_code"] = f" {code[:4].lower()} {code[4:10]}\t{code[10:].lower()} "

    user = register(Employer, employer_fields)

    assert Employer.objects.get(pk=user.employer_id).credit_code == code


def test_registration_with_a_taken_credit_code_is_refused_and_writes_nothing(employer_fields):
    EmployerFactory(credit_code=employer_fields["credit_code"])
    before = row_counts()

    with pytest.raises(ValidationError) as info:
        register(Employer, employer_fields)

    assert "credit_code" in info.value.message_dict
    assert row_counts() == before


def test_taken_credit_code_is_recognised_in_lower_case(employer_fields):
    EmployerFactory(credit_code=employer_fields["credit_code"])
    employer_fields["credit_code"] = employer_fields["credit_code"].lower()
    before = row_counts()

    with pytest.raises(ValidationError) as info:
        register(Employer, employer_fields)

    assert "credit_code" in info.value.message_dict
    assert row_counts() == before


def test_registration_with_a_taken_institution_code_is_refused_and_writes_nothing(university_fields):
    UniversityFactory(institution_code=university_fields["institution_code"])
    before = row_counts()

    with pytest.raises(ValidationError) as info:
        register(University, university_fields)

    assert "institution_code" in info.value.message_dict
    assert row_counts() == before


def test_registration_with_a_taken_username_is_refused_and_writes_nothing(employer_fields, employer):
    before = row_counts()

    with pytest.raises(ValidationError) as info:
        register(Employer, employer_fields, username=employer.username)

    assert "username" in info.value.message_dict
    assert row_counts() == before


@pytest.mark.parametrize("password", ["12345678", "password", "Ab1!", "yuntu-contact"])
def test_registration_with_a_weak_password_is_refused_and_writes_nothing(employer_fields, password):
    before = row_counts()

    with pytest.raises(ValidationError) as info:
        register(Employer, employer_fields, username="yuntu-contact", password=password)

    assert "password" in info.value.message_dict
    assert row_counts() == before


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("phone", "1380013800"),
        ("phone", "12800138000"),
        ("province", "99"),
        ("province", ""),
        ("email", "not-an-email"),
        ("kind", "state_owned"),
        ("name", ""),
        ("name", "名" * 201),
        ("credit_code", "91350100M000100Y4"),
        ("credit_code", "91350100O000100Y43"),
    ],
)
def test_registration_with_an_invalid_field_is_refused_by_field_and_writes_nothing(
    employer_fields, field, value
):
    employer_fields[field] = value
    before = row_counts()

    with pytest.raises(ValidationError) as info:
        register(Employer, employer_fields)

    assert field in info.value.message_dict
    assert row_counts() == before


def test_registration_with_a_wrong_check_character_says_so(employer_fields):
    code = employer_fields["credit_code"]
    employer_fields["credit_code"] = code[:17] + ("0" if code[17] != "0" else "1")
    with pytest.raises(ValidationError) as expected:
        validate_credit_code(employer_fields["credit_code"])
    assert expected.value.code == "credit_code_check"
    before = row_counts()

    with pytest.raises(ValidationError) as info:
        register(Employer, employer_fields)

    assert info.value.message_dict["credit_code"] == expected.value.messages
    assert row_counts() == before


def test_registration_reports_every_invalid_field_at_once(university_fields):
    university_fields.update(phone="110", province="00", institution_code="41330999")

    with pytest.raises(ValidationError) as info:
        register(University, university_fields, password="123")

    assert {"phone", "province", "institution_code", "password"} <= info.value.message_dict.keys()


def test_registration_with_an_unknown_language_is_refused(employer_fields):
    before = row_counts()

    with pytest.raises(ValidationError) as info:
        register(Employer, employer_fields, language="fr")

    assert "language" in info.value.message_dict
    assert row_counts() == before


def test_acknowledgement_is_emailed_only_once_the_registration_commits(
    employer_fields, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        register(Employer, employer_fields)
    assert mailoutbox == []

    for callback in callbacks:
        callback()

    [email] = mailoutbox
    assert email.to == [employer_fields["email"]]
    assert employer_fields["name"] in email.body


def test_acknowledgement_is_in_english_for_an_english_speaking_user(
    employer_fields, django_capture_on_commit_callbacks, mailoutbox, zh_catalogue
):
    with django_capture_on_commit_callbacks(execute=True):
        register(Employer, employer_fields, language="en")

    [email] = mailoutbox
    assert email.subject == "Registration received: awaiting verification"


def test_acknowledgement_is_in_chinese_for_a_chinese_speaking_user(
    employer_fields, django_capture_on_commit_callbacks, mailoutbox, zh_catalogue
):
    with django_capture_on_commit_callbacks(execute=True):
        register(Employer, employer_fields, language="zh-hans")

    [email] = mailoutbox
    assert email.subject == zh_catalogue["Registration received: awaiting verification"]


def test_refused_registration_sends_no_email(employer_fields, django_capture_on_commit_callbacks, mailoutbox):
    employer_fields["phone"] = "000"
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(ValidationError):
        register(Employer, employer_fields)

    assert callbacks == [] and mailoutbox == []
