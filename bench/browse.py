"""Browse benchmark: the public catalogue page and the API list over a national-size round.

Seeds its own database (never the developer's: a fresh `bench_browse` database on the PostgreSQL
server named by --database-url, or a temporary SQLite file), with the project's own demo builders,
then measures in process, through django.test.Client, each scenario (a typical filter mix or a
text search) on GET /projects/ and GET /api/v1/projects/: SQL queries per request, median and p95
latency, and how much of it the database took; next to a bare Django view (a small HttpResponse,
through the same middleware) measured in the same run. Prints one JSON document on stdout;
progress, EXPLAIN plans and profiles go to stderr.

    .venv/bin/python bench/browse.py [--projects 75000] [--universities 2000] [--repeat 30]
                                     [--database-url postgres://postgres@127.0.0.1:5432/postgres]
    .venv/bin/python bench/browse.py --database-url sqlite:// --projects 20000   # temporary file
"""

import argparse
import json
import math
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
import types
import warnings
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from pgadmin import run_admin

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"
PAGE = "/projects/"
API = "/api/v1/projects/"
STAND_IN_API = "/api/v1/proposals/"  # used only while /api/v1/projects/ does not resolve
BARE = "/__bench__/bare/"
HOME = "/"
PUBLISHED_SHARE = 90  # percent of seeded proposals drawn as published (the demo's own mix is 70)
# name -> query string; {province} is the busiest host province of the seeded data.
SCENARIOS = {
    "no_filter": "",
    "type_province": "type=directed_training&province={province}",
    "area_region": "area=cv&region=east",
    "places_range": "student_places_min=30&student_places_max=120&ordering=places",
    "search": "search=视觉",
    "search_area": "search=机器人&area=robotics",
    "deadline_order": "ordering=deadline",
    "deep_page": "page={deep_page}",
}
# A text search may cost one query more than a plain filter, and so may the area filter (it reads
# the area and its sub-areas' ids first); everything else must cost the same.
ONE_MORE_ALLOWED = {"search", "search_area", "area_region"}
DEEP_PAGE = 500  # or the middle page, when fewer are seeded
PAGE_TARGET_RATIO = 5.0


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--projects", type=int, default=75_000, help="published projects to seed")
    parser.add_argument("--universities", type=int, default=2_000)
    parser.add_argument("--employers", type=int, default=2_400)
    parser.add_argument("--repeat", type=int, default=30, help="timed requests per scenario")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests per scenario first")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL") or DEFAULT_SERVER,
        help="PostgreSQL server to create the bench database on (its own database "
        "is never touched), or sqlite:// for a temporary SQLite file",
    )
    parser.add_argument(
        "--bench-db",
        default="bench_browse",
        help="name of the database created and dropped on the PostgreSQL server",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the bench database (and reuse it next time with --reuse)"
    )
    parser.add_argument(
        "--reuse", action="store_true", help="measure an existing bench database kept with --keep: no seeding"
    )
    parser.add_argument(
        "--explain",
        type=int,
        default=3,
        metavar="N",
        help="print EXPLAIN ANALYZE of the slowest query of the N slowest scenarios to stderr (0: none)",
    )
    parser.add_argument(
        "--profile",
        nargs="?",
        const="no_filter",
        metavar="SCENARIO",
        help="profile 5 catalogue requests of a scenario (default no_filter) and "
        "print the top functions to stderr",
    )
    parser.add_argument("--output", help="also write the JSON to this file")
    args = parser.parse_args()
    if not args.bench_db.startswith("bench_") or not args.bench_db.replace("_", "").isalnum():
        parser.error("--bench-db must be a plain name starting with bench_")
    return args


# --- the bench database -----------------------------------------------------------------------


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

    def _admin(self, *statements: str) -> None:
        run_admin(self.server_url, *statements)

    def create(self) -> None:
        if self.postgres and not self.args.reuse:
            name = self.args.bench_db
            self._admin(
                f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
                f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'",
            )
            log(f"created database {name} on {urlsplit(self.server_url).hostname}")

    def drop(self) -> None:
        if self.args.keep:
            log(f"kept the bench database: {self.url}")
            return
        if self.postgres:
            self._admin(f'DROP DATABASE IF EXISTS "{self.args.bench_db}" WITH (FORCE)')
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


# --- seeding --------------------------------------------------------------------------------


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


# --- measuring ------------------------------------------------------------------------------


def bare_view(request):
    from django.http import HttpResponse

    return HttpResponse("ok", content_type="text/plain")


def install_urlconf() -> str:
    """The portal's URLs plus the bare view, as an importable module."""
    from django.urls import include, path

    module = types.ModuleType("bench_browse_urls")
    module.urlpatterns = [path(BARE.strip("/") + "/", bare_view), path("", include("portal.urls"))]
    sys.modules[module.__name__] = module
    return module.__name__


def resolves(url: str) -> bool:
    from django.urls import Resolver404, resolve

    try:
        resolve(url)
    except Resolver404:
        return False
    return True


class SqlClock:
    """Time spent inside the database driver's execute, per request."""

    def __init__(self):
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def probe(client, url: str, args: argparse.Namespace) -> dict:
    """Warm the URL up, then one request with its SQL captured after emptying the cache: the
    work of the first visitor of a query string in a minute (`cold_ms`, `queries`); the timed
    rounds then measure everyone else."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(args.warmup):
        client.get(url)
    cache.clear()
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    cold_ms = (time.perf_counter() - started) * 1000
    queries = list(captured.captured_queries)  # the next request's start empties the log
    result = {
        "url": url,
        "status": response.status_code,
        "bytes": len(response.content),
        "queries": len(queries),
        "cold_ms": round(cold_ms, 3),
    }
    if response.get("Content-Type", "").startswith("application/json"):
        body = response.json()
        if isinstance(body, dict) and "count" in body:
            result["count"] = body["count"]
    # The queries worth explaining: the slowest, and any other over a millisecond.
    timed = sorted(queries, key=lambda q: float(q["time"]), reverse=True)
    result["_slow_sql"] = [q for i, q in enumerate(timed) if i == 0 or float(q["time"]) >= 0.001]
    if timed:
        result["slowest_query_ms"] = round(float(timed[0]["time"]) * 1000, 3)
    return result


def time_round_robin(client, results: list[dict], repeat: int) -> None:
    """`repeat` rounds of one request to every URL in turn, so that whatever else the machine
    does weighs on every scenario and on the baseline alike; adds the figures to each result."""
    from django.db import connection

    totals: list[list[float]] = [[] for _ in results]
    sql_times: list[list[float]] = [[] for _ in results]
    clock = SqlClock()
    with connection.execute_wrapper(clock):
        for _ in range(repeat):
            for i, result in enumerate(results):
                clock.seconds = 0.0
                started = time.perf_counter()
                client.get(result["url"])
                totals[i].append(time.perf_counter() - started)
                sql_times[i].append(clock.seconds)
    for result, total, sql in zip(results, totals, sql_times, strict=True):
        result["median_ms"] = round(statistics.median(total) * 1000, 3)
        result["p95_ms"] = round(percentile(total, 0.95) * 1000, 3)
        result["sql_median_ms"] = round(statistics.median(sql) * 1000, 3)
        result["python_median_ms"] = round(result["median_ms"] - result["sql_median_ms"], 3)


def constant_queries(results: dict) -> dict:
    """The same count across the scenarios of one endpoint (whatever the rows on the page); a
    text search or the area filter may add one."""
    counts = {name: r["queries"] for name, r in results.items() if "queries" in r}
    plain = {n for name, n in counts.items() if name not in ONE_MORE_ALLOWED}
    base = min(plain) if plain else None
    if not counts:
        return {"queries_per_request": counts, "constant": None}
    ok = len(plain) == 1 and all(0 <= n - base <= 1 for name, n in counts.items() if name in ONE_MORE_ALLOWED)
    return {"queries_per_request": counts, "constant": ok}


def short_sql(sql: str) -> str:
    """The statement without its long column list."""
    head, sep, tail = sql.partition(" FROM ")
    return (head[:120] + " …" + sep + tail) if len(head) > 120 else sql


def explain(sql: str) -> str:
    from django.db import connection

    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql)
        return "\n".join(" | ".join(str(c) for c in row) for row in cursor.fetchall())


def profile(client, url: str) -> None:
    import cProfile
    import io
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(5):
        client.get(url)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(60)
    stats.sort_stats("tottime").print_stats(25)
    log(f"\n=== profile of 5 requests to {url} (cumulative) ===\n{out.getvalue()}")


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


@contextmanager
def bench_settings(urlconf: str):
    from django.test.utils import override_settings

    # Plain static storage: the manifest storage of DEBUG=False needs collectstatic first.
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(ROOT_URLCONF=urlconf, STORAGES=storages):
        yield


def run(args: argparse.Namespace, database: BenchDatabase) -> dict:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    report: dict = {"database": {"vendor": connection.vendor, "url": _redact(database.url)}}
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    report["database"]["migrate_seconds"] = round(time.perf_counter() - started, 1)
    if not args.reuse:
        log(f"seeding {args.projects} published projects, {args.universities} universities ...")
        report["seed"] = seed(args)
        log(f"seeded: {json.dumps(report['seed'])}")
        report["database"]["analyze_seconds"] = analyze()
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if connection.vendor == "postgresql" else "SELECT sqlite_version()")
        report["database"]["version"] = cursor.fetchone()[0].split(" on ")[0]
    report["machine"] = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "debug": settings.DEBUG,
        "repeat": args.repeat,
        "warmup": args.warmup,
        # Other work on the machine skews the figures: the load says how much.
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }

    values = scenario_values()
    client = Client()
    with bench_settings(install_urlconf()):
        bare, home = probe(client, BARE, args), probe(client, HOME, args)
        endpoints = {"page": PAGE, "api": API}
        if not resolves(API) and resolves(STAND_IN_API):
            endpoints["api"] = STAND_IN_API
            report["api_stand_in"] = f"{API} does not resolve yet: measured {STAND_IN_API} instead"
        results: dict[str, dict] = {}
        for endpoint, base in endpoints.items():
            results[endpoint] = {}
            if not resolves(base):
                report[f"{endpoint}_skipped"] = f"{base} does not resolve yet"
                log(f"skipping {endpoint}: {base} does not resolve")
                continue
            for name, query in SCENARIOS.items():
                url = base + ("?" + query.format(**values) if query else "")
                log(f"probing {endpoint} {name}: {url}")
                try:
                    results[endpoint][name] = probe(client, url, args)
                except Exception as error:  # a scenario that fails is reported, not fatal
                    results[endpoint][name] = {"url": url, "error": f"{type(error).__name__}: {error}"}
                    log(f"  failed: {error}")
        timed = [bare, home] + [r for rs in results.values() for r in rs.values() if "error" not in r]
        log(f"timing {len(timed)} URLs round-robin, {args.repeat} rounds ...")
        time_round_robin(client, timed, args.repeat)
        report["bare_view"] = {k: v for k, v in bare.items() if not k.startswith("_")}
        # The same view timed back to back (warm caches): faster than between heavier requests.
        alone = {"url": BARE}
        time_round_robin(client, [alone], args.repeat)
        report["bare_view"]["back_to_back_median_ms"] = alone["median_ms"]
        # For context, not a target: the home page, the site's layout with no SQL.
        report["home_page"] = {k: v for k, v in home.items() if not k.startswith("_")}
        report["home_page"]["ratio_to_bare"] = round(home["median_ms"] / bare["median_ms"], 1)
        slow = sorted(
            (
                (r["median_ms"], endpoint, name)
                for endpoint, rs in results.items()
                for name, r in rs.items()
                if r.get("_slow_sql")
            ),
            reverse=True,
        )
        for _, endpoint, name in slow[: args.explain]:
            for query in results[endpoint][name]["_slow_sql"]:
                log(
                    f"\n=== {endpoint} {name}: query of {float(query['time']) * 1000:.1f} ms ===\n"
                    f"{short_sql(query['sql'])}\n--- plan ---\n{explain(query['sql'])}"
                )
        if args.profile and args.profile in results.get("page", {}):
            profile(client, results["page"][args.profile]["url"])

    report["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    bare_ms, bare_p95 = bare["median_ms"], bare["p95_ms"]
    for endpoint, rs in results.items():
        for r in rs.values():
            r.pop("_slow_sql", None)
            if "median_ms" in r:
                r["ratio_to_bare"] = round(r["median_ms"] / bare_ms, 1)
                r["p95_ratio_to_bare"] = round(r["p95_ms"] / bare_p95, 1)
        report[endpoint] = {"scenarios": rs, **constant_queries(rs)}
    page = [r for r in results.get("page", {}).values() if "ratio_to_bare" in r]
    report["targets"] = {
        "page_constant_queries": report["page"]["constant"] if page else None,
        "api_constant_queries": report["api"]["constant"] if results.get("api") else None,
        "page_within_5x_bare": (all(r["ratio_to_bare"] <= PAGE_TARGET_RATIO for r in page) if page else None),
        "page_worst_ratio": max((r["ratio_to_bare"] for r in page), default=None),
        "page_scenarios_within_5x": sorted(
            name
            for name, r in results.get("page", {}).items()
            if r.get("ratio_to_bare", math.inf) <= PAGE_TARGET_RATIO
        ),
    }
    return report


def _redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        parts = parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@"))
    return urlunsplit(parts)


def main() -> None:
    args = parse_args()
    database = BenchDatabase(args)
    database.create()
    configure_environment(database.url)
    try:
        report = run(args, database)
    finally:
        from django.db import connections

        connections.close_all()
        database.drop()
    text = json.dumps(report, ensure_ascii=False, indent=2)
    print(text)
    if args.output:
        Path(args.output).write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
