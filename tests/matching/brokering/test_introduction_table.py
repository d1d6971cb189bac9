"""Introductions, the services' state table: each step is taken only where the table allows
it, only sent introductions expire, and who may take each step (ministry staff or verified
members of the two sides)."""

from collections.abc import Callable
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from accounts.errors import Conflict
from matching.brokering import introductions, workflow
from matching.brokering.workflow import Status
from matching.models import Introduction
from tests.factories import EmployerUserFactory

from .common import world
from .introduction_services import (  # noqa: F401
    COUNTED,
    STEPS,
    TABLE,
    call_fixture,
    cast_fixture,
    introduce_fixture,
    media_fixture,
    project_fixture,
    ready_for,
    respond,
    room_fixture,
    unverified_employer_fixture,
    unverified_university_fixture,
)

# The state table


def test_the_table_is_the_one_the_design_describes():
    assert {(s, a): new for (s, a), (new, _) in workflow.TRANSITIONS.items()} == TABLE
    assert set(workflow.COUNTED) == set(COUNTED)
    assert set(workflow.OPEN) == {"proposed", "sent", *COUNTED}
    assert "proposed" not in workflow.VISIBLE_TO_SIDES
    assert set(workflow.VISIBLE_TO_SIDES) == set(Status.values) - {"proposed"}


@pytest.mark.parametrize("status", Status.values)
@pytest.mark.parametrize("action", list(STEPS))
def test_each_step_is_taken_only_where_the_table_allows_it(
    cast, introduce, media, status, action, django_capture_on_commit_callbacks, mailoutbox
):
    introduction = ready_for(introduce, status, action)
    expected = TABLE.get((status, action))
    if expected is None:
        before = world()
        with django_capture_on_commit_callbacks(execute=True), pytest.raises(Conflict):
            STEPS[action](cast, introduction)
        assert world() == before
        assert mailoutbox == []
    else:
        STEPS[action](cast, introduction)
        assert Introduction.objects.get(pk=introduction.pk).status == expected
        assert introduction.status == expected


@pytest.mark.parametrize("status", Status.values)
def test_only_sent_introductions_expire(introduce, status):
    introduction = introduce(status, expires_at=timezone.now() - timedelta(days=1))
    assert introductions.introductions_expire(now=timezone.now() + timedelta(days=365)) == (
        1 if status == "sent" else 0
    )
    assert Introduction.objects.get(pk=introduction.pk).status == TABLE.get((status, "expire"), status)


def test_available_actions_follow_the_table():
    assert workflow.available_actions("sent", is_side=True, is_ministry=False) == ["accept", "decline"]
    assert workflow.available_actions("sent", is_side=False, is_ministry=True) == ["cancel"]
    assert workflow.available_actions("accepted", is_side=True, is_ministry=False) == ["sign"]
    assert workflow.available_actions("proposed", is_side=True, is_ministry=False) == []
    assert workflow.available_actions("completed", is_side=True, is_ministry=True) == []


# Who may take each step


MINISTRY_STEPS = [
    ("send", "proposed"),
    ("cancel", "proposed"),
    ("cancel", "sent"),
    ("cancel", "accepted"),
    ("complete", "in_progress"),
]
SIDE_STEPS = [
    ("accept", "sent"),
    ("decline", "sent"),
    ("sign", "accepted"),
    ("start", "signed"),
    ("start", "in_progress"),
]


def as_actor(action: str, actor) -> Callable:
    """The step of STEPS, taken by this actor instead of the usual one."""
    return lambda c, i: STEPS[action](SimpleNamespace(employer=actor, university=actor, ministry=actor), i)


@pytest.mark.parametrize(("action", "status"), MINISTRY_STEPS)
@pytest.mark.parametrize(
    "persona", ["employer", "university", "other_employer", "other_university", "anonymous"]
)
def test_only_ministry_staff_send_cancel_and_close_introductions(
    request, cast, introduce, action, status, persona, mailoutbox
):
    introduction = ready_for(introduce, status, action)
    before = world()
    with pytest.raises(PermissionDenied):
        as_actor(action, request.getfixturevalue(persona))(cast, introduction)
    assert world() == before
    assert mailoutbox == []


@pytest.mark.parametrize(("action", "status"), SIDE_STEPS)
@pytest.mark.parametrize(
    "persona",
    [
        "ministry",
        "other_employer",
        "other_university",
        "anonymous",
        "unverified_employer",
        "unverified_university",
    ],
)
def test_only_verified_members_of_the_two_sides_answer_sign_and_record_milestones(
    request, cast, introduce, media, action, status, persona, mailoutbox
):
    introduction = ready_for(introduce, status, action)
    actor = request.getfixturevalue(persona)
    before = world()
    with pytest.raises(PermissionDenied):
        as_actor(action, actor)(cast, introduction)
    assert world() == before
    assert mailoutbox == []


def test_a_colleague_of_the_same_organisation_may_answer_for_it(employer, introduce):
    colleague = EmployerUserFactory(employer=employer.employer)
    introduction = respond(colleague, introduce())
    assert Introduction.objects.get(pk=introduction.pk).employer_response == "accepted"
