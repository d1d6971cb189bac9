"""The proposal life cycle: the table in projects/workflow.py, then the same table enforced by the
services (a refused pair raises Conflict and changes nothing; a permitted pair by the wrong person
raises PermissionDenied and changes nothing)."""

from itertools import product

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from accounts.errors import Conflict
from accounts.models import AuditEvent
from projects import services, workflow
from projects.models import Proposal, RejectionReason
from projects.workflow import Action, Status
from tests.factories import EmployerUserFactory, ProposalFactory

OWNER, MINISTRY = workflow.OWNER, workflow.MINISTRY

# Written out by hand from the issue, so that a change to the table has to change this too.
EXPECTED = {
    ("draft", "submit"): ("submitted", OWNER),
    ("returned", "submit"): ("submitted", OWNER),
    ("submitted", "approve"): ("published", MINISTRY),
    ("submitted", "return"): ("returned", MINISTRY),
    ("submitted", "reject"): ("rejected", MINISTRY),
    ("draft", "withdraw"): ("withdrawn", OWNER),
    ("submitted", "withdraw"): ("withdrawn", OWNER),
    ("returned", "withdraw"): ("withdrawn", OWNER),
}
STATUSES = ["draft", "submitted", "returned", "published", "rejected", "withdrawn"]
ACTIONS = ["submit", "withdraw", "approve", "return", "reject"]
ALL_PAIRS = list(product(STATUSES, ACTIONS))
REFUSED = [pair for pair in ALL_PAIRS if pair not in EXPECTED]


def test_the_statuses_and_actions_are_the_ones_the_table_covers():
    assert sorted(Status.values) == sorted(STATUSES)
    assert sorted(Action.values) == sorted(ACTIONS)


@pytest.mark.parametrize(("status", "action"), list(EXPECTED))
def test_allowed_transition_leads_to_its_status_for_its_role(status, action):
    assert workflow.transition(status, action) == EXPECTED[(status, action)]


@pytest.mark.parametrize(("status", "action"), REFUSED)
def test_refused_transition_has_no_row(status, action):
    assert workflow.transition(status, action) is None


def test_the_table_has_exactly_the_expected_rows():
    assert len(REFUSED) == 22
    assert {
        (str(s), str(a)): (str(to), who) for (s, a), (to, who) in workflow.TRANSITIONS.items()
    } == EXPECTED


def test_only_drafts_and_returned_proposals_are_editable():
    assert set(workflow.EDITABLE) == {"draft", "returned"}


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("draft", {"submit", "withdraw"}),
        ("submitted", {"withdraw"}),
        ("returned", {"submit", "withdraw"}),
        ("published", set()),
        ("rejected", set()),
        ("withdrawn", set()),
    ],
)
def test_available_actions_for_the_owner(status, expected):
    assert set(workflow.available_actions(status, is_owner=True, is_ministry=False)) == expected


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("draft", set()),
        ("submitted", {"approve", "return", "reject"}),
        ("returned", set()),
        ("published", set()),
        ("rejected", set()),
        ("withdrawn", set()),
    ],
)
def test_available_actions_for_ministry_staff(status, expected):
    assert set(workflow.available_actions(status, is_owner=False, is_ministry=True)) == expected


@pytest.mark.parametrize("status", STATUSES)
def test_available_actions_for_anyone_else_are_none(status):
    assert workflow.available_actions(status, is_owner=False, is_ministry=False) == []


def test_available_actions_list_each_action_once():
    actions = workflow.available_actions("submitted", is_owner=True, is_ministry=True)
    assert sorted(actions) == ["approve", "reject", "return", "withdraw"]


# --- the table enforced by the services ------------------------------------------------------


def audit_events(proposal: Proposal):
    return AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(Proposal), object_id=proposal.pk
    )


def proposal_in(status: str, employer_user) -> Proposal:
    extra = {"returned_at": timezone.now()} if status == "returned" else {}
    if status in ("submitted", "returned", "published", "rejected"):
        extra["submitted_at"] = timezone.now()
    return ProposalFactory(employer=employer_user.employer, status=status, **extra)


def act(action: str, *, actor, proposal: Proposal) -> Proposal:
    """Call the service for the action with valid arguments, so only the workflow can refuse."""
    if action == "submit":
        return services.proposal_submit(actor=actor, proposal=proposal)
    if action == "withdraw":
        return services.proposal_withdraw(actor=actor, proposal=proposal)
    if action == "approve":
        return services.proposal_approve(actor=actor, proposal=proposal)
    if action == "return":
        return services.proposal_return(actor=actor, proposal=proposal, comment="请补充实习岗位说明。")
    return services.proposal_reject(
        actor=actor, proposal=proposal, reason=RejectionReason.OTHER, comment="不符合本批次要求。"
    )


def rightful_actor(action: str, employer, ministry):
    return ministry if action in {"approve", "return", "reject"} else employer


@pytest.mark.parametrize(("status", "action"), REFUSED)
def test_service_refuses_a_transition_the_table_lacks_and_changes_nothing(
    status, action, employer, ministry, django_capture_on_commit_callbacks
):
    proposal = proposal_in(status, employer)
    before = Proposal.objects.values().get(pk=proposal.pk)

    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(Conflict):
        act(action, actor=rightful_actor(action, employer, ministry), proposal=proposal)

    assert Proposal.objects.values().get(pk=proposal.pk) == before
    assert not audit_events(proposal).exists()
    assert callbacks == []


@pytest.mark.parametrize(("status", "action"), list(EXPECTED))
def test_service_applies_an_allowed_transition_and_audits_it(status, action, employer, ministry):
    proposal = proposal_in(status, employer)
    actor = rightful_actor(action, employer, ministry)

    result = act(action, actor=actor, proposal=proposal)

    new_status = EXPECTED[(status, action)][0]
    assert result.status == new_status
    assert Proposal.objects.get(pk=proposal.pk).status == new_status
    [event] = audit_events(proposal)
    assert (event.actor, event.action, event.from_status, event.to_status) == (
        actor,
        action,
        status,
        new_status,
    )


WRONG_PERSONAS = {
    OWNER: ["other_employer", "ministry", "university", "anonymous"],
    MINISTRY: ["employer", "other_employer", "university", "anonymous"],
}


@pytest.mark.parametrize(
    ("status", "action", "persona"),
    [
        (status, action, persona)
        for (status, action), (_, who) in EXPECTED.items()
        for persona in WRONG_PERSONAS[who]
    ],
)
def test_service_refuses_an_allowed_transition_to_the_wrong_person_and_changes_nothing(
    status, action, persona, employer, request, django_capture_on_commit_callbacks
):
    proposal = proposal_in(status, employer)
    before = Proposal.objects.values().get(pk=proposal.pk)
    actor = request.getfixturevalue(persona)

    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(PermissionDenied):
        act(action, actor=actor, proposal=proposal)

    assert Proposal.objects.values().get(pk=proposal.pk) == before
    assert not audit_events(proposal).exists()
    assert callbacks == []


@pytest.mark.parametrize("action", ["submit", "withdraw"])
def test_a_colleague_at_the_same_employer_may_act_as_the_owner(action, employer):
    colleague = EmployerUserFactory(employer=employer.employer)
    proposal = proposal_in("draft", employer)

    act(action, actor=colleague, proposal=proposal)

    assert Proposal.objects.get(pk=proposal.pk).status == EXPECTED[("draft", action)][0]


def test_a_stale_copy_cannot_move_a_proposal_that_moved_on(employer, ministry):
    proposal = proposal_in("submitted", employer)
    stale = Proposal.objects.get(pk=proposal.pk)
    services.proposal_approve(actor=ministry, proposal=proposal)

    with pytest.raises(Conflict):
        services.proposal_return(actor=ministry, proposal=stale, comment="再看看。")

    assert Proposal.objects.get(pk=proposal.pk).status == "published"
    assert list(audit_events(proposal).values_list("action", flat=True)) == ["approve"]
