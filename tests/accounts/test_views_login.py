"""The accounts HTML pages: login, logout and the emailed password reset."""

import re

import pytest
from django.urls import reverse

from accounts.models import User
from tests.accounts.helpers import DASHBOARD, LOGIN, is_login_redirect, logged_in_user_id
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


# --- login, logout, password reset -------------------------------------------------------------


def test_login_with_the_right_password_opens_the_dashboard(client, employer):
    response = client.post(LOGIN, {"username": employer.username, "password": PASSWORD})

    assert response.status_code == 302 and response.url == DASHBOARD
    assert logged_in_user_id(client) == str(employer.pk)


def test_login_with_a_wrong_password_is_refused(client, employer):
    response = client.post(LOGIN, {"username": employer.username, "password": "wrong-password"})

    assert response.status_code == 200
    assert logged_in_user_id(client) is None
    assert 'class="form-errors"' in response.content.decode()


def test_logged_in_user_is_sent_from_login_to_the_dashboard(client_for, employer):
    response = client_for(employer).get(LOGIN)

    assert response.status_code == 302 and response.url == DASHBOARD


def test_logout_ends_the_session(client_for, employer):
    client = client_for(employer)

    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302 and response.url == reverse("home")
    assert logged_in_user_id(client) is None
    assert is_login_redirect(client.get(DASHBOARD), DASHBOARD)


def test_password_reset_emails_a_link_that_sets_a_new_password(client, employer, mailoutbox):
    response = client.post(reverse("accounts:password_reset"), {"email": employer.email})

    assert response.status_code == 302 and response.url == reverse("accounts:password_reset_done")
    [email] = mailoutbox
    assert email.to == [employer.email]
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/[^\s]+/)", email.body).group(1)

    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    set_url = form_page.redirect_chain[-1][0]
    new_password = "Brand-new-secret-7"
    done = client.post(set_url, {"new_password1": new_password, "new_password2": new_password})

    assert done.status_code == 302 and done.url == reverse("accounts:password_reset_complete")
    assert User.objects.get(pk=employer.pk).check_password(new_password)


def test_password_reset_for_an_unknown_email_sends_nothing_and_says_the_same(client, employer, mailoutbox):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.cn"})

    assert response.status_code == 302 and response.url == reverse("accounts:password_reset_done")
    assert mailoutbox == []
