"""proposal_submit on the real database: completeness per project type, the audit and the
emails on commit, and the deadline to the second in Beijing time."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.errors import Conflict
from accounts.models import VerificationStatus
from projects import services
from projects.models import Proposal
from tests.factories import EmployerUserFactory, ProposalFactory

from .helpers import audit_events, beijing, frozen, messages, stored

# --- proposal_submit: completeness ------------------------------------------------------------

ALWAYS_REQUIRED = {
    "summary",
    "description",
    "student_places",
    "partners_sought",
    "host_province",
    "host_city",
    "duration_months",
    "contact_person",
    "contact_phone",
    "contact_email",
}


def test_submitting_an_empty_draft_lists_every_missing_field_at_once(
    employer, call, django_capture_on_commit_callbacks
):
    proposal = services.proposal_create(
        actor=employer,
        call=call,
        fields={"project_type": "workforce_development", "title": "教师人工智能素养提升"},
    )

    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(ValidationError) as exc:
        services.proposal_submit(actor=employer, proposal=proposal)

    assert set(exc.value.message_dict) == ALWAYS_REQUIRED | {
        "training_hours",
        "trainees",
        "areas",
        "funding_cny",
    }
    assert all(len(errors) == 1 for errors in exc.value.message_dict.values())
    assert Proposal.objects.get(pk=proposal.pk).status == "draft"
    assert list(audit_events(proposal).values_list("action", flat=True)) == ["proposal_created"]
    assert callbacks == []


@pytest.mark.parametrize(
    ("project_type", "needs"),
    [
        ("directed_training", {"training_hours"}),
        ("internship_base", {"internship_places_per_year"}),
        ("workforce_development", {"training_hours", "trainees"}),
    ],
)
def test_each_project_type_requires_its_own_fields(project_type, needs, employer, call):
    proposal = ProposalFactory(
        employer=employer.employer,
        call=call,
        project_type=project_type,
        training_hours=None,
        internship_places_per_year=None,
        trainees=None,
    )

    with pytest.raises(ValidationError) as exc:
        services.proposal_submit(actor=employer, proposal=proposal)
    assert set(exc.value.message_dict) == needs

    services.proposal_update(actor=employer, proposal=proposal, fields=dict.fromkeys(needs, 16))
    services.proposal_submit(actor=employer, proposal=proposal)
    assert Proposal.objects.get(pk=proposal.pk).status == "submitted"


def test_a_proposal_without_focus_areas_cannot_be_submitted(employer, call):
    proposal = ProposalFactory(employer=employer.employer, call=call, areas={})

    with pytest.raises(ValidationError) as exc:
        services.proposal_submit(actor=employer, proposal=proposal)

    assert set(exc.value.message_dict) == {"areas"}


@pytest.mark.parametrize(
    ("funding", "in_kind", "accepted"),
    [
        (200000, "", True),
        (None, "GPU 服务器与企业导师", True),
        (None, "", False),
        (0, "   ", False),
    ],
)
def test_funding_or_in_kind_support_is_required(funding, in_kind, accepted, employer, call):
    proposal = ProposalFactory(
        employer=employer.employer, call=call, funding_cny=funding, in_kind_support=in_kind
    )

    if accepted:
        services.proposal_submit(actor=employer, proposal=proposal)
        assert Proposal.objects.get(pk=proposal.pk).status == "submitted"
    else:
        with pytest.raises(ValidationError) as exc:
            services.proposal_submit(actor=employer, proposal=proposal)
        assert set(exc.value.message_dict) == {"funding_cny"}
        assert Proposal.objects.get(pk=proposal.pk).status == "draft"


def test_more_partners_than_student_places_cannot_be_submitted(employer, call):
    proposal = ProposalFactory(employer=employer.employer, call=call, student_places=2, partners_sought=3)

    with pytest.raises(ValidationError) as exc:
        services.proposal_submit(actor=employer, proposal=proposal)

    assert set(exc.value.message_dict) == {"partners_sought"}


def test_submission_checks_the_stored_proposal_not_the_callers_copy(employer, draft):
    draft.summary = ""  # an unsaved change on the caller's copy must not be what is judged

    services.proposal_submit(actor=employer, proposal=draft)

    assert Proposal.objects.get(pk=draft.pk).summary != ""


def test_a_member_of_a_revoked_employer_cannot_submit(employer, draft):
    employer.employer.status = VerificationStatus.REJECTED
    employer.employer.save()

    with pytest.raises(PermissionDenied):
        services.proposal_submit(actor=employer, proposal=draft)

    assert Proposal.objects.get(pk=draft.pk).status == "draft"


# --- proposal_submit: success ----------------------------------------------------------------


def test_submitting_records_the_time_audits_and_emails_the_members_on_commit(
    employer, draft, django_capture_on_commit_callbacks, mailoutbox
):
    colleague = EmployerUserFactory(employer=employer.employer, email="colleague@employer.example.cn")
    EmployerUserFactory(employer=employer.employer, is_active=False, email="left@employer.example.cn")
    now = beijing(2027, 1, 15, 10, 30, 5)
    draft.call.opens_at, draft.call.closes_at = beijing(2027, 1, 1), beijing(2027, 4, 30, 23, 59, 59)
    draft.call.save()

    with frozen(now), django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = services.proposal_submit(actor=employer, proposal=draft)
        assert mailoutbox == []  # nothing is sent before the transaction commits

    saved = Proposal.objects.get(pk=draft.pk)
    assert (result.status, saved.status, saved.submitted_at) == ("submitted", "submitted", now)
    [event] = audit_events(draft)
    assert (event.actor, event.action, event.from_status, event.to_status) == (
        employer,
        "submit",
        "draft",
        "submitted",
    )
    assert event.created_at == now
    assert len(callbacks) == 2
    assert sorted(m.to[0] for m in mailoutbox) == sorted([employer.email, colleague.email])
    assert all(draft.title in m.subject and str(draft.public_id) in m.body for m in mailoutbox)


def test_a_refused_submission_sends_nothing(employer, call, django_capture_on_commit_callbacks, mailoutbox):
    proposal = ProposalFactory(employer=employer.employer, call=call, summary="")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        services.proposal_submit(actor=employer, proposal=proposal)

    assert mailoutbox == []


# --- the deadline, to the second, Beijing time -----------------------------------------------


def test_submitting_in_the_last_second_before_the_deadline_succeeds(employer, april_call):
    proposal = ProposalFactory(employer=employer.employer, call=april_call)

    with frozen(beijing(2027, 4, 30, 23, 59, 59)):
        services.proposal_submit(actor=employer, proposal=proposal)

    saved = Proposal.objects.get(pk=proposal.pk)
    assert saved.status == "submitted"
    assert saved.submitted_at == beijing(2027, 4, 30, 23, 59, 59)


def test_submitting_one_second_after_the_deadline_is_refused_naming_the_deadline(employer, april_call):
    proposal = ProposalFactory(employer=employer.employer, call=april_call)

    with frozen(beijing(2027, 5, 1, 0, 0, 0)), pytest.raises(ValidationError) as exc:
        services.proposal_submit(actor=employer, proposal=proposal)

    assert "2027-04-30 23:59:59" in messages(exc)
    assert stored(proposal)["status"] == "draft"
    assert stored(proposal)["submitted_at"] is None
    assert not audit_events(proposal).exists()


def test_the_deadline_is_beijing_time_not_utc(employer, april_call):
    proposal = ProposalFactory(employer=employer.employer, call=april_call)

    # 23:59:59 UTC on 30 April is eight hours after the Beijing deadline.
    with frozen(datetime(2027, 4, 30, 23, 59, 59, tzinfo=ZoneInfo("UTC"))), pytest.raises(ValidationError):
        services.proposal_submit(actor=employer, proposal=proposal)

    assert Proposal.objects.get(pk=proposal.pk).status == "draft"


def test_submitting_before_the_call_opens_is_refused(employer, april_call):
    proposal = ProposalFactory(employer=employer.employer, call=april_call)

    with frozen(beijing(2027, 2, 28, 23, 59, 59)), pytest.raises(ValidationError) as exc:
        services.proposal_submit(actor=employer, proposal=proposal)

    assert "2027-03-01 00:00:00" in messages(exc)
    assert Proposal.objects.get(pk=proposal.pk).status == "draft"


def test_submitting_at_the_second_the_call_opens_succeeds(employer, april_call):
    proposal = ProposalFactory(employer=employer.employer, call=april_call)

    with frozen(beijing(2027, 3, 1, 0, 0, 0)):
        services.proposal_submit(actor=employer, proposal=proposal)

    assert Proposal.objects.get(pk=proposal.pk).status == "submitted"


@pytest.mark.parametrize("status", ["submitted", "published", "rejected", "withdrawn"])
def test_submitting_again_after_the_deadline_is_a_conflict_not_a_deadline_refusal(
    status, employer, april_call
):
    # A stale page clicked after the deadline must not tell the employer that their submitted
    # proposal can no longer be submitted: it was, and the answer is the workflow's conflict.
    proposal = ProposalFactory(employer=employer.employer, call=april_call, status=status)
    before = stored(proposal)

    with frozen(beijing(2027, 5, 2, 9, 0)), pytest.raises(Conflict):
        services.proposal_submit(actor=employer, proposal=proposal)

    assert stored(proposal) == before


@pytest.mark.parametrize("persona", ["other_employer", "ministry", "university"])
def test_someone_else_submitting_an_incomplete_draft_is_refused_before_it_is_checked(
    persona, employer, call, request
):
    proposal = ProposalFactory(employer=employer.employer, call=call, summary="", host_city="")

    with pytest.raises(PermissionDenied):
        services.proposal_submit(actor=request.getfixturevalue(persona), proposal=proposal)

    assert Proposal.objects.get(pk=proposal.pk).status == "draft"
