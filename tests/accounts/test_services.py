"""Service tests on the real database: registration, verification, edits, profiles, digests."""

import math
import threading

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction

from accounts import selectors, services
from accounts.errors import Conflict
from accounts.models import AuditEvent, Employer, University, User, VerificationStatus
from accounts.tasks import send_pending_verification_digest
from accounts.validators import validate_credit_code
from tests.accounts.conftest import code_with_check, row_counts
from tests.factories import (
    EmployerFactory,
    EmployerUserFactory,
    MinistryUserFactory,
    UniversityFactory,
    UniversityUserFactory,
)

pytestmark = pytest.mark.django_db

PASSWORD = "Ai-match-2026!"


def register(model=Employer, fields=None, username="contact", password=PASSWORD, language="zh-hans"):
    return services.organisation_register(model=model, fields=fields, username=username,
                                          password=password, language=language)


def events_for(organisation) -> list[AuditEvent]:
    return list(selectors.organisation_history(organisation))


# --- organisation_register ------------------------------------------------------------------

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


def test_refused_registration_sends_no_email(
    employer_fields, django_capture_on_commit_callbacks, mailoutbox
):
    employer_fields["phone"] = "000"
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(ValidationError):
        register(Employer, employer_fields)

    assert callbacks == [] and mailoutbox == []


# --- organisation_verify / organisation_reject -----------------------------------------------

def test_ministry_verifies_a_pending_employer(ministry, pending_employer):
    organisation = pending_employer.employer

    services.organisation_verify(actor=ministry, organisation=organisation)

    organisation.refresh_from_db()
    assert organisation.status == VerificationStatus.VERIFIED
    assert organisation.status_changed_at is not None
    [event] = events_for(organisation)
    assert (event.actor, event.action) == (ministry, "verified")
    assert (event.from_status, event.to_status) == ("pending", "verified")


def test_ministry_verifies_a_pending_university(ministry):
    organisation = UniversityFactory(status=VerificationStatus.PENDING)

    services.organisation_verify(actor=ministry, organisation=organisation)

    assert University.objects.get(pk=organisation.pk).status == VerificationStatus.VERIFIED


def test_superuser_without_the_ministry_role_may_verify(pending_employer):
    admin = User.objects.create_superuser("root", "root@moe.example.cn", "x-Long-password-1")

    services.organisation_verify(actor=admin, organisation=pending_employer.employer)

    assert Employer.objects.get(pk=pending_employer.employer_id).is_verified


@pytest.mark.parametrize("persona", ["pending_employer", "employer", "university", "anonymous"])
def test_only_ministry_staff_may_verify(request, persona, pending_employer):
    actor = request.getfixturevalue(persona)
    organisation = pending_employer.employer

    with pytest.raises(PermissionDenied):
        services.organisation_verify(actor=actor, organisation=organisation)

    organisation.refresh_from_db()
    assert organisation.status == VerificationStatus.PENDING
    assert events_for(organisation) == []


def test_deactivated_ministry_staff_may_not_verify(pending_employer):
    former = MinistryUserFactory(is_active=False)

    with pytest.raises(PermissionDenied):
        services.organisation_verify(actor=former, organisation=pending_employer.employer)

    assert Employer.objects.get(pk=pending_employer.employer_id).status == VerificationStatus.PENDING


@pytest.mark.parametrize("persona", ["employer", "other_employer", "anonymous"])
def test_only_ministry_staff_may_reject(request, persona, pending_employer):
    actor = request.getfixturevalue(persona)

    with pytest.raises(PermissionDenied):
        services.organisation_reject(actor=actor, organisation=pending_employer.employer,
                                     reason="营业执照不清晰")

    assert Employer.objects.get(pk=pending_employer.employer_id).status == VerificationStatus.PENDING


def test_verifying_an_already_verified_organisation_is_refused(ministry, employer, mailoutbox,
                                                               django_capture_on_commit_callbacks):
    organisation = employer.employer
    changed_at = organisation.status_changed_at

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Conflict):
        services.organisation_verify(actor=ministry, organisation=organisation)

    organisation.refresh_from_db()
    assert organisation.status == VerificationStatus.VERIFIED
    assert organisation.status_changed_at == changed_at
    assert events_for(organisation) == [] and mailoutbox == []


def test_second_verification_from_a_stale_copy_is_refused(ministry, pending_employer):
    # Two staff opened the same pending organisation; the compare-and-set lets only one win.
    first = Employer.objects.get(pk=pending_employer.employer_id)
    second = Employer.objects.get(pk=pending_employer.employer_id)
    services.organisation_verify(actor=ministry, organisation=first)

    with pytest.raises(Conflict):
        services.organisation_verify(actor=ministry, organisation=second)

    assert [e.action for e in events_for(first)] == ["verified"]


def test_a_stale_reject_cannot_overwrite_a_concurrent_rejection(ministry, pending_employer):
    first = Employer.objects.get(pk=pending_employer.employer_id)
    second = Employer.objects.get(pk=pending_employer.employer_id)
    services.organisation_reject(actor=ministry, organisation=first, reason="第一位审核人的理由")

    with pytest.raises(Conflict):
        services.organisation_reject(actor=ministry, organisation=second, reason="第二位的理由")

    assert Employer.objects.get(pk=first.pk).status_reason == "第一位审核人的理由"


def test_a_rejected_organisation_may_later_be_verified(ministry, pending_employer):
    organisation = pending_employer.employer
    services.organisation_reject(actor=ministry, organisation=organisation, reason="联系电话无法接通")

    services.organisation_verify(actor=ministry, organisation=organisation)

    organisation.refresh_from_db()
    assert organisation.status == VerificationStatus.VERIFIED
    assert [(e.from_status, e.to_status) for e in reversed(events_for(organisation))] == [
        ("pending", "rejected"), ("rejected", "verified"),
    ]


@pytest.mark.parametrize("reason", ["", "   ", "\n\t", None])
def test_rejection_without_a_reason_is_refused(ministry, pending_employer, reason):
    with pytest.raises(ValidationError) as info:
        services.organisation_reject(actor=ministry, organisation=pending_employer.employer,
                                     reason=reason)

    assert "reason" in info.value.message_dict
    assert Employer.objects.get(pk=pending_employer.employer_id).status == VerificationStatus.PENDING


def test_rejection_records_the_reason_on_the_organisation_and_in_the_audit(ministry, pending_employer):
    organisation = pending_employer.employer

    services.organisation_reject(actor=ministry, organisation=organisation,
                                 reason="  统一社会信用代码与营业执照不一致  ")

    organisation.refresh_from_db()
    assert organisation.status == VerificationStatus.REJECTED
    assert organisation.status_reason == "统一社会信用代码与营业执照不一致"
    [event] = events_for(organisation)
    assert (event.actor, event.action, event.from_status, event.to_status) == (
        ministry, "rejected", "pending", "rejected")
    assert event.comment == "统一社会信用代码与营业执照不一致"


def test_ministry_may_revoke_a_verified_organisation_with_a_reason(ministry, university):
    organisation = university.university

    services.organisation_reject(actor=ministry, organisation=organisation, reason="院校代码有误")

    organisation.refresh_from_db()
    assert organisation.status == VerificationStatus.REJECTED
    assert events_for(organisation)[0].from_status == "verified"


def test_rejecting_an_already_rejected_organisation_is_refused(ministry):
    organisation = EmployerFactory(status=VerificationStatus.REJECTED, status_reason="旧理由")

    with pytest.raises(Conflict):
        services.organisation_reject(actor=ministry, organisation=organisation, reason="新理由")

    assert Employer.objects.get(pk=organisation.pk).status_reason == "旧理由"


def test_rejection_emails_every_active_member_the_reason_on_commit(
    ministry, pending_employer, mailoutbox, django_capture_on_commit_callbacks
):
    organisation = pending_employer.employer
    colleague = EmployerUserFactory(employer=organisation, email="colleague@employer.example.cn")
    EmployerUserFactory(employer=organisation, email="left@employer.example.cn", is_active=False)
    EmployerUserFactory(email="bystander@employer.example.cn")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.organisation_reject(actor=ministry, organisation=organisation, reason="请上传营业执照")
    assert mailoutbox == []
    for callback in callbacks:
        callback()

    assert sorted(m.to[0] for m in mailoutbox) == sorted([pending_employer.email, colleague.email])
    assert all("请上传营业执照" in m.body and organisation.name in m.subject for m in mailoutbox)


def test_verification_emails_members_in_their_language(
    ministry, mailoutbox, django_capture_on_commit_callbacks, zh_catalogue
):
    organisation = UniversityFactory(status=VerificationStatus.PENDING, name="西湖智能大学")
    UniversityUserFactory(university=organisation, language="en", email="en@u.example.edu.cn")
    UniversityUserFactory(university=organisation, language="zh-hans", email="zh@u.example.edu.cn")

    with django_capture_on_commit_callbacks(execute=True):
        services.organisation_verify(actor=ministry, organisation=organisation)

    zh_subject = zh_catalogue["%(organisation)s is verified"] % {"organisation": "西湖智能大学"}
    subjects = {m.to[0]: m.subject for m in mailoutbox}
    assert subjects == {"en@u.example.edu.cn": "西湖智能大学 is verified", "zh@u.example.edu.cn": zh_subject}


def test_verification_rolled_back_sends_nothing(
    ministry, pending_employer, mailoutbox, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.organisation_verify(actor=ministry, organisation=pending_employer.employer)
        raise RuntimeError("the caller's transaction failed")

    assert callbacks == [] and mailoutbox == []
    organisation = Employer.objects.get(pk=pending_employer.employer_id)
    assert organisation.status == VerificationStatus.PENDING
    assert events_for(organisation) == []


# --- organisation_update ----------------------------------------------------------------------

def test_member_fixes_the_contact_details_of_a_pending_organisation(pending_employer):
    organisation = pending_employer.employer

    services.organisation_update(actor=pending_employer, organisation=organisation,
                                 fields={"contact_person": "赵磊", "phone": "13600001111"})

    organisation.refresh_from_db()
    assert (organisation.contact_person, organisation.phone) == ("赵磊", "13600001111")
    assert organisation.status == VerificationStatus.PENDING
    [event] = events_for(organisation)
    assert (event.actor, event.action) == (pending_employer, "updated")


def test_member_of_a_pending_organisation_may_correct_name_and_code(pending_employer):
    organisation = pending_employer.employer
    new_code = code_with_check("91110108MA0000001")

    services.organisation_update(actor=pending_employer, organisation=organisation,
                                 fields={"name": "北京更正后的名称有限公司", "credit_code": new_code.lower()})

    organisation.refresh_from_db()
    assert (organisation.name, organisation.credit_code) == ("北京更正后的名称有限公司", new_code)


def test_rejected_organisation_goes_back_to_pending_when_a_member_fixes_it(ministry):
    member = EmployerUserFactory(employer__status=VerificationStatus.REJECTED,
                                 employer__status_reason="电话有误")
    organisation = member.employer

    services.organisation_update(actor=member, organisation=organisation,
                                 fields={"phone": "13512345678"})

    organisation.refresh_from_db()
    assert organisation.status == VerificationStatus.PENDING
    assert organisation.status_changed_at is not None
    [event] = events_for(organisation)
    assert (event.from_status, event.to_status) == ("rejected", "pending")


def test_ministry_editing_a_rejected_organisation_leaves_it_rejected(ministry):
    organisation = UniversityFactory(status=VerificationStatus.REJECTED)

    services.organisation_update(actor=ministry, organisation=organisation, fields={"city": "苏州"})

    organisation.refresh_from_db()
    assert (organisation.city, organisation.status) == ("苏州", VerificationStatus.REJECTED)


@pytest.mark.parametrize(
    ("persona", "field", "value"),
    [
        ("employer", "name", "改名后的公司"),
        ("employer", "credit_code", code_with_check("91110108MA0000002")),
        ("university", "name", "改名后的大学"),
        ("university", "institution_code", "4132888888"),
    ],
)
def test_member_may_not_change_identity_after_verification(request, persona, field, value):
    member = request.getfixturevalue(persona)
    organisation = member.organisation
    before = {f.attname: getattr(organisation, f.attname) for f in type(organisation)._meta.fields}

    with pytest.raises(ValidationError) as info:
        services.organisation_update(actor=member, organisation=organisation,
                                     fields={field: value, "city": "无锡"})

    assert list(info.value.message_dict) == [field]
    organisation.refresh_from_db()
    assert {f.attname: getattr(organisation, f.attname) for f in type(organisation)._meta.fields} == before
    assert events_for(organisation) == []


def test_member_of_a_verified_organisation_may_resubmit_unchanged_identity(employer):
    organisation = employer.employer
    spaced_code = " ".join(organisation.credit_code.lower())

    services.organisation_update(
        actor=employer, organisation=organisation,
        fields={"name": organisation.name, "credit_code": spaced_code, "industry": "医疗健康"},
    )

    organisation.refresh_from_db()
    assert organisation.industry == "医疗健康"
    assert organisation.status == VerificationStatus.VERIFIED


def test_ministry_may_change_identity_of_a_verified_organisation(ministry, university):
    organisation = university.university

    services.organisation_update(actor=ministry, organisation=organisation,
                                 fields={"name": "江苏人工智能大学", "institution_code": "4132777777"})

    organisation.refresh_from_db()
    assert (organisation.name, organisation.institution_code) == ("江苏人工智能大学", "4132777777")
    assert organisation.is_verified


@pytest.mark.parametrize("persona", ["other_employer", "university", "anonymous"])
def test_outsiders_may_not_change_an_organisation(request, persona, employer):
    organisation = employer.employer

    with pytest.raises(PermissionDenied):
        services.organisation_update(actor=request.getfixturevalue(persona),
                                     organisation=organisation, fields={"city": "天津"})

    organisation.refresh_from_db()
    assert organisation.city == "北京"


@pytest.mark.parametrize(
    ("field", "value"),
    [("phone", "12345"), ("province", "00"), ("email", "nobody"), ("kind", "state_owned"),
     ("city", ""), ("credit_code", "91110108MA000000X0")],
)
def test_invalid_update_is_refused_and_nothing_saved(pending_employer, field, value):
    organisation = pending_employer.employer
    before = {f.attname: getattr(organisation, f.attname) for f in Employer._meta.fields}

    with pytest.raises(ValidationError) as info:
        services.organisation_update(actor=pending_employer, organisation=organisation,
                                     fields={field: value, "contact_person": "新联系人"})

    assert field in info.value.message_dict
    organisation.refresh_from_db()
    assert {f.attname: getattr(organisation, f.attname) for f in Employer._meta.fields} == before
    assert events_for(organisation) == []


def test_update_to_another_organisations_credit_code_is_refused(pending_employer, employer):
    with pytest.raises(ValidationError) as info:
        services.organisation_update(actor=pending_employer, organisation=pending_employer.employer,
                                     fields={"credit_code": employer.employer.credit_code})

    assert "credit_code" in info.value.message_dict


def test_update_saves_only_the_given_fields_not_unsaved_edits_on_the_instance(pending_employer):
    organisation = pending_employer.employer
    organisation.name = "未保存的改动"

    services.organisation_update(actor=pending_employer, organisation=organisation,
                                 fields={"city": "上海"})

    stored = Employer.objects.get(pk=organisation.pk)
    assert stored.city == "上海"
    assert stored.name != "未保存的改动"


# --- university_profile_update --------------------------------------------------------------

STRENGTHS = {"ml": 0.9, "cv": 0.6, "cv.medical_imaging": 0.75}
CAPACITY = {
    "directed_training": {"places": 40, "projects": 3},
    "internship_base": {"places": 120, "projects": 2},
}


def profile_of(university):
    fresh = selectors.with_profile(University.objects.filter(pk=university.pk)).get()
    return selectors.university_profile(fresh)


def test_university_sets_its_strengths_and_capacity(university):
    organisation = university.university

    services.university_profile_update(actor=university, university=organisation,
                                       strengths=STRENGTHS, capacity=CAPACITY)

    assert profile_of(organisation) == (STRENGTHS, CAPACITY)
    assert events_for(organisation)[0].action == "profile_updated"


def test_a_new_profile_replaces_the_old_one_whole(university):
    organisation = university.university
    services.university_profile_update(actor=university, university=organisation,
                                       strengths=STRENGTHS, capacity=CAPACITY)

    services.university_profile_update(
        actor=university, university=organisation,
        strengths={"nlp": 0.5}, capacity={"workforce_development": {"places": 10, "projects": 1}},
    )

    assert profile_of(organisation) == (
        {"nlp": 0.5}, {"workforce_development": {"places": 10, "projects": 1}}
    )


def test_omitted_part_of_the_profile_is_left_as_it_was(university):
    organisation = university.university
    services.university_profile_update(actor=university, university=organisation,
                                       strengths=STRENGTHS, capacity=CAPACITY)

    services.university_profile_update(actor=university, university=organisation,
                                       strengths={"robotics": 1})
    assert profile_of(organisation) == ({"robotics": 1.0}, CAPACITY)

    services.university_profile_update(actor=university, university=organisation, capacity={})
    assert profile_of(organisation) == ({"robotics": 1.0}, {})


def test_zero_strength_is_not_stored(university):
    organisation = university.university

    services.university_profile_update(actor=university, university=organisation,
                                       strengths={"ml": 0, "nlp": 0.0, "cv": 0.3})

    assert profile_of(organisation)[0] == {"cv": 0.3}


def test_bounds_zero_and_one_are_accepted(university):
    organisation = university.university

    services.university_profile_update(actor=university, university=organisation,
                                       strengths={"ml": 1, "cv": 1.0, "nlp": 0})

    assert profile_of(organisation)[0] == {"ml": 1.0, "cv": 1.0}


@pytest.mark.parametrize(
    "strengths",
    [
        {"quantum": 0.5},
        {"ml.unknown_sub": 0.5},
        {"ML": 0.5},
        {"ml": 1.01},
        {"ml": -0.1},
        {"ml": 2},
        {"ml": math.nan},
        {"ml": math.inf},
        {"ml": True},
        {"ml": False},
        {"ml": "0.5"},
        {"ml": None},
        {"ml": [0.5]},
        {"cv": 0.4, "ml": 7},
    ],
)
def test_invalid_strengths_are_refused_and_nothing_changes(university, strengths):
    organisation = university.university
    services.university_profile_update(actor=university, university=organisation,
                                       strengths=STRENGTHS, capacity=CAPACITY)

    with pytest.raises(ValidationError) as info:
        services.university_profile_update(actor=university, university=organisation,
                                           strengths=strengths, capacity={})

    assert list(info.value.message_dict) == ["strengths"]
    assert profile_of(organisation) == (STRENGTHS, CAPACITY)


@pytest.mark.parametrize(
    "capacity",
    [
        {"phd_programme": {"places": 5, "projects": 1}},
        {"directed_training": {"places": -1, "projects": 1}},
        {"directed_training": {"places": 5, "projects": -2}},
        {"directed_training": {"places": 2.5, "projects": 1}},
        {"directed_training": {"places": "5", "projects": 1}},
        {"directed_training": {"places": True, "projects": 1}},
        {"directed_training": {"places": 5}},
        {"directed_training": {"places": 5, "projects": 1, "teachers": 3}},
        {"directed_training": 5},
        {"directed_training": [5, 1]},
        {"directed_training": None},
        {"internship_base": {"places": 5, "projects": 1},
         "directed_training": {"places": None, "projects": 1}},
    ],
)
def test_invalid_capacity_is_refused_and_nothing_changes(university, capacity):
    organisation = university.university
    services.university_profile_update(actor=university, university=organisation,
                                       strengths=STRENGTHS, capacity=CAPACITY)

    with pytest.raises(ValidationError) as info:
        services.university_profile_update(actor=university, university=organisation,
                                           strengths={"nlp": 0.2}, capacity=capacity)

    assert list(info.value.message_dict) == ["capacity"]
    assert profile_of(organisation) == (STRENGTHS, CAPACITY)


@pytest.mark.parametrize("number", [2**31, 10**20])
def test_capacity_beyond_what_the_database_holds_is_refused(university, number):
    # 2**31 overflows PostgreSQL's integer column, 10**20 SQLite's: either would be a 500.
    organisation = university.university

    with pytest.raises(ValidationError) as info:
        services.university_profile_update(
            actor=university, university=organisation,
            capacity={"directed_training": {"places": 5, "projects": number}},
        )

    assert "capacity" in info.value.message_dict
    assert profile_of(organisation) == ({}, {})


def test_zero_capacity_is_accepted(university):
    organisation = university.university
    capacity = {"workforce_development": {"places": 0, "projects": 0}}

    services.university_profile_update(actor=university, university=organisation, capacity=capacity)

    assert profile_of(organisation)[1] == capacity


def test_ministry_may_update_a_university_profile(ministry, university):
    services.university_profile_update(actor=ministry, university=university.university,
                                       strengths={"tools.coding": 0.4})

    assert profile_of(university.university)[0] == {"tools.coding": 0.4}


@pytest.mark.parametrize("persona", ["other_university", "employer", "anonymous"])
def test_outsiders_may_not_update_a_university_profile(request, persona, university):
    with pytest.raises(PermissionDenied):
        services.university_profile_update(actor=request.getfixturevalue(persona),
                                           university=university.university, strengths={"ml": 1})

    assert profile_of(university.university) == ({}, {})


# --- user_set_language ----------------------------------------------------------------------

def test_user_language_is_remembered(employer):
    services.user_set_language(user=employer, language="en")

    assert User.objects.get(pk=employer.pk).language == "en"


@pytest.mark.parametrize("language", ["fr", "", "zh", "EN"])
def test_unknown_language_is_ignored(employer, language):
    services.user_set_language(user=employer, language=language)

    assert User.objects.get(pk=employer.pk).language == "zh-hans"


# --- verification_digest_send -----------------------------------------------------------------

def test_digest_emails_active_ministry_staff_how_many_wait(ministry, employer, university, mailoutbox,
                                                          committing):
    EmployerFactory.create_batch(2, status=VerificationStatus.PENDING)
    UniversityFactory(status=VerificationStatus.PENDING)
    EmployerFactory(status=VerificationStatus.REJECTED)
    admin = User.objects.create_superuser("root", "root@moe.example.cn", "x-Long-password-1")
    MinistryUserFactory(is_active=False, email="retired@moe.example.cn")
    MinistryUserFactory(email="")

    with committing():
        assert services.verification_digest_send() == 3
        assert services.verification_digest_send() == 3   # run twice the same day: emailed once

    assert sorted(m.to[0] for m in mailoutbox) == sorted([ministry.email, admin.email])
    assert all("3" in m.subject for m in mailoutbox)


def test_digest_sends_nothing_when_nobody_waits(ministry, employer, university, mailoutbox):
    EmployerFactory(status=VerificationStatus.REJECTED)

    assert services.verification_digest_send() == 0
    assert mailoutbox == []


def test_periodic_digest_task_sends_the_digest(ministry, pending_employer, mailoutbox, committing):
    with committing():
        assert send_pending_verification_digest.delay().get() == 1

    [email] = mailoutbox
    assert email.to == [ministry.email]


def test_anonymous_actor_is_recorded_as_no_one():
    organisation = EmployerFactory()

    event = services.audit_record(actor=AnonymousUser(), target=organisation, action="viewed")

    assert event.actor is None and event.target == organisation


# --- concurrency on the real database -------------------------------------------------------

@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_staff_verifying_the_same_organisation_at_once_verify_it_exactly_once(mailoutbox):
    organisation = EmployerFactory(status=VerificationStatus.PENDING)
    EmployerUserFactory(employer=organisation, email="member@employer.example.cn")
    staff = MinistryUserFactory.create_batch(4)
    barrier = threading.Barrier(len(staff))
    outcomes: list[str] = []

    def verify(actor):
        try:
            own_copy = Employer.objects.get(pk=organisation.pk)  # each opened the pending page
            barrier.wait(timeout=10)
            services.organisation_verify(actor=actor, organisation=own_copy)
            outcomes.append("verified")
        except Conflict:
            outcomes.append("refused")
        except Exception as exc:  # reported below: a deadlock or database error fails the test
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=verify, args=(actor,)) for actor in staff]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["refused", "refused", "refused", "verified"]
    assert Employer.objects.get(pk=organisation.pk).is_verified
    assert AuditEvent.objects.filter(action="verified", object_id=organisation.pk).count() == 1
    assert [m.to for m in mailoutbox] == [["member@employer.example.cn"]]
