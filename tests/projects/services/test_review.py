"""The ministry's review on the real database: approve, return, reject, the owner's withdrawal
and bulk approval, with their audit records and emails on commit."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from accounts.models import AuditEvent
from projects import services
from projects.models import Proposal, RejectionReason
from tests.factories import ProposalFactory

from .helpers import audit_events, beijing, frozen, stored

# --- review: approve, return, reject, withdraw -----------------------------------------------


@pytest.fixture
def submitted(employer, call):
    return ProposalFactory(
        employer=employer.employer,
        call=call,
        status="submitted",
        submitted_at=call.opens_at + timedelta(days=1),
    )


@pytest.mark.parametrize("review", ["approve", "return", "reject"])
@pytest.mark.parametrize("persona", ["employer", "other_employer", "university"])
def test_only_ministry_staff_review(review, persona, submitted, request):
    actor = request.getfixturevalue(persona)
    before = stored(submitted)
    attempt = {
        "approve": lambda: services.proposal_approve(actor=actor, proposal=submitted),
        "return": lambda: services.proposal_return(actor=actor, proposal=submitted, comment="改"),
        "reject": lambda: services.proposal_reject(actor=actor, proposal=submitted, reason="other"),
    }[review]

    with pytest.raises(PermissionDenied):
        attempt()

    assert stored(submitted) == before
    assert not audit_events(submitted).exists()


def test_approving_publishes_records_the_decision_and_emails_on_commit(
    employer, ministry, submitted, django_capture_on_commit_callbacks, mailoutbox
):
    now = beijing(2027, 5, 10, 15, 0, 0)

    with frozen(now), django_capture_on_commit_callbacks(execute=True):
        services.proposal_approve(actor=ministry, proposal=submitted, comment="方案完整，准予发布。")

    saved = Proposal.objects.get(pk=submitted.pk)
    assert (saved.status, saved.decided_at) == ("published", now)
    [event] = audit_events(submitted)
    assert (event.actor, event.action, event.from_status, event.to_status, event.comment) == (
        ministry,
        "approve",
        "submitted",
        "published",
        "方案完整，准予发布。",
    )
    [email] = mailoutbox
    assert email.to == [employer.email]
    assert submitted.title in email.subject and "方案完整，准予发布。" in email.body


@pytest.mark.parametrize("comment", ["", "   \n ", None])
def test_returning_without_saying_what_to_fix_is_refused(comment, ministry, submitted):
    before = stored(submitted)

    with pytest.raises(ValidationError) as exc:
        services.proposal_return(actor=ministry, proposal=submitted, comment=comment)

    assert set(exc.value.message_dict) == {"comment"}
    assert stored(submitted) == before
    assert not audit_events(submitted).exists()


def test_returning_records_the_comment_and_emails_it_on_commit(
    employer, ministry, submitted, django_capture_on_commit_callbacks, mailoutbox
):
    now = beijing(2027, 4, 10, 9, 30)

    with frozen(now), django_capture_on_commit_callbacks(execute=True):
        services.proposal_return(
            actor=ministry, proposal=submitted, comment="  请补充实习岗位的安全保障措施。 "
        )

    saved = Proposal.objects.get(pk=submitted.pk)
    assert (saved.status, saved.returned_at, saved.decided_at) == ("returned", now, None)
    [event] = audit_events(submitted)
    assert (event.action, event.from_status, event.to_status, event.comment) == (
        "return",
        "submitted",
        "returned",
        "请补充实习岗位的安全保障措施。",
    )
    [email] = mailoutbox
    assert email.to == [employer.email] and "请补充实习岗位的安全保障措施。" in email.body


@pytest.mark.parametrize("reason", ["", None, "spam", "Compliance"])
def test_rejecting_without_a_valid_reason_is_refused(reason, ministry, submitted):
    before = stored(submitted)

    with pytest.raises(ValidationError) as exc:
        services.proposal_reject(actor=ministry, proposal=submitted, reason=reason, comment="不予通过")

    assert set(exc.value.message_dict) == {"reason"}
    assert stored(submitted) == before
    assert not audit_events(submitted).exists()


@pytest.mark.parametrize("reason", RejectionReason.values)
def test_rejecting_stores_the_reason_on_the_audit_event_and_emails_its_label(
    reason, employer, ministry, submitted, django_capture_on_commit_callbacks, mailoutbox
):
    now = beijing(2027, 5, 11, 11, 0)

    with frozen(now), django_capture_on_commit_callbacks(execute=True):
        services.proposal_reject(
            actor=ministry, proposal=submitted, reason=reason, comment="与本批次方向不符。"
        )

    saved = Proposal.objects.get(pk=submitted.pk)
    assert (saved.status, saved.decided_at) == ("rejected", now)
    [event] = audit_events(submitted)
    assert (event.actor, event.action, event.reason, event.comment, event.to_status) == (
        ministry,
        "reject",
        reason,
        "与本批次方向不符。",
        "rejected",
    )
    [email] = mailoutbox
    with translation.override(employer.language):
        label = str(RejectionReason(reason).label)
    assert email.to == [employer.email]
    assert label in email.body and "与本批次方向不符。" in email.body


@pytest.mark.parametrize("status", ["draft", "submitted", "returned"])
def test_the_owner_withdraws_an_undecided_proposal_with_a_comment(status, employer, call):
    proposal = ProposalFactory(employer=employer.employer, call=call, status=status)

    services.proposal_withdraw(actor=employer, proposal=proposal, comment="项目计划调整。")

    assert Proposal.objects.get(pk=proposal.pk).status == "withdrawn"
    [event] = audit_events(proposal)
    assert (event.actor, event.from_status, event.to_status, event.comment) == (
        employer,
        status,
        "withdrawn",
        "项目计划调整。",
    )


# --- bulk approve ----------------------------------------------------------------------------


def test_bulk_approve_approves_the_submitted_and_skips_the_rest(
    employer, ministry, call, django_capture_on_commit_callbacks, mailoutbox
):
    submitted = ProposalFactory.create_batch(3, employer=employer.employer, call=call, status="submitted")
    others = [
        ProposalFactory(employer=employer.employer, call=call, status=status)
        for status in ("draft", "returned", "published", "rejected")
    ]
    selection = Proposal.objects.filter(pk__in=[p.pk for p in submitted + others])

    with django_capture_on_commit_callbacks(execute=True):
        counts = services.proposal_bulk_approve(actor=ministry, proposals=selection)

    assert counts == (3, 4)
    assert set(
        Proposal.objects.filter(pk__in=[p.pk for p in submitted]).values_list("status", flat=True)
    ) == {"published"}
    assert [Proposal.objects.get(pk=p.pk).status for p in others] == [
        "draft",
        "returned",
        "published",
        "rejected",
    ]
    assert AuditEvent.objects.filter(action="approve").count() == 3
    assert len(mailoutbox) == 3


@pytest.mark.parametrize("persona", ["employer", "university", "anonymous"])
def test_bulk_approve_is_for_ministry_staff_only(persona, employer, call, request):
    submitted = ProposalFactory.create_batch(2, employer=employer.employer, call=call, status="submitted")

    with pytest.raises(PermissionDenied):
        services.proposal_bulk_approve(
            actor=request.getfixturevalue(persona), proposals=Proposal.objects.all()
        )

    assert [Proposal.objects.get(pk=p.pk).status for p in submitted] == ["submitted", "submitted"]
    assert not AuditEvent.objects.filter(action="approve").exists()
