"""Bad input gets a 4xx with a message, never a 500: deeply nested or oversized JSON, NUL bytes
and control characters in query parameters and page form fields, on SQLite and on PostgreSQL."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from projects import services
from projects.models import Proposal
from tests.factories import ProposalFactory, credit_code, plain_pdf

pytestmark = pytest.mark.django_db

NESTED = "[" * 3000 + "]" * 3000


def test_json_nested_three_thousand_deep_is_a_400_for_anyone(client):
    client.raise_request_exception = False
    response = client.post(
        "/api/v1/auth/token/", NESTED, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert "nested" in response.json()["detail"]


def test_json_over_the_upload_limit_is_a_400_saying_so(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"username": "x" * 2000, "password": "y"})
    response = client.post("/api/v1/auth/token/", body, content_type="application/json")
    assert response.status_code == 400
    assert "1000" in response.json()["detail"]


def test_a_control_character_in_a_json_string_is_a_400_naming_its_field(api_for, employer):
    response = api_for(employer).post(
        "/api/v1/proposals/", {"title": "AI\x00", "areas": {"ml\x1b": 1}}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"title", "areas.ml\x1b"}


@pytest.mark.parametrize(
    "path",
    [
        "/projects/",
        "/api/v1/projects/",
        "/dashboard/",
        "/api/v1/stats/dashboard/",
        "/accounts/organisations/",
    ],
)
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
    employer, ministry, mailoutbox, django_capture_on_commit_callbacks
):
    proposal = ProposalFactory(employer=employer.employer, title="机器人\n巡检", status="submitted")
    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_approve(actor=ministry, proposal=proposal)
    [email] = mailoutbox  # in the employer's language
    assert email.subject.endswith("机器人 巡检") and "\n" not in email.subject


def test_a_line_break_in_a_title_is_refused_on_the_api_and_the_form(api_for, client_for, employer):
    draft = ProposalFactory(employer=employer.employer, title="机器人巡检")
    response = api_for(employer).patch(
        f"/api/v1/proposals/{draft.public_id}/",
        {"title": "机器人\n巡检"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400 and response.json()["title"] == ["This must be on one line."]
    page = client_for(employer).post(
        "/proposals/new/", {"title": "机器人\r\n巡检"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert page.status_code == 400 and "This must be on one line." in page.content.decode()
    draft.refresh_from_db()
    assert draft.title == "机器人巡检"


# --- NUL bytes in page form fields (PostgreSQL refuses them in a query) ---------------------------

REGISTRATION = {
    "name": "南京云图智能科技有限公司",
    "credit_code": credit_code(777),
    "kind": "enterprise",
    "province": "32",
    "city": "南京",
    "industry": "智能制造",
    "contact_person": "陈静",
    "phone": "13912345678",
    "email": "chen.jing@yuntu.example.cn",
    "password": "Ai-match-2026!",
    "password_confirm": "Ai-match-2026!",
}


def refused(client, path: str, data: dict, field: str) -> None:
    """A 400 page naming the field, in English and in Chinese."""
    client.raise_request_exception = False
    for language, message in (("en", "control character"), ("zh-hans", "控制字符")):
        response = client.post(path, data, HTTP_ACCEPT_LANGUAGE=language)
        html = response.content.decode()
        assert response.status_code == 400
        assert f"<code>{field}</code>" in html and message in html


@pytest.mark.parametrize("title", ["机器人\x00巡检", "\x00"])
def test_a_nul_byte_in_a_proposal_title_on_the_draft_pages_is_a_400_naming_it(client_for, employer, title):
    draft = ProposalFactory(employer=employer.employer, title="机器人巡检")
    client = client_for(employer)

    refused(client, "/proposals/new/", {"title": title, "project_type": "internship_base"}, "title")
    refused(client, f"/proposals/{draft.public_id}/edit/", {"title": title}, "title")

    assert list(Proposal.objects.values_list("title", flat=True)) == ["机器人巡检"]


@pytest.mark.parametrize("field", ["username", "name", "email", "password"])
def test_a_nul_byte_in_a_registration_field_is_a_400_naming_it(client, field):
    data = {**REGISTRATION, "username": "yuntu"}
    data[field] = data[field][:2] + "\x00" + data[field][2:]

    refused(client, "/accounts/register/employer/", data, field)

    assert not User.objects.filter(username__startswith="yu").exists()


@pytest.mark.parametrize(
    ("path", "field"), [("/accounts/login/", "username"), ("/accounts/password/reset/", "email")]
)
def test_a_nul_byte_in_the_sign_in_and_reset_forms_is_a_400_naming_it(client, employer, path, field):
    refused(client, path, {field: "employer\x00", "password": "Correct-Horse-9"}, field)


def test_a_nul_byte_in_an_uploaded_file_s_name_is_dropped_not_a_500(client_for, employer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    draft = ProposalFactory(employer=employer.employer)
    upload = SimpleUploadedFile("方案\x00.pdf", plain_pdf(), content_type="application/pdf")

    response = client_for(employer).post(f"/proposals/{draft.public_id}/attachments/", {"file": upload})

    assert response.status_code == 302
    assert list(draft.attachments.values_list("name", flat=True)) == ["方案.pdf"]
