"""Reading a downloaded CSV or XLSX file, and the rows the database says each export holds, in
the order the export writes them."""

import csv
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from accounts.provinces import PROVINCES
from matching.models import Candidate, Introduction, OutcomeReport
from projects.models import Interest, Proposal


def body(response) -> bytes:
    """The whole response; the test client closes it once read (closing it again would fire
    request_finished a second time and close the test's database connection)."""
    return b"".join(response.streaming_content)


def read(response, kind: str) -> list[list]:
    assert response.status_code == 200, response.content
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert f".{kind}" in response["Content-Disposition"]
    if kind == "csv":
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        text = body(response).decode("utf-8")
        assert text.startswith("\ufeff")
        return list(csv.reader(io.StringIO(text[1:])))
    sheet = load_workbook(io.BytesIO(body(response))).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def cell(value, kind: str):
    """What the database value looks like once written to a CSV or XLSX cell."""
    if value is None or value == "":
        return "" if kind == "csv" else None
    if isinstance(value, bool):
        return ("TRUE" if value else "FALSE") if kind == "csv" else value
    if isinstance(value, float):
        return repr(value) if kind == "csv" else pytest.approx(value)
    if isinstance(value, int):
        return str(value) if kind == "csv" else value
    if kind == "csv" and value.startswith(("=", "+", "-", "@")):
        return "'" + value
    return value


def when(moment):
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


def province(code):
    return PROVINCES[code].name_en if code else ""


def proposal_row(p: Proposal) -> list:
    return [
        str(p.public_id),
        p.title,
        str(p.employer.public_id),
        p.employer.name,
        p.call.slug,
        p.call.name,
        p.project_type,
        p.get_project_type_display(),
        p.status,
        p.get_status_display(),
        p.host_province,
        province(p.host_province),
        p.host_city,
        p.student_places,
        p.partners_sought,
        p.partners_confirmed,
        p.duration_months,
        p.funding_cny,
        when(p.submitted_at),
        when(p.decided_at),
        when(p.updated_at),
    ]


def interest_row(i: Interest) -> list:
    return [
        str(i.public_id),
        str(i.proposal.public_id),
        i.proposal.title,
        i.proposal.call.slug,
        i.proposal.employer.name,
        str(i.university.public_id),
        i.university.name,
        i.students_offered,
        i.status,
        i.get_status_display(),
        i.response,
        i.get_response_display(),
        when(i.responded_at),
        i.contact_person,
        i.contact_phone,
        i.contact_email,
        i.statement,
        when(i.created_at),
    ]


def candidate_row(c: Candidate) -> list:
    p, u = c.proposal, c.university
    return [
        str(p.public_id),
        p.title,
        p.employer.name,
        p.host_province,
        province(p.host_province),
        str(u.public_id),
        u.name,
        u.province,
        province(u.province),
        c.rank,
        c.score,
        c.area_fit,
        c.capacity_fit,
        c.region,
        c.interest,
        c.proposed,
        c.get_reason_display() if c.reason else "",
        "; ".join(c.top_areas),
    ]


def introduction_row(i: Introduction) -> list:
    p = i.proposal
    return [
        str(i.public_id),
        str(p.public_id),
        p.title,
        p.call.slug,
        str(p.employer.public_id),
        p.employer.name,
        str(i.university.public_id),
        i.university.name,
        i.status,
        i.get_status_display(),
        i.places,
        i.employer_response,
        i.get_employer_response_display(),
        i.university_response,
        i.get_university_response_display(),
        i.decline_reason,
        i.get_decline_reason_display(),
        when(i.sent_at),
        when(i.expires_at),
        when(i.accepted_at),
        when(i.created_at),
    ]


def outcome_row(r: OutcomeReport) -> list:
    i = r.introduction
    return [
        str(i.public_id),
        str(i.proposal.public_id),
        i.proposal.title,
        i.proposal.call.slug,
        i.proposal.employer.name,
        str(i.university.public_id),
        i.university.name,
        r.status,
        r.get_status_display(),
        r.students_trained,
        r.interns_hosted,
        r.graduates_hired,
        r.funding_delivered_cny,
        r.narrative,
        r.comment,
        when(r.submitted_at),
        when(r.confirmed_at),
        when(r.decided_at),
    ]


def expected(header_columns, row, objects, kind: str) -> list[list]:
    return [
        [str(c.header) for c in header_columns],
        *([cell(value, kind) for value in row(obj)] for obj in objects),
    ]


def proposals(*items):
    return Proposal.objects.filter(pk__in=[p.pk for p in items]).order_by("submitted_at", "pk")


def newest_first(model, *items):
    return model.objects.filter(pk__in=[i.pk for i in items]).order_by("-created_at", "-pk")


def by_title_and_rank(queryset):
    return queryset.order_by("proposal__title", "proposal_id", "rank", "pk")
