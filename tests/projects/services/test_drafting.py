"""proposal_create and proposal_update on the real database: who may start and edit a draft,
the focus-area weights, the editable fields and what a refused edit leaves behind."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import VerificationStatus
from projects import services
from projects.models import Proposal
from tests.factories import CallFactory, ProposalFactory

from .helpers import area_weights, beijing, frozen, messages, stored

# --- proposal_create -------------------------------------------------------------------------


def test_verified_employer_starts_a_draft_with_only_a_type_and_a_title(employer, call):
    proposal = services.proposal_create(
        actor=employer,
        call=call,
        fields={"project_type": "directed_training", "title": "大模型应用开发定向培养班"},
    )

    saved = Proposal.objects.get(pk=proposal.pk)
    assert (saved.status, saved.employer, saved.call) == ("draft", employer.employer, call)
    assert (saved.project_type, saved.title, saved.summary) == (
        "directed_training",
        "大模型应用开发定向培养班",
        "",
    )
    assert saved.area_weights.count() == 0
    assert saved.flags == [] and saved.submitted_at is None


def test_draft_without_type_or_title_is_refused(employer, call):
    with pytest.raises(ValidationError) as exc:
        services.proposal_create(actor=employer, call=call, fields={"summary": "只有摘要"})

    assert {"project_type", "title"} <= set(exc.value.message_dict)
    assert not Proposal.objects.exists()


@pytest.mark.parametrize("persona", ["pending_employer", "university", "ministry", "anonymous"])
def test_only_a_verified_employer_may_start_a_proposal(persona, call, request):
    with pytest.raises(PermissionDenied):
        services.proposal_create(
            actor=request.getfixturevalue(persona),
            call=call,
            fields={"project_type": "internship_base", "title": "实习基地"},
        )

    assert not Proposal.objects.exists()


def test_member_of_a_revoked_employer_may_not_start_a_proposal(employer, call):
    employer.employer.status = VerificationStatus.REJECTED
    employer.employer.save()

    with pytest.raises(PermissionDenied):
        services.proposal_create(
            actor=employer, call=call, fields={"project_type": "internship_base", "title": "实习基地"}
        )

    assert not Proposal.objects.exists()


def test_starting_a_proposal_in_a_closed_call_is_refused(employer):
    closed = CallFactory(opens_at=beijing(2025, 3, 1), closes_at=beijing(2025, 4, 30, 23, 59, 59))

    with pytest.raises(ValidationError) as exc:
        services.proposal_create(
            actor=employer, call=closed, fields={"project_type": "internship_base", "title": "实习基地"}
        )

    assert set(exc.value.message_dict) == {"call"}
    assert not Proposal.objects.exists()


def test_focus_area_weights_are_normalised_to_sum_to_one(employer, call):
    proposal = services.proposal_create(
        actor=employer,
        call=call,
        fields={"project_type": "internship_base", "title": "视觉质检"},
        areas={"cv": 2, "ml": 1, "nlp": 0},
    )

    weights = area_weights(proposal)
    assert weights == pytest.approx({"cv": 2 / 3, "ml": 1 / 3})
    assert sum(weights.values()) == pytest.approx(1.0)


def test_a_sub_area_code_is_accepted(employer, call):
    proposal = services.proposal_create(
        actor=employer,
        call=call,
        fields={"project_type": "internship_base", "title": "医学影像"},
        areas={"cv.medical_imaging": 0.5},
    )

    assert area_weights(proposal) == {"cv.medical_imaging": 1.0}


def test_an_unknown_focus_area_is_refused_and_nothing_is_saved(employer, call):
    with pytest.raises(ValidationError) as exc:
        services.proposal_create(
            actor=employer,
            call=call,
            fields={"project_type": "internship_base", "title": "量子计算"},
            areas={"cv": 1, "quantum": 1},
        )

    assert set(exc.value.message_dict) == {"areas"}
    assert "quantum" in messages(exc)
    assert not Proposal.objects.exists()


@pytest.mark.parametrize("weight", [-1, 100.5, float("nan"), float("inf"), "heavy", True, None, [1]])
def test_a_bad_focus_area_weight_is_refused(weight, employer, call):
    with pytest.raises(ValidationError) as exc:
        services.proposal_create(
            actor=employer,
            call=call,
            fields={"project_type": "internship_base", "title": "视觉质检"},
            areas={"cv": weight},
        )

    assert set(exc.value.message_dict) == {"areas"}
    assert not Proposal.objects.exists()


def test_focus_areas_must_be_a_mapping(employer, call):
    with pytest.raises(ValidationError) as exc:
        services.proposal_create(
            actor=employer,
            call=call,
            fields={"project_type": "internship_base", "title": "视觉质检"},
            areas=["cv", "ml"],
        )

    assert set(exc.value.message_dict) == {"areas"}


@pytest.mark.parametrize(
    "field", ["status", "flags", "submitted_at", "decided_at", "employer", "public_id", "no_such_field"]
)
def test_fields_outside_the_editable_content_are_refused(field, employer, call):
    with pytest.raises(ValidationError) as exc:
        services.proposal_create(
            actor=employer,
            call=call,
            fields={"project_type": "internship_base", "title": "视觉质检", field: "published"},
        )

    assert set(exc.value.message_dict) == {field}
    assert not Proposal.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("project_type", "consulting"),
        ("contact_phone", "12345"),
        ("contact_email", "not-an-email"),
        ("student_places", 0),
        ("duration_months", 61),
        ("host_province", "99"),
        ("title", "题" * 201),
    ],
)
def test_an_invalid_value_is_refused_with_its_field_named(field, value, employer, call):
    fields = {"project_type": "internship_base", "title": "视觉质检", field: value}

    with pytest.raises(ValidationError) as exc:
        services.proposal_create(actor=employer, call=call, fields=fields)

    assert set(exc.value.message_dict) == {field}
    assert not Proposal.objects.exists()


# --- proposal_update -------------------------------------------------------------------------


def test_owner_edits_a_draft_and_replaces_its_focus_areas(employer, draft):
    services.proposal_update(
        actor=employer,
        proposal=draft,
        fields={"title": "新标题", "student_places": 30},
        areas={"nlp": 3, "ml": 1},
    )

    saved = Proposal.objects.get(pk=draft.pk)
    assert (saved.title, saved.student_places) == ("新标题", 30)
    assert area_weights(saved) == pytest.approx({"nlp": 0.75, "ml": 0.25})


def test_editing_without_areas_keeps_the_focus_areas(employer, call):
    proposal = ProposalFactory(employer=employer.employer, call=call, areas={"cv": 2, "ml": 1})

    services.proposal_update(actor=employer, proposal=proposal, fields={"title": "只改标题"})

    assert area_weights(proposal) == pytest.approx({"cv": 2 / 3, "ml": 1 / 3})


@pytest.mark.parametrize("persona", ["other_employer", "ministry", "university", "anonymous"])
def test_only_the_owner_may_edit(persona, draft, request):
    before = stored(draft)

    with pytest.raises(PermissionDenied):
        services.proposal_update(
            actor=request.getfixturevalue(persona), proposal=draft, fields={"title": "别人改的"}
        )

    assert stored(draft) == before


def test_a_returned_proposal_can_be_edited(employer, call):
    proposal = ProposalFactory(employer=employer.employer, call=call, status="returned")

    services.proposal_update(actor=employer, proposal=proposal, fields={"summary": "按意见修改"})

    assert Proposal.objects.get(pk=proposal.pk).summary == "按意见修改"


@pytest.mark.parametrize("status", ["submitted", "published", "rejected", "withdrawn"])
def test_a_proposal_under_review_or_decided_cannot_be_edited(status, employer, call):
    proposal = ProposalFactory(employer=employer.employer, call=call, status=status)
    before = stored(proposal)

    with pytest.raises(ValidationError):
        services.proposal_update(
            actor=employer, proposal=proposal, fields={"title": "偷偷改"}, areas={"ml": 1}
        )

    assert stored(proposal) == before
    assert area_weights(proposal) == {"cv": 1.0}


def test_a_stale_copy_of_a_submitted_proposal_cannot_be_edited(employer, draft):
    stale = Proposal.objects.get(pk=draft.pk)
    services.proposal_submit(actor=employer, proposal=draft)

    with pytest.raises(ValidationError):
        services.proposal_update(actor=employer, proposal=stale, fields={"title": "偷偷改"})

    assert Proposal.objects.get(pk=draft.pk).title == draft.title


def test_a_draft_can_still_be_edited_after_the_deadline(employer, april_call):
    proposal = ProposalFactory(employer=employer.employer, call=april_call)

    with frozen(beijing(2027, 5, 3, 9, 0)):
        services.proposal_update(actor=employer, proposal=proposal, fields={"title": "截止后保存"})

    saved = Proposal.objects.get(pk=proposal.pk)
    assert (saved.title, saved.status) == ("截止后保存", "draft")


def test_an_invalid_edit_saves_nothing(employer, draft):
    before = stored(draft)

    with pytest.raises(ValidationError) as exc:
        services.proposal_update(
            actor=employer,
            proposal=draft,
            fields={"title": "新标题", "contact_phone": "12345"},
            areas={"ml": 1},
        )

    assert set(exc.value.message_dict) == {"contact_phone"}
    assert stored(draft) == before
    assert area_weights(draft) == {"cv": 1.0}


def test_invalid_areas_in_an_edit_save_nothing(employer, draft):
    before = stored(draft)

    with pytest.raises(ValidationError):
        services.proposal_update(actor=employer, proposal=draft, fields={"title": "新标题"}, areas={"ufo": 1})

    assert stored(draft) == before
    assert area_weights(draft) == {"cv": 1.0}


def test_an_edit_cannot_set_the_status(employer, draft):
    with pytest.raises(ValidationError) as exc:
        services.proposal_update(actor=employer, proposal=draft, fields={"status": "published"})

    assert set(exc.value.message_dict) == {"status"}
    assert Proposal.objects.get(pk=draft.pk).status == "draft"
