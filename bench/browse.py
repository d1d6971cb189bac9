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
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from browse_database import (
    BenchDatabase,
    analyze,
    configure_environment,
    log,
    scenario_values,
    seed,
)
from browse_requests import (
    BARE,
    bench_settings,
    explain,
    install_urlconf,
    probe,
    profile,
    resolves,
    short_sql,
    time_round_robin,
)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"
PAGE = "/projects/"
API = "/api/v1/projects/"
STAND_IN_API = "/api/v1/proposals/"  # used only while /api/v1/projects/ does not resolve
HOME = "/"
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
PAGE_TARGET_RATIO = 5.0


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


# --- seeding --------------------------------------------------------------------------------


# --- measuring ------------------------------------------------------------------------------


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
