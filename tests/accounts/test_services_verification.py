"""Service tests on the real database: ministry staff verify or reject an organisation
(organisation_verify, organisation_reject), its members are told, the daily digest of those
waiting (verification_digest_send), and staff verifying the same organisation at once."""

import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction

from accounts import services
from accounts.errors import Conflict
from accounts.models import AuditEvent, Employer, University, User, VerificationStatus
from accounts.tasks import send_pending_verification_digest
from tests.accounts.helpers import events_for
from tests.factories import (
    EmployerFactory,
    EmployerUserFactory,
    MinistryUserFactory,
    UniversityFactory,
    UniversityUserFactory,
)

pytestmark = pytest.mark.django_db


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
        services.organisation_reject(
            actor=actor, organisation=pending_employer.employer, reason="营业执照不清晰"
        )

    assert Employer.objects.get(pk=pending_employer.employer_id).status == VerificationStatus.PENDING


def test_verifying_an_already_verified_organisation_is_refused(
    ministry, employer, mailoutbox, django_capture_on_commit_callbacks
):
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
        ("pending", "rejected"),
        ("rejected", "verified"),
    ]


@pytest.mark.parametrize("reason", ["", "   ", "\n\t", None])
def test_rejection_without_a_reason_is_refused(ministry, pending_employer, reason):
    with pytest.raises(ValidationError) as info:
        services.organisation_reject(actor=ministry, organisation=pending_employer.employer, reason=reason)

    assert "reason" in info.value.message_dict
    assert Employer.objects.get(pk=pending_employer.employer_id).status == VerificationStatus.PENDING


def test_rejection_records_the_reason_on_the_organisation_and_in_the_audit(ministry, pending_employer):
    organisation = pending_employer.employer

    services.organisation_reject(
        actor=ministry, organisation=organisation, reason="  统一社会信用代码与营业执照不一致  "
    )

    organisation.refresh_from_db()
    assert organisation.status == VerificationStatus.REJECTED
    assert organisation.status_reason == "统一社会信用代码与营业执照不一致"
    [event] = events_for(organisation)
    assert (event.actor, event.action, event.from_status, event.to_status) == (
        ministry,
        "rejected",
        "pending",
        "rejected",
    )
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


# --- verification_digest_send -----------------------------------------------------------------


def test_digest_emails_active_ministry_staff_how_many_wait(
    ministry, employer, university, mailoutbox, committing
):
    EmployerFactory.create_batch(2, status=VerificationStatus.PENDING)
    UniversityFactory(status=VerificationStatus.PENDING)
    EmployerFactory(status=VerificationStatus.REJECTED)
    admin = User.objects.create_superuser("root", "root@moe.example.cn", "x-Long-password-1")
    MinistryUserFactory(is_active=False, email="retired@moe.example.cn")
    MinistryUserFactory(email="")

    with committing():
        assert services.verification_digest_send() == 3
        assert services.verification_digest_send() == 3  # run twice the same day: emailed once

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
