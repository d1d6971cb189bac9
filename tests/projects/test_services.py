"""The services that write calls and proposals, on the real database: drafting, submitting (with
the deadline, the revision window, the per-employer limit and the compliance flags), review,
attachments and call rounds."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from accounts.errors import Conflict
from accounts.models import AuditEvent, VerificationStatus
from projects import services
from projects.models import Attachment, Call, CompliancePhrase, Proposal, RejectionReason
from tests.factories import CallFactory, EmployerUserFactory, ProposalFactory, plain_pdf

SH = ZoneInfo("Asia/Shanghai")
PDF = plain_pdf()
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64
MB = 1024 * 1024


def beijing(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


def frozen(moment: datetime):
    return time_machine.travel(moment, tick=False)


def audit_events(target):
    return AuditEvent.objects.filter(content_type=ContentType.objects.get_for_model(type(target)),
                                     object_id=target.pk)


def stored(proposal: Proposal) -> dict:
    return Proposal.objects.values().get(pk=proposal.pk)


def area_weights(proposal: Proposal) -> dict[str, float]:
    return {row.area.code: row.weight for row in proposal.area_weights.select_related("area")}


def messages(exc: pytest.ExceptionInfo) -> str:
    return " ".join(exc.value.messages)


@pytest.fixture
def call(db):
    return CallFactory()


@pytest.fixture
def april_call(db):
    """The 2027 round: opens 1 March, closes at the last second of 30 April, Beijing time."""
    return CallFactory(opens_at=beijing(2027, 3, 1), closes_at=beijing(2027, 4, 30, 23, 59, 59))


@pytest.fixture
def draft(employer, call):
    return ProposalFactory(employer=employer.employer, call=call)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


# --- proposal_create -------------------------------------------------------------------------

def test_verified_employer_starts_a_draft_with_only_a_type_and_a_title(employer, call):
    proposal = services.proposal_create(actor=employer, call=call, fields={
        "project_type": "directed_training", "title": "大模型应用开发定向培养班"})

    saved = Proposal.objects.get(pk=proposal.pk)
    assert (saved.status, saved.employer, saved.call) == ("draft", employer.employer, call)
    assert (saved.project_type, saved.title, saved.summary) == \
        ("directed_training", "大模型应用开发定向培养班", "")
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
        services.proposal_create(actor=request.getfixturevalue(persona), call=call,
                                 fields={"project_type": "internship_base", "title": "实习基地"})

    assert not Proposal.objects.exists()


def test_member_of_a_revoked_employer_may_not_start_a_proposal(employer, call):
    employer.employer.status = VerificationStatus.REJECTED
    employer.employer.save()

    with pytest.raises(PermissionDenied):
        services.proposal_create(actor=employer, call=call,
                                 fields={"project_type": "internship_base", "title": "实习基地"})

    assert not Proposal.objects.exists()


def test_starting_a_proposal_in_a_closed_call_is_refused(employer):
    closed = CallFactory(opens_at=beijing(2025, 3, 1), closes_at=beijing(2025, 4, 30, 23, 59, 59))

    with pytest.raises(ValidationError) as exc:
        services.proposal_create(actor=employer, call=closed,
                                 fields={"project_type": "internship_base", "title": "实习基地"})

    assert set(exc.value.message_dict) == {"call"}
    assert not Proposal.objects.exists()


def test_focus_area_weights_are_normalised_to_sum_to_one(employer, call):
    proposal = services.proposal_create(
        actor=employer, call=call, fields={"project_type": "internship_base", "title": "视觉质检"},
        areas={"cv": 2, "ml": 1, "nlp": 0},
    )

    weights = area_weights(proposal)
    assert weights == pytest.approx({"cv": 2 / 3, "ml": 1 / 3})
    assert sum(weights.values()) == pytest.approx(1.0)


def test_a_sub_area_code_is_accepted(employer, call):
    proposal = services.proposal_create(
        actor=employer, call=call, fields={"project_type": "internship_base", "title": "医学影像"},
        areas={"cv.medical_imaging": 0.5},
    )

    assert area_weights(proposal) == {"cv.medical_imaging": 1.0}


def test_an_unknown_focus_area_is_refused_and_nothing_is_saved(employer, call):
    with pytest.raises(ValidationError) as exc:
        services.proposal_create(actor=employer, call=call,
                                 fields={"project_type": "internship_base", "title": "量子计算"},
                                 areas={"cv": 1, "quantum": 1})

    assert set(exc.value.message_dict) == {"areas"}
    assert "quantum" in messages(exc)
    assert not Proposal.objects.exists()


@pytest.mark.parametrize("weight", [-1, 100.5, float("nan"), float("inf"), "heavy", True, None, [1]])
def test_a_bad_focus_area_weight_is_refused(weight, employer, call):
    with pytest.raises(ValidationError) as exc:
        services.proposal_create(actor=employer, call=call,
                                 fields={"project_type": "internship_base", "title": "视觉质检"},
                                 areas={"cv": weight})

    assert set(exc.value.message_dict) == {"areas"}
    assert not Proposal.objects.exists()


def test_focus_areas_must_be_a_mapping(employer, call):
    with pytest.raises(ValidationError) as exc:
        services.proposal_create(actor=employer, call=call,
                                 fields={"project_type": "internship_base", "title": "视觉质检"},
                                 areas=["cv", "ml"])

    assert set(exc.value.message_dict) == {"areas"}


@pytest.mark.parametrize("field", ["status", "flags", "submitted_at", "decided_at", "employer",
                                   "public_id", "no_such_field"])
def test_fields_outside_the_editable_content_are_refused(field, employer, call):
    with pytest.raises(ValidationError) as exc:
        services.proposal_create(actor=employer, call=call, fields={
            "project_type": "internship_base", "title": "视觉质检", field: "published"})

    assert set(exc.value.message_dict) == {field}
    assert not Proposal.objects.exists()


@pytest.mark.parametrize(("field", "value"), [
    ("project_type", "consulting"),
    ("contact_phone", "12345"),
    ("contact_email", "not-an-email"),
    ("student_places", 0),
    ("duration_months", 61),
    ("host_province", "99"),
    ("title", "题" * 201),
])
def test_an_invalid_value_is_refused_with_its_field_named(field, value, employer, call):
    fields = {"project_type": "internship_base", "title": "视觉质检", field: value}

    with pytest.raises(ValidationError) as exc:
        services.proposal_create(actor=employer, call=call, fields=fields)

    assert set(exc.value.message_dict) == {field}
    assert not Proposal.objects.exists()


# --- proposal_update -------------------------------------------------------------------------

def test_owner_edits_a_draft_and_replaces_its_focus_areas(employer, draft):
    services.proposal_update(actor=employer, proposal=draft, fields={"title": "新标题", "student_places": 30},
                             areas={"nlp": 3, "ml": 1})

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
        services.proposal_update(actor=request.getfixturevalue(persona), proposal=draft,
                                 fields={"title": "别人改的"})

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
        services.proposal_update(actor=employer, proposal=proposal, fields={"title": "偷偷改"},
                                 areas={"ml": 1})

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
        services.proposal_update(actor=employer, proposal=draft,
                                 fields={"title": "新标题", "contact_phone": "12345"}, areas={"ml": 1})

    assert set(exc.value.message_dict) == {"contact_phone"}
    assert stored(draft) == before
    assert area_weights(draft) == {"cv": 1.0}


def test_invalid_areas_in_an_edit_save_nothing(employer, draft):
    before = stored(draft)

    with pytest.raises(ValidationError):
        services.proposal_update(actor=employer, proposal=draft, fields={"title": "新标题"},
                                 areas={"ufo": 1})

    assert stored(draft) == before
    assert area_weights(draft) == {"cv": 1.0}


def test_an_edit_cannot_set_the_status(employer, draft):
    with pytest.raises(ValidationError) as exc:
        services.proposal_update(actor=employer, proposal=draft, fields={"status": "published"})

    assert set(exc.value.message_dict) == {"status"}
    assert Proposal.objects.get(pk=draft.pk).status == "draft"


# --- proposal_submit: completeness ------------------------------------------------------------

ALWAYS_REQUIRED = {"summary", "description", "student_places", "partners_sought", "host_province",
                   "host_city", "duration_months", "contact_person", "contact_phone", "contact_email"}


def test_submitting_an_empty_draft_lists_every_missing_field_at_once(
        employer, call, django_capture_on_commit_callbacks):
    proposal = services.proposal_create(actor=employer, call=call, fields={
        "project_type": "workforce_development", "title": "教师人工智能素养提升"})

    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(ValidationError) as exc:
        services.proposal_submit(actor=employer, proposal=proposal)

    assert set(exc.value.message_dict) == ALWAYS_REQUIRED | {"training_hours", "trainees", "areas",
                                                             "funding_cny"}
    assert all(len(errors) == 1 for errors in exc.value.message_dict.values())
    assert Proposal.objects.get(pk=proposal.pk).status == "draft"
    assert list(audit_events(proposal).values_list("action", flat=True)) == ["proposal_created"]
    assert callbacks == []


@pytest.mark.parametrize(("project_type", "needs"), [
    ("directed_training", {"training_hours"}),
    ("internship_base", {"internship_places_per_year"}),
    ("workforce_development", {"training_hours", "trainees"}),
])
def test_each_project_type_requires_its_own_fields(project_type, needs, employer, call):
    proposal = ProposalFactory(employer=employer.employer, call=call, project_type=project_type,
                               training_hours=None, internship_places_per_year=None, trainees=None)

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


@pytest.mark.parametrize(("funding", "in_kind", "accepted"), [
    (200000, "", True),
    (None, "GPU 服务器与企业导师", True),
    (None, "", False),
    (0, "   ", False),
])
def test_funding_or_in_kind_support_is_required(funding, in_kind, accepted, employer, call):
    proposal = ProposalFactory(employer=employer.employer, call=call, funding_cny=funding,
                               in_kind_support=in_kind)

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
        employer, draft, django_capture_on_commit_callbacks, mailoutbox):
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
    assert (event.actor, event.action, event.from_status, event.to_status) == \
        (employer, "submit", "draft", "submitted")
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
        status, employer, april_call):
    # A stale page clicked after the deadline must not tell the employer that their submitted
    # proposal can no longer be submitted: it was, and the answer is the workflow's conflict.
    proposal = ProposalFactory(employer=employer.employer, call=april_call, status=status)
    before = stored(proposal)

    with frozen(beijing(2027, 5, 2, 9, 0)), pytest.raises(Conflict):
        services.proposal_submit(actor=employer, proposal=proposal)

    assert stored(proposal) == before


@pytest.mark.parametrize("persona", ["other_employer", "ministry", "university"])
def test_someone_else_submitting_an_incomplete_draft_is_refused_before_it_is_checked(
        persona, employer, call, request):
    proposal = ProposalFactory(employer=employer.employer, call=call, summary="", host_city="")

    with pytest.raises(PermissionDenied):
        services.proposal_submit(actor=request.getfixturevalue(persona), proposal=proposal)

    assert Proposal.objects.get(pk=proposal.pk).status == "draft"


# --- the revision window ---------------------------------------------------------------------

def returned_at(moment: datetime, *, employer, ministry, call: Call) -> Proposal:
    """A proposal submitted in March and returned by ministry staff at `moment`."""
    proposal = ProposalFactory(employer=employer.employer, call=call)
    with frozen(beijing(2027, 3, 15, 9, 0)):
        services.proposal_submit(actor=employer, proposal=proposal)
    with frozen(moment):
        services.proposal_return(actor=ministry, proposal=proposal, comment="请补充导师安排。")
    return Proposal.objects.get(pk=proposal.pk)


@pytest.mark.parametrize(("revision_days", "late_by", "accepted"), [
    (7, timedelta(0), True),
    (7, timedelta(seconds=1), False),
    (3, timedelta(0), True),
    (3, timedelta(seconds=1), False),
])
def test_a_returned_proposal_may_be_resubmitted_until_the_revision_window_ends(
        revision_days, late_by, accepted, employer, ministry, april_call):
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
    proposal = returned_at(beijing(2027, 4, 29, 12, 0), employer=employer, ministry=ministry,
                           call=april_call)

    with frozen(beijing(2027, 5, 4, 12, 0)), pytest.raises(ValidationError):
        services.proposal_submit(actor=employer, proposal=proposal)

    assert Proposal.objects.get(pk=proposal.pk).status == "returned"


def test_a_returned_proposal_may_be_resubmitted_while_the_call_is_open_after_its_window(
        employer, ministry, april_call):
    proposal = returned_at(beijing(2027, 4, 1, 10, 0), employer=employer, ministry=ministry, call=april_call)

    with frozen(beijing(2027, 4, 25, 10, 0)):
        services.proposal_submit(actor=employer, proposal=proposal)

    assert Proposal.objects.get(pk=proposal.pk).status == "submitted"


def test_the_return_email_gives_the_end_of_the_revision_window(
        employer, ministry, april_call, django_capture_on_commit_callbacks, mailoutbox):
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
        employer, other_employer, limited_call):
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


# --- compliance flags ------------------------------------------------------------------------

@pytest.mark.parametrize(("field", "text", "rule", "phrase"), [
    ("description", "学生参加实训需缴纳培训费 800 元。", "fees", "培训费"),
    ("summary", "合作高校需按我方清单采购设备。", "equipment", "采购设备"),
    ("in_kind_support", "配合我司新品的产品推广活动。", "marketing", "产品推广"),
    ("title", "AI bootcamp with a training fee", "fees", "training fee"),
    ("description", "A TRAINING FEE of 500 yuan applies to every student.", "fees", "training fee"),
    ("summary", "Universities must Purchase Equipment from us.", "equipment", "purchase equipment"),
])
def test_text_with_a_listed_phrase_is_flagged_but_still_submitted(field, text, rule, phrase, employer, call):
    proposal = ProposalFactory(employer=employer.employer, call=call, **{field: text})

    services.proposal_submit(actor=employer, proposal=proposal)

    saved = Proposal.objects.get(pk=proposal.pk)
    assert saved.status == "submitted"
    assert saved.flags == [{"rule": rule, "phrase": phrase}]
    assert saved.is_flagged


def test_clean_text_gets_no_flags(employer, draft):
    services.proposal_submit(actor=employer, proposal=draft)

    saved = Proposal.objects.get(pk=draft.pk)
    assert saved.flags == [] and not saved.is_flagged


def test_every_rule_a_text_breaks_is_flagged(employer, call):
    proposal = ProposalFactory(employer=employer.employer, call=call,
                               description="学生需缴纳培训费，合作高校需采购设备。")

    services.proposal_submit(actor=employer, proposal=proposal)

    flags = Proposal.objects.get(pk=proposal.pk).flags
    assert sorted((f["rule"], f["phrase"]) for f in flags) == [("equipment", "采购设备"), ("fees", "培训费")]


def test_a_deactivated_phrase_no_longer_flags(employer, call):
    CompliancePhrase.objects.filter(phrase="培训费").update(active=False)
    proposal = ProposalFactory(employer=employer.employer, call=call, description="学生需缴纳培训费。")

    services.proposal_submit(actor=employer, proposal=proposal)

    assert Proposal.objects.get(pk=proposal.pk).flags == []


def test_a_phrase_added_by_staff_flags(employer, call):
    CompliancePhrase.objects.create(rule=CompliancePhrase.Rule.MARKETING, phrase="独家合作伙伴")
    proposal = ProposalFactory(employer=employer.employer, call=call, summary="成为我司独家合作伙伴。")

    services.proposal_submit(actor=employer, proposal=proposal)

    assert Proposal.objects.get(pk=proposal.pk).flags == [{"rule": "marketing", "phrase": "独家合作伙伴"}]


def test_flags_are_recomputed_on_resubmission(employer, ministry, call):
    proposal = ProposalFactory(employer=employer.employer, call=call, description="学生需缴纳培训费。")
    services.proposal_submit(actor=employer, proposal=proposal)
    services.proposal_return(actor=ministry, proposal=proposal, comment="不得向学生收费。")
    services.proposal_update(actor=employer, proposal=proposal, fields={"description": "学生免费参加实训。"})

    services.proposal_submit(actor=employer, proposal=proposal)

    assert Proposal.objects.get(pk=proposal.pk).flags == []


# --- review: approve, return, reject, withdraw -----------------------------------------------

@pytest.fixture
def submitted(employer, call):
    return ProposalFactory(employer=employer.employer, call=call, status="submitted",
                           submitted_at=call.opens_at + timedelta(days=1))


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
        employer, ministry, submitted, django_capture_on_commit_callbacks, mailoutbox):
    now = beijing(2027, 5, 10, 15, 0, 0)

    with frozen(now), django_capture_on_commit_callbacks(execute=True):
        services.proposal_approve(actor=ministry, proposal=submitted, comment="方案完整，准予发布。")

    saved = Proposal.objects.get(pk=submitted.pk)
    assert (saved.status, saved.decided_at) == ("published", now)
    [event] = audit_events(submitted)
    assert (event.actor, event.action, event.from_status, event.to_status, event.comment) == \
        (ministry, "approve", "submitted", "published", "方案完整，准予发布。")
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
        employer, ministry, submitted, django_capture_on_commit_callbacks, mailoutbox):
    now = beijing(2027, 4, 10, 9, 30)

    with frozen(now), django_capture_on_commit_callbacks(execute=True):
        services.proposal_return(actor=ministry, proposal=submitted,
                                 comment="  请补充实习岗位的安全保障措施。 ")

    saved = Proposal.objects.get(pk=submitted.pk)
    assert (saved.status, saved.returned_at, saved.decided_at) == ("returned", now, None)
    [event] = audit_events(submitted)
    assert (event.action, event.from_status, event.to_status, event.comment) == \
        ("return", "submitted", "returned", "请补充实习岗位的安全保障措施。")
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
        reason, employer, ministry, submitted, django_capture_on_commit_callbacks, mailoutbox):
    now = beijing(2027, 5, 11, 11, 0)

    with frozen(now), django_capture_on_commit_callbacks(execute=True):
        services.proposal_reject(actor=ministry, proposal=submitted, reason=reason,
                                 comment="与本批次方向不符。")

    saved = Proposal.objects.get(pk=submitted.pk)
    assert (saved.status, saved.decided_at) == ("rejected", now)
    [event] = audit_events(submitted)
    assert (event.actor, event.action, event.reason, event.comment, event.to_status) == \
        (ministry, "reject", reason, "与本批次方向不符。", "rejected")
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
    assert (event.actor, event.from_status, event.to_status, event.comment) == \
        (employer, status, "withdrawn", "项目计划调整。")


# --- bulk approve ----------------------------------------------------------------------------

def test_bulk_approve_approves_the_submitted_and_skips_the_rest(
        employer, ministry, call, django_capture_on_commit_callbacks, mailoutbox):
    submitted = ProposalFactory.create_batch(3, employer=employer.employer, call=call, status="submitted")
    others = [ProposalFactory(employer=employer.employer, call=call, status=status)
              for status in ("draft", "returned", "published", "rejected")]
    selection = Proposal.objects.filter(pk__in=[p.pk for p in submitted + others])

    with django_capture_on_commit_callbacks(execute=True):
        counts = services.proposal_bulk_approve(actor=ministry, proposals=selection)

    assert counts == (3, 4)
    assert set(Proposal.objects.filter(pk__in=[p.pk for p in submitted]).values_list("status", flat=True)) \
        == {"published"}
    assert [Proposal.objects.get(pk=p.pk).status for p in others] == \
        ["draft", "returned", "published", "rejected"]
    assert AuditEvent.objects.filter(action="approve").count() == 3
    assert len(mailoutbox) == 3


@pytest.mark.parametrize("persona", ["employer", "university", "anonymous"])
def test_bulk_approve_is_for_ministry_staff_only(persona, employer, call, request):
    submitted = ProposalFactory.create_batch(2, employer=employer.employer, call=call, status="submitted")

    with pytest.raises(PermissionDenied):
        services.proposal_bulk_approve(actor=request.getfixturevalue(persona),
                                       proposals=Proposal.objects.all())

    assert [Proposal.objects.get(pk=p.pk).status for p in submitted] == ["submitted", "submitted"]
    assert not AuditEvent.objects.filter(action="approve").exists()


# --- attachments -----------------------------------------------------------------------------

def pdf(name: str = "项目方案.pdf", size: int | None = None) -> SimpleUploadedFile:
    content = PDF if size is None else PDF + b"\n" * (size - len(PDF))   # still a readable PDF
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def files_under(root) -> list:
    return [path for path in root.rglob("*") if path.is_file()]


def test_a_pdf_is_attached_and_stored(employer, draft, media):
    attachment = services.attachment_add(actor=employer, proposal=draft, upload=pdf())

    saved = Attachment.objects.get(pk=attachment.pk)
    assert (saved.proposal, saved.name, saved.size) == (draft, "项目方案.pdf", len(PDF))
    [path] = files_under(media)
    assert path.read_bytes() == PDF


def test_a_png_renamed_to_pdf_is_refused(employer, draft, media):
    upload = SimpleUploadedFile("方案.pdf", PNG, content_type="application/pdf")

    with pytest.raises(ValidationError) as exc:
        services.attachment_add(actor=employer, proposal=draft, upload=upload)

    assert set(exc.value.message_dict) == {"file"}
    assert not Attachment.objects.exists()
    assert files_under(media) == []


def test_a_file_of_exactly_ten_megabytes_is_accepted(employer, draft, media):
    services.attachment_add(actor=employer, proposal=draft, upload=pdf(size=10 * MB))

    assert Attachment.objects.get().size == 10 * MB


def test_a_file_over_ten_megabytes_is_refused(employer, draft, media):
    with pytest.raises(ValidationError) as exc:
        services.attachment_add(actor=employer, proposal=draft, upload=pdf(size=10 * MB + 1))

    assert set(exc.value.message_dict) == {"file"}
    assert not Attachment.objects.exists()
    assert files_under(media) == []


def test_a_sixth_attachment_is_refused(employer, draft, media):
    for i in range(5):
        services.attachment_add(actor=employer, proposal=draft, upload=pdf(f"附件{i}.pdf"))

    with pytest.raises(ValidationError) as exc:
        services.attachment_add(actor=employer, proposal=draft, upload=pdf("附件6.pdf"))

    assert set(exc.value.message_dict) == {"file"}
    assert draft.attachments.count() == 5
    assert len(files_under(media)) == 5


def test_a_stale_copy_of_a_submitted_proposal_takes_no_attachment(employer, draft, media):
    stale = Proposal.objects.get(pk=draft.pk)  # the edit page was open in another tab
    services.proposal_submit(actor=employer, proposal=draft)

    with pytest.raises(ValidationError):
        services.attachment_add(actor=employer, proposal=stale, upload=pdf())

    assert not Attachment.objects.exists()
    assert files_under(media) == []


def test_a_returned_proposal_takes_attachments(employer, call, media):
    proposal = ProposalFactory(employer=employer.employer, call=call, status="returned")

    services.attachment_add(actor=employer, proposal=proposal, upload=pdf())

    assert proposal.attachments.count() == 1


@pytest.mark.parametrize("status", ["submitted", "published", "rejected", "withdrawn"])
def test_no_attachment_is_added_to_a_proposal_under_review_or_decided(status, employer, call, media):
    proposal = ProposalFactory(employer=employer.employer, call=call, status=status)

    with pytest.raises(ValidationError):
        services.attachment_add(actor=employer, proposal=proposal, upload=pdf())

    assert not Attachment.objects.exists()
    assert files_under(media) == []


@pytest.mark.parametrize("persona", ["other_employer", "ministry", "university", "anonymous"])
def test_only_the_owner_attaches_files(persona, draft, media, request):
    with pytest.raises(PermissionDenied):
        services.attachment_add(actor=request.getfixturevalue(persona), proposal=draft, upload=pdf())

    assert not Attachment.objects.exists()
    assert files_under(media) == []


def test_the_owner_removes_an_attachment_and_its_file(employer, draft, media):
    attachment = services.attachment_add(actor=employer, proposal=draft, upload=pdf())

    services.attachment_remove(actor=employer, attachment=attachment)

    assert not Attachment.objects.exists()
    assert files_under(media) == []


@pytest.mark.parametrize("persona", ["other_employer", "ministry", "university", "anonymous"])
def test_only_the_owner_removes_an_attachment(persona, employer, draft, media, request):
    attachment = services.attachment_add(actor=employer, proposal=draft, upload=pdf())

    with pytest.raises(PermissionDenied):
        services.attachment_remove(actor=request.getfixturevalue(persona), attachment=attachment)

    assert Attachment.objects.filter(pk=attachment.pk).exists()
    assert len(files_under(media)) == 1


def test_an_attachment_of_a_submitted_proposal_cannot_be_removed(employer, draft, media):
    attachment = services.attachment_add(actor=employer, proposal=draft, upload=pdf())
    services.proposal_submit(actor=employer, proposal=draft)
    attachment = Attachment.objects.select_related("proposal").get(pk=attachment.pk)

    with pytest.raises(ValidationError):
        services.attachment_remove(actor=employer, attachment=attachment)

    assert Attachment.objects.filter(pk=attachment.pk).exists()
    assert len(files_under(media)) == 1


def test_an_attachment_loaded_before_submission_cannot_be_removed_after_it(employer, draft, media):
    attachment = services.attachment_add(actor=employer, proposal=draft, upload=pdf())
    stale = Attachment.objects.select_related("proposal").get(pk=attachment.pk)
    services.proposal_submit(actor=employer, proposal=draft)

    with pytest.raises(ValidationError):
        services.attachment_remove(actor=employer, attachment=stale)

    assert Attachment.objects.filter(pk=attachment.pk).exists()
    assert len(files_under(media)) == 1


# --- call rounds -----------------------------------------------------------------------------

def call_fields(**overrides) -> dict:
    return {"name": "2028 年人工智能领域第一批", "slug": "ai-2028-1", "year": 2028,
            "opens_at": beijing(2028, 3, 1), "closes_at": beijing(2028, 4, 30, 23, 59, 59), **overrides}


def test_ministry_staff_open_a_call_round(ministry):
    call = services.call_create(actor=ministry, fields=call_fields(max_proposals_per_employer=3))

    saved = Call.objects.get(pk=call.pk)
    assert (saved.slug, saved.closes_at, saved.max_proposals_per_employer, saved.revision_days) == \
        ("ai-2028-1", beijing(2028, 4, 30, 23, 59, 59), 3, 7)
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
    services.call_update(actor=ministry, call=april_call,
                         fields={"closes_at": beijing(2027, 5, 7, 23, 59, 59)})

    assert Call.objects.get(pk=april_call.pk).closes_at == beijing(2027, 5, 7, 23, 59, 59)
    [event] = audit_events(april_call)
    assert (event.actor, event.action) == (ministry, "call_updated")
    assert "2027-04-30" in event.comment and "2027-05-07" in event.comment


@pytest.mark.parametrize("persona", ["employer", "university", "anonymous"])
def test_only_ministry_staff_change_a_call(persona, april_call, request):
    with pytest.raises(PermissionDenied):
        services.call_update(actor=request.getfixturevalue(persona), call=april_call,
                             fields={"closes_at": beijing(2027, 5, 7)})

    assert Call.objects.get(pk=april_call.pk).closes_at == beijing(2027, 4, 30, 23, 59, 59)


def test_moving_the_deadline_before_the_opening_is_refused_and_saves_nothing(ministry, april_call):
    with pytest.raises(ValidationError):
        services.call_update(actor=ministry, call=april_call,
                             fields={"name": "改名", "closes_at": beijing(2027, 2, 1)})

    saved = Call.objects.get(pk=april_call.pk)
    assert (saved.name, saved.closes_at) == (april_call.name, beijing(2027, 4, 30, 23, 59, 59))
    assert not audit_events(april_call).exists()


def test_extending_the_deadline_lets_a_late_submission_through(employer, ministry, april_call):
    proposal = ProposalFactory(employer=employer.employer, call=april_call)
    late = beijing(2027, 5, 3, 10, 0)
    with frozen(late), pytest.raises(ValidationError):
        services.proposal_submit(actor=employer, proposal=proposal)

    services.call_update(actor=ministry, call=april_call,
                         fields={"closes_at": beijing(2027, 5, 7, 23, 59, 59)})
    with frozen(late):
        services.proposal_submit(actor=employer, proposal=proposal)

    saved = Proposal.objects.get(pk=proposal.pk)
    assert (saved.status, saved.submitted_at) == ("submitted", late)
