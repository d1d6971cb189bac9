"""Service tests on the real database: a university's AI strengths and capacity
(university_profile_update): replaced whole, validated, and only by its staff or the ministry."""

import math

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts import services
from tests.accounts.helpers import CAPACITY, STRENGTHS, events_for, profile_of

pytestmark = pytest.mark.django_db


def test_university_sets_its_strengths_and_capacity(university):
    organisation = university.university

    services.university_profile_update(
        actor=university, university=organisation, strengths=STRENGTHS, capacity=CAPACITY
    )

    assert profile_of(organisation) == (STRENGTHS, CAPACITY)
    assert events_for(organisation)[0].action == "profile_updated"


def test_a_new_profile_replaces_the_old_one_whole(university):
    organisation = university.university
    services.university_profile_update(
        actor=university, university=organisation, strengths=STRENGTHS, capacity=CAPACITY
    )

    services.university_profile_update(
        actor=university,
        university=organisation,
        strengths={"nlp": 0.5},
        capacity={"workforce_development": {"places": 10, "projects": 1}},
    )

    assert profile_of(organisation) == (
        {"nlp": 0.5},
        {"workforce_development": {"places": 10, "projects": 1}},
    )


def test_omitted_part_of_the_profile_is_left_as_it_was(university):
    organisation = university.university
    services.university_profile_update(
        actor=university, university=organisation, strengths=STRENGTHS, capacity=CAPACITY
    )

    services.university_profile_update(actor=university, university=organisation, strengths={"robotics": 1})
    assert profile_of(organisation) == ({"robotics": 1.0}, CAPACITY)

    services.university_profile_update(actor=university, university=organisation, capacity={})
    assert profile_of(organisation) == ({"robotics": 1.0}, {})


def test_zero_strength_is_not_stored(university):
    organisation = university.university

    services.university_profile_update(
        actor=university, university=organisation, strengths={"ml": 0, "nlp": 0.0, "cv": 0.3}
    )

    assert profile_of(organisation)[0] == {"cv": 0.3}


def test_bounds_zero_and_one_are_accepted(university):
    organisation = university.university

    services.university_profile_update(
        actor=university, university=organisation, strengths={"ml": 1, "cv": 1.0, "nlp": 0}
    )

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
    services.university_profile_update(
        actor=university, university=organisation, strengths=STRENGTHS, capacity=CAPACITY
    )

    with pytest.raises(ValidationError) as info:
        services.university_profile_update(
            actor=university, university=organisation, strengths=strengths, capacity={}
        )

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
        {
            "internship_base": {"places": 5, "projects": 1},
            "directed_training": {"places": None, "projects": 1},
        },
    ],
)
def test_invalid_capacity_is_refused_and_nothing_changes(university, capacity):
    organisation = university.university
    services.university_profile_update(
        actor=university, university=organisation, strengths=STRENGTHS, capacity=CAPACITY
    )

    with pytest.raises(ValidationError) as info:
        services.university_profile_update(
            actor=university, university=organisation, strengths={"nlp": 0.2}, capacity=capacity
        )

    assert list(info.value.message_dict) == ["capacity"]
    assert profile_of(organisation) == (STRENGTHS, CAPACITY)


@pytest.mark.parametrize("number", [2**31, 10**20])
def test_capacity_beyond_what_the_database_holds_is_refused(university, number):
    # 2**31 overflows PostgreSQL's integer column, 10**20 SQLite's: either would be a 500.
    organisation = university.university

    with pytest.raises(ValidationError) as info:
        services.university_profile_update(
            actor=university,
            university=organisation,
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
    services.university_profile_update(
        actor=ministry, university=university.university, strengths={"tools.coding": 0.4}
    )

    assert profile_of(university.university)[0] == {"tools.coding": 0.4}


@pytest.mark.parametrize("persona", ["other_university", "employer", "anonymous"])
def test_outsiders_may_not_update_a_university_profile(request, persona, university):
    with pytest.raises(PermissionDenied):
        services.university_profile_update(
            actor=request.getfixturevalue(persona), university=university.university, strengths={"ml": 1}
        )

    assert profile_of(university.university) == ({}, {})
