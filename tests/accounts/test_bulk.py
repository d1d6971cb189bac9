"""Bulk work: the list's "all matching these filters", the confirmation that states the count
and the action, each item through its own service with a result per item, more than 200 items
on a Celery worker (a real one, and the broker away), and who may do any of it."""

import re

import pytest
from django.utils import timezone

from accounts import bulk
from accounts.models import BulkJob, Employer, UniversityCapacity, VerificationStatus
from matching.models import Introduction
from projects.models import Proposal
from tests.factories import EmployerFactory, IntroductionFactory, ProposalFactory
from tests.workers import Workers, broker_down, queue_of_its_own, wait_for

pytestmark = pytest.mark.django_db

CONFIRM, START = "/accounts/bulk/confirm/", "/accounts/bulk/start/"


def drafted(n: int, **fields) -> list[Introduction]:
    """Proposed introductions, each university with room for its project."""
    made = IntroductionFactory.create_batch(n, status="proposed", sent_at=None, expires_at=None, **fields)
    UniversityCapacity.objects.bulk_create(
        UniversityCapacity(
            university=i.university, project_type=i.proposal.project_type, places=100, projects=5
        )
        for i in made
    )
    return made


def start(client, action: str, ids, **params):
    return client.post(START, {"action": action, "ids": ",".join(str(i) for i in ids), **params})


def job_of(response) -> BulkJob:
    assert response.status_code == 302, response.content[:500]
    return BulkJob.objects.get(public_id=response["Location"].rstrip("/").split("/")[-1])


def test_all_drafted_introductions_are_sent_in_three_clicks(client_for, ministry):
    """The workbench's link, "all N matching", the confirmation: every one is sent."""
    client = client_for(ministry)
    drafted(30)
    IntroductionFactory()  # already sent: not among those to send
    work = client.get("/workbench/").content.decode()
    link = re.search(r'id="task-introductions-to-send">\s*<a class="work-head" href="([^"]+)"', work)[1]
    listing = client.get(link.replace("&amp;", "&"), HTTP_ACCEPT_LANGUAGE="en").content.decode()  # click 1
    assert "All 30 matching these filters" in listing
    confirm = client.post(
        CONFIRM,
        {"action": "introductions.send", "scope": "all", "status": "proposed"},
        HTTP_ACCEPT_LANGUAGE="en",
    )  # click 2
    page = confirm.content.decode()
    assert confirm.status_code == 200 and "Send 30 introductions?" in page
    ids = re.search(r'name="ids" value="([^"]+)"', page)[1]
    job = job_of(start(client, "introductions.send", ids.split(","), message="请尽快答复。"))  # click 3
    assert (job.status, job.done, job.succeeded) == ("finished", 30, 30)
    assert Introduction.objects.filter(status="sent").count() == 31
    assert client.get(f"/accounts/bulk/{job.public_id}/").status_code == 200


def test_one_refused_item_is_listed_with_its_reason_and_the_others_go_on(client_for, ministry):
    to_send = drafted(2)
    already = IntroductionFactory()
    job = job_of(
        start(
            client_for(ministry), "introductions.send", [*[i.public_id for i in to_send], already.public_id]
        )
    )
    assert (job.done, job.succeeded, job.failed) == (3, 2, 1)
    refused = [row for row in job.results if not row["ok"]]
    assert (
        len(refused) == 1 and refused[0]["label"].startswith(already.proposal.title) and refused[0]["reason"]
    )
    html = client_for(ministry).get(f"/accounts/bulk/{job.public_id}/").content.decode()
    assert 'id="bulk-refused"' in html and refused[0]["reason"] in html


def test_a_return_needs_its_one_comment_and_refusing_it_changes_nothing(client_for, ministry):
    proposals = ProposalFactory.create_batch(3, status="submitted", submitted_at=timezone.now())
    ids = [p.public_id for p in proposals]
    response = start(client_for(ministry), "proposals.return", ids, comment="")
    assert response.status_code == 400 and not BulkJob.objects.exists()
    assert set(Proposal.objects.values_list("status", flat=True)) == {"submitted"}
    job = job_of(start(client_for(ministry), "proposals.return", ids, comment="请补充实习岗位说明。"))
    assert job.succeeded == 3 and set(Proposal.objects.values_list("status", flat=True)) == {"returned"}


def test_all_matching_takes_the_lists_filters(client_for, ministry):
    EmployerFactory.create_batch(3, status=VerificationStatus.PENDING)
    EmployerFactory(status=VerificationStatus.VERIFIED)
    client = client_for(ministry)
    page = client.post(
        CONFIRM, {"action": "employer.verify", "scope": "all", "kind": "employer", "status": "pending"}
    ).content.decode()
    ids = re.search(r'name="ids" value="([^"]+)"', page)[1].split(",")
    assert len(ids) == 3
    job_of(start(client, "employer.verify", ids))
    assert Employer.objects.filter(status=VerificationStatus.VERIFIED).count() == 4


def test_over_200_items_run_as_a_task_once_the_request_commits(
    client_for, ministry, django_capture_on_commit_callbacks
):
    items = drafted(bulk.INLINE_LIMIT + 1)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = job_of(start(client_for(ministry), "introductions.send", [i.public_id for i in items]))
    assert job.status == "queued" and job.done == 0 and len(callbacks) == 1
    callbacks[0]()  # the task, run eagerly here
    job.refresh_from_db()
    assert (job.status, job.done, job.succeeded) == ("finished", 201, 201)


def test_with_the_broker_away_the_items_are_taken_during_the_request(
    ministry, django_capture_on_commit_callbacks
):
    items = drafted(bulk.INLINE_LIMIT + 1)
    action = bulk.action_get("introductions.send")
    with broker_down(), django_capture_on_commit_callbacks(execute=True):
        job = bulk.bulk_start(actor=ministry, action=action, ids=[str(i.public_id) for i in items], params={})
    job.refresh_from_db()
    assert (job.status, job.succeeded) == ("finished", 201)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_takes_a_large_job_and_its_page_shows_the_progress(tmp_path, client_for):
    from tests.factories import MinistryUserFactory

    ministry = MinistryUserFactory(username="ministry")
    items = drafted(bulk.INLINE_LIMIT + 5)
    with queue_of_its_own(Workers(tmp_path)) as workers:
        workers.start()
        job = bulk.bulk_start(
            actor=ministry,
            action=bulk.action_get("introductions.send"),
            ids=[str(i.public_id) for i in items],
            params={},
        )
        wait_for(lambda: BulkJob.objects.get(pk=job.pk).status == "finished", what="the bulk job")
    job.refresh_from_db()
    assert (job.done, job.succeeded) == (205, 205)
    progress = client_for(ministry).get(f"/accounts/bulk/{job.public_id}/progress.json").json()
    assert progress == {"status": "finished", "progress": 100}


@pytest.mark.parametrize("persona", ["employer", "university", "pending_employer"])
def test_only_ministry_staff_take_bulk_actions(request, client_for, persona):
    items = drafted(2)
    client = client_for(request.getfixturevalue(persona))
    assert client.post(CONFIRM, {"action": "introductions.send", "scope": "all"}).status_code == 403
    assert start(client, "introductions.send", [i.public_id for i in items]).status_code == 403
    assert not BulkJob.objects.exists() and not Introduction.objects.filter(status="sent").exists()


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.post(CONFIRM, {"action": "introductions.send"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_job_is_seen_only_by_the_member_of_staff_who_started_it(client_for, ministry):
    from tests.factories import MinistryUserFactory

    job = job_of(start(client_for(ministry), "introductions.send", [i.public_id for i in drafted(1)]))
    other = MinistryUserFactory(username="other_ministry")
    assert client_for(other).get(f"/accounts/bulk/{job.public_id}/").status_code == 404
    assert client_for(other).get(f"/accounts/bulk/{job.public_id}/progress.json").status_code == 404


def test_an_unknown_action_is_a_404_and_tampered_ids_are_left_out(client_for, ministry):
    client = client_for(ministry)
    assert client.post(CONFIRM, {"action": "introductions.delete"}).status_code == 404
    good = drafted(1)[0]
    job = job_of(start(client, "introductions.send", ["not-an-id", "'; drop table", good.public_id]))
    assert job.items == [str(good.public_id)] and job.succeeded == 1


def test_nothing_selected_goes_back_to_the_list_with_a_message(client_for, ministry):
    response = client_for(ministry).post(
        CONFIRM, {"action": "introductions.send", "scope": "selected"}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/introductions/?status=proposed"
    assert not BulkJob.objects.exists()
