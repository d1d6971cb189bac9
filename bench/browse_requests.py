"""bench/browse.py's requests: the bare view it compares against, a URL probed with its SQL
captured, URLs timed round-robin, and the plans and profiles it prints."""

import argparse
import math
import statistics
import sys
import time
import types
from contextlib import contextmanager

from browse_database import log

BARE = "/__bench__/bare/"


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
