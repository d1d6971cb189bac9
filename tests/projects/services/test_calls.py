"""Call rounds: ministry staff open and change them, a deadline after the opening, a unique
slug, and an extended deadline letting a late submission through."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import AuditEvent
from projects import services
from projects.models import Call, Proposal
from tests.factories import ProposalFactory

from .helpers import audit_events, beijing, frozen

# --- call rounds -----------------------------------------------------------------------------


def call_fields(**overrides) -> dict:
    return {
        "name": "2028 年人工智能领域第一批",
        "slug": "ai-2028-1",
        "year": 2028,
        "opens_at": beijing(2028, 3, 1),
        "closes_at": beijing(2028, 4, 30, 23, 59, 59),
        **overrides,
    }


def test_ministry_staff_open_a_call_round(ministry):
    call = services.call_create(actor=ministry, fields=call_fields(max_proposals_per_employer=3))

    saved = Call.objects.get(pk=call.pk)
    assert (saved.slug, saved.closes_at, saved.max_proposals_per_employer, saved.revision_days) == (
        "ai-2028-1",
        beijing(2028, 4, 30, 23, 59, 59),
        3,
        7,
    )
    [event] = audit_events(saved)
    assert (event.actor, event.action) == (ministry, "call_created")


@pytest.mark.parametrize("persona", ["employer", "university", "anonymous"])
def test_only_ministry_staff_open_a_call_round(persona, db, request):
    with pytest.raises(PermissionDenied):
        services.call_create(actor=request.getfixturevalue(persona), fields=call_fields())

    assert not Call.objects.exists()


@pytest.mark.parametrize("closes_at", [beijing(2028, 3, 1), beijing(2028, 2, 1)])
def test_a_call_must_close_after_it_opens(closes_at, ministry):
    with pytest.raises(ValidationError):
        services.call_create(actor=ministry, fields=call_fields(closes_at=closes_at))

    assert not Call.objects.exists()
    assert not AuditEvent.objects.exists()


def test_a_call_slug_is_unique(ministry, call):
    with pytest.raises(ValidationError) as exc:
        services.call_create(actor=ministry, fields=call_fields(slug=call.slug))

    assert set(exc.value.message_dict) == {"slug"}
    assert Call.objects.count() == 1


def test_ministry_staff_extend_a_deadline_and_it_is_audited(ministry, april_call):
    services.call_update(
        actor=ministry, call=april_call, fields={"closes_at": beijing(2027, 5, 7, 23, 59, 59)}
    )

    assert Call.objects.get(pk=april_call.pk).closes_at == beijing(2027, 5, 7, 23, 59, 59)
    [event] = audit_events(april_call)
    assert (event.actor, event.action) == (ministry, "call_updated")
    assert "2027-04-30" in event.comment and "2027-05-07" in event.comment


@pytest.mark.parametrize("persona", ["employer", "university", "anonymous"])
def test_only_ministry_staff_change_a_call(persona, april_call, request):
    with pytest.raises(PermissionDenied):
        services.call_update(
            actor=request.getfixturevalue(persona), call=april_call, fields={"closes_at": beijing(2027, 5, 7)}
        )

    assert Call.objects.get(pk=april_call.pk).closes_at == beijing(2027, 4, 30, 23, 59, 59)


def test_moving_the_deadline_before_the_opening_is_refused_and_saves_nothing(ministry, april_call):
    with pytest.raises(ValidationError):
        services.call_update(
            actor=ministry, call=april_call, fields={"name": "改名", "closes_at": beijing(2027, 2, 1)}
        )

    saved = Call.objects.get(pk=april_call.pk)
    assert (saved.name, saved.closes_at) == (april_call.name, beijing(2027, 4, 30, 23, 59, 59))
    assert not audit_events(april_call).exists()


def test_extending_the_deadline_lets_a_late_submission_through(employer, ministry, april_call):
    proposal = ProposalFactory(employer=employer.employer, call=april_call)
    late = beijing(2027, 5, 3, 10, 0)
    with frozen(late), pytest.raises(ValidationError):
        services.proposal_submit(actor=employer, proposal=proposal)

    services.call_update(
        actor=ministry, call=april_call, fields={"closes_at": beijing(2027, 5, 7, 23, 59, 59)}
    )
    with frozen(late):
        services.proposal_submit(actor=employer, proposal=proposal)

    saved = Proposal.objects.get(pk=proposal.pk)
    assert (saved.status, saved.submitted_at) == ("submitted", late)
