"""Resubmitting a returned proposal within the call's revision window, and the call's limit on
proposals per employer."""

from datetime import datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from projects import services
from projects.models import Call, Proposal
from tests.factories import CallFactory, ProposalFactory

from .helpers import audit_events, beijing, frozen, messages

# --- the revision window ---------------------------------------------------------------------


def returned_at(moment: datetime, *, employer, ministry, call: Call) -> Proposal:
    """A proposal submitted in March and returned by ministry staff at `moment`."""
    proposal = ProposalFactory(employer=employer.employer, call=call)
    with frozen(beijing(2027, 3, 15, 9, 0)):
        services.proposal_submit(actor=employer, proposal=proposal)
    with frozen(moment):
        services.proposal_return(actor=ministry, proposal=proposal, comment="请补充导师安排。")
    return Proposal.objects.get(pk=proposal.pk)


@pytest.mark.parametrize(
    ("revision_days", "late_by", "accepted"),
    [
        (7, timedelta(0), True),
        (7, timedelta(seconds=1), False),
        (3, timedelta(0), True),
        (3, timedelta(seconds=1), False),
    ],
)
def test_a_returned_proposal_may_be_resubmitted_until_the_revision_window_ends(
    revision_days, late_by, accepted, employer, ministry, april_call
):
    april_call.revision_days = revision_days
    april_call.save()
    returned = beijing(2027, 5, 2, 10, 0, 0)  # after the call closed
    proposal = returned_at(returned, employer=employer, ministry=ministry, call=april_call)
    window_ends = returned + timedelta(days=revision_days)

    with frozen(window_ends + late_by):
        if accepted:
            services.proposal_submit(actor=employer, proposal=proposal)
        else:
            with pytest.raises(ValidationError) as exc:
                services.proposal_submit(actor=employer, proposal=proposal)
            assert window_ends.strftime("%Y-%m-%d %H:%M:%S") in messages(exc)

    assert Proposal.objects.get(pk=proposal.pk).status == ("submitted" if accepted else "returned")


def test_the_three_day_window_refuses_what_the_default_window_would_allow(employer, ministry, april_call):
    april_call.revision_days = 3
    april_call.save()
    proposal = returned_at(beijing(2027, 4, 29, 12, 0), employer=employer, ministry=ministry, call=april_call)

    with frozen(beijing(2027, 5, 4, 12, 0)), pytest.raises(ValidationError):
        services.proposal_submit(actor=employer, proposal=proposal)

    assert Proposal.objects.get(pk=proposal.pk).status == "returned"


def test_a_returned_proposal_may_be_resubmitted_while_the_call_is_open_after_its_window(
    employer, ministry, april_call
):
    proposal = returned_at(beijing(2027, 4, 1, 10, 0), employer=employer, ministry=ministry, call=april_call)

    with frozen(beijing(2027, 4, 25, 10, 0)):
        services.proposal_submit(actor=employer, proposal=proposal)

    assert Proposal.objects.get(pk=proposal.pk).status == "submitted"


def test_the_return_email_gives_the_end_of_the_revision_window(
    employer, ministry, april_call, django_capture_on_commit_callbacks, mailoutbox
):
    proposal = ProposalFactory(employer=employer.employer, call=april_call)
    with frozen(beijing(2027, 4, 20, 9, 0)):
        services.proposal_submit(actor=employer, proposal=proposal)

    with frozen(beijing(2027, 5, 2, 10, 0)), django_capture_on_commit_callbacks(execute=True):
        services.proposal_return(actor=ministry, proposal=proposal, comment="请补充导师安排。")

    [email] = mailoutbox
    assert "2027-05-09 10:00" in email.body and "请补充导师安排。" in email.body


# --- the per-employer limit ------------------------------------------------------------------


@pytest.fixture
def limited_call(db):
    return CallFactory(max_proposals_per_employer=2)


def test_the_submission_over_the_limit_is_refused(employer, limited_call):
    first, second, third = ProposalFactory.create_batch(3, employer=employer.employer, call=limited_call)
    services.proposal_submit(actor=employer, proposal=first)
    services.proposal_submit(actor=employer, proposal=second)

    with pytest.raises(ValidationError) as exc:
        services.proposal_submit(actor=employer, proposal=third)

    assert "2" in messages(exc)
    assert Proposal.objects.get(pk=third.pk).status == "draft"
    assert not audit_events(third).exists()


@pytest.mark.parametrize("status", ["published", "rejected", "returned"])
def test_decided_and_returned_proposals_use_up_a_place(status, employer, limited_call):
    ProposalFactory(employer=employer.employer, call=limited_call, status="submitted")
    ProposalFactory(employer=employer.employer, call=limited_call, status=status)
    proposal = ProposalFactory(employer=employer.employer, call=limited_call)

    with pytest.raises(ValidationError):
        services.proposal_submit(actor=employer, proposal=proposal)


def test_withdrawn_proposals_and_drafts_do_not_count_against_the_limit(employer, limited_call):
    ProposalFactory(employer=employer.employer, call=limited_call, status="submitted")
    ProposalFactory.create_batch(2, employer=employer.employer, call=limited_call, status="withdrawn")
    ProposalFactory.create_batch(3, employer=employer.employer, call=limited_call)
    proposal = ProposalFactory(employer=employer.employer, call=limited_call)

    services.proposal_submit(actor=employer, proposal=proposal)

    assert Proposal.objects.get(pk=proposal.pk).status == "submitted"


def test_resubmitting_a_returned_proposal_does_not_count_it_twice(employer, ministry, limited_call):
    first, second = ProposalFactory.create_batch(2, employer=employer.employer, call=limited_call)
    services.proposal_submit(actor=employer, proposal=first)
    services.proposal_submit(actor=employer, proposal=second)
    services.proposal_return(actor=ministry, proposal=second, comment="请修改摘要。")

    services.proposal_submit(actor=employer, proposal=second)

    assert Proposal.objects.get(pk=second.pk).status == "submitted"


def test_other_calls_and_other_employers_do_not_count_against_the_limit(
    employer, other_employer, limited_call
):
    ProposalFactory.create_batch(2, employer=employer.employer, status="submitted")  # another call
    ProposalFactory.create_batch(2, employer=other_employer.employer, call=limited_call, status="submitted")
    ProposalFactory(employer=employer.employer, call=limited_call, status="submitted")
    proposal = ProposalFactory(employer=employer.employer, call=limited_call)

    services.proposal_submit(actor=employer, proposal=proposal)

    assert Proposal.objects.get(pk=proposal.pk).status == "submitted"


def test_a_call_without_a_limit_takes_any_number(employer, call):
    proposals = ProposalFactory.create_batch(6, employer=employer.employer, call=call)

    for proposal in proposals:
        services.proposal_submit(actor=employer, proposal=proposal)

    assert Proposal.objects.filter(call=call, status="submitted").count() == 6
