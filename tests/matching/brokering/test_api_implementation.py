"""The introductions API after both sides accept: the agreement (with its PDF or from JSON),
the milestones and the outcome report through to closure, bad figures as 400s."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from matching.models import OutcomeReport

from .common import PDF, pdf, state, today
from .introduction_api import (  # noqa: F401
    AGREEMENT_FIELDS,
    MILESTONE_FIELDS,
    OUTCOME,
    OUTCOME_FIELDS,
    api_for_fixture,
    candidate_fixture,
    url,
)

pytestmark = pytest.mark.django_db


# The agreement, milestones and the outcome


def test_a_side_records_the_agreement_with_its_pdf(api_for, client_for, employer, introduce):
    introduction = introduce("accepted")
    response = api_for(employer).post(
        url(introduction, "agreement"),
        {"signed_on": today(), "places_agreed": 18, "funding_agreed_cny": 50000, "document": pdf()},
        format="multipart",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["places"]) == ("signed", 18)
    assert set(body["agreement"]) == AGREEMENT_FIELDS
    assert (body["agreement"]["places_agreed"], body["agreement"]["document"]) == (18, True)
    download = client_for(employer).get(f"/introductions/{introduction.public_id}/agreement/document/")
    assert b"".join(download.streaming_content) == PDF


def test_an_agreement_without_a_document_is_recorded_from_json(api_for, university, introduce):
    introduction = introduce("accepted")
    response = api_for(university).post(
        url(introduction, "agreement"), {"signed_on": today(), "places_agreed": 20}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["agreement"]["document"] is False


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"document": SimpleUploadedFile("协议.pdf", b"PK\x03\x04 not a pdf")}, "document"),
        ({"document": SimpleUploadedFile("协议.pdf", b"")}, "document"),
        ({"signed_on": "2027-02-30"}, "signed_on"),
        ({"signed_on": (timezone.localdate() + timedelta(days=2)).isoformat()}, "signed_on"),
        ({"places_agreed": 0}, "places_agreed"),
        ({"places_agreed": 41}, "places_agreed"),
        ({"funding_agreed_cny": -1}, "funding_agreed_cny"),
    ],
)
def test_a_bad_agreement_is_a_400_and_changes_nothing(api_for, employer, introduce, change, field):
    introduction = introduce("accepted")
    before = state(introduction)
    body = {"signed_on": today(), "places_agreed": 20, "funding_agreed_cny": 0, **change}
    response = api_for(employer).post(url(introduction, "agreement"), body, format="multipart")
    assert response.status_code == 400
    assert response.json()[field]
    assert state(introduction) == before


def test_milestones_start_the_work_and_are_listed(api_for, employer, university, introduce):
    introduction = introduce("signed")
    api_for(employer).post(
        url(introduction, "milestones"),
        {"title": "首批学生进企业", "happened_on": today(), "note": "顺利。"},
        format="json",
    )
    response = api_for(university).post(
        url(introduction, "milestones"), {"title": "中期检查", "happened_on": today()}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "in_progress"
    assert [m["title"] for m in body["milestones"]] == ["首批学生进企业", "中期检查"]
    assert set(body["milestones"][0]) == MILESTONE_FIELDS


def test_the_outcome_runs_its_course_to_completion(
    api_for, client_for, employer, university, ministry, introduce
):
    introduction = introduce("in_progress")
    response = api_for(employer).post(
        url(introduction, "outcome"), {**OUTCOME, "evidence": pdf("证明.pdf")}, format="multipart"
    )
    assert response.status_code == 200, response.json()
    outcome = response.json()["outcome"]
    assert set(outcome) == OUTCOME_FIELDS
    assert (outcome["status"], outcome["graduates_hired"]) == ("submitted", 6)
    evidence = client_for(university).get(f"/introductions/{introduction.public_id}/outcome/evidence/")
    assert b"".join(evidence.streaming_content) == PDF

    response = api_for(university).post(url(introduction, "outcome/confirm"))
    assert response.status_code == 200
    assert response.json()["outcome"]["status"] == "confirmed"
    assert api_for(university).post(url(introduction, "outcome/confirm")).status_code == 409

    response = api_for(ministry).post(
        url(introduction, "outcome/accept"), {"comment": "验收通过。"}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["outcome"]["status"], body["outcome"]["comment"]) == (
        "completed",
        "accepted",
        "验收通过。",
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"graduates_hired": 29}, "graduates_hired"),
        ({"graduates_hired": -1}, "graduates_hired"),
        ({"students_trained": -5}, "students_trained"),
        ({"interns_hosted": 100_001}, "interns_hosted"),
        ({"funding_delivered_cny": 10**10 + 1}, "funding_delivered_cny"),
        ({"narrative": ""}, "narrative"),
        ({"graduates_hired": "six"}, "graduates_hired"),
    ],
)
def test_absurd_or_negative_figures_are_a_400(api_for, employer, introduce, change, field):
    introduction = introduce("in_progress")
    response = api_for(employer).post(url(introduction, "outcome"), {**OUTCOME, **change}, format="json")
    assert response.status_code == 400
    assert response.json()[field]
    assert not OutcomeReport.objects.exists()


def test_a_report_sent_back_needs_a_comment_and_is_filed_again(api_for, employer, university, introduce):
    introduction = introduce("in_progress", report="submitted")
    api = api_for(university)
    response = api.post(url(introduction, "outcome/return"), {}, format="json")
    assert response.status_code == 400 and response.json()["comment"]
    response = api.post(url(introduction, "outcome/return"), {"comment": "实习人数有误。"}, format="json")
    assert response.json()["outcome"]["status"] == "returned"
    response = api_for(employer).post(
        url(introduction, "outcome"), {**OUTCOME, "interns_hosted": 12}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["outcome"]["status"], response.json()["outcome"]["interns_hosted"]) == (
        "submitted",
        12,
    )


@pytest.mark.parametrize("action", ["outcome/confirm", "outcome/return", "outcome/accept"])
def test_reviewing_a_report_not_filed_is_a_400(api_for, university, ministry, introduce, action):
    introduction = introduce("in_progress")
    user = ministry if action == "outcome/accept" else university
    response = api_for(user).post(url(introduction, action), {"comment": "请更正。"}, format="json")
    assert response.status_code == 400
    assert response.json()["non_field_errors"] == ["No outcome report has been filed yet."]
