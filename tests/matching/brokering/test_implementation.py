"""After both sides accept, the services: the cooperation agreement (its date, its places, its
PDF), the milestones that start the implementation, and the outcome report the employer files,
the university confirms or returns and ministry staff accept or return, with the audit trail and
who may take each step. The state table itself is tested in test_introductions.py."""

from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.errors import Conflict
from accounts.models import AuditEvent, Notification, UniversityCapacity, User, VerificationStatus
from matching.brokering import implementation, introductions, selectors
from matching.models import Agreement, Introduction, Milestone, OutcomeReport
from projects.models import Proposal
from tests.factories import (
    AgreementFactory,
    CallFactory,
    EmployerUserFactory,
    IntroductionFactory,
    MinistryUserFactory,
    OutcomeReportFactory,
    ProposalFactory,
    UniversityUserFactory,
    plain_pdf,
)
from tests.races import race

from .common import events, inbox, world

SH = ZoneInfo("Asia/Shanghai")
PDF = plain_pdf()
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64
FIGURES = {"students_trained": 18, "interns_hosted": 10, "graduates_hired": 6,
           "funding_delivered_cny": 100_000, "narrative": "完成两期工业视觉质检实训，6 名毕业生入职。"}


# Helpers


def published(employer_org, **fields) -> Proposal:
    """40 student places over 2 partners (a share of 20) unless told otherwise."""
    return ProposalFactory(employer=employer_org, status="published", decided_at=timezone.now(),
                           **fields)


def capacity(university_org, places: int = 100, projects: int = 5) -> UniversityCapacity:
    return UniversityCapacity.objects.update_or_create(
        university=university_org, project_type="internship_base",
        defaults={"places": places, "projects": projects})[0]


def pdf(name: str = "协议.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def png_named_pdf(name: str = "scan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="application/pdf")


def fresh(introduction: Introduction) -> Introduction:
    return Introduction.objects.select_related("proposal", "proposal__employer", "proposal__call",
                                               "university").get(pk=introduction.pk)


def report_of(introduction: Introduction) -> OutcomeReport:
    return OutcomeReport.objects.select_related(
        "introduction", "introduction__proposal", "introduction__proposal__employer",
        "introduction__university").get(introduction=introduction)


def unverified_member(member) -> User:
    """A colleague of the member, once their organisation is no longer verified."""
    organisation = member.organisation
    if member.employer_id:
        colleague = EmployerUserFactory(employer=organisation)
    else:
        colleague = UniversityUserFactory(university=organisation)
    type(organisation).objects.filter(pk=organisation.pk).update(status=VerificationStatus.PENDING)
    return User.objects.select_related("employer", "university").get(pk=colleague.pk)


def record(actor, introduction, **fields) -> Agreement:
    fields = {"signed_on": timezone.localdate(), "places_agreed": 20, **fields}
    return implementation.agreement_record(actor=actor, introduction=introduction, **fields)


def milestone(actor, introduction, **fields) -> Milestone:
    fields = {"title": "第一期实训开班", "happened_on": timezone.localdate(), **fields}
    return implementation.milestone_record(actor=actor, introduction=introduction, **fields)


def file(actor, introduction, evidence=None, **figures) -> OutcomeReport:
    return implementation.outcome_submit(actor=actor, introduction=introduction,
                                         fields={**FIGURES, **figures}, evidence=evidence)


# Fixtures


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def call(db):
    return CallFactory()


@pytest.fixture
def project(employer, call):
    return published(employer.employer, call=call)


@pytest.fixture
def introduce(ministry, university, project):
    """An introduction of the project and the university in the given status (accepted by
    default), both sides having accepted, brokered by the ministry persona."""
    capacity(university.university)

    def make(status: str = "accepted", *, proposal=None, to=None, **fields) -> Introduction:
        proposal = proposal or project
        now = timezone.now()
        introduction = IntroductionFactory(
            proposal=proposal, university=to or university.university, broker=ministry,
            places=introductions.share_of(proposal), status=status, employer_response="accepted",
            university_response="accepted", employer_responded_at=now,
            university_responded_at=now, accepted_at=now, **fields)
        introductions.project_refresh(proposal)
        return fresh(introduction)

    return make


@pytest.fixture
def accepted(introduce):
    return introduce()


@pytest.fixture
def running(introduce):
    """In progress under a signed agreement for its 20 places."""
    introduction = introduce("in_progress")
    AgreementFactory(introduction=introduction, places_agreed=20)
    return introduction


@pytest.fixture
def submitted(employer, running):
    file(employer, running)
    return report_of(running)


@pytest.fixture
def confirmed(university, submitted):
    return implementation.outcome_confirm(actor=university, report=submitted)


@pytest.fixture
def unverified_employer(employer):
    return unverified_member(employer)


@pytest.fixture
def unverified_university(university):
    return unverified_member(university)


# The agreement


@pytest.mark.parametrize("side", ["employer", "university"])
def test_either_side_records_the_agreement_and_the_project_is_in_progress(
    request, ministry, employer, university, accepted, media, side,
    django_capture_on_commit_callbacks, mailoutbox
):
    actor = request.getfixturevalue(side)
    signed_on = timezone.localdate() - timedelta(days=3)
    with django_capture_on_commit_callbacks(execute=True):
        agreement = record(actor, accepted, signed_on=signed_on, places_agreed=15,
                           funding_agreed_cny=80_000, document=pdf())
    stored = Agreement.objects.get(introduction=accepted)
    assert stored == agreement
    assert (stored.signed_on, stored.places_agreed, stored.funding_agreed_cny, stored.recorded_by) == (
        signed_on, 15, 80_000, actor)
    assert stored.document.name.startswith("agreements/")
    with stored.document.open("rb") as document:
        assert document.read(5) == b"%PDF-"
    introduction = Introduction.objects.get(pk=accepted.pk)
    assert (introduction.status, introduction.places) == ("signed", 15)
    project = Proposal.objects.get(pk=accepted.proposal_id)
    assert (project.stage, project.partners_confirmed) == ("in_progress", 1)
    assert events(accepted) == [("sign", "accepted", "signed")]
    signed = "matching/email/agreement_signed"
    assert inbox(employer) == inbox(university) == inbox(ministry) == [signed]
    assert sorted(m.to[0] for m in mailoutbox) == sorted([employer.email, university.email,
                                                          ministry.email])


def test_an_agreement_without_a_document_is_taken(employer, accepted):
    agreement = record(employer, accepted)
    assert not agreement.document
    assert Introduction.objects.get(pk=accepted.pk).status == "signed"


def test_the_signing_date_is_judged_by_the_date_in_beijing(employer, accepted):
    # 00:30 on 2 June in Beijing is still 1 June in UTC.
    with time_machine.travel(datetime(2027, 6, 2, 0, 30, tzinfo=SH), tick=False):
        before = world()
        with pytest.raises(ValidationError) as caught:
            record(employer, accepted, signed_on=datetime(2027, 6, 3).date())
        assert "signed_on" in caught.value.message_dict
        assert world() == before
        record(employer, accepted, signed_on=datetime(2027, 6, 2).date())
    assert Agreement.objects.get().signed_on == datetime(2027, 6, 2).date()


@pytest.mark.parametrize("places", [0, -1])
def test_an_agreement_for_no_places_is_refused(employer, accepted, places):
    before = world()
    with pytest.raises(ValidationError) as caught:
        record(employer, accepted, places_agreed=places)
    assert "places_agreed" in caught.value.message_dict
    assert world() == before


def test_places_agreed_must_fit_the_universitys_places_for_the_type(
    employer, university, call, introduce
):
    capacity(university.university, places=30)
    introduce("signed", proposal=published(employer.employer, call=call))     # holds 20 of 30
    accepted = introduce()
    before = world()
    with pytest.raises(ValidationError) as caught:
        record(employer, accepted, places_agreed=11)
    assert "10 student places left" in " ".join(caught.value.messages)
    assert world() == before
    record(employer, accepted, places_agreed=10)
    assert Introduction.objects.get(pk=accepted.pk).places == 10


def test_places_agreed_must_fit_what_the_projects_other_partners_left(
    employer, other_university, introduce
):
    capacity(other_university.university)
    introduce(to=other_university.university)                                # holds 20 of 40
    accepted = introduce()
    before = world()
    with pytest.raises(ValidationError) as caught:
        record(employer, accepted, places_agreed=21)
    assert "at most 20" in " ".join(caught.value.message_dict["places_agreed"])
    assert world() == before
    record(employer, accepted, places_agreed=20)
    assert Introduction.objects.get(pk=accepted.pk).status == "signed"


def test_an_agreement_document_that_is_not_a_pdf_is_refused(employer, accepted, media):
    before = world()
    with pytest.raises(ValidationError) as caught:
        record(employer, accepted, document=png_named_pdf())
    assert "document" in caught.value.message_dict
    assert world() == before
    assert not any(path.is_file() for path in media.rglob("*"))


@pytest.mark.parametrize("status", ["sent", "signed", "in_progress", "cancelled"])
def test_an_agreement_is_recorded_only_for_an_accepted_introduction(employer, introduce, status):
    introduction = introduce(status)
    before = world()
    with pytest.raises(Conflict):
        record(employer, introduction)
    assert world() == before


@pytest.mark.parametrize("persona", ["ministry", "other_employer", "other_university", "anonymous",
                                     "unverified_employer", "unverified_university"])
def test_only_verified_members_of_the_two_sides_record_the_agreement(request, accepted, persona):
    actor = request.getfixturevalue(persona)
    before = world()
    with pytest.raises(PermissionDenied):
        record(actor, accepted, document=pdf())
    assert world() == before


# Milestones


@pytest.mark.parametrize(("side", "other"), [("employer", "university"), ("university", "employer")])
def test_the_first_milestone_starts_the_implementation_and_tells_the_other_side(
    request, ministry, introduce, side, other, django_capture_on_commit_callbacks, mailoutbox
):
    actor, told = request.getfixturevalue(side), request.getfixturevalue(other)
    introduction = introduce("signed")
    with django_capture_on_commit_callbacks(execute=True):
        made = milestone(actor, introduction, note="首批 20 名学生入企。")
    assert Milestone.objects.get() == made
    assert (made.title, made.note, made.recorded_by) == ("第一期实训开班", "首批 20 名学生入企。", actor)
    assert Introduction.objects.get(pk=introduction.pk).status == "in_progress"
    assert Proposal.objects.get(pk=introduction.proposal_id).stage == "in_progress"
    assert events(introduction) == [("milestone", "signed", "in_progress")]
    assert inbox(told) == ["matching/email/milestone_recorded"]
    assert inbox(actor) == inbox(ministry) == []
    assert [m.to for m in mailoutbox] == [[told.email]]


def test_later_milestones_keep_it_in_progress_and_are_each_audited(employer, university, introduce):
    introduction = introduce("signed")
    milestone(employer, introduction, happened_on=timezone.localdate() - timedelta(days=30))
    milestone(university, introduction, title="中期检查")
    assert Introduction.objects.get(pk=introduction.pk).status == "in_progress"
    assert list(introduction.milestones.values_list("title", flat=True)) == ["第一期实训开班", "中期检查"]
    assert events(introduction) == [("milestone", "signed", "in_progress"),
                                    ("milestone", "in_progress", "in_progress")]


@pytest.mark.parametrize(("fields", "error"), [
    ({"happened_on": "tomorrow"}, "happened_on"),
    ({"title": ""}, "title"),
    ({"title": "长" * 201}, "title"),
])
def test_a_milestone_in_the_future_or_without_a_title_is_refused(employer, introduce, fields, error):
    if fields.get("happened_on") == "tomorrow":
        fields = {"happened_on": timezone.localdate() + timedelta(days=1)}
    introduction = introduce("signed")
    before = world()
    with pytest.raises(ValidationError) as caught:
        milestone(employer, introduction, **fields)
    assert error in caught.value.message_dict
    assert world() == before


@pytest.mark.parametrize("status", ["accepted", "completed", "cancelled"])
def test_milestones_are_recorded_only_under_a_signed_agreement(employer, introduce, status):
    introduction = introduce(status)
    before = world()
    with pytest.raises(Conflict):
        milestone(employer, introduction)
    assert world() == before


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


@pytest.mark.parametrize("status", ["proposed", "sent", "accepted", "declined", "expired",
                                    "cancelled", "completed"])
def test_the_outcome_is_filed_only_under_a_signed_agreement(employer, introduce, status):
    introduction = introduce(status)
    before = world()
    with pytest.raises(Conflict):
        file(employer, introduction)
    assert world() == before


@pytest.mark.parametrize("persona", ["university", "other_employer", "other_university", "ministry",
                                     "anonymous", "unverified_employer"])
def test_only_the_projects_employer_files_the_outcome(request, running, persona):
    actor = request.getfixturevalue(persona)
    before = world()
    with pytest.raises(PermissionDenied):
        file(actor, running)
    assert world() == before


def test_a_colleague_at_the_same_employer_may_file_it(employer, running):
    file(EmployerUserFactory(employer=employer.employer), running)
    assert report_of(running).status == "submitted"


@pytest.mark.parametrize(("figures", "field"), [
    ({"students_trained": -1}, "students_trained"),
    ({"interns_hosted": -5}, "interns_hosted"),
    ({"graduates_hired": -1}, "graduates_hired"),
    ({"funding_delivered_cny": -100}, "funding_delivered_cny"),
    ({"students_trained": 100_001}, "students_trained"),
    ({"interns_hosted": 100_001}, "interns_hosted"),
    ({"graduates_hired": 100_001, "students_trained": 100_000, "interns_hosted": 100_000},
     "graduates_hired"),
    ({"funding_delivered_cny": 10**10 + 1}, "funding_delivered_cny"),
    ({"students_trained": None}, "students_trained"),
    ({"students_trained": "十八"}, "students_trained"),
    ({"narrative": ""}, "narrative"),
])
def test_impossible_figures_are_refused_and_change_nothing(employer, running, figures, field,
                                                           mailoutbox):
    before = world()
    with pytest.raises(ValidationError) as caught:
        file(employer, running, **figures)
    assert field in caught.value.message_dict
    assert world() == before and mailoutbox == []


def test_more_graduates_hired_than_students_trained_and_interns_hosted_is_refused(employer, running):
    before = world()
    with pytest.raises(ValidationError) as caught:
        file(employer, running, students_trained=18, interns_hosted=10, graduates_hired=29)
    assert caught.value.message_dict == {"graduates_hired": [
        "More graduates hired than students trained and interns hosted together: check the "
        "figures."]}
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


@pytest.mark.parametrize("persona", ["employer", "other_university", "other_employer", "ministry",
                                     "anonymous", "unverified_university"])
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
        implementation.outcome_return(actor=university, report=submitted,
                                      comment="实习人数应为 12 人。")
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


def test_ministry_staff_cannot_send_back_a_report_the_university_has_not_confirmed(ministry,
                                                                                   submitted):
    before = world()
    with pytest.raises(Conflict):
        implementation.outcome_return(actor=ministry, report=submitted, comment="请补充材料")
    assert world() == before


@pytest.mark.parametrize("persona", ["employer", "other_university", "other_employer", "anonymous",
                                     "unverified_university"])
def test_only_the_university_or_ministry_staff_send_a_report_back(request, submitted, persona):
    actor = request.getfixturevalue(persona)
    before = world()
    with pytest.raises(PermissionDenied):
        implementation.outcome_return(actor=actor, report=submitted, comment="请修改")
    assert world() == before


# Ministry staff accept or return it


def test_accepting_the_report_completes_the_cooperation_and_the_project(
    ministry, employer, university, confirmed, django_capture_on_commit_callbacks, mailoutbox
):
    introduction = confirmed.introduction
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        implementation.outcome_accept(actor=ministry, report=confirmed, comment="材料齐全，准予结项。")
    stored = report_of(introduction)
    assert (stored.status, stored.comment) == ("accepted", "材料齐全，准予结项。")
    assert stored.decided_at is not None
    assert Introduction.objects.get(pk=introduction.pk).status == "completed"
    project = Proposal.objects.get(pk=introduction.proposal_id)
    assert (project.stage, project.partners_confirmed) == ("completed", 1)
    done = "matching/email/outcome_accepted"
    assert inbox(employer) == inbox(university) == [done] and inbox(ministry) == []
    assert sorted(m.to[0] for m in mailoutbox) == sorted([employer.email, university.email])
    assert events(introduction)[-2:] == [("outcome_accepted", "", ""),
                                         ("complete", "in_progress", "completed")]


def test_the_project_stays_in_progress_while_another_partner_works_on(
    ministry, other_university, introduce, confirmed
):
    capacity(other_university.university)
    introduce("in_progress", to=other_university.university)
    implementation.outcome_accept(actor=ministry, report=confirmed)
    project = Proposal.objects.get(pk=confirmed.introduction.proposal_id)
    assert (project.stage, project.partners_confirmed) == ("in_progress", 2)


def test_a_report_the_university_has_not_confirmed_cannot_be_accepted(ministry, submitted):
    before = world()
    with pytest.raises(Conflict):
        implementation.outcome_accept(actor=ministry, report=submitted)
    assert world() == before


def test_a_report_is_accepted_once(ministry, confirmed):
    implementation.outcome_accept(actor=ministry, report=confirmed)
    before = world()
    with pytest.raises(Conflict):
        implementation.outcome_accept(actor=ministry, report=report_of(confirmed.introduction))
    assert world() == before


@pytest.mark.parametrize("persona", ["employer", "university", "other_employer", "anonymous"])
def test_only_ministry_staff_accept_a_report(request, confirmed, persona):
    actor = request.getfixturevalue(persona)
    before = world()
    with pytest.raises(PermissionDenied):
        implementation.outcome_accept(actor=actor, report=confirmed)
    assert world() == before


def test_a_returned_report_is_corrected_and_filed_again(
    ministry, employer, university, confirmed, django_capture_on_commit_callbacks, mailoutbox
):
    introduction = fresh(confirmed.introduction)
    implementation.outcome_return(actor=ministry, report=confirmed, comment="请附上录用名单。")
    assert report_of(introduction).status == "returned"
    with django_capture_on_commit_callbacks(execute=True):
        corrected = file(employer, introduction, graduates_hired=8, evidence=pdf("录用名单.pdf"))
    stored = report_of(introduction)
    assert stored.pk == confirmed.pk and OutcomeReport.objects.count() == 1
    assert (stored.status, stored.graduates_hired, stored.comment) == ("submitted", 8, "")
    assert stored.evidence.name.startswith("outcomes/") and corrected.evidence == stored.evidence
    assert stored.submitted_at > confirmed.submitted_at
    assert [m.to for m in mailoutbox] == [[university.email]]
    # Corrected again without new evidence, the earlier evidence stays.
    first_evidence = stored.evidence.name
    implementation.outcome_return(actor=university, report=stored, comment="毕业生人数再核对。")
    file(employer, introduction, graduates_hired=7)
    assert report_of(introduction).evidence.name == first_evidence


def test_a_returned_report_refused_on_correction_stays_returned(employer, ministry, confirmed):
    implementation.outcome_return(actor=ministry, report=confirmed, comment="请核对人数。")
    before = world()
    with pytest.raises(ValidationError):
        file(employer, fresh(confirmed.introduction), graduates_hired=-3)
    assert world() == before
    assert report_of(confirmed.introduction).status == "returned"


def test_every_step_of_the_outcome_review_is_audited(ministry, employer, university, running):
    file(employer, running)
    implementation.outcome_return(actor=university, report=report_of(running), comment="人数有误")
    file(employer, running, interns_hosted=12)
    implementation.outcome_confirm(actor=university, report=report_of(running))
    implementation.outcome_return(actor=ministry, report=report_of(running), comment="缺少证明")
    file(employer, running, evidence=pdf())
    implementation.outcome_confirm(actor=university, report=report_of(running))
    implementation.outcome_accept(actor=ministry, report=report_of(running))
    history = [(e.action, e.actor, e.comment)
               for e in selectors.introduction_history(running) if e.action != "complete"]
    assert history == [
        ("outcome_submitted", employer, ""),
        ("outcome_returned", university, "人数有误"),
        ("outcome_submitted", employer, ""),
        ("outcome_confirmed", university, ""),
        ("outcome_returned", ministry, "缺少证明"),
        ("outcome_submitted", employer, ""),
        ("outcome_confirmed", university, ""),
        ("outcome_accepted", ministry, ""),
    ]
    assert [(e.from_status, e.to_status) for e in selectors.introduction_history(running)
            if e.action == "complete"] == [("in_progress", "completed")]


# Who sees which reports


def test_each_persona_sees_only_the_outcome_reports_it_may(
    employer, other_employer, university, other_university, ministry, anonymous, submitted
):
    theirs = OutcomeReportFactory(introduction=IntroductionFactory(
        status="in_progress", proposal=published(other_employer.employer),
        university=other_university.university))

    def seen(user):
        return set(selectors.outcomes_visible_to(user))

    assert seen(employer) == seen(university) == {submitted}
    assert seen(other_employer) == seen(other_university) == {theirs}
    assert seen(ministry) == {submitted, theirs}
    assert seen(anonymous) == set()


# Races, on the real PostgreSQL


def attempt(user_pk: int, introduction_pk: int, step: Callable) -> Callable:
    """Prepared in its own thread: its own copies of the user and the introduction."""

    def prepare():
        actor = User.objects.select_related("employer", "university").get(pk=user_pk)
        return lambda: step(actor, fresh(Introduction(pk=introduction_pk)))
    return prepare


def ready(status: str) -> tuple[User, User, Introduction]:
    owner, user = EmployerUserFactory(), UniversityUserFactory()
    capacity(user.university)
    introduction = IntroductionFactory(proposal=published(owner.employer), university=user.university,
                                       status=status, employer_response="accepted",
                                       university_response="accepted", accepted_at=timezone.now())
    return owner, user, introduction


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_first_filings_of_the_outcome_at_once_make_one_report(mailoutbox):
    owner, user, introduction = ready("in_progress")
    colleague = EmployerUserFactory(employer=owner.employer)

    outcomes = race(attempt(owner.pk, introduction.pk, lambda a, i: file(a, i)),
                    attempt(colleague.pk, introduction.pk, lambda a, i: file(a, i, graduates_hired=1)))

    assert sorted(outcomes) == ["conflict", "ok"], outcomes
    assert OutcomeReport.objects.filter(introduction=introduction).count() == 1
    assert AuditEvent.objects.filter(action="outcome_submitted").count() == 1
    assert [m.to for m in mailoutbox] == [[user.email]]


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_both_sides_recording_the_agreement_at_once_record_one():
    owner, user, introduction = ready("accepted")

    outcomes = race(attempt(owner.pk, introduction.pk, lambda a, i: record(a, i)),
                    attempt(user.pk, introduction.pk, lambda a, i: record(a, i, places_agreed=10)))

    assert sorted(outcomes) == ["conflict", "ok"], outcomes
    assert Agreement.objects.filter(introduction=introduction).count() == 1
    assert Introduction.objects.get(pk=introduction.pk).status == "signed"
    assert [e[0] for e in events(introduction)] == ["sign"]
