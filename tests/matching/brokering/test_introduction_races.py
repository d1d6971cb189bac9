"""Introductions' races, on the real PostgreSQL: of two acceptances for the last place, two
brokers acting at once or a cancel racing a send, exactly one wins."""

from collections.abc import Callable

import pytest

from accounts.models import User
from matching.brokering import introductions
from matching.models import Introduction
from projects.models import Proposal
from tests.factories import (
    CallFactory,
    EmployerUserFactory,
    IntroductionFactory,
    MinistryUserFactory,
    UniversityUserFactory,
)
from tests.races import race

from .common import events
from .introduction_services import (  # noqa: F401
    TABLE,
    call_fixture,
    capacity,
    cast_fixture,
    fields_for,
    introduce_fixture,
    media_fixture,
    project_fixture,
    published,
    respond,
    room_fixture,
    unverified_employer_fixture,
    unverified_university_fixture,
)

# Races, on the real PostgreSQL


def load(introduction_pk: int) -> Introduction:
    return Introduction.objects.select_related(
        "proposal", "proposal__employer", "proposal__call", "university"
    ).get(pk=introduction_pk)


def attempt(user_pk: int, introduction_pk: int, step: Callable) -> Callable:
    """Prepared in its own thread: its own copies of the user and the introduction."""

    def prepare():
        actor = User.objects.select_related("employer", "university").get(pk=user_pk)
        introduction = load(introduction_pk)
        return lambda: step(actor, introduction)

    return prepare


def accept(actor, introduction):
    return respond(actor, introduction)


def cancel(actor, introduction):
    return introductions.introduction_cancel(actor=actor, introduction=introduction)


def send(actor, introduction):
    return introductions.introduction_send(actor=actor, introduction=introduction)


def ready_pair(proposal, university_org, broker, **fields) -> Introduction:
    return IntroductionFactory(
        proposal=proposal,
        university=university_org,
        broker=broker,
        places=introductions.share_of(proposal),
        **{**fields_for("sent"), "employer_response": "accepted", **fields},
    )


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_last_acceptances_for_the_projects_last_partner_place_exactly_one_wins():
    owner, broker = EmployerUserFactory(), MinistryUserFactory()
    project = published(owner.employer, partners_sought=2, student_places=40)
    users = [UniversityUserFactory() for _ in range(3)]
    for user in users:
        capacity(user.university)
    ready_pair(project, users[0].university, broker, **fields_for("accepted"), status="accepted")
    introductions.project_refresh(project)
    waiting = [ready_pair(project, user.university, broker) for user in users[1:]]

    outcomes = race(*(attempt(user.pk, i.pk, accept) for user, i in zip(users[1:], waiting, strict=True)))

    assert sorted(outcomes) == ["ok", "refused"], outcomes
    winner, loser = waiting[outcomes.index("ok")], waiting[outcomes.index("refused")]
    assert Introduction.objects.get(pk=winner.pk).status == "accepted"
    lost = Introduction.objects.get(pk=loser.pk)
    assert (lost.status, lost.university_response) == ("sent", "")
    project.refresh_from_db()
    assert project.partners_confirmed == project.partners_sought == 2
    assert Introduction.objects.filter(proposal=project, status="accepted").count() == 2


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_last_acceptances_for_the_universitys_last_project_slot_exactly_one_wins():
    broker = MinistryUserFactory()
    user = UniversityUserFactory()
    colleague = UniversityUserFactory(university=user.university)
    capacity(user.university, places=100, projects=1)
    call = CallFactory()
    projects = [published(EmployerUserFactory().employer, call=call) for _ in range(2)]
    waiting = [ready_pair(project, user.university, broker) for project in projects]

    outcomes = race(attempt(user.pk, waiting[0].pk, accept), attempt(colleague.pk, waiting[1].pk, accept))

    assert sorted(outcomes) == ["ok", "refused"], outcomes
    assert Introduction.objects.filter(university=user.university, status="accepted").count() == 1
    assert sorted(Proposal.objects.values_list("partners_confirmed", flat=True)) == [0, 1]


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("status", "step"), [("sent", cancel), ("proposed", send)])
def test_two_brokers_acting_on_one_introduction_at_once_exactly_one_wins(status, step, mailoutbox):
    brokers = MinistryUserFactory.create_batch(2)
    owner, user = EmployerUserFactory(), UniversityUserFactory()
    capacity(user.university)
    introduction = IntroductionFactory(
        proposal=published(owner.employer),
        university=user.university,
        broker=brokers[0],
        status=status,
        **fields_for(status),
    )

    outcomes = race(*(attempt(broker.pk, introduction.pk, step) for broker in brokers))

    assert sorted(outcomes) == ["conflict", "ok"], outcomes
    assert Introduction.objects.get(pk=introduction.pk).status == TABLE[(status, step.__name__)]
    assert [e[0] for e in events(introduction)] == [step.__name__]
    assert sorted(m.to[0] for m in mailoutbox) == sorted([owner.email, user.email])


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_cancel_racing_a_send_is_never_undone():
    brokers = MinistryUserFactory.create_batch(2)
    user = UniversityUserFactory()
    capacity(user.university)
    introduction = IntroductionFactory(
        proposal=published(EmployerUserFactory().employer),
        university=user.university,
        broker=brokers[0],
        status="proposed",
        **fields_for("proposed"),
    )

    outcomes = race(
        attempt(brokers[0].pk, introduction.pk, send), attempt(brokers[1].pk, introduction.pk, cancel)
    )

    # Cancelled first, the send is refused; sent first, the cancel still applies to a sent one.
    assert outcomes in (["conflict", "ok"], ["ok", "ok"]), outcomes
    assert Introduction.objects.get(pk=introduction.pk).status == "cancelled"
    assert [e[0] for e in events(introduction)] == (
        ["cancel"] if outcomes[0] == "conflict" else ["send", "cancel"]
    )
