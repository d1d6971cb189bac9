"""The accounts REST API: who the request is signed in as (me), and API tokens from a username
and password."""

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from tests.accounts.helpers import url
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("persona", "role", "status"),
    [
        ("employer", "employer", "verified"),
        ("pending_employer", "employer", "pending"),
        ("university", "university", "verified"),
        ("ministry", "ministry", None),
    ],
)
def test_me_tells_role_and_organisation_status(request, api_for, persona, role, status):
    user = request.getfixturevalue(persona)

    body = api_for(user).get("/api/v1/me/").json()

    assert body["username"] == user.username and body["role"] == role
    if status is None:
        assert body["organisation"] is None
    else:
        assert body["organisation"]["status"] == status
        assert body["organisation"]["id"] == str(user.organisation.public_id)


def test_me_shows_a_rejected_organisation_with_its_reason(api_for, ministry, pending_employer):
    api_for(ministry).post(
        url("employers", pending_employer.employer, "reject"), {"reason": "信息不全"}, format="json"
    )

    member = User.objects.get(pk=pending_employer.pk)  # as a new request would load it
    organisation = api_for(member).get("/api/v1/me/").json()["organisation"]

    assert organisation["status"] == "rejected" and organisation["status_reason"] == "信息不全"


def test_me_requires_authentication(api_for, anonymous):
    assert api_for(anonymous).get("/api/v1/me/").status_code == 401


def test_token_from_username_and_password_authenticates_requests(employer):
    api = APIClient()
    response = api.post(
        "/api/v1/auth/token/", {"username": employer.username, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]

    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = api.get("/api/v1/me/")

    assert me.status_code == 200
    assert me.json()["username"] == employer.username


def test_wrong_password_gets_no_token(employer):
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": employer.username, "password": "nope"}, format="json"
    )

    assert response.status_code == 400
    assert "token" not in response.json()


def test_an_unknown_token_is_refused(employer):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)

    assert api.get("/api/v1/me/").status_code == 401
