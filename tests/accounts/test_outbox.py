"""The email outbox: an email is written in the transaction of the change that causes it, sent
once that commits, retried with backoff while the mail server is down, marked failed after eight
tries, and never sent twice by two senders; what could not be queued is sent by the sweep."""

from datetime import timedelta

import pytest
import time_machine
from django.core import checks
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts import outbox, tasks
from accounts.checks import outbox_lease_outlasts_a_send
from accounts.models import OutboundEmail
from tests.factories import EmployerUserFactory

pytestmark = pytest.mark.django_db
TEMPLATE, CONTEXT = "accounts/email/verified", {"organisation": "甲公司", "url": "/"}


@pytest.fixture
def smtp_down(settings):
    """A mail server that refuses connections: the real SMTP backend, pointed at a closed port."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2
    return settings


def smtp_back(settings) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def queue(user, key: str = "") -> OutboundEmail:
    return outbox.email_queue(user=user, template=TEMPLATE, context=CONTEXT, key=key)


def test_an_email_is_sent_once_its_transaction_commits(employer, mailoutbox, committing):
    with committing(), transaction.atomic():
        email = queue(employer)
        assert mailoutbox == []  # not before the commit
    [sent] = mailoutbox
    assert sent.to == [employer.email] and "甲公司" in sent.subject + sent.body
    assert sent.extra_headers["Message-ID"] == f"<{email.key}@127.0.0.1>"
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("sent", 1) and email.sent_at


def test_a_rolled_back_change_sends_nothing(employer, mailoutbox, committing):
    with committing(), pytest.raises(RuntimeError), transaction.atomic():
        queue(employer)
        raise RuntimeError("the change failed")
    assert mailoutbox == [] and not OutboundEmail.objects.exists()


def test_the_same_key_is_queued_once(employer, mailoutbox, committing):
    with committing():
        first, second = queue(employer, key="k-1"), queue(employer, key="k-1")
    assert first == second and OutboundEmail.objects.count() == 1 and len(mailoutbox) == 1


def test_nobody_without_an_address_or_inactive_is_emailed():
    assert queue(EmployerUserFactory(email="")) is None
    assert queue(EmployerUserFactory(is_active=False)) is None
    assert not OutboundEmail.objects.exists()


def test_a_refused_email_waits_and_is_retried_with_backoff(employer, mailoutbox, smtp_down):
    email = queue(employer)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert outbox.email_deliver(email.pk) is False
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("pending", 1)
    assert email.due_at == start + timedelta(minutes=2) and "ConnectionRefused" in email.last_error

    with time_machine.travel(start + timedelta(minutes=1), tick=False):
        assert outbox.emails_deliver_due() == 0  # not due yet
    smtp_back(smtp_down)
    with time_machine.travel(start + timedelta(minutes=2, seconds=1), tick=False):
        assert outbox.emails_deliver_due() == 1
        assert outbox.emails_deliver_due() == 0  # sent once
    assert len(mailoutbox) == 1


def test_after_eight_refusals_an_email_is_failed_and_staff_can_try_it_again(
    employer, mailoutbox, smtp_down, admin_client
):
    email = queue(employer)
    moment = timezone.now()
    for attempt in range(1, outbox.MAX_ATTEMPTS + 1):
        with time_machine.travel(moment, tick=False):
            assert outbox.email_deliver(email.pk) is False
        email.refresh_from_db()
        assert email.attempts == attempt
        moment = email.due_at + timedelta(seconds=1)
    assert email.status == "failed"
    with time_machine.travel(moment, tick=False):
        assert outbox.emails_deliver_due() == 0  # failed: no longer tried

    smtp_back(smtp_down)
    response = admin_client.post(
        reverse("admin:accounts_outboundemail_changelist"),
        {"action": "send_again", "_selected_action": [email.pk]},
    )
    assert response.status_code == 302
    assert outbox.emails_deliver_due() == 1 and len(mailoutbox) == 1


def test_an_email_a_sender_holds_is_not_sent_by_another(employer, mailoutbox, settings):
    email = queue(employer)
    now = timezone.now()
    # A sender took it (its lease runs) and is still sending.
    OutboundEmail.objects.filter(pk=email.pk).update(attempts=1, due_at=now + settings.OUTBOX_LEASE)
    assert outbox.emails_deliver_due() == 0 and mailoutbox == []
    # It died before marking it sent: once the lease ends the email goes again, as the same message.
    with time_machine.travel(now + settings.OUTBOX_LEASE + timedelta(seconds=1)):
        assert outbox.emails_deliver_due() == 1
    [sent] = mailoutbox
    assert sent.extra_headers["Message-ID"] == outbox.message_id(email)


def test_what_could_not_be_queued_is_sent_by_the_sweep(
    employer, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):  # the broker was down: no task
        queue(employer)
    assert mailoutbox == []
    assert tasks.send_due_emails.delay().get() == 1
    assert len(mailoutbox) == 1


def test_a_task_queued_before_the_outbox_still_delivers(employer, mailoutbox, committing):
    with committing():
        tasks.send_user_email.delay(employer.pk, TEMPLATE, CONTEXT)
    assert len(mailoutbox) == 1 and OutboundEmail.objects.get().status == "sent"


def test_the_lease_must_outlast_a_send_task_s_hard_time_limit(settings):
    """A sender killed at the hard limit was still sending: nobody may take the email before."""
    hard_limit = tasks.send_outbox_email.app.conf.task_time_limit
    assert outbox_lease_outlasts_a_send(None) == []  # the defaults: 600 s against 360 s
    assert 0 < settings.EMAIL_TIMEOUT < hard_limit  # a mail server that stops answering fails the send

    settings.OUTBOX_LEASE = timedelta(seconds=hard_limit)
    errors = outbox_lease_outlasts_a_send(None)
    assert {error.id for error in errors} == {"accounts.E001"} and len(errors) == 2
    assert all(error.level == checks.ERROR for error in errors)
    assert "send_outbox_email" in " ".join(error.msg for error in errors)
