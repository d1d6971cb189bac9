"""The introductions API up to the answers: ministry staff introduce a pair or a run's
candidate, send (409 twice, 400 over capacity) and cancel; both sides answer (409 when too late
or twice)."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts.models import VerificationStatus
from matching.models import Introduction

from .common import room, state
from .introduction_api import FIELDS, LIST, UNKNOWN, api_for_fixture, candidate_fixture, pair, url  # noqa: F401

pytestmark = pytest.mark.django_db


# Creating


def test_ministry_staff_introduce_a_pair(api_for, ministry, project, university):
    response = api_for(ministry).post(LIST, pair(project, university.university), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == FIELDS
    assert (body["project"], body["university"]) == (
        str(project.public_id),
        str(university.university.public_id),
    )
    assert (body["status"], body["places"], body["message"]) == ("proposed", 20, "建议双方对接。")
    assert (body["agreement"], body["milestones"], body["outcome"]) == (None, [], None)
    made = Introduction.objects.get(public_id=body["id"])
    assert (made.broker, made.candidate) == (ministry, None)


def test_ministry_staff_introduce_a_runs_candidate(api_for, ministry, candidate):
    response = api_for(ministry).post(LIST, {"candidate": candidate.pk}, format="json")
    assert response.status_code == 201, response.json()
    made = Introduction.objects.get(public_id=response.json()["id"])
    assert (made.candidate, made.proposal, made.university, made.status) == (
        candidate,
        candidate.proposal,
        candidate.university,
        "proposed",
    )


@pytest.mark.parametrize("persona", ["employer", "university", "pending_employer", "anonymous"])
@pytest.mark.parametrize("by", ["pair", "candidate"])
def test_only_ministry_staff_create_introductions(
    request, api_for, project, university, candidate, persona, by
):
    body = pair(project, university.university) if by == "pair" else {"candidate": candidate.pk}
    response = api_for(request.getfixturevalue(persona)).post(LIST, body, format="json")
    assert response.status_code == (401 if persona == "anonymous" else 403)
    assert not Introduction.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"project": UNKNOWN}, "project"),
        ({"project": "not-a-uuid"}, "project"),
        ({"university": UNKNOWN}, "university"),
        ({"university": 12}, "university"),
        ({"message": "长" * 2001}, "message"),
        ({"message": None}, "message"),
        ({"project": None}, "non_field_errors"),
        ({"university": None}, "non_field_errors"),
        ({"project": None, "university": None}, "non_field_errors"),
        ({"candidate": 1}, "non_field_errors"),
        ({"project": None, "university": None, "candidate": "abc"}, "candidate"),
        ({"project": None, "university": None, "candidate": -1}, "candidate"),
        ({"project": None, "university": None, "candidate": 2**70}, "candidate"),
    ],
)
def test_bad_input_is_a_400_with_a_message_and_makes_nothing(
    api_for, ministry, project, university, candidate, change, field
):
    body = {
        key: value
        for key, value in {**pair(project, university.university), **change}.items()
        if value is not None or key == "message"
    }
    response = api_for(ministry).post(LIST, body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()[field]
    assert not Introduction.objects.exists()


@pytest.mark.parametrize(
    ("fix", "message"),
    [
        ("draft", "Only published projects can be introduced."),
        ("pending", "Only verified universities can be introduced."),
    ],
)
def test_an_unpublished_project_or_unverified_university_is_a_400(
    api_for, ministry, project, university, fix, message
):
    if fix == "draft":
        type(project).objects.filter(pk=project.pk).update(status="draft")
    else:
        type(university.university).objects.filter(pk=university.university_id).update(
            status=VerificationStatus.PENDING
        )
    response = api_for(ministry).post(LIST, pair(project, university.university), format="json")
    assert response.status_code == 400
    assert response.json()["non_field_errors"] == [message]
    assert not Introduction.objects.exists()


@pytest.mark.parametrize("by", ["pair", "candidate"])
def test_a_second_open_introduction_of_a_pair_is_a_400(
    api_for, ministry, project, university, candidate, introduce, by
):
    introduce("sent")
    body = pair(project, university.university) if by == "pair" else {"candidate": candidate.pk}
    response = api_for(ministry).post(LIST, body, format="json")
    assert response.status_code == 400
    assert response.json()["non_field_errors"] == [
        "This project and university already have an open introduction."
    ]
    assert Introduction.objects.count() == 1


# Sending and cancelling


def test_ministry_staff_send_with_a_message_and_both_sides_are_told(
    api_for, ministry, employer, university, introduce, django_capture_on_commit_callbacks, mailoutbox
):
    introduction = introduce("proposed")
    with django_capture_on_commit_callbacks(execute=True):
        response = api_for(ministry).post(
            url(introduction, "send"), {"message": "请尽快答复。"}, format="json"
        )
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["message"]) == ("sent", "请尽快答复。")
    assert body["sent_at"] and body["expires_at"] > body["sent_at"]
    assert {employer.email, university.email} <= {a for m in mailoutbox for a in m.to}


def test_sending_twice_is_a_409(api_for, ministry, introduce):
    introduction = introduce("sent")
    response = api_for(ministry).post(url(introduction, "send"), {}, format="json")
    assert response.status_code == 409
    assert "not possible" in response.json()["detail"]


def test_sending_over_capacity_is_a_400(api_for, ministry, introduce, university):
    introduction = introduce("proposed")
    room(university.university, places=5)
    response = api_for(ministry).post(url(introduction, "send"), {}, format="json")
    assert response.status_code == 400
    assert "student places left" in response.json()["non_field_errors"][0]
    assert Introduction.objects.get().status == "proposed"


def test_ministry_staff_cancel(api_for, ministry, introduce):
    introduction = introduce("accepted")
    response = api_for(ministry).post(
        url(introduction, "cancel"), {"comment": "企业调整计划。"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"


# Answers


def test_the_introduction_is_accepted_once_both_sides_accept(api_for, employer, university, introduce):
    introduction = introduce("sent")
    body = api_for(employer).post(url(introduction, "accept"), format="json").json()
    assert (body["status"], body["employer_response"], body["university_response"]) == (
        "sent",
        "accepted",
        "",
    )
    response = api_for(university).post(url(introduction, "accept"), format="json")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["university_response"]) == ("accepted", "accepted")
    assert body["accepted_at"]


def test_accepting_twice_is_a_409(api_for, employer, introduce):
    introduction = introduce("sent")
    api = api_for(employer)
    assert api.post(url(introduction, "accept")).status_code == 200
    response = api.post(url(introduction, "accept"))
    assert response.status_code == 409
    assert response.json()["detail"] == "Your side has already answered this introduction."


def test_accepting_after_the_answer_time_is_a_409(api_for, university, introduce):
    introduction = introduce("sent")
    with time_machine.travel(timezone.now() + timedelta(days=15)):
        response = api_for(university).post(url(introduction, "accept"))
    assert response.status_code == 409
    assert "it can no longer be answered" in response.json()["detail"]
    introduction.refresh_from_db()
    assert (introduction.status, introduction.university_response) == ("sent", "")


def test_a_side_declines_with_a_reason(api_for, university, introduce):
    introduction = introduce("sent")
    response = api_for(university).post(
        url(introduction, "decline"), {"reason": "other", "comment": "方向不符。"}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["decline_reason"], body["decline_comment"]) == (
        "declined",
        "other",
        "方向不符。",
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "reason"),
        ({"reason": ""}, "reason"),
        ({"reason": "bored"}, "reason"),
        ({"reason": None}, "reason"),
        ({"reason": "other"}, "comment"),
        ({"reason": "other", "comment": "  "}, "comment"),
    ],
)
def test_a_decline_without_a_reason_is_a_400(api_for, employer, introduce, body, field):
    introduction = introduce("sent")
    before = state(introduction)
    response = api_for(employer).post(url(introduction, "decline"), body, format="json")
    assert response.status_code == 400
    assert response.json()[field]
    assert state(introduction) == before
