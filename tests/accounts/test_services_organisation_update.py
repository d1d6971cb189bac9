"""Service tests on the real database: an organisation's details changed (organisation_update):
who may, identity locked once verified, a rejected organisation back to pending."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts import services
from accounts.models import Employer, VerificationStatus
from tests.accounts.conftest import code_with_check
from tests.accounts.helpers import events_for
from tests.factories import EmployerUserFactory, UniversityFactory

pytestmark = pytest.mark.django_db


def test_member_fixes_the_contact_details_of_a_pending_organisation(pending_employer):
    organisation = pending_employer.employer

    services.organisation_update(
        actor=pending_employer,
        organisation=organisation,
        fields={"contact_person": "赵磊", "phone": "13600001111"},
    )

    organisation.refresh_from_db()
    assert (organisation.contact_person, organisation.phone) == ("赵磊", "13600001111")
    assert organisation.status == VerificationStatus.PENDING
    [event] = events_for(organisation)
    assert (event.actor, event.action) == (pending_employer, "updated")


def test_member_of_a_pending_organisation_may_correct_name_and_code(pending_employer):
    organisation = pending_employer.employer
    new_code = code_with_check("91110108MA0000001")

    services.organisation_update(
        actor=pending_employer,
        organisation=organisation,
        fields={"name": "北京更正后的名称有限公司", "credit_code": new_code.lower()},
    )

    organisation.refresh_from_db()
    assert (organisation.name, organisation.credit_code) == ("北京更正后的名称有限公司", new_code)


def test_rejected_organisation_goes_back_to_pending_when_a_member_fixes_it(ministry):
    member = EmployerUserFactory(
        employer__status=VerificationStatus.REJECTED, employer__status_reason="电话有误"
    )
    organisation = member.employer

    services.organisation_update(actor=member, organisation=organisation, fields={"phone": "13512345678"})

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
        services.organisation_update(
            actor=member, organisation=organisation, fields={field: value, "city": "无锡"}
        )

    assert list(info.value.message_dict) == [field]
    organisation.refresh_from_db()
    assert {f.attname: getattr(organisation, f.attname) for f in type(organisation)._meta.fields} == before
    assert events_for(organisation) == []


def test_member_of_a_verified_organisation_may_resubmit_unchanged_identity(employer):
    organisation = employer.employer
    spaced_code = " ".join(organisation.credit_code.lower())

    services.organisation_update(
        actor=employer,
        organisation=organisation,
        fields={"name": organisation.name, "credit_code": spaced_code, "industry": "医疗健康"},
    )

    organisation.refresh_from_db()
    assert organisation.industry == "医疗健康"
    assert organisation.status == VerificationStatus.VERIFIED


def test_ministry_may_change_identity_of_a_verified_organisation(ministry, university):
    organisation = university.university

    services.organisation_update(
        actor=ministry,
        organisation=organisation,
        fields={"name": "江苏人工智能大学", "institution_code": "4132777777"},
    )

    organisation.refresh_from_db()
    assert (organisation.name, organisation.institution_code) == ("江苏人工智能大学", "4132777777")
    assert organisation.is_verified


@pytest.mark.parametrize("persona", ["other_employer", "university", "anonymous"])
def test_outsiders_may_not_change_an_organisation(request, persona, employer):
    organisation = employer.employer

    with pytest.raises(PermissionDenied):
        services.organisation_update(
            actor=request.getfixturevalue(persona), organisation=organisation, fields={"city": "天津"}
        )

    organisation.refresh_from_db()
    assert organisation.city == "北京"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("phone", "12345"),
        ("province", "00"),
        ("email", "nobody"),
        ("kind", "state_owned"),
        ("city", ""),
        ("credit_code", "91110108MA000000X0"),
    ],
)
def test_invalid_update_is_refused_and_nothing_saved(pending_employer, field, value):
    organisation = pending_employer.employer
    before = {f.attname: getattr(organisation, f.attname) for f in Employer._meta.fields}

    with pytest.raises(ValidationError) as info:
        services.organisation_update(
            actor=pending_employer,
            organisation=organisation,
            fields={field: value, "contact_person": "新联系人"},
        )

    assert field in info.value.message_dict
    organisation.refresh_from_db()
    assert {f.attname: getattr(organisation, f.attname) for f in Employer._meta.fields} == before
    assert events_for(organisation) == []


def test_update_to_another_organisations_credit_code_is_refused(pending_employer, employer):
    with pytest.raises(ValidationError) as info:
        services.organisation_update(
            actor=pending_employer,
            organisation=pending_employer.employer,
            fields={"credit_code": employer.employer.credit_code},
        )

    assert "credit_code" in info.value.message_dict


def test_update_saves_only_the_given_fields_not_unsaved_edits_on_the_instance(pending_employer):
    organisation = pending_employer.employer
    organisation.name = "未保存的改动"

    services.organisation_update(actor=pending_employer, organisation=organisation, fields={"city": "上海"})

    stored = Employer.objects.get(pk=organisation.pk)
    assert stored.city == "上海"
    assert stored.name != "未保存的改动"
