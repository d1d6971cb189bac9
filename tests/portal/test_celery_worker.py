"""A task enqueued on commit is run by a real Celery worker, on Redis, against PostgreSQL."""

import time

import pytest

from accounts import outbox, services
from accounts.models import Employer, OutboundEmail
from tests.conftest import PASSWORD
from tests.factories import credit_code
from tests.workers import broker_down, mail_in, running_worker


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
def test_with_the_broker_down_a_registration_commits_and_its_email_is_sent_once_when_it_is_back(
        tmp_path):
    with broker_down():
        user = register("broker_down", "Broker Down Co.", "down@worker.example.cn")
    assert user.organisation.status == "pending"   # the registration is stored
    [email] = OutboundEmail.objects.filter(user=user)
    assert (email.status, email.attempts) == ("pending", 0)   # and its email waits

    with running_worker(tmp_path):   # the broker is back: a worker's start-up sweep sends it
        mail_in(tmp_path)
        time.sleep(3)   # and nothing more comes
        messages = mail_in(tmp_path, wait=False)
    assert len(messages) == 1 and "Broker Down Co." in messages[0]
    assert f"Message-ID: {outbox.message_id(email)}" in messages[0]
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("sent", 1)


def register(username: str, name: str, email: str):
    return services.organisation_register(
        model=Employer, username=username, password=PASSWORD, language="en",
        fields={"name": name, "credit_code": credit_code(len(username) * 1000 + 42),
                "kind": "enterprise", "province": "44", "city": "深圳", "industry": "AI",
                "contact_person": "Chen Jie", "phone": "13712345678", "email": email},
    )
