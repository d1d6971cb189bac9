"""The accounts HTML pages: registering an employer or a university, and the dashboard it
lands on. The persona matrix: who gets the page, and who is sent to login or the dashboard."""

import re

import pytest
from django.urls import reverse

from accounts.models import Employer, University, User, VerificationStatus
from tests.accounts.conftest import row_counts
from tests.accounts.helpers import DASHBOARD, input_tag, is_login_redirect, logged_in_user_id
from tests.factories import EmployerFactory, EmployerUserFactory, UniversityFactory
from tests.pages import field_errors

pytestmark = pytest.mark.django_db


# --- registration ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "code_field"), [("employer", "credit_code"), ("university", "institution_code")]
)
def test_registration_form_renders_for_a_visitor(client, kind, code_field):
    response = client.get(reverse(f"accounts:register-{kind}"))

    assert response.status_code == 200
    for name in (code_field, "name", "province", "phone", "username", "password", "password_confirm"):
        input_tag(response, name)


def test_logged_in_user_is_sent_from_registration_to_the_dashboard(client_for, employer):
    response = client_for(employer).get(reverse("accounts:register-employer"))

    assert response.status_code == 302 and response.url == DASHBOARD


def test_employer_registration_logs_in_and_shows_the_pending_dashboard(client, employer_form):
    response = client.post(reverse("accounts:register-employer"), employer_form)

    assert response.status_code == 302 and response.url == DASHBOARD
    user = User.objects.get(username="yuntu")
    assert logged_in_user_id(client) == str(user.pk)
    assert user.employer.status == VerificationStatus.PENDING
    dashboard = client.get(DASHBOARD)
    assert employer_form["name"] in dashboard.content.decode()
    assert "badge-pending" in dashboard.content.decode()


def test_university_registration_logs_in_and_shows_the_pending_dashboard(client, university_form):
    response = client.post(reverse("accounts:register-university"), university_form)

    assert response.status_code == 302 and response.url == DASHBOARD
    university = University.objects.get(institution_code=university_form["institution_code"])
    assert university.status == VerificationStatus.PENDING
    assert logged_in_user_id(client) == str(university.users.get().pk)
    assert "badge-pending" in client.get(DASHBOARD).content.decode()


def test_registration_form_accepts_a_lower_case_credit_code(client, employer_form):
    code = employer_form["credit_code"]
    employer_form["credit_code"] = code.lower()

    response = client.post(reverse("accounts:register-employer"), employer_form)

    assert response.status_code == 302
    assert Employer.objects.get(name=employer_form["name"]).credit_code == code


def test_registration_is_acknowledged_by_email_in_the_page_language(
    client, employer_form, mailoutbox, django_capture_on_commit_callbacks, zh_catalogue
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:register-employer"), employer_form, HTTP_ACCEPT_LANGUAGE="en")

    assert User.objects.get(username="yuntu").language == "en"
    [email] = mailoutbox
    assert email.subject == "Registration received: awaiting verification"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"credit_code": "91350100M000100Y4A"}, "credit_code"),
        ({"credit_code": "91350100S000100Y43"}, "credit_code"),
        ({"phone": "1234"}, "phone"),
        ({"email": "nobody"}, "email"),
        ({"province": "99"}, "province"),
        ({"name": ""}, "name"),
        ({"password_confirm": "Something-else-1"}, "password_confirm"),
        ({"password": "12345678", "password_confirm": "12345678"}, "password"),
        ({"username": "employer"}, "username"),
    ],
)
def test_invalid_registration_shows_the_error_at_its_field_and_writes_nothing(
    client, employer, employer_form, change, field
):
    employer_form.update(change)
    before = row_counts()

    response = client.post(reverse("accounts:register-employer"), employer_form)

    assert response.status_code == 400
    errors = field_errors(response)
    assert errors.get(field), f"no error shown at {field}: {errors}"
    assert row_counts() == before
    assert logged_in_user_id(client) is None


def test_registration_with_a_taken_credit_code_shows_the_error_at_the_code(client, employer_form):
    EmployerFactory(credit_code=employer_form["credit_code"])
    before = row_counts()

    response = client.post(reverse("accounts:register-employer"), employer_form)

    assert response.status_code == 400
    assert field_errors(response).get("credit_code")
    assert row_counts() == before


def test_invalid_registration_keeps_what_was_typed(client, employer_form):
    employer_form["phone"] = "1234"

    response = client.post(reverse("accounts:register-employer"), employer_form)

    assert f'value="{employer_form["city"]}"' in input_tag(response, "city")
    assert "value=" not in input_tag(response, "password")


# --- dashboard ------------------------------------------------------------------------------


def test_dashboard_requires_login(client):
    assert is_login_redirect(client.get(DASHBOARD), DASHBOARD)


@pytest.mark.parametrize(
    ("persona", "status"),
    [("employer", "verified"), ("pending_employer", "pending"), ("university", "verified")],
)
def test_dashboard_shows_the_organisation_status(request, client_for, persona, status):
    user = request.getfixturevalue(persona)

    response = client_for(user).get(DASHBOARD)

    assert response.status_code == 200
    html = response.content.decode()
    assert f"badge-{status}" in html and user.organisation.name in html


def test_dashboard_of_a_rejected_organisation_shows_the_reason(client_for):
    member = EmployerUserFactory(
        employer__status=VerificationStatus.REJECTED, employer__status_reason="营业执照照片模糊"
    )

    html = client_for(member).get(DASHBOARD).content.decode()

    assert "badge-rejected" in html and "营业执照照片模糊" in html


def test_ministry_dashboard_counts_organisations_awaiting_verification(client_for, ministry, employer):
    EmployerFactory.create_batch(3, status=VerificationStatus.PENDING)
    UniversityFactory.create_batch(2, status=VerificationStatus.PENDING)

    html = client_for(ministry).get(DASHBOARD).content.decode()

    counts = re.findall(
        r'id="task-verify-(\w+)">\s*<a class="work-head" href="[^"]+"><span class="figure">(\d+)<', html
    )
    assert sorted(counts) == [("employers", "3"), ("universities", "2")]
