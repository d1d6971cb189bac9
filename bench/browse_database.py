"""bench/browse.py's database: its own (a fresh `bench_browse` on a PostgreSQL server, or a
temporary SQLite file), the production-like settings it runs with, and the demo round seeded
into it."""

import argparse
import math
import os
import shutil
import sys
import tempfile
import time
import warnings
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from pgadmin import database_create, database_drop

PUBLISHED_SHARE = 90  # percent of seeded proposals drawn as published (the demo's own mix is 70)


DEEP_PAGE = 500  # or the middle page, when fewer are seeded


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class BenchDatabase:
    """Creates the bench database before Django starts and drops it at the end."""

    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.server_url = args.database_url
        scheme = urlsplit(self.server_url).scheme
        self.postgres = scheme.startswith("postgres") or scheme == "pgsql"
        self.tmpdir: str | None = None
        if self.postgres:
            parts = urlsplit(self.server_url)
            self.url = urlunsplit(parts._replace(path=f"/{args.bench_db}"))
        elif scheme.startswith("sqlite"):
            keep_dir = Path(tempfile.gettempdir()) / "bench_browse"
            if args.keep or args.reuse:
                keep_dir.mkdir(exist_ok=True)
                path = keep_dir / f"{args.bench_db}.sqlite3"
            else:
                self.tmpdir = tempfile.mkdtemp(prefix="bench_browse_")
                path = Path(self.tmpdir) / "bench.sqlite3"
            self.url = f"sqlite:///{path}"
        else:
            raise SystemExit(f"unsupported database URL scheme: {scheme}")

    def create(self) -> None:
        if self.postgres and not self.args.reuse:
            name = self.args.bench_db
            database_create(self.server_url, name)
            log(f"created database {name} on {urlsplit(self.server_url).hostname}")

    def drop(self) -> None:
        if self.args.keep:
            log(f"kept the bench database: {self.url}")
            return
        if self.postgres:
            database_drop(self.server_url, self.args.bench_db)
            log(f"dropped database {self.args.bench_db}")
        if self.tmpdir:
            shutil.rmtree(self.tmpdir, ignore_errors=True)


def configure_environment(url: str) -> None:
    """Production-like settings (DEBUG off), on the bench database, before django.setup()."""
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    os.environ["DEBUG"] = "False"
    os.environ.setdefault("SECRET_KEY", "bench-browse-not-a-secret-0123456789abcdefghijklmnopqrstuv")
    os.environ["ALLOWED_HOSTS"] = "testserver,localhost,127.0.0.1"
    os.environ["SECURE_SSL_REDIRECT"] = "False"
    os.environ["CONN_MAX_AGE"] = "0"
    os.environ.pop("REDIS_URL", None)  # local-memory cache, eager Celery: nothing outside
    os.environ.setdefault("LOG_LEVEL", "ERROR")  # not a line per 400 answer
    os.environ["API_THROTTLE_ANON"] = "1000000/minute"  # the bench asks far faster than a visitor
    # WhiteNoise (on with DEBUG off) warns that collectstatic has not run: no static file is served here.
    warnings.filterwarnings("ignore", message="No directory at")


def seed(args: argparse.Namespace) -> dict:
    """The project's demo builders with the published share raised, then a bulk top-up so that
    at least --projects are published."""
    from datetime import timedelta

    from django.db.models import F

    from accounts.demo import DemoBuilder, DemoSizes
    from projects import demo as project_demo
    from projects.models import Proposal
    from projects.workflow import Status

    started = time.perf_counter()
    builder = DemoBuilder(DemoSizes(args.employers, args.universities, args.seed))
    counts = builder.build()
    accounts_seconds = time.perf_counter() - started

    rest = (100 - PUBLISHED_SHARE) / sum(w for s, w in project_demo.STATUS_MIX if s != Status.PUBLISHED)
    project_demo.STATUS_MIX = [
        (s, PUBLISHED_SHARE if s == Status.PUBLISHED else w * rest) for s, w in project_demo.STATUS_MIX
    ]
    total = math.ceil(args.projects / (PUBLISHED_SHARE / 100) * 1.005)
    counts.update(project_demo.ProposalDemo(builder.rng, total).build())

    published = Proposal.objects.filter(status=Status.PUBLISHED)
    short = args.projects - published.count()
    if short > 0:  # the draw fell short: publish some submitted proposals, in bulk
        ids = list(
            Proposal.objects.filter(status=Status.SUBMITTED)
            .order_by("pk")
            .values_list("pk", flat=True)[:short]
        )
        Proposal.objects.filter(pk__in=ids).update(
            status=Status.PUBLISHED, decided_at=F("submitted_at") + timedelta(days=3)
        )
    counts["published"] = published.count()
    counts["seconds"] = round(time.perf_counter() - started, 1)
    counts["accounts_seconds"] = round(accounts_seconds, 1)
    return counts


def analyze() -> float:
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        # VACUUM sets the visibility map, as autovacuum would on a live site, so counts can be
        # answered from an index alone; ANALYZE gives the planner the seeded distribution.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return round(time.perf_counter() - started, 1)


def scenario_values() -> dict[str, str]:
    """The busiest host province, and a deep page that exists for page sizes up to 50."""
    from django.db.models import Count

    from projects.models import Proposal
    from projects.workflow import Status

    published = Proposal.objects.filter(status=Status.PUBLISHED)
    row = published.values("host_province").annotate(n=Count("pk")).order_by("-n").first()
    return {
        "province": row["host_province"] if row else "11",
        "deep_page": str(max(1, min(DEEP_PAGE, published.count() // 50))),
    }
