"""Draft reminders: employers with unsubmitted drafts are emailed 7 days and 1 day before a call's
deadline, each reminder once, however often the job runs."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from portal.celery import app as celery_app
from projects.models import DraftReminder
from projects.services import draft_reminders_send
from projects.tasks import send_draft_reminders
from tests.factories import CallFactory, EmployerUserFactory, ProposalFactory

SH = ZoneInfo("Asia/Shanghai")
DEADLINE = datetime(2027, 4, 30, 23, 59, 59, tzinfo=SH)
SIX_DAYS_BEFORE = DEADLINE - timedelta(days=6)
TWENTY_HOURS_BEFORE = DEADLINE - timedelta(hours=20)


@pytest.fixture
def call(db):
    return CallFactory(
        name="2027 年人工智能领域第一批", opens_at=datetime(2027, 3, 1, tzinfo=SH), closes_at=DEADLINE
    )


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Run the job as the beat would, sending the emails it registers on commit."""

    def run_at(now: datetime) -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return draft_reminders_send(now=now)

    return run_at


def reminders(employer_user) -> list[int]:
    return sorted(
        DraftReminder.objects.filter(employer=employer_user.employer).values_list("days_before", flat=True)
    )


def test_a_draft_six_days_before_the_deadline_gets_the_seven_day_reminder_once(
    employer, call, run, mailoutbox
):
    ProposalFactory(employer=employer.employer, call=call)

    assert run(SIX_DAYS_BEFORE) == 1
    assert run(SIX_DAYS_BEFORE + timedelta(hours=1)) == 0

    assert reminders(employer) == [7]
    [email] = mailoutbox
    assert email.to == [employer.email]
    assert call.name in email.body and "2027-04-30 23:59" in email.body


def test_twenty_hours_before_the_deadline_the_one_day_reminder_is_sent_once(employer, call, run, mailoutbox):
    ProposalFactory(employer=employer.employer, call=call)
    run(SIX_DAYS_BEFORE)

    assert run(TWENTY_HOURS_BEFORE) == 1
    assert run(TWENTY_HOURS_BEFORE + timedelta(hours=1)) == 0

    assert reminders(employer) == [1, 7]
    assert len(mailoutbox) == 2


def test_a_late_first_run_sends_only_the_one_day_reminder(employer, call, run, mailoutbox):
    ProposalFactory(employer=employer.employer, call=call)

    assert run(TWENTY_HOURS_BEFORE) == 1

    assert reminders(employer) == [1]
    assert len(mailoutbox) == 1


def test_an_employer_with_several_drafts_gets_one_reminder_per_member(employer, call, run, mailoutbox):
    colleague = EmployerUserFactory(employer=employer.employer)
    ProposalFactory.create_batch(3, employer=employer.employer, call=call)

    assert run(SIX_DAYS_BEFORE) == 1

    assert sorted(m.to[0] for m in mailoutbox) == sorted([employer.email, colleague.email])
    assert DraftReminder.objects.count() == 1


@pytest.mark.parametrize("status", ["submitted", "returned", "published", "rejected", "withdrawn"])
def test_an_employer_without_drafts_gets_nothing(status, employer, call, run, mailoutbox):
    ProposalFactory(employer=employer.employer, call=call, status=status)

    assert run(SIX_DAYS_BEFORE) == 0
    assert run(TWENTY_HOURS_BEFORE) == 0

    assert mailoutbox == []
    assert not DraftReminder.objects.exists()


def test_only_employers_with_drafts_are_reminded(employer, other_employer, call, run, mailoutbox):
    ProposalFactory(employer=employer.employer, call=call)
    ProposalFactory(employer=other_employer.employer, call=call, status="submitted")

    run(SIX_DAYS_BEFORE)

    assert [m.to for m in mailoutbox] == [[employer.email]]
    assert reminders(other_employer) == []


@pytest.mark.parametrize(
    "now",
    [
        DEADLINE - timedelta(days=10),
        DEADLINE - timedelta(days=7, seconds=1),
        DEADLINE,
        DEADLINE + timedelta(seconds=1),
        DEADLINE + timedelta(days=3),
    ],
)
def test_no_reminder_outside_the_seven_days_before_the_deadline(now, employer, call, run, mailoutbox):
    ProposalFactory(employer=employer.employer, call=call)

    assert run(now) == 0

    assert mailoutbox == []
    assert not DraftReminder.objects.exists()


def test_a_call_not_yet_open_sends_no_reminder(employer, run, mailoutbox):
    upcoming = CallFactory(opens_at=DEADLINE - timedelta(days=2), closes_at=DEADLINE)
    ProposalFactory(employer=employer.employer, call=upcoming)

    assert run(SIX_DAYS_BEFORE) == 0
    assert mailoutbox == []


def test_each_call_is_reminded_separately(employer, call, run, mailoutbox):
    second = CallFactory(opens_at=call.opens_at, closes_at=DEADLINE - timedelta(days=2))
    ProposalFactory(employer=employer.employer, call=call)
    ProposalFactory(employer=employer.employer, call=second)

    assert run(SIX_DAYS_BEFORE) == 2

    assert sorted(DraftReminder.objects.values_list("call_id", "days_before")) == sorted(
        [(call.pk, 7), (second.pk, 7)]
    )
    assert len(mailoutbox) == 2


def test_the_beat_schedule_runs_the_reminder_task():
    tasks = {entry["task"] for entry in celery_app.conf.beat_schedule.values()}
    assert "projects.tasks.send_draft_reminders" in tasks
    assert send_draft_reminders.name == "projects.tasks.send_draft_reminders"


def test_the_celery_task_sends_the_reminders(employer, django_capture_on_commit_callbacks, mailoutbox):
    call = CallFactory(closes_at=timezone.now() + timedelta(days=6))
    ProposalFactory(employer=employer.employer, call=call)

    with django_capture_on_commit_callbacks(execute=True):
        first = send_draft_reminders.delay().get(timeout=10)
    with django_capture_on_commit_callbacks(execute=True):
        second = send_draft_reminders.delay().get(timeout=10)

    assert (first, second) == (1, 0)
    assert [m.to for m in mailoutbox] == [[employer.email]]
    assert reminders(employer) == [7]
