"""Matching runs on a real Celery worker process, on Redis, against PostgreSQL: a run is computed
to the end; a duplicate delivery does nothing; a worker killed mid-run (SIGKILL) leaves a run in
`running` that the sweeper marks failed, writes nothing, and a re-run completes."""

import signal
from datetime import timedelta
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from matching import services
from matching.models import Candidate, MatchRun
from matching.tasks import execute_match_run
from portal.celery import app as celery_app
from tests.factories import MinistryUserFactory
from tests.matching.rounds import EXPECTED, tiny_round
from tests.workers import Workers, broker_down, queue_of_its_own, wait_for

BASE_DIR = Path(settings.BASE_DIR)
pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def workers(tmp_path):
    with queue_of_its_own(Workers(tmp_path)) as workers:
        yield workers


def status(run: MatchRun) -> tuple[str, int]:
    run.refresh_from_db()
    return run.status, run.progress


def test_a_worker_runs_a_run_to_the_end_and_ignores_a_duplicate_delivery(workers):
    ministry = MinistryUserFactory(username="ministry")
    tiny = tiny_round()
    workers.start()
    run = services.match_run_create(actor=ministry, call=tiny.call)  # enqueued on commit
    wait_for(lambda: status(run)[0] in ("succeeded", "failed"), what="the run to finish")
    assert status(run) == ("succeeded", 100), run.error
    names = tiny.names()
    found = {names[c.proposal_id, c.university_id]: c for c in Candidate.objects.filter(run=run)}
    assert set(found) == set(EXPECTED)
    for pair, expected in EXPECTED.items():
        assert found[pair].score == pytest.approx(expected[4], abs=1e-5)
        assert (found[pair].rank, found[pair].proposed) == expected[5:7]
    finished_at = run.finished_at

    duplicate = execute_match_run.delay(run.pk)
    line = wait_for(
        lambda: next(
            (line for line in workers.log().splitlines() if f"[{duplicate.id}] succeeded" in line), None
        ),
        what="the duplicate delivery",
    )
    assert line.endswith(": None")  # claimed nothing
    run.refresh_from_db()
    assert run.finished_at == finished_at and run.candidates.count() == len(EXPECTED)


def lock_candidates_table() -> psycopg2.extensions.connection:
    """Another session holds the candidates table in SHARE mode: the worker's write blocks, so
    the test can kill it in the middle of a run, deterministically."""
    db = connection.settings_dict
    blocker = psycopg2.connect(dbname=db["NAME"], user=db["USER"], host=db["HOST"], port=db["PORT"] or 5432)
    with blocker.cursor() as cursor:
        cursor.execute("LOCK TABLE matching_candidate IN SHARE MODE")
    return blocker


def waiting_for_the_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE relation = 'matching_candidate'::regclass AND NOT granted"
        )
        return cursor.fetchone()[0] > 0


def other_sessions() -> int:
    """Other sessions at work on the test database (idle ones, such as a live server's left by
    the browser tests, hold nothing)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND backend_type = 'client backend' AND pid <> pg_backend_pid() "
            "AND state <> 'idle'"
        )
        return cursor.fetchone()[0]


def test_a_worker_killed_mid_run_leaves_a_run_the_sweeper_fails_and_a_rerun_completes(workers):
    ministry = MinistryUserFactory(username="ministry")
    tiny = tiny_round()
    worker = workers.start()
    blocker = lock_candidates_table()
    try:
        run = services.match_run_create(actor=ministry, call=tiny.call)
        wait_for(
            lambda: status(run) == ("running", 80) and waiting_for_the_lock(),
            what="the worker to be writing the results",
        )
        worker.send_signal(signal.SIGKILL)
        assert worker.wait(timeout=30) == -signal.SIGKILL
    finally:
        blocker.rollback()
        blocker.close()
    # The dead worker's session finds its client gone and rolls back.
    wait_for(lambda: other_sessions() == 0, what="the dead worker's session to end")
    assert status(run) == ("running", 80)
    assert not Candidate.objects.filter(run=run).exists()

    assert services.match_runs_sweep(now=timezone.now() + timedelta(minutes=5)) == 0
    assert services.match_runs_sweep(now=timezone.now() + services.STUCK_AFTER * 4) == 1
    run.refresh_from_db()
    assert run.status == MatchRun.Status.FAILED and run.finished_at and "run it again" in run.error
    assert not Candidate.objects.filter(run=run).exists()

    workers.start()
    rerun = services.match_run_create(actor=ministry, call=tiny.call)
    wait_for(lambda: status(rerun)[0] in ("succeeded", "failed"), what="the re-run to finish")
    assert status(rerun) == ("succeeded", 100), rerun.error
    assert rerun.candidates.count() == len(EXPECTED)
    assert status(run)[0] == "failed"


def test_a_sharded_run_fans_out_over_workers_and_equals_an_unsharded_one(workers):
    """Blocks of one project (MATCHING_CHUNK=1 in the workers) split the round into shards that
    two worker processes score; a chord reduces them into one assignment."""
    ministry = MinistryUserFactory(username="ministry")
    tiny = tiny_round()
    workers.env["MATCHING_CHUNK"] = "1"
    workers.start()
    workers.start()
    sharded = services.match_run_create(actor=ministry, call=tiny.call, shards=2)
    wait_for(lambda: status(sharded)[0] in ("succeeded", "failed"), what="the sharded run")
    assert status(sharded) == ("succeeded", 100), sharded.error
    assert "fanned out" in workers.log()
    assert (
        len(
            [
                line
                for line in workers.log().splitlines()
                if "score_match_run_shard" in line and "succeeded" in line
            ]
        )
        == 2
    )
    celery_app.conf.task_always_eager = True  # this one runs here, in one process, on commit
    single = MatchRun.objects.get(pk=services.match_run_create(actor=ministry, call=tiny.call).pk)

    def rows(run):
        return sorted(run.candidates.values_list("proposal_id", "university_id", "score", "rank", "proposed"))

    assert rows(sharded) == rows(single) and len(rows(single)) == len(EXPECTED)
    assert sharded.summary == single.summary


def test_a_run_started_with_the_broker_down_waits_and_the_sweeper_hands_it_to_a_worker(workers):
    ministry = MinistryUserFactory(username="ministry")
    tiny = tiny_round()
    api = APIClient()
    api.force_authenticate(ministry)
    with broker_down():
        response = api.post(
            "/api/v1/match-runs/", {"call": tiny.call.slug}, format="json", HTTP_ACCEPT_LANGUAGE="en"
        )
    assert response.status_code == 202, response.content
    assert response.json()["status"] == "queued"
    assert response.json()["message"] == "Queued: the run will start when the task queue is back."
    run = MatchRun.objects.get(public_id=response.json()["id"])

    workers.start()  # the broker is back, but nothing was queued
    assert services.match_runs_sweep() == 0  # not yet overdue
    assert (
        services.match_runs_sweep(now=timezone.now() + services.QUEUED_TOO_LONG + timedelta(seconds=1)) == 1
    )
    wait_for(lambda: status(run)[0] in ("succeeded", "failed"), what="the run to finish")
    assert status(run) == ("succeeded", 100), run.error
