"""The accounts REST API: registering an employer or a university (POST, anonymous), its
acknowledgement, and bad or malformed input answered 400 by field, never 500."""

import json
import uuid

import pytest

from accounts.models import Employer, University, User
from tests.accounts.conftest import row_counts
from tests.accounts.helpers import url
from tests.factories import EmployerFactory, UniversityFactory

pytestmark = pytest.mark.django_db


def test_anonymous_registers_an_employer(api_for, anonymous, employer_payload):
    response = api_for(anonymous).post(url("employers"), employer_payload, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "pending"
    employer = Employer.objects.get(public_id=uuid.UUID(body["id"]))
    assert employer.credit_code == employer_payload["credit_code"] == body["credit_code"]
    assert User.objects.get(username="yuntu").employer == employer
    assert "password" not in body


def test_anonymous_registers_a_university(api_for, anonymous, university_payload):
    response = api_for(anonymous).post(url("universities"), university_payload, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "pending"
    assert body["strengths"] == {} and body["capacity"] == {}
    university = University.objects.get(public_id=uuid.UUID(body["id"]))
    assert university.users.get().username == "szdx"


def test_registration_remembers_the_language_the_request_asked_for(api_for, anonymous, employer_payload):
    response = api_for(anonymous).post(
        url("employers"), employer_payload, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 201
    assert User.objects.get(username="yuntu").language == "en"


def test_registration_ignores_a_status_the_client_sends(api_for, anonymous, employer_payload):
    employer_payload.update(status="verified", status_reason="", id=str(uuid.uuid4()))

    response = api_for(anonymous).post(url("employers"), employer_payload, format="json")

    assert response.status_code == 201
    assert response.json()["status"] == "pending"
    assert Employer.objects.get(credit_code=employer_payload["credit_code"]).status == "pending"
    assert response.json()["id"] != employer_payload["id"]


def test_registration_acknowledgement_is_emailed(
    api_for, anonymous, employer_payload, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_for(anonymous).post(url("employers"), employer_payload, format="json")

    assert response.status_code == 201
    assert [m.to for m in mailoutbox] == [[employer_payload["email"]]]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"credit_code": "91350100M000100Y4A"}, "credit_code"),
        ({"credit_code": "91350100M000100Y4"}, "credit_code"),
        ({"credit_code": "91３50100M000100Y43"}, "credit_code"),
        ({"phone": "12345"}, "phone"),
        ({"province": "99"}, "province"),
        ({"kind": "startup"}, "kind"),
        ({"email": "nobody"}, "email"),
        ({"password": "12345678"}, "password"),
        ({"username": "bad name!"}, "username"),
        ({"name": ["云图", "科技"]}, "name"),
        ({"name": {"zh": "云图"}}, "name"),
        ({"name": None}, "name"),
        ({"name": ""}, "name"),
        ({"name": "名" * 201}, "name"),
        ({"name": "云图\x00科技"}, "name"),
        ({"password": True}, "password"),
    ],
)
def test_invalid_employer_registration_is_a_400_by_field_and_writes_nothing(
    api_for, anonymous, employer_payload, change, field
):
    employer_payload.update(change)
    before = row_counts()

    response = api_for(anonymous).post(url("employers"), employer_payload, format="json")

    assert response.status_code == 400, response.content
    assert field in response.json()
    assert row_counts() == before


@pytest.mark.parametrize(
    "missing",
    [
        "name",
        "institution_code",
        "tier",
        "province",
        "city",
        "contact_person",
        "phone",
        "email",
        "username",
        "password",
    ],
)
def test_university_registration_missing_a_field_is_a_400_naming_it(
    api_for, anonymous, university_payload, missing
):
    del university_payload[missing]
    before = row_counts()

    response = api_for(anonymous).post(url("universities"), university_payload, format="json")

    assert response.status_code == 400
    assert missing in response.json()
    assert row_counts() == before


def test_registration_with_a_taken_credit_code_is_a_400(api_for, anonymous, employer_payload):
    EmployerFactory(credit_code=employer_payload["credit_code"])
    before = row_counts()

    response = api_for(anonymous).post(url("employers"), employer_payload, format="json")

    assert response.status_code == 400
    assert "credit_code" in response.json()
    assert row_counts() == before


def test_registration_with_a_taken_institution_code_is_a_400(api_for, anonymous, university_payload):
    UniversityFactory(institution_code=university_payload["institution_code"])

    response = api_for(anonymous).post(url("universities"), university_payload, format="json")

    assert response.status_code == 400
    assert "institution_code" in response.json()


def test_registration_with_a_taken_username_is_a_400(api_for, anonymous, employer, employer_payload):
    employer_payload["username"] = employer.username
    before = row_counts()

    response = api_for(anonymous).post(url("employers"), employer_payload, format="json")

    assert response.status_code == 400
    assert "username" in response.json()
    assert row_counts() == before


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ('{"name": "云图", ', "application/json"),
        ("", "application/json"),
        ("[]", "application/json"),
        ('"just a string"', "application/json"),
        ("null", "application/json"),
        ('{"name": NaN}', "application/json"),
        ("name=%E4%BA%91", "text/plain"),
    ],
)
def test_malformed_registration_body_is_a_4xx_not_a_500(api_for, anonymous, body, content_type):
    before = row_counts()

    response = api_for(anonymous).generic("POST", url("employers"), body, content_type)

    assert response.status_code in (400, 415), response.content
    assert row_counts() == before


def test_lone_surrogate_in_an_otherwise_valid_registration_is_a_400(api_for, anonymous, employer_payload):
    # Valid JSON ("\ud800" escaped) that no database can store as UTF-8.
    body = json.dumps({**employer_payload, "name": "云图\ud800科技"})
    before = row_counts()

    response = api_for(anonymous).generic("POST", url("employers"), body, "application/json")

    assert response.status_code == 400
    assert "name" in response.json()
    assert row_counts() == before


def test_registration_accepts_form_encoded_input(api_for, anonymous, university_payload):
    response = api_for(anonymous).post(url("universities"), university_payload)

    assert response.status_code == 201
