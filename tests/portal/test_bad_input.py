"""Bad input gets a 4xx with a message, never a 500: deeply nested or oversized JSON, NUL bytes
and control characters in query parameters, on SQLite and on PostgreSQL."""

import json

import pytest

from projects import services
from tests.factories import ProposalFactory

pytestmark = pytest.mark.django_db

NESTED = "[" * 3000 + "]" * 3000


def test_json_nested_three_thousand_deep_is_a_400_for_anyone(client):
    client.raise_request_exception = False
    response = client.post("/api/v1/auth/token/", NESTED, content_type="application/json",
                           HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "nested" in response.json()["detail"]


def test_json_over_the_upload_limit_is_a_400_saying_so(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"username": "x" * 2000, "password": "y"})
    response = client.post("/api/v1/auth/token/", body, content_type="application/json")
    assert response.status_code == 400
    assert "1000" in response.json()["detail"]


def test_a_control_character_in_a_json_string_is_a_400_naming_its_field(api_for, employer):
    response = api_for(employer).post("/api/v1/proposals/", {"title": "AI\x00", "areas": {"ml\x1b": 1}},
                                      format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"title", "areas.ml\x1b"}


@pytest.mark.parametrize("path", [
    "/projects/", "/api/v1/projects/", "/dashboard/", "/api/v1/stats/dashboard/",
    "/accounts/organisations/",
])
@pytest.mark.parametrize("value", ["a\x00b", "a\x07b", "\x1b[31m"])
def test_a_control_character_in_a_query_parameter_is_a_400_naming_it(client_for, ministry, path, value):
    client = client_for(ministry)
    client.raise_request_exception = False
    response = client.get(path, {"q": value, "province": value}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    if path.startswith("/api/"):
        assert set(response.json()) == {"q", "province"}
    else:
        assert "control character" in response.content.decode()
    chinese = client.get(path, {"q": value}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "控制字符" in chinese.content.decode()


def test_ordinary_text_and_tabs_pass(client_for, ministry):
    client = client_for(ministry)
    assert client.get("/projects/", {"q": "机器人\t视觉"}).status_code == 200
    assert client.get("/dashboard/").status_code == 200


def test_a_line_break_in_a_title_already_stored_does_not_stop_the_emails_about_it(
        employer, ministry, mailoutbox, django_capture_on_commit_callbacks):
    proposal = ProposalFactory(employer=employer.employer, title="机器人\n巡检", status="submitted")
    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_approve(actor=ministry, proposal=proposal)
    [email] = mailoutbox   # in the employer's language
    assert email.subject.endswith("机器人 巡检") and "\n" not in email.subject


def test_a_line_break_in_a_title_is_refused_on_the_api_and_the_form(api_for, client_for, employer):
    draft = ProposalFactory(employer=employer.employer, title="机器人巡检")
    response = api_for(employer).patch(f"/api/v1/proposals/{draft.public_id}/", {"title": "机器人\n巡检"},
                                       format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and response.json()["title"] == ["This must be on one line."]
    page = client_for(employer).post("/proposals/new/", {"title": "机器人\r\n巡检"},
                                     HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 400 and "This must be on one line." in page.content.decode()
    draft.refresh_from_db()
    assert draft.title == "机器人巡检"
