"""Races on the real PostgreSQL: two reviewers acting on one proposal at once, and two submissions
racing for an employer's last place in a call. Exactly one wins each time."""

from collections.abc import Callable
from importlib import import_module

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType

from accounts.models import AuditEvent, FocusArea
from projects import services
from projects.models import CompliancePhrase, Proposal
from tests.factories import CallFactory, EmployerUserFactory, MinistryUserFactory, ProposalFactory
from tests.races import race

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

REVIEWS: dict[str, Callable] = {
    "approve": lambda actor, proposal: services.proposal_approve(actor=actor, proposal=proposal),
    "return": lambda actor, proposal: services.proposal_return(
        actor=actor, proposal=proposal, comment="请补充导师名单。"
    ),
    "reject": lambda actor, proposal: services.proposal_reject(
        actor=actor, proposal=proposal, reason="duplicate", comment="重复申报。"
    ),
}
TARGET = {"approve": "published", "return": "returned", "reject": "rejected"}


@pytest.fixture(autouse=True)
def migrations_data():
    """A transactional test empties the database when it ends, the data migrations' rows with
    it, so a transactional test that runs earlier leaves no focus areas or phrases: seed them
    again the way the migrations do. (A serialized rollback would collide with the content
    types that the flush recreates.)"""
    for model, migration in (
        (FocusArea, "accounts.migrations.0002_focus_areas"),
        (CompliancePhrase, "projects.migrations.0002_compliance_phrases"),
    ):
        if not model.objects.exists():
            import_module(migration).seed(apps, None)


def events(proposal: Proposal, **filters):
    return AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(Proposal), object_id=proposal.pk, **filters
    )


@pytest.mark.parametrize(
    ("first", "second"), [("approve", "return"), ("approve", "approve"), ("return", "reject")]
)
def test_two_reviewers_deciding_one_proposal_at_once_exactly_one_wins(first, second, mailoutbox):
    owner = EmployerUserFactory(email="owner@employer.example.cn")
    proposal = ProposalFactory(employer=owner.employer, status="submitted")
    reviewers = MinistryUserFactory.create_batch(2)

    def review(action: str, actor) -> Callable:
        def prepare():
            own_copy = Proposal.objects.get(pk=proposal.pk)
            return lambda: REVIEWS[action](actor, own_copy)

        return prepare

    outcomes = race(review(first, reviewers[0]), review(second, reviewers[1]))

    assert sorted(outcomes) == ["conflict", "ok"], outcomes
    winner = outcomes.index("ok")
    action = (first, second)[winner]
    assert Proposal.objects.get(pk=proposal.pk).status == TARGET[action]
    [event] = events(proposal)
    assert (event.actor, event.action, event.from_status) == (reviewers[winner], action, "submitted")
    assert [m.to for m in mailoutbox] == [["owner@employer.example.cn"]]


def test_two_submissions_racing_for_the_last_place_exactly_one_wins():
    call = CallFactory(max_proposals_per_employer=2)
    owner = EmployerUserFactory()
    colleague = EmployerUserFactory(employer=owner.employer)
    ProposalFactory(employer=owner.employer, call=call, status="submitted")
    drafts = ProposalFactory.create_batch(2, employer=owner.employer, call=call)

    def submit(actor, draft) -> Callable:
        def prepare():
            own_copy = Proposal.objects.get(pk=draft.pk)
            return lambda: services.proposal_submit(actor=actor, proposal=own_copy)

        return prepare

    outcomes = race(submit(owner, drafts[0]), submit(colleague, drafts[1]))

    assert sorted(outcomes) == ["ok", "refused"], outcomes
    assert Proposal.objects.filter(call=call, status="submitted").count() == 2
    winner, loser = drafts[outcomes.index("ok")], drafts[outcomes.index("refused")]
    assert Proposal.objects.get(pk=loser.pk).status == "draft"
    assert events(winner, action="submit").count() == 1
    assert not events(loser).exists()


def test_the_same_draft_submitted_twice_at_once_is_submitted_once():
    owner = EmployerUserFactory()
    draft = ProposalFactory(employer=owner.employer)

    def submit() -> Callable:
        own_copy = Proposal.objects.get(pk=draft.pk)
        return lambda: services.proposal_submit(actor=owner, proposal=own_copy)

    outcomes = race(submit, submit)

    assert sorted(outcomes) == ["conflict", "ok"], outcomes
    assert Proposal.objects.get(pk=draft.pk).status == "submitted"
    assert events(draft, action="submit").count() == 1
