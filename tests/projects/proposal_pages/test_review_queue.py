"""The ministry's review queue (order, filters from the query string, pages of fifty in a
bounded number of queries) and bulk approval."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import BulkJob
from projects.models import Proposal
from tests.factories import CallFactory, EmployerFactory, ProposalFactory
from tests.pages import flashed

from .helpers import BULK, BULK_CONFIRM, QUEUE, is_login_redirect, status_of, submitted, text

pytestmark = pytest.mark.django_db


# --- the review queue -------------------------------------------------------------------------


def _queue_titles(response) -> list[str]:
    rows = response.content.decode().split("<tbody>")[1].split("</tbody>")[0]
    return [unescape(t) for t in re.findall(r'/review/[0-9a-f-]+/">(.*?)</a>', rows)]


def test_queue_lists_submitted_proposals_oldest_first(client_for, employer, other_employer, ministry, call):
    first = ProposalFactory(employer=employer.employer, call=call, title="先提交的")
    second = ProposalFactory(employer=other_employer.employer, call=call, title="后提交的")
    submitted(first, employer)
    submitted(second, other_employer)
    Proposal.objects.filter(pk=second.pk).update(submitted_at=timezone.now() - timedelta(days=1))
    ProposalFactory(employer=employer.employer, call=call, title="还是草稿")

    response = client_for(ministry).get(QUEUE)

    assert response.status_code == 200
    assert _queue_titles(response) == ["后提交的", "先提交的"]
    assert '<option value="submitted" selected>' in response.content.decode()
    page = text(response)
    assert other_employer.employer.name in page and "Employment internship base" in page
    assert "Computer vision" in page and "Jiangsu" in page
    assert f'value="{first.public_id}"' in page


def test_queue_filters_come_from_the_query_string(client_for, employer, ministry, call):
    other_call = CallFactory(slug="ai-2026")
    rows = {
        "cv-medical": dict(areas={"cv.medical_imaging": 1}),
        "nlp-only": dict(
            areas={"nlp": 1}, project_type="directed_training", training_hours=40, host_province="11"
        ),
        "flagged": dict(description="学生须缴纳培训费。"),
        "other-call": dict(call=other_call),
    }
    for title, extra in rows.items():
        proposal = ProposalFactory(**{"employer": employer.employer, "call": call, "title": title, **extra})
        submitted(proposal, employer)
    client = client_for(ministry)

    def titles(query):
        return sorted(_queue_titles(client.get(f"{QUEUE}?{query}")))

    assert titles("area=cv") == ["cv-medical", "flagged", "other-call"]
    assert titles("area=nlp&province=11") == ["nlp-only"]
    assert titles("project_type=directed_training") == ["nlp-only"]
    assert titles("flagged=on") == ["flagged"]
    assert titles("call=ai-2026") == ["other-call"]
    assert titles("q=medical") == ["cv-medical"]
    assert titles(f"q={employer.employer.name[:6]}") == sorted(rows)
    assert titles("status=draft") == []
    assert titles("status=all") == sorted(rows)
    assert titles("status=bogus&area=nope") == sorted(rows)


def test_queue_paginates_fifty_per_page_in_a_bounded_number_of_queries(
    client_for, ministry, call, django_assert_max_num_queries
):
    for n in range(60):
        employer = EmployerFactory()
        ProposalFactory(
            employer=employer,
            call=call,
            status="submitted",
            title=f"项目{n:02d}",
            submitted_at=timezone.now() - timedelta(minutes=60 - n),
            areas={"cv": 2, "ml.deep_learning": 1},
            flags=[{"rule": "fees", "phrase": "学费"}],
        )
    client = client_for(ministry)

    with django_assert_max_num_queries(12):
        first = client.get(QUEUE)
    with django_assert_max_num_queries(12):
        second = client.get(f"{QUEUE}?page=2&area=cv&flagged=on")

    assert len(_queue_titles(first)) == 50 and _queue_titles(first)[0] == "项目00"
    assert _queue_titles(second) == [f"项目{n}" for n in range(50, 60)]
    assert "60 proposals" in text(first) and "Page 1 of 2" in text(first)
    assert "area=cv&amp;flagged=on&amp;page=1" in second.content.decode()


def test_queue_query_count_does_not_grow_with_rows(client_for, ministry, call, django_assert_num_queries):
    def make(n):
        for _ in range(n):
            ProposalFactory(
                employer=EmployerFactory(),
                call=call,
                status="submitted",
                submitted_at=timezone.now(),
                areas={"nlp": 1, "cv": 1},
            )

    client = client_for(ministry)
    make(2)
    with CaptureQueriesContext(connection) as few:
        client.get(QUEUE)
    make(40)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(QUEUE)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("employer", 403),
        ("pending_employer", 403),
        ("university", 403),
        ("ministry", 200),
    ],
)
def test_queue_persona_matrix(request, client_for, persona, expected):
    assert client_for(request.getfixturevalue(persona)).get(QUEUE).status_code == expected


def test_queue_sends_an_anonymous_visitor_to_log_in(client_for, anonymous):
    assert is_login_redirect(client_for(anonymous).get(QUEUE), QUEUE)


# --- bulk review (accounts/bulk.py) -------------------------------------------------------------


def approve(ids) -> dict:
    return {"action": "proposals.approve", "ids": [str(i) for i in ids]}


def test_bulk_approve_publishes_the_selected_submitted_proposals(client_for, employer, ministry, call, draft):
    chosen = [ProposalFactory(employer=employer.employer, call=call) for _ in range(3)]
    for proposal in chosen:
        submitted(proposal, employer)
    left_alone = ProposalFactory(employer=employer.employer, call=call)
    submitted(left_alone, employer)
    queue = client_for(ministry).get(QUEUE).content.decode()
    assert 'data-select-all="ids"' in queue and "All 4 matching these filters" in queue

    response = client_for(ministry).post(
        BULK, approve([p.public_id for p in chosen] + [draft.public_id, "not-a-uuid"])
    )

    job = BulkJob.objects.get()
    assert response.status_code == 302 and response.url == f"/accounts/bulk/{job.public_id}/"
    assert [status_of(p) for p in chosen] == ["published"] * 3
    assert status_of(draft) == "draft" and status_of(left_alone) == "submitted"
    assert (job.done, job.succeeded) == (4, 3)  # the draft refused, the id that is none left out


def test_bulk_review_with_nothing_selected_says_so(client_for, ministry):
    response = client_for(ministry).post(BULK_CONFIRM, {"action": "proposals.approve", "scope": "selected"})

    assert response.status_code == 302 and response.url == QUEUE
    assert flashed(response) == ["Select at least one item."]


@pytest.mark.parametrize("persona", ["employer", "university"])
def test_only_ministry_staff_bulk_approve(request, client_for, employer, draft, persona):
    submitted(draft, employer)

    response = client_for(request.getfixturevalue(persona)).post(BULK, approve([draft.public_id]))

    assert response.status_code == 403 and status_of(draft) == "submitted"


def test_bulk_approve_sends_an_anonymous_visitor_to_log_in(client_for, anonymous, employer, draft):
    submitted(draft, employer)

    response = client_for(anonymous).post(BULK, approve([draft.public_id]))

    assert is_login_redirect(response, BULK) and status_of(draft) == "submitted"
