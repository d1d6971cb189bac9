"""Throttling: tighter limits where a request costs an email, an account or a token."""

import pytest

pytestmark = pytest.mark.django_db


def test_password_reset_requests_are_limited_per_address_and_per_email(
    client, settings, employer, mailoutbox
):
    settings.RATE_PASSWORD_RESET = "5/h"  # read when the view was decorated: the default
    for n in range(5):
        client.post("/accounts/password/reset/", {"email": employer.email}, REMOTE_ADDR=f"10.0.0.{n}")
    assert len(mailoutbox) == 5
    other_address = client.post(
        "/accounts/password/reset/",
        {"email": employer.email},
        REMOTE_ADDR="10.0.0.99",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert other_address.status_code == 429 and "Too many requests" in other_address.content.decode()
    assert len(mailoutbox) == 5
    for n in range(5):
        client.post("/accounts/password/reset/", {"email": f"x{n}@example.cn"}, REMOTE_ADDR="10.0.1.1")
    assert (
        client.post(
            "/accounts/password/reset/", {"email": "y@example.cn"}, REMOTE_ADDR="10.0.1.1"
        ).status_code
        == 429
    )


def test_registrations_are_limited_per_address(client):
    for _ in range(10):
        assert client.post("/accounts/register/employer/", {"name": ""}).status_code == 400
    assert client.post("/accounts/register/employer/", {"name": ""}).status_code == 429


def test_token_requests_are_limited(client, employer):
    for _ in range(10):
        client.post(
            "/api/v1/auth/token/", {"username": "nobody", "password": "x"}, content_type="application/json"
        )
    response = client.post(
        "/api/v1/auth/token/",
        {"username": employer.username, "password": "Correct-Horse-9"},
        content_type="application/json",
    )
    assert response.status_code == 429 and "detail" in response.json()
