"""The outcome report's review, the services: ministry staff accept it (completing the
cooperation and the project) or send it back for correction, every step audited, who sees
which reports, and the races of two filings or two agreements at once (on PostgreSQL)."""

from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.errors import Conflict
from accounts.models import AuditEvent, Notification, User
from matching.brokering import implementation, selectors
from matching.models import Agreement, Introduction, OutcomeReport
from projects.models import Proposal
from tests.factories import (
    EmployerUserFactory,
    IntroductionFactory,
    OutcomeReportFactory,
    UniversityUserFactory,
)
from tests.races import race

from .common import events, inbox, pdf, world
from .implementation_services import (  # noqa: F401
    accepted_fixture,
    call_fixture,
    capacity,
    confirmed_fixture,
    file,
    fresh,
    introduce_fixture,
    media_fixture,
    project_fixture,
    published,
    record,
    report_of,
    running_fixture,
    submitted_fixture,
    unverified_employer_fixture,
    unverified_university_fixture,
)

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
    assert events(introduction)[-2:] == [
        ("outcome_accepted", "", ""),
        ("complete", "in_progress", "completed"),
    ]


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
    history = [
        (e.action, e.actor, e.comment)
        for e in selectors.introduction_history(running)
        if e.action != "complete"
    ]
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
    assert [
        (e.from_status, e.to_status)
        for e in selectors.introduction_history(running)
        if e.action == "complete"
    ] == [("in_progress", "completed")]


# Who sees which reports


def test_each_persona_sees_only_the_outcome_reports_it_may(
    employer, other_employer, university, other_university, ministry, anonymous, submitted
):
    theirs = OutcomeReportFactory(
        introduction=IntroductionFactory(
            status="in_progress",
            proposal=published(other_employer.employer),
            university=other_university.university,
        )
    )

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
    introduction = IntroductionFactory(
        proposal=published(owner.employer),
        university=user.university,
        status=status,
        employer_response="accepted",
        university_response="accepted",
        accepted_at=timezone.now(),
    )
    return owner, user, introduction


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_first_filings_of_the_outcome_at_once_make_one_report(mailoutbox):
    owner, user, introduction = ready("in_progress")
    colleague = EmployerUserFactory(employer=owner.employer)

    outcomes = race(
        attempt(owner.pk, introduction.pk, lambda a, i: file(a, i)),
        attempt(colleague.pk, introduction.pk, lambda a, i: file(a, i, graduates_hired=1)),
    )

    assert sorted(outcomes) == ["conflict", "ok"], outcomes
    assert OutcomeReport.objects.filter(introduction=introduction).count() == 1
    assert AuditEvent.objects.filter(action="outcome_submitted").count() == 1
    assert [m.to for m in mailoutbox] == [[user.email]]


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_both_sides_recording_the_agreement_at_once_record_one():
    owner, user, introduction = ready("accepted")

    outcomes = race(
        attempt(owner.pk, introduction.pk, lambda a, i: record(a, i)),
        attempt(user.pk, introduction.pk, lambda a, i: record(a, i, places_agreed=10)),
    )

    assert sorted(outcomes) == ["conflict", "ok"], outcomes
    assert Agreement.objects.filter(introduction=introduction).count() == 1
    assert Introduction.objects.get(pk=introduction.pk).status == "signed"
    assert [e[0] for e in events(introduction)] == ["sign"]
