"""university_update: a university's details and its profile change together or not at all."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts import services
from accounts.models import AuditEvent
from tests.accounts.helpers import CAPACITY, STRENGTHS, profile_of

pytestmark = pytest.mark.django_db


def test_details_and_profile_are_saved_together_and_each_audited(university):
    organisation = university.university

    services.university_update(
        actor=university,
        university=organisation,
        fields={"city": "南京"},
        strengths=STRENGTHS,
        capacity=CAPACITY,
    )

    organisation.refresh_from_db()
    assert organisation.city == "南京" and profile_of(organisation) == (STRENGTHS, CAPACITY)
    actions = set(AuditEvent.objects.filter(object_id=organisation.pk).values_list("action", flat=True))
    assert {"updated", "profile_updated"} <= actions


def test_a_refused_capacity_leaves_the_details_unchanged_too(university):
    organisation = university.university
    city = organisation.city

    with pytest.raises(ValidationError) as info:
        services.university_update(
            actor=university,
            university=organisation,
            fields={"city": "南京"},
            capacity={"directed_training": {"places": -1, "projects": 1}},
        )

    assert "capacity" in info.value.message_dict
    organisation.refresh_from_db()
    assert organisation.city == city
    assert not AuditEvent.objects.filter(object_id=organisation.pk, action="updated").exists()


def test_another_university_s_staff_may_not(university, other_university):
    with pytest.raises(PermissionDenied):
        services.university_update(
            actor=other_university,
            university=university.university,
            fields={"city": "南京"},
            strengths=STRENGTHS,
        )
    assert profile_of(university.university)[0] == {}
