"""bench/matching.py's full run: a fresh database on the given PostgreSQL server, migrated and
seeded with the project's demo builders at the bench's size, then run_matching timed in process."""

import argparse
import io
import json
import os
import sys
import time
from urllib.parse import urlsplit, urlunsplit

from pgadmin import database_create, database_drop

BENCH_DB = "bench_matching"


def log(message: str) -> None:
    print(f"[bench/matching] {message}", file=sys.stderr, flush=True)


# --- the full run through the database ----------------------------------------------------------


class BenchDatabase:
    """`bench_matching` on the given PostgreSQL server: created fresh, dropped at the end."""

    def __init__(self, server_url: str, keep: bool):
        parts = urlsplit(server_url)
        if not parts.scheme.startswith("postgres"):
            raise SystemExit("--database-url must name a PostgreSQL server (postgres://...)")
        self.server_url, self.keep = server_url, keep
        self.url = urlunsplit(parts._replace(path=f"/{BENCH_DB}"))

    def create(self) -> None:
        database_create(self.server_url, BENCH_DB)
        log(f"created database {BENCH_DB}")

    def drop(self) -> None:
        if self.keep:
            log(f"kept database {BENCH_DB}")
            return
        database_drop(self.server_url, BENCH_DB)
        log(f"dropped database {BENCH_DB}")


def configure_django(url: str) -> None:
    """Production-like settings on the bench database; no Redis: nothing leaves this process."""
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    os.environ["DEBUG"] = "False"  # no query log growing with every statement
    os.environ.setdefault("SECRET_KEY", "bench-matching-not-a-secret-0123456789abcdefghijklmnopqrstu")
    os.environ["ALLOWED_HOSTS"] = "localhost"
    os.environ["CONN_MAX_AGE"] = "0"
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("LOG_LEVEL", "ERROR")


def seed(args: argparse.Namespace) -> dict:
    """The demo builders at the requested size; then every project published in the current
    call, every university verified, and live interests."""
    import random

    from django.db import connection
    from django.utils import timezone

    from accounts.demo import DemoBuilder, DemoSizes
    from accounts.models import University, VerificationStatus
    from projects.demo import ProposalDemo
    from projects.models import Call, Interest, Proposal
    from projects.workflow import Status

    started = time.perf_counter()
    builder = DemoBuilder(DemoSizes(args.employers, args.universities, args.seed))
    counts = builder.build()
    counts.update(ProposalDemo(builder.rng, args.projects).build())
    call = Call.objects.order_by("-year").first()
    Proposal.objects.update(call=call, status=Status.PUBLISHED, decided_at=timezone.now())
    University.objects.update(status=VerificationStatus.VERIFIED)
    rng = random.Random(args.seed)
    proposals = list(Proposal.objects.values_list("pk", flat=True))
    universities = list(University.objects.values_list("pk", flat=True))
    # Beside the demo builders' own interests, which a small round could draw again.
    pairs = {
        (rng.choice(proposals), u) for u in universities for _ in range(args.interests_per_university)
    } - set(Interest.objects.values_list("proposal_id", "university_id"))
    Interest.objects.bulk_create(
        (
            Interest(
                proposal_id=p,
                university_id=u,
                students_offered=rng.randint(1, 10),
                statement="我校人工智能学院可派出学生参与该项目。",
                response=Interest.Response.WELCOME if i % 2 == 0 else "",
            )
            for i, (p, u) in enumerate(sorted(pairs))
        ),
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    counts.update(call=call.slug, interests=len(pairs), seed_seconds=round(time.perf_counter() - started, 1))
    return counts


def full_run(args: argparse.Namespace) -> dict:
    import django

    django.setup()
    from django.core.management import call_command

    from portal.celery import app as celery_app

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrate_seconds = time.perf_counter() - started
    log("migrated; seeding")
    seeded = seed(args)
    log(f"seeded {json.dumps(seeded)}; running run_matching --inline")
    # The runs are executed inline below; the on-commit enqueue goes to the in-memory broker.
    celery_app.conf.task_always_eager = False
    runs = []
    for attempt in range(max(args.full_runs, 1)):
        out = io.StringIO()
        started = time.perf_counter()
        call_command(
            "run_matching",
            "--call",
            seeded["call"],
            "--k",
            str(args.k),
            "--m",
            str(args.m),
            "--inline",
            stdout=out,
        )
        runs.append((time.perf_counter() - started, json.loads(out.getvalue())))
        log(f"full run {attempt + 1}: {runs[-1][0]:.2f} s {json.dumps(runs[-1][1]['seconds'])}")
    # The median run: the later ones write into a table that already holds the earlier runs'
    # candidates, as a call's re-runs do.
    seconds, summary = sorted(runs, key=lambda run: run[0])[len(runs) // 2]
    from django.db import connections

    connections.close_all()
    return {
        "full_run_seconds": round(seconds, 2),
        "full_run_seconds_each": [round(each, 2) for each, _ in runs],
        "full_run_status": summary["status"],
        "full_run_error": summary["error"],
        "full_run_stages": summary["seconds"],
        "full_run_candidates": summary.get("candidates"),
        "full_run_gap": summary.get("gap"),
        "full_run_over_places": len(summary.get("over_places") or []),
        "full_run_mutual_missed": (summary.get("mutual") or {}).get("missed"),
        "migrate_seconds": round(migrate_seconds, 1),
        "seeded": seeded,
    }
