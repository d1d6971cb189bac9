"""Sign-in protection (django-axes): five failures for one account from one address lock that
pair for fifteen minutes on the login page, the admin's login and the API's token endpoint;
ministry staff unlock it in the admin; every sign-in, failure and lock is audited."""

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from accounts.models import AuditEvent
from tests.factories import MinistryUserFactory, log_in

pytestmark = pytest.mark.django_db

PASSWORD = "Correct-Horse-9"
LOGIN = "/accounts/login/"
TOKEN = "/api/v1/auth/token/"


def sign_in(client, username, password, path=LOGIN):
    if path == TOKEN:
        return client.post(
            path,
            {"username": username, "password": password},
            content_type="application/json",
            HTTP_ACCEPT_LANGUAGE="en",
        )
    return client.post(path, {"username": username, "password": password}, HTTP_ACCEPT_LANGUAGE="en")


def fail_five_times(client, username, path=LOGIN):
    for _ in range(5):
        response = sign_in(client, username, "wrong-password", path)
        assert response.status_code in {200, 400, 429}


@pytest.mark.parametrize("path", [LOGIN, "/admin/login/", TOKEN])
def test_five_failures_lock_the_account_from_that_address_and_leave_others_alone(
    client, employer, university, path
):
    fail_five_times(client, employer.username, path)
    locked = sign_in(client, employer.username, PASSWORD, path)
    assert locked.status_code == 429
    message = locked.json()["detail"] if path == TOKEN else locked.content.decode()
    assert "locked for 15 minutes" in message
    other = sign_in(client, university.username, PASSWORD, path)
    if path == TOKEN:
        assert other.status_code == 200 and other.json()["token"]
    elif path == LOGIN:
        assert other.status_code == 302
    # (the admin refuses a university member anyway: no staff status; it is not locked out)
    else:
        assert other.status_code == 200 and "locked" not in other.content.decode()


def test_the_lock_is_per_address(client, employer):
    fail_five_times(client, employer.username)
    elsewhere = client.post(
        LOGIN, {"username": employer.username, "password": PASSWORD}, REMOTE_ADDR="10.0.0.9"
    )
    assert elsewhere.status_code == 302


def test_a_success_before_the_limit_starts_the_count_again(client, employer):
    for _ in range(4):
        sign_in(client, employer.username, "wrong-password")
    assert sign_in(client, employer.username, PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        sign_in(client, employer.username, "wrong-password")
    assert sign_in(client, employer.username, PASSWORD).status_code == 302


def test_ministry_staff_unlock_an_account_in_the_admin(client, employer):
    fail_five_times(client, employer.username)
    [attempt] = AccessAttempt.objects.filter(username=employer.username)
    staff = MinistryUserFactory(is_superuser=True)
    log_in(client, staff)
    response = client.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"},
    )
    assert response.status_code == 302 and not AccessAttempt.objects.exists()
    client.logout()
    assert sign_in(client, employer.username, PASSWORD).status_code == 302


def test_every_sign_in_failure_and_lock_is_audited(client, employer):
    fail_five_times(client, employer.username)
    sign_in(client, employer.username, PASSWORD)  # refused: locked
    actions = list(
        AuditEvent.objects.filter(object_id=employer.pk).order_by("pk").values_list("action", flat=True)
    )
    assert actions.count("login_failed") == 6 and actions.count("locked_out") >= 1  # 5, the lock, 1 more
    assert "logged_in" not in actions
    AccessAttempt.objects.all().delete()
    sign_in(client, employer.username, PASSWORD)
    assert AuditEvent.objects.filter(object_id=employer.pk, action="logged_in").count() == 1


def test_sign_in_records_carry_the_client_address_not_what_the_client_claims(client, employer):
    client.post(
        reverse("accounts:login"),
        {"username": employer.username, "password": "wrong"},
        REMOTE_ADDR="203.0.113.7",
        HTTP_X_FORWARDED_FOR="198.51.100.1",
    )
    [event] = AuditEvent.objects.filter(object_id=employer.pk, action="login_failed")
    assert event.client_address == "203.0.113.7"


def test_behind_the_portal_s_proxy_the_address_it_appended_counts(client, employer, settings):
    settings.BEHIND_TRUSTED_PROXY = True
    client.post(
        reverse("accounts:login"),
        {"username": employer.username, "password": "wrong"},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.9",
    )
    [event] = AuditEvent.objects.filter(object_id=employer.pk, action="login_failed")
    assert event.client_address == "203.0.113.9"


def test_a_bulk_deletion_in_the_admin_is_audited_for_each_object(client, employer, university):
    for user in (employer, university):
        fail_five_times(client, user.username)
    attempts = list(AccessAttempt.objects.values_list("pk", flat=True))
    staff = MinistryUserFactory(is_superuser=True)
    log_in(client, staff)
    response = client.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "delete_selected", "_selected_action": attempts, "post": "yes"},
    )
    assert response.status_code == 302 and not AccessAttempt.objects.exists()
    deleted = AuditEvent.objects.filter(action="admin_change", actor=staff)
    assert sorted(deleted.values_list("object_id", flat=True)) == sorted(attempts)
