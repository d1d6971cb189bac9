"""A task enqueued on commit is run by a real Celery worker, on Redis, against PostgreSQL."""

import contextlib
import signal
import socket
import threading
import time
import uuid
from contextlib import contextmanager

import pytest
from django.db import transaction
from rest_framework.test import APIClient

from accounts import outbox, services
from accounts.models import Employer, OutboundEmail
from tests.conftest import PASSWORD
from tests.factories import EmployerUserFactory, ProposalFactory, credit_code
from tests.workers import Workers, broker_down, mail_in, queue_of_its_own, running_worker, wait_for


@pytest.fixture
def worker(tmp_path):
    with running_worker(tmp_path):
        yield tmp_path


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_registration_email_is_sent_by_a_real_worker(worker):
    register("worker_test", "Shenzhen Worker Test Co.", "chenjie@worker.example.cn")
    messages = mail_in(worker)
    assert len(messages) == 1, "the worker did not send the registration email"
    assert "To: chenjie@worker.example.cn" in messages[0]
    # Written to the outbox in the user's language, sent by the worker from PostgreSQL.
    assert "Registration received" in messages[0]
    assert "Shenzhen Worker Test Co." in messages[0]


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_a_registration_commits_and_its_email_is_sent_once_when_it_is_back(tmp_path):
    with broker_down():
        user = register("broker_down", "Broker Down Co.", "down@worker.example.cn")
    assert user.organisation.status == "pending"  # the registration is stored
    email = waiting_email(user)
    assert "Broker Down Co." in sent_once_when_the_broker_is_back(tmp_path, email)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_a_submission_is_stored_and_its_email_sent_once_when_it_is_back(
    tmp_path, client_for
):
    employer = EmployerUserFactory(email="submits@worker.example.cn", language="en")
    draft = ProposalFactory(employer=employer.employer, title="Broker Down Vision Base")
    with broker_down():
        response = client_for(employer).post(f"/proposals/{draft.public_id}/submit/")
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.status, draft.submitted_at is not None) == ("submitted", True)  # stored
    email = waiting_email(employer)
    message = sent_once_when_the_broker_is_back(tmp_path, email)
    assert "To: submits@worker.example.cn" in message
    assert "Proposal submitted: Broker Down Vision Base" in message


def waiting_email(user) -> OutboundEmail:
    """The user's one email, in the outbox and not yet tried."""
    [email] = OutboundEmail.objects.filter(user=user)
    assert (email.status, email.attempts) == ("pending", 0)
    return email


def sent_once_when_the_broker_is_back(mail_dir, email: OutboundEmail) -> str:
    """A worker started now (its start-up sweep sends what is due) sends the email exactly
    once; its text."""
    with running_worker(mail_dir):
        mail_in(mail_dir)
        time.sleep(3)  # and nothing more comes
        messages = mail_in(mail_dir, wait=False)
    assert len(messages) == 1
    assert f"Message-ID: {outbox.message_id(email)}" in messages[0]
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("sent", 1)
    return messages[0]


def register(username: str, name: str, email: str):
    return services.organisation_register(
        model=Employer,
        username=username,
        password=PASSWORD,
        language="en",
        fields={
            "name": name,
            "credit_code": credit_code(len(username) * 1000 + 42),
            "kind": "enterprise",
            "province": "11",
            "city": "北京",
            "industry": "AI",
            "contact_person": "Chen Jie",
            "phone": "13712345678",
            "email": email,
        },
    )


@contextmanager
def stalling_mail_server():
    """A mail server that takes connections and never answers: a sender hangs in it. Yields its
    port and the connections it holds."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                held.append(server.accept()[0])

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1], held
    finally:
        stop.set()
        thread.join()
        for connection in held:
            connection.close()
        server.close()


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_while_sending_loses_nothing_and_sends_nothing_twice(tmp_path):
    user = EmployerUserFactory(email="killed@worker.example.cn", language="en")
    lease = {"OUTBOX_LEASE_SECONDS": "3"}
    with stalling_mail_server() as (port, held):
        workers = Workers(tmp_path)
        workers.env.update(EMAIL_URL=f"smtp://127.0.0.1:{port}", **lease)
        with queue_of_its_own(workers):
            worker = workers.start()
            with transaction.atomic():
                email = outbox.email_queue(
                    user=user,
                    template="accounts/email/verified",
                    context={"organisation": "Killed Worker Co.", "url": "/"},
                )
            wait_for(lambda: held, what="the worker to reach the mail server")
            worker.send_signal(signal.SIGKILL)
            assert worker.wait(timeout=30) == -signal.SIGKILL
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("pending", 1)  # taken, not sent, and not lost

    time.sleep(3)  # the dead sender's lease ends
    mail = tmp_path / "mail"
    mail.mkdir()
    with running_worker(mail, **lease):  # its start-up sweep sends what is due
        mail_in(mail)
        time.sleep(3)  # and nothing more comes
        messages = mail_in(mail, wait=False)
    assert len(messages) == 1 and "Killed Worker Co." in messages[0]
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("sent", 2)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_request_s_id_is_on_the_log_lines_of_the_tasks_it_queued(tmp_path):
    request_id = str(uuid.uuid4())
    with running_worker(tmp_path) as workers:
        response = APIClient().post(
            "/api/v1/employers/",
            {
                "username": "traced",
                "password": PASSWORD,
                "name": "Traced Co.",
                "credit_code": credit_code(777),
                "kind": "enterprise",
                "province": "11",
                "city": "北京",
                "industry": "AI",
                "contact_person": "Chen Jie",
                "phone": "13712345678",
                "email": "traced@worker.example.cn",
            },
            format="json",
            HTTP_X_REQUEST_ID=request_id,
        )
        assert response.status_code == 201, response.content
        mail_in(tmp_path)
        line = wait_for(
            lambda: next(
                (
                    line
                    for line in workers.log().splitlines()
                    if "send_outbox_email" in line and request_id in line
                ),
                None,
            ),
            what="the task's log line with the request id",
        )
    assert "succeeded" in line or "received" in line
