"""The outcome report, the services: the employer files it (figures, evidence, who may) and
the university confirms it or sends it back."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.errors import Conflict
from accounts.models import AuditEvent
from matching.brokering import implementation
from matching.models import Introduction
from tests.factories import (
    EmployerUserFactory,
    MinistryUserFactory,
)

from .common import events, inbox, pdf, world
from .implementation_services import (  # noqa: F401
    FIGURES,
    accepted_fixture,
    call_fixture,
    confirmed_fixture,
    file,
    fresh,
    introduce_fixture,
    media_fixture,
    png_named_pdf,
    project_fixture,
    report_of,
    running_fixture,
    submitted_fixture,
    unverified_employer_fixture,
    unverified_university_fixture,
)

# Filing the outcome


def test_the_employer_files_the_outcome_and_the_university_is_asked_to_confirm(
    ministry, employer, university, running, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        report = file(employer, running, evidence=pdf("结题报告.pdf"))
    stored = report_of(running)
    assert stored == report
    assert {name: getattr(stored, name) for name in FIGURES} == FIGURES
    assert (stored.status, stored.comment) == ("submitted", "")
    assert stored.submitted_at is not None and stored.confirmed_at is None
    assert stored.evidence.name.startswith("outcomes/")
    assert stored.students_benefited == 28
    assert Introduction.objects.get(pk=running.pk).status == "in_progress"
    assert inbox(university) == ["matching/email/outcome_submitted"]
    assert inbox(employer) == inbox(ministry) == []
    assert [m.to for m in mailoutbox] == [[university.email]]
    assert events(running)[-1] == ("outcome_submitted", "", "")
    assert AuditEvent.objects.get(action="outcome_submitted").actor == employer


def test_figures_typed_as_text_are_taken_as_numbers(employer, running):
    file(employer, running, students_trained="18", graduates_hired="6")
    assert report_of(running).students_trained == 18


def test_the_outcome_may_be_filed_as_soon_as_the_agreement_is_signed(employer, introduce):
    introduction = introduce("signed")
    file(employer, introduction)
    assert report_of(introduction).status == "submitted"


@pytest.mark.parametrize(
    "status", ["proposed", "sent", "accepted", "declined", "expired", "cancelled", "completed"]
)
def test_the_outcome_is_filed_only_under_a_signed_agreement(employer, introduce, status):
    introduction = introduce(status)
    before = world()
    with pytest.raises(Conflict):
        file(employer, introduction)
    assert world() == before


@pytest.mark.parametrize(
    "persona",
    ["university", "other_employer", "other_university", "ministry", "anonymous", "unverified_employer"],
)
def test_only_the_projects_employer_files_the_outcome(request, running, persona):
    actor = request.getfixturevalue(persona)
    before = world()
    with pytest.raises(PermissionDenied):
        file(actor, running)
    assert world() == before


def test_a_colleague_at_the_same_employer_may_file_it(employer, running):
    file(EmployerUserFactory(employer=employer.employer), running)
    assert report_of(running).status == "submitted"


@pytest.mark.parametrize(
    ("figures", "field"),
    [
        ({"students_trained": -1}, "students_trained"),
        ({"interns_hosted": -5}, "interns_hosted"),
        ({"graduates_hired": -1}, "graduates_hired"),
        ({"funding_delivered_cny": -100}, "funding_delivered_cny"),
        ({"students_trained": 100_001}, "students_trained"),
        ({"interns_hosted": 100_001}, "interns_hosted"),
        (
            {"graduates_hired": 100_001, "students_trained": 100_000, "interns_hosted": 100_000},
            "graduates_hired",
        ),
        ({"funding_delivered_cny": 10**10 + 1}, "funding_delivered_cny"),
        ({"students_trained": None}, "students_trained"),
        ({"students_trained": "十八"}, "students_trained"),
        ({"narrative": ""}, "narrative"),
    ],
)
def test_impossible_figures_are_refused_and_change_nothing(employer, running, figures, field, mailoutbox):
    before = world()
    with pytest.raises(ValidationError) as caught:
        file(employer, running, **figures)
    assert field in caught.value.message_dict
    assert world() == before and mailoutbox == []


def test_more_graduates_hired_than_students_trained_and_interns_hosted_is_refused(employer, running):
    before = world()
    with pytest.raises(ValidationError) as caught:
        file(employer, running, students_trained=18, interns_hosted=10, graduates_hired=29)
    assert caught.value.message_dict == {
        "graduates_hired": [
            "More graduates hired than students trained and interns hosted together: check the figures."
        ]
    }
    assert world() == before
    file(employer, running, students_trained=18, interns_hosted=10, graduates_hired=28)
    assert report_of(running).graduates_hired == 28


def test_fields_the_employer_may_not_set_are_refused(employer, running):
    before = world()
    with pytest.raises(ValidationError) as caught:
        file(employer, running, status="accepted", comment="自行通过")
    assert set(caught.value.message_dict) == {"status", "comment"}
    assert world() == before


def test_evidence_that_is_not_a_pdf_is_refused(employer, running, media):
    before = world()
    with pytest.raises(ValidationError) as caught:
        file(employer, running, evidence=png_named_pdf())
    assert "evidence" in caught.value.message_dict
    assert world() == before
    assert not any(path.is_file() for path in media.rglob("*"))


def test_a_filed_report_cannot_be_filed_again_until_it_is_sent_back(employer, submitted, confirmed):
    before = world()
    with pytest.raises(Conflict):
        file(employer, fresh(submitted.introduction), graduates_hired=1)
    assert world() == before


# The university confirms or returns it


def test_the_university_confirms_and_ministry_staff_are_asked_to_review(
    ministry, employer, university, submitted, django_capture_on_commit_callbacks, mailoutbox
):
    colleague = MinistryUserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        implementation.outcome_confirm(actor=university, report=submitted)
    stored = report_of(submitted.introduction)
    assert stored.status == "confirmed" and stored.confirmed_at is not None
    confirmed = "matching/email/outcome_confirmed"
    assert inbox(ministry) == inbox(colleague) == [confirmed]
    assert inbox(employer) == [] and inbox(university) == ["matching/email/outcome_submitted"]
    assert sorted(m.to[0] for m in mailoutbox) == sorted([ministry.email, colleague.email])
    event = AuditEvent.objects.get(action="outcome_confirmed")
    assert (event.actor, event.target) == (university, submitted.introduction)


@pytest.mark.parametrize(
    "persona",
    ["employer", "other_university", "other_employer", "ministry", "anonymous", "unverified_university"],
)
def test_only_the_university_of_the_cooperation_confirms(request, submitted, persona):
    actor = request.getfixturevalue(persona)
    before = world()
    with pytest.raises(PermissionDenied):
        implementation.outcome_confirm(actor=actor, report=submitted)
    assert world() == before


def test_a_report_is_confirmed_once(university, confirmed):
    before = world()
    with pytest.raises(Conflict):
        implementation.outcome_confirm(actor=university, report=report_of(confirmed.introduction))
    assert world() == before


@pytest.mark.parametrize("comment", ["", "  "])
def test_sending_a_report_back_needs_a_comment(university, submitted, comment):
    before = world()
    with pytest.raises(ValidationError) as caught:
        implementation.outcome_return(actor=university, report=submitted, comment=comment)
    assert "comment" in caught.value.message_dict
    assert world() == before


def test_the_university_sends_a_report_back_to_the_employer(
    employer, university, submitted, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        implementation.outcome_return(actor=university, report=submitted, comment="实习人数应为 12 人。")
    stored = report_of(submitted.introduction)
    assert (stored.status, stored.comment) == ("returned", "实习人数应为 12 人。")
    assert inbox(employer) == ["matching/email/outcome_returned"]
    assert [m.to for m in mailoutbox] == [[employer.email]]
    assert "实习人数应为 12 人。" in mailoutbox[0].body
    event = AuditEvent.objects.get(action="outcome_returned")
    assert (event.actor, event.comment) == (university, "实习人数应为 12 人。")


def test_the_university_cannot_send_back_a_report_it_confirmed(university, confirmed):
    before = world()
    with pytest.raises(Conflict):
        implementation.outcome_return(actor=university, report=confirmed, comment="改主意了")
    assert world() == before


def test_ministry_staff_cannot_send_back_a_report_the_university_has_not_confirmed(ministry, submitted):
    before = world()
    with pytest.raises(Conflict):
        implementation.outcome_return(actor=ministry, report=submitted, comment="请补充材料")
    assert world() == before


@pytest.mark.parametrize(
    "persona", ["employer", "other_university", "other_employer", "anonymous", "unverified_university"]
)
def test_only_the_university_or_ministry_staff_send_a_report_back(request, submitted, persona):
    actor = request.getfixturevalue(persona)
    before = world()
    with pytest.raises(PermissionDenied):
        implementation.outcome_return(actor=actor, report=submitted, comment="请修改")
    assert world() == before
