"""Introductions and capacity: the share of places an introduction holds, the project's
partners sought and the university's slots and places, freed again on cancelling, and who sees
which introductions."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import AuditEvent, UniversityCapacity, User
from matching.brokering import implementation, introductions, selectors
from matching.brokering.workflow import Status
from matching.models import Introduction
from projects.models import Proposal
from tests.factories import (
    CallFactory,
    UniversityFactory,
)

from .common import inbox, world
from .introduction_services import (  # noqa: F401
    call_fixture,
    capacity,
    cast_fixture,
    fresh,
    introduce_fixture,
    media_fixture,
    project_fixture,
    published,
    respond,
    room_fixture,
    unverified_employer_fixture,
    unverified_university_fixture,
)

# Capacity


def test_share_of_splits_the_places_over_the_partners_rounding_up(employer):
    assert introductions.share_of(published(employer.employer, student_places=40, partners_sought=3)) == 14
    assert introductions.share_of(published(employer.employer, student_places=40, partners_sought=2)) == 20
    assert introductions.share_of(published(employer.employer, student_places=7, partners_sought=1)) == 7


@pytest.fixture
def full_project(employer, other_university, introduce):
    """A project seeking one partner that another university already accepted."""
    project = published(employer.employer, partners_sought=1, student_places=20)
    capacity(other_university.university)
    introduce("accepted", proposal=project, to=other_university.university)
    introductions.project_refresh(project)
    return project


def test_sending_is_refused_when_the_project_has_all_its_partners(ministry, introduce, full_project):
    introduction = introduce("proposed", proposal=full_project)
    before = world()
    with pytest.raises(ValidationError) as caught:
        introductions.introduction_send(actor=ministry, introduction=fresh(introduction))
    assert "partner universities" in " ".join(caught.value.messages)
    assert world() == before


def test_the_last_acceptance_is_refused_when_the_project_has_all_its_partners(
    university, introduce, full_project, mailoutbox
):
    introduction = introduce(proposal=full_project, employer_response="accepted")
    before = world()
    with pytest.raises(ValidationError):
        respond(university, fresh(introduction))
    assert world() == before
    assert Proposal.objects.get(pk=full_project.pk).partners_confirmed == 1


def test_acceptances_are_refused_once_the_university_used_its_project_slots(
    employer, other_employer, university, call, introduce
):
    capacity(university.university, places=100, projects=1)
    introduce("accepted", proposal=published(other_employer.employer, call=call))
    waiting = introduce(employer_response="accepted")
    with pytest.raises(ValidationError) as caught:
        respond(university, fresh(waiting))
    assert "projects of this type" in " ".join(caught.value.messages)
    with pytest.raises(ValidationError):
        introductions.introduction_send(
            actor=waiting.broker,
            introduction=introduce("proposed", proposal=published(employer.employer, call=call)),
        )
    assert Introduction.objects.get(pk=waiting.pk).status == "sent"


def test_slots_and_places_count_only_the_same_call_and_project_type(employer, university, call, introduce):
    capacity(university.university, places=20, projects=1)
    capacity(university.university, places=20, projects=1, project_type="directed_training")
    introduce("accepted", proposal=published(employer.employer, call=CallFactory()))
    introduce(
        "in_progress",
        proposal=published(employer.employer, call=CallFactory(), project_type="directed_training"),
    )
    introduce("accepted", proposal=published(employer.employer, call=call, project_type="directed_training"))
    introduction = introduce(employer_response="accepted")
    respond(university, fresh(introduction))
    assert Introduction.objects.get(pk=introduction.pk).status == "accepted"


def test_a_university_without_capacity_for_the_type_is_refused(university, introduce):
    UniversityCapacity.objects.filter(university=university.university).delete()
    introduction = introduce(employer_response="accepted")
    with pytest.raises(ValidationError):
        respond(university, fresh(introduction))


def test_places_held_are_the_share_then_the_agreed_places_and_cancelling_frees_them(
    ministry, employer, university, call, introduce, media
):
    capacity(university.university, places=30, projects=5)
    first = introduce("accepted")  # holds its share: 20 of 30
    second = introduce(proposal=published(employer.employer, call=call), employer_response="accepted")
    with pytest.raises(ValidationError) as caught:
        respond(university, fresh(second))
    assert "10 student places left" in " ".join(caught.value.messages)

    implementation.agreement_record(
        actor=employer, introduction=fresh(first), signed_on=timezone.localdate(), places_agreed=10
    )
    assert Introduction.objects.get(pk=first.pk).places == 10
    respond(university, fresh(second))  # 10 + 20 = 30
    assert Introduction.objects.get(pk=second.pk).status == "accepted"

    third = introduce(proposal=published(employer.employer, call=call), employer_response="accepted")
    with pytest.raises(ValidationError):
        respond(university, fresh(third))
    introductions.introduction_cancel(actor=ministry, introduction=fresh(second), comment="企业撤回")
    respond(university, fresh(third))
    assert Introduction.objects.get(pk=third.pk).status == "accepted"


def test_cancelling_an_accepted_introduction_frees_the_projects_partner_place(
    ministry,
    university,
    other_university,
    introduce,
    full_project,
    django_capture_on_commit_callbacks,
    mailoutbox,
):
    [held] = Introduction.objects.filter(proposal=full_project)
    with django_capture_on_commit_callbacks(execute=True):
        introductions.introduction_cancel(actor=ministry, introduction=fresh(held), comment="协议未谈拢。")
    project = Proposal.objects.get(pk=full_project.pk)
    assert (project.partners_confirmed, project.stage) == (0, "")
    assert inbox(other_university)[-1] == "matching/email/introduction_cancelled"
    assert other_university.email in [m.to[0] for m in mailoutbox]
    event = AuditEvent.objects.filter(object_id=held.pk, action="cancel").get()
    assert (event.from_status, event.to_status, event.comment) == ("accepted", "cancelled", "协议未谈拢。")
    waiting = introduce(proposal=full_project, employer_response="accepted")
    respond(university, fresh(waiting))
    assert Proposal.objects.get(pk=full_project.pk).partners_confirmed == 1


def test_cancelling_a_proposed_introduction_tells_nobody(
    ministry, employer, university, introduce, django_capture_on_commit_callbacks, mailoutbox
):
    introduction = introduce("proposed")
    with django_capture_on_commit_callbacks(execute=True):
        introductions.introduction_cancel(actor=ministry, introduction=fresh(introduction))
    assert Introduction.objects.get(pk=introduction.pk).status == "cancelled"
    assert inbox(employer) == inbox(university) == [] and mailoutbox == []


# Who sees which


def test_each_persona_sees_only_the_introductions_it_may(
    employer, other_employer, university, other_university, ministry, anonymous, introduce
):
    capacity(other_university.university)
    ours = {status: introduce(status, proposal=published(employer.employer)) for status in Status.values}
    theirs = introduce(proposal=published(other_employer.employer), to=other_university.university)
    draft_of_theirs = introduce("proposed", proposal=theirs.proposal, to=UniversityFactory())
    shown = {i for s, i in ours.items() if s != "proposed"}

    def seen(user):
        return set(selectors.introductions_visible_to(user))

    assert seen(employer) == shown and seen(university) == shown
    assert seen(other_employer) == seen(other_university) == {theirs}
    assert seen(ministry) == {*ours.values(), theirs, draft_of_theirs}
    assert seen(anonymous) == set()
    assert seen(User.objects.create_user(username="nobody")) == set()
    for user in (other_employer, other_university, anonymous, employer):
        with pytest.raises(Introduction.DoesNotExist):
            selectors.introduction_get(user=user, public_id=ours["proposed"].public_id)
    assert selectors.introduction_get(user=ministry, public_id=ours["proposed"].public_id) == ours["proposed"]
    assert selectors.introduction_get(user=university, public_id=ours["sent"].public_id) == ours["sent"]


def test_the_list_filters_by_status_text_and_call(ministry, employer, introduce):
    sent = introduce(proposal=published(employer.employer, title="医学影像联合培养"))
    declined = introduce("declined", proposal=published(employer.employer, call=CallFactory()))
    listed = selectors.introduction_list
    assert list(listed(user=ministry, filters=selectors.IntroductionFilters(status="sent"))) == [sent]
    assert list(listed(user=ministry, filters=selectors.IntroductionFilters(q="医学影像"))) == [sent]
    assert list(
        listed(user=ministry, filters=selectors.IntroductionFilters(call=declined.proposal.call.slug))
    ) == [declined]
    assert list(listed(user=ministry)) == [declined, sent]
