"""After both sides accept, the services: the cooperation agreement (its date, its places, its
PDF) and the milestones that start the implementation, and who may record them. The state
table itself is tested in test_introduction_table.py."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.errors import Conflict
from matching.models import Agreement, Introduction, Milestone
from projects.models import Proposal

from .common import events, inbox, pdf, world
from .implementation_services import (  # noqa: F401
    SH,
    accepted_fixture,
    call_fixture,
    capacity,
    confirmed_fixture,
    introduce_fixture,
    media_fixture,
    milestone,
    png_named_pdf,
    project_fixture,
    published,
    record,
    running_fixture,
    submitted_fixture,
    unverified_employer_fixture,
    unverified_university_fixture,
)

# The agreement


@pytest.mark.parametrize("side", ["employer", "university"])
def test_either_side_records_the_agreement_and_the_project_is_in_progress(
    request,
    ministry,
    employer,
    university,
    accepted,
    media,
    side,
    django_capture_on_commit_callbacks,
    mailoutbox,
):
    actor = request.getfixturevalue(side)
    Introduction.objects.filter(pk=accepted.pk).update(accepted_at=timezone.now() - timedelta(days=5))
    accepted.refresh_from_db()
    signed_on = timezone.localdate() - timedelta(days=3)
    with django_capture_on_commit_callbacks(execute=True):
        agreement = record(
            actor, accepted, signed_on=signed_on, places_agreed=15, funding_agreed_cny=80_000, document=pdf()
        )
    stored = Agreement.objects.get(introduction=accepted)
    assert stored == agreement
    assert (stored.signed_on, stored.places_agreed, stored.funding_agreed_cny, stored.recorded_by) == (
        signed_on,
        15,
        80_000,
        actor,
    )
    assert stored.document.name.startswith("agreements/")
    with stored.document.open("rb") as document:
        assert document.read(5) == b"%PDF-"
    introduction = Introduction.objects.get(pk=accepted.pk)
    assert (introduction.status, introduction.places) == ("signed", 15)
    project = Proposal.objects.get(pk=accepted.proposal_id)
    assert (project.stage, project.partners_confirmed) == ("in_progress", 1)
    assert events(accepted) == [("sign", "accepted", "signed")]
    signed = "matching/email/agreement_signed"
    assert inbox(employer) == inbox(university) == inbox(ministry) == [signed]
    assert sorted(m.to[0] for m in mailoutbox) == sorted([employer.email, university.email, ministry.email])


def test_an_agreement_without_a_document_is_taken(employer, accepted):
    agreement = record(employer, accepted)
    assert not agreement.document
    assert Introduction.objects.get(pk=accepted.pk).status == "signed"


def test_the_signing_date_is_judged_by_the_date_in_beijing(employer, accepted):
    # 00:30 on 2 June in Beijing is still 1 June in UTC.
    with time_machine.travel(datetime(2027, 6, 2, 0, 30, tzinfo=SH), tick=False):
        before = world()
        with pytest.raises(ValidationError) as caught:
            record(employer, accepted, signed_on=datetime(2027, 6, 3).date())
        assert "signed_on" in caught.value.message_dict
        assert world() == before
        record(employer, accepted, signed_on=datetime(2027, 6, 2).date())
    assert Agreement.objects.get().signed_on == datetime(2027, 6, 2).date()


def test_an_agreement_cannot_be_signed_before_both_sides_accepted(employer, accepted):
    Introduction.objects.filter(pk=accepted.pk).update(accepted_at=timezone.now() - timedelta(days=2))
    accepted.refresh_from_db()
    before = world()
    with pytest.raises(ValidationError) as caught:
        record(employer, accepted, signed_on=timezone.localdate() - timedelta(days=3))
    assert caught.value.message_dict["signed_on"][0].startswith(
        "The agreement cannot be signed before both sides accepted"
    )
    assert world() == before
    record(employer, accepted, signed_on=timezone.localdate(accepted.accepted_at))
    assert Agreement.objects.filter(introduction=accepted).exists()


@pytest.mark.parametrize("places", [0, -1])
def test_an_agreement_for_no_places_is_refused(employer, accepted, places):
    before = world()
    with pytest.raises(ValidationError) as caught:
        record(employer, accepted, places_agreed=places)
    assert "places_agreed" in caught.value.message_dict
    assert world() == before


def test_places_agreed_must_fit_the_universitys_places_for_the_type(employer, university, call, introduce):
    capacity(university.university, places=30)
    introduce("signed", proposal=published(employer.employer, call=call))  # holds 20 of 30
    accepted = introduce()
    before = world()
    with pytest.raises(ValidationError) as caught:
        record(employer, accepted, places_agreed=11)
    assert "10 student places left" in " ".join(caught.value.messages)
    assert world() == before
    record(employer, accepted, places_agreed=10)
    assert Introduction.objects.get(pk=accepted.pk).places == 10


def test_places_agreed_must_fit_what_the_projects_other_partners_left(employer, other_university, introduce):
    capacity(other_university.university)
    introduce(to=other_university.university)  # holds 20 of 40
    accepted = introduce()
    before = world()
    with pytest.raises(ValidationError) as caught:
        record(employer, accepted, places_agreed=21)
    assert "at most 20" in " ".join(caught.value.message_dict["places_agreed"])
    assert world() == before
    record(employer, accepted, places_agreed=20)
    assert Introduction.objects.get(pk=accepted.pk).status == "signed"


def test_an_agreement_document_that_is_not_a_pdf_is_refused(employer, accepted, media):
    before = world()
    with pytest.raises(ValidationError) as caught:
        record(employer, accepted, document=png_named_pdf())
    assert "document" in caught.value.message_dict
    assert world() == before
    assert not any(path.is_file() for path in media.rglob("*"))


@pytest.mark.parametrize("status", ["sent", "signed", "in_progress", "cancelled"])
def test_an_agreement_is_recorded_only_for_an_accepted_introduction(employer, introduce, status):
    introduction = introduce(status)
    before = world()
    with pytest.raises(Conflict):
        record(employer, introduction)
    assert world() == before


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
def test_only_verified_members_of_the_two_sides_record_the_agreement(request, accepted, persona):
    actor = request.getfixturevalue(persona)
    before = world()
    with pytest.raises(PermissionDenied):
        record(actor, accepted, document=pdf())
    assert world() == before


# Milestones


@pytest.mark.parametrize(("side", "other"), [("employer", "university"), ("university", "employer")])
def test_the_first_milestone_starts_the_implementation_and_tells_the_other_side(
    request, ministry, introduce, side, other, django_capture_on_commit_callbacks, mailoutbox
):
    actor, told = request.getfixturevalue(side), request.getfixturevalue(other)
    introduction = introduce("signed")
    with django_capture_on_commit_callbacks(execute=True):
        made = milestone(actor, introduction, note="首批 20 名学生入企。")
    assert Milestone.objects.get() == made
    assert (made.title, made.note, made.recorded_by) == ("第一期实训开班", "首批 20 名学生入企。", actor)
    assert Introduction.objects.get(pk=introduction.pk).status == "in_progress"
    assert Proposal.objects.get(pk=introduction.proposal_id).stage == "in_progress"
    assert events(introduction) == [("milestone", "signed", "in_progress")]
    assert inbox(told) == ["matching/email/milestone_recorded"]
    assert inbox(actor) == inbox(ministry) == []
    assert [m.to for m in mailoutbox] == [[told.email]]


def test_later_milestones_keep_it_in_progress_and_are_each_audited(employer, university, introduce):
    introduction = introduce("signed")
    milestone(employer, introduction, happened_on=timezone.localdate() - timedelta(days=30))
    milestone(university, introduction, title="中期检查")
    assert Introduction.objects.get(pk=introduction.pk).status == "in_progress"
    assert list(introduction.milestones.values_list("title", flat=True)) == ["第一期实训开班", "中期检查"]
    assert events(introduction) == [
        ("milestone", "signed", "in_progress"),
        ("milestone", "in_progress", "in_progress"),
    ]


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"happened_on": "tomorrow"}, "happened_on"),
        ({"title": ""}, "title"),
        ({"title": "长" * 201}, "title"),
    ],
)
def test_a_milestone_in_the_future_or_without_a_title_is_refused(employer, introduce, fields, error):
    if fields.get("happened_on") == "tomorrow":
        fields = {"happened_on": timezone.localdate() + timedelta(days=1)}
    introduction = introduce("signed")
    before = world()
    with pytest.raises(ValidationError) as caught:
        milestone(employer, introduction, **fields)
    assert error in caught.value.message_dict
    assert world() == before


@pytest.mark.parametrize("status", ["accepted", "completed", "cancelled"])
def test_milestones_are_recorded_only_under_a_signed_agreement(employer, introduce, status):
    introduction = introduce(status)
    before = world()
    with pytest.raises(Conflict):
        milestone(employer, introduction)
    assert world() == before
