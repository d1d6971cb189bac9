"""The introductions' pages after sending: both sides' answers, then the agreement with its
PDF, the milestones and the outcome report through to closure, bad input as field errors."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from matching.models import Agreement, Milestone, OutcomeReport
from tests.pages import field_errors, flashed

from .common import PDF, pdf, state, today
from .introduction_pages import (
    OUTCOME,
    _english_pages_fixture,  # noqa: F401
    detail,
    text,
    url,
)

pytestmark = pytest.mark.django_db


# Answers


def test_the_introduction_is_accepted_once_both_sides_accept(client_for, employer, university, introduce):
    introduction = introduce("sent")
    client = client_for(employer)
    assert 'id="accept-introduction"' in text(client.get(detail(introduction)))
    response = client.post(url("introduction-accept", introduction))
    assert "Your acceptance was recorded; the other side's answer is awaited." in flashed(response)
    introduction.refresh_from_db()
    assert (introduction.status, introduction.employer_response) == ("sent", "accepted")
    page = client.get(detail(introduction))
    assert 'id="accept-introduction"' not in text(page)
    assert "Your side has answered" in text(page)

    response = client_for(university).post(url("introduction-accept", introduction))
    assert "Both sides have accepted: record the cooperation agreement once signed." in flashed(response)
    introduction.refresh_from_db()
    assert (introduction.status, introduction.university_response) == ("accepted", "accepted")


def test_accepting_twice_is_a_message_not_an_error(client_for, employer, introduce):
    introduction = introduce("sent", employer_response="accepted", employer_responded_at=timezone.now())
    before = state(introduction)
    response = client_for(employer).post(url("introduction-accept", introduction))
    assert response.status_code == 302 and response.url == detail(introduction)
    assert "Your side has already answered this introduction." in flashed(response)
    assert state(introduction) == before


def test_an_expired_introduction_cannot_be_answered(client_for, university, introduce):
    introduction = introduce("sent", expires_at=timezone.now() - timedelta(minutes=1))
    before = state(introduction)
    response = client_for(university).post(url("introduction-accept", introduction))
    assert response.status_code == 302
    assert any("expired" in m and "can no longer be answered" in m for m in flashed(response))
    assert state(introduction) == before


def test_a_side_declines_with_a_reason(client_for, university, introduce):
    introduction = introduce("sent")
    response = client_for(university).post(
        url("introduction-decline", introduction), {"reason": "no_capacity", "comment": "今年名额已满。"}
    )
    assert response.status_code == 302
    assert "You declined the introduction." in flashed(response)
    introduction.refresh_from_db()
    assert (
        introduction.status,
        introduction.university_response,
        introduction.decline_reason,
        introduction.decline_comment,
    ) == ("declined", "declined", "no_capacity", "今年名额已满。")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "reason"),
        ({"reason": ""}, "reason"),
        ({"reason": "bored"}, "reason"),
        ({"reason": "other"}, "comment"),
        ({"reason": "other", "comment": "   "}, "comment"),
        ({"reason": "timing", "comment": "长" * 2001}, "comment"),
    ],
)
def test_a_decline_without_a_reason_is_a_field_error(client_for, employer, introduce, data, field):
    introduction = introduce("sent")
    before = state(introduction)
    response = client_for(employer).post(url("introduction-decline", introduction), data)
    assert response.status_code == 400
    assert field in field_errors(response)
    assert state(introduction) == before


# The agreement, milestones and the outcome


def test_a_side_records_the_agreement_with_its_pdf(client_for, employer, university, ministry, introduce):
    introduction = introduce("accepted")
    client = client_for(university)
    assert 'id="record-agreement"' in text(client.get(detail(introduction)))
    response = client.post(
        url("agreement-record", introduction),
        {"signed_on": today(), "places_agreed": "18", "funding_agreed_cny": "50000", "document": pdf()},
    )
    assert response.status_code == 302, field_errors(response)
    assert "The cooperation agreement was recorded." in flashed(response)
    introduction.refresh_from_db()
    agreement = introduction.agreement
    assert (introduction.status, introduction.places) == ("signed", 18)
    assert (agreement.places_agreed, agreement.funding_agreed_cny) == (18, 50000)
    page = client.get(detail(introduction))
    assert url("agreement-document", introduction) in text(page)
    for user in (employer, university, ministry):
        download = client_for(user).get(url("agreement-document", introduction))
        assert b"".join(download.streaming_content) == PDF


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"document": SimpleUploadedFile("协议.pdf", b"PK\x03\x04 not a pdf")}, "document"),
        ({"document": SimpleUploadedFile("协议.pdf", b"")}, "document"),
        ({"signed_on": "2027-02-30"}, "signed_on"),
        ({"signed_on": (timezone.localdate() + timedelta(days=2)).isoformat()}, "signed_on"),
        ({"places_agreed": "0"}, "places_agreed"),
        ({"places_agreed": "41"}, "places_agreed"),
        ({"places_agreed": "many"}, "places_agreed"),
        ({"funding_agreed_cny": "-1"}, "funding_agreed_cny"),
    ],
)
def test_a_bad_agreement_is_a_field_error_and_changes_nothing(client_for, employer, introduce, change, field):
    introduction = introduce("accepted")
    before = state(introduction)
    data = {"signed_on": today(), "places_agreed": "20", "funding_agreed_cny": "0", **change}
    response = client_for(employer).post(url("agreement-record", introduction), data)
    assert response.status_code == 400
    assert field in field_errors(response)
    assert state(introduction) == before
    assert not Agreement.objects.exists()


def test_a_side_records_milestones_and_the_first_starts_the_work(client_for, employer, university, introduce):
    introduction = introduce("signed")
    client = client_for(employer)
    assert 'id="record-milestone"' in text(client.get(detail(introduction)))
    response = client.post(
        url("milestone-record", introduction),
        {"title": "首批 20 名学生进企业", "happened_on": today(), "note": "顺利。"},
    )
    assert "The milestone was recorded." in flashed(response)
    client_for(university).post(
        url("milestone-record", introduction), {"title": "中期检查", "happened_on": today()}
    )
    introduction.refresh_from_db()
    assert introduction.status == "in_progress"
    assert list(introduction.milestones.values_list("title", flat=True)) == [
        "首批 20 名学生进企业",
        "中期检查",
    ]
    assert "中期检查" in text(client.get(detail(introduction)))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"happened_on": "tomorrow"}, "happened_on"),
        ({"happened_on": (timezone.localdate() + timedelta(days=3)).isoformat()}, "happened_on"),
    ],
)
def test_a_bad_milestone_is_a_field_error(client_for, employer, introduce, change, field):
    introduction = introduce("signed")
    data = {"title": "首批学生进企业", "happened_on": today(), **change}
    response = client_for(employer).post(url("milestone-record", introduction), data)
    assert response.status_code == 400
    assert field in field_errors(response)
    assert not Milestone.objects.exists()


def test_the_outcome_runs_its_course_to_completion(client_for, employer, university, ministry, introduce):
    introduction = introduce("in_progress")
    client = client_for(employer)
    assert 'id="submit-outcome"' in text(client.get(detail(introduction)))
    response = client.post(url("outcome-submit", introduction), {**OUTCOME, "evidence": pdf("证明.pdf")})
    assert response.status_code == 302, field_errors(response)
    assert "The outcome report was filed; the university is asked to confirm it." in flashed(response)
    report = OutcomeReport.objects.get(introduction=introduction)
    assert (report.status, report.students_trained, report.graduates_hired) == ("submitted", 18, 6)
    assert b"".join(client.get(url("outcome-evidence", introduction)).streaming_content) == PDF

    client = client_for(university)
    assert 'id="confirm-outcome"' in text(client.get(detail(introduction)))
    response = client.post(url("outcome-confirm", introduction))
    assert "You confirmed the outcome report; ministry staff will review it." in flashed(response)
    report.refresh_from_db()
    assert report.status == "confirmed"

    client = client_for(ministry)
    assert 'id="accept-outcome"' in text(client.get(detail(introduction)))
    response = client.post(url("outcome-accept", introduction), {"comment": "验收通过。"})
    assert "The outcome report was accepted and the cooperation closed." in flashed(response)
    report.refresh_from_db()
    introduction.refresh_from_db()
    assert (report.status, introduction.status) == ("accepted", "completed")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"graduates_hired": "29"}, "graduates_hired"),
        ({"graduates_hired": "-1"}, "graduates_hired"),
        ({"students_trained": "-5"}, "students_trained"),
        ({"interns_hosted": "100001"}, "interns_hosted"),
        ({"funding_delivered_cny": "10000000001"}, "funding_delivered_cny"),
        ({"narrative": ""}, "narrative"),
        ({"evidence": SimpleUploadedFile("证明.pdf", b"<html>not a pdf</html>")}, "evidence"),
    ],
)
def test_absurd_or_negative_figures_are_field_errors(client_for, employer, introduce, change, field):
    introduction = introduce("in_progress")
    response = client_for(employer).post(url("outcome-submit", introduction), {**OUTCOME, **change})
    assert response.status_code == 400
    assert field in field_errors(response)
    assert not OutcomeReport.objects.exists()


def test_a_report_sent_back_is_corrected_and_filed_again(client_for, employer, university, introduce):
    introduction = introduce("in_progress", report="submitted")
    response = client_for(university).post(url("outcome-return", introduction), {"comment": ""})
    assert response.status_code == 400
    assert "comment" in field_errors(response)
    client_for(university).post(url("outcome-return", introduction), {"comment": "实习人数有误。"})
    report = OutcomeReport.objects.get()
    assert (report.status, report.comment) == ("returned", "实习人数有误。")
    client = client_for(employer)
    assert "实习人数有误。" in text(client.get(detail(introduction)))
    client.post(url("outcome-submit", introduction), {**OUTCOME, "interns_hosted": "12"})
    report.refresh_from_db()
    assert (report.status, report.interns_hosted) == ("submitted", 12)


def test_a_report_filed_twice_is_a_message(client_for, employer, introduce):
    introduction = introduce("in_progress", report="submitted")
    before = state(introduction)
    response = client_for(employer).post(url("outcome-submit", introduction), OUTCOME)
    assert response.status_code == 302
    assert any("has been filed" in m for m in flashed(response))
    assert state(introduction) == before


@pytest.mark.parametrize("name", ["outcome-confirm", "outcome-return", "outcome-accept"])
def test_reviewing_a_report_not_filed_is_a_message(client_for, university, ministry, introduce, name):
    introduction = introduce("in_progress")
    user = ministry if name == "outcome-accept" else university
    response = client_for(user).post(url(name, introduction), {"comment": "请更正。"})
    assert response.status_code == 302
    assert "No outcome report has been filed yet." in flashed(response)
    assert not OutcomeReport.objects.exists()
