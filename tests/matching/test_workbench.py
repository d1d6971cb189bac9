"""我的工作台: each role lands on the work waiting for it, counted and linked, and sees no other
organisation's work; nothing waiting says so."""

from datetime import timedelta

import pytest
from django.utils import timezone

from projects.models import Interest
from tests.factories import (
    CallFactory,
    EmployerUserFactory,
    InterestFactory,
    IntroductionFactory,
    OutcomeReportFactory,
    ProposalFactory,
)

pytestmark = pytest.mark.django_db

WORKBENCH = "/workbench/"


def page(client_for, user) -> str:
    response = client_for(user).get(WORKBENCH, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


def task(html: str, key: str) -> str:
    """The task's list item, or "" when the page does not show it."""
    start = html.find(f'id="task-{key}"')
    return "" if start < 0 else html[start : html.find("</li>\n", start)]


def figure(html: str, key: str) -> int:
    item = task(html, key)
    return int(item.split('class="figure">', 1)[1].split("<", 1)[0])


def published(employer_user, **fields):
    return ProposalFactory(
        employer=employer_user.employer, status="published", decided_at=timezone.now(), **fields
    )


def test_signing_in_lands_on_the_workbench_and_the_old_address_leads_there(client, employer):
    response = client.post("/accounts/login/", {"username": "employer", "password": "Correct-Horse-9"})
    assert response.status_code == 302 and response["Location"] == WORKBENCH
    assert client.get("/accounts/dashboard/")["Location"] == WORKBENCH


def test_the_ministry_sees_reviews_verifications_introductions_and_outcomes(client_for, ministry):
    ProposalFactory.create_batch(2, status="submitted", submitted_at=timezone.now())
    EmployerUserFactory(employer__status="pending")
    IntroductionFactory.create_batch(3, status="proposed", sent_at=None, expires_at=None)
    soonest = IntroductionFactory(expires_at=timezone.now() + timedelta(days=2))
    IntroductionFactory()
    OutcomeReportFactory(status="confirmed")
    html = page(client_for, ministry)
    assert figure(html, "review") == 2 and 'href="/review/"' in task(html, "review")
    assert figure(html, "verify-employers") == 1 and "kind=employer" in task(html, "verify-employers")
    assert task(html, "verify-universities") == ""  # nothing waits: not shown
    assert figure(html, "introductions-to-send") == 3 and "status=proposed" in task(
        html, "introductions-to-send"
    )
    awaiting = task(html, "introductions-awaiting")
    assert figure(html, "introductions-awaiting") == 2
    assert timezone.localtime(soonest.expires_at).strftime("%Y") in awaiting and "soonest by" in awaiting
    assert figure(html, "outcomes-to-accept") == 1 and "outcome=confirmed" in task(html, "outcomes-to-accept")
    assert "Rounds under way" in task(html, "deadlines")


def test_the_employer_sees_its_own_interests_introductions_and_returned_proposals_only(
    client_for, employer, other_employer, university
):
    project = published(employer, title="工业视觉质检就业实习基地")
    InterestFactory.create_batch(2, proposal=project)
    InterestFactory(proposal=project, response=Interest.Response.WELCOME)  # answered: not waiting
    InterestFactory(proposal=published(other_employer))  # another employer's
    IntroductionFactory(proposal=project)
    IntroductionFactory(proposal=project, employer_response="accepted")  # answered already
    returned = ProposalFactory(
        employer=employer.employer, status="returned", returned_at=timezone.now(), title="待修改的指南"
    )
    html = page(client_for, employer)
    interests = task(html, "interests-to-answer")
    assert figure(html, "interests-to-answer") == 2
    assert (
        f"/proposals/{project.public_id}/interests/" in interests
        and "工业视觉质检就业实习基地: 2" in interests
    )
    assert figure(html, "introductions-to-answer") == 1
    assert figure(html, "returned") == 1 and f"/proposals/{returned.public_id}/" in task(html, "returned")
    assert "by " in task(html, "returned")  # its resubmission deadline


def test_the_university_sees_introductions_answers_and_rounds_closing_soon(client_for, university):
    IntroductionFactory(university=university.university)
    InterestFactory(university=university.university, response=Interest.Response.NOT_A_FIT)
    call = CallFactory(
        closes_at=timezone.now() + timedelta(days=1), interest_closes_at=timezone.now() + timedelta(days=5)
    )
    ProposalFactory.create_batch(2, call=call, status="published", decided_at=timezone.now())
    CallFactory()  # takes interest for another 60 days: not closing soon
    OutcomeReportFactory(introduction__university=university.university)
    html = page(client_for, university)
    assert figure(html, "introductions-to-answer") == 1
    assert figure(html, "interests-answered") == 1
    assert figure(html, "outcomes-to-confirm") == 1
    closing = task(html, "closing-soon")
    assert figure(html, "closing-soon") == 2 and f"call={call.slug}" in closing and call.name in closing


def test_nothing_waiting_says_so(client_for, university):
    assert 'id="no-work"' in page(client_for, university) and "Nothing needs your attention now." in page(
        client_for, university
    )


def test_a_pending_organisation_sees_its_status_and_no_work(client_for, pending_employer):
    html = page(client_for, pending_employer)
    assert 'id="verification-status"' in html and "once your organisation is verified" in html


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(WORKBENCH)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_ministry_workbench_takes_as_many_queries_for_many_items_as_for_few(
    client_for, ministry, django_assert_max_num_queries
):
    client = client_for(ministry)
    IntroductionFactory.create_batch(2)
    with django_assert_max_num_queries(40) as few:
        client.get(WORKBENCH)
    IntroductionFactory.create_batch(20)
    ProposalFactory.create_batch(10, status="submitted", submitted_at=timezone.now())
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(WORKBENCH)
