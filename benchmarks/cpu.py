"""Where each key page's time goes, one request at a time: the pages of `pages`, called
in-process through Django's WSGI handler with production-like settings (DEBUG off, cached
templates, the real middleware), as the same signed-in users, on the large council's data.

For each page it prints the CPU per request of this process (`time.process_time()`: Django,
templates and the client side of the queries, not the database's own work), the wall time, the
number of queries and the time PostgreSQL took for them. It is steadier than a run under load
on a busy machine, so it is the quick check after each change; `pages` remains the measure of
the targets. `--profile` adds the functions with the most CPU for each page (cProfile).
"""

import cProfile
import io
import pstats
import statistics
import time

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test.utils import override_settings

from benchmarks import data
from benchmarks.overhead import _call
from benchmarks.pages import key_pages, prepare, session_cookie


def run(args) -> None:
    data.ensure(args)
    users = data.bench_users()
    fixtures = prepare(users)
    cookies = {role: session_cookie(user) for role, user in users.items()}
    chosen = [p for p in key_pages(fixtures) if p.method == "GET" and p.path
              and (not args.only or any(word in p.name for word in args.only.split(",")))]
    plain_static = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    with override_settings(DEBUG=False, ALLOWED_HOSTS=["127.0.0.1"], STORAGES=plain_static,
                           SECURE_SSL_REDIRECT=False):
        handler = WSGIHandler()
        rows = [measure(handler, page, cookies.get(page.role, ""), args) for page in chosen]
    print("\n| page | role | CPU ms/req | wall ms/req | queries | SQL ms |")
    print("|---|---|--:|--:|--:|--:|")
    for r in rows:
        print(f"| {r['name']} | {r['role']} | {r['cpu']:.1f} | {r['wall']:.1f} | "
              f"{r['queries']} | {r['sql']:.1f} |")


def measure(handler, page, cookie: str, args) -> dict:
    for _ in range(3):
        status = _call(handler, page.path, cookie)
    if not status.startswith("200"):
        raise SystemExit(f"{page.path} as {page.role} answered {status}, not 200")
    timings = []  # (ms, sql) of each query of one request
    with connection.execute_wrapper(lambda execute, *a: _timed(timings, execute, *a)):
        _call(handler, page.path, cookie)
    cpu, wall = [], []
    for _ in range(args.requests):
        began, began_wall = time.process_time(), time.perf_counter()
        _call(handler, page.path, cookie)
        cpu.append((time.process_time() - began) * 1000)
        wall.append((time.perf_counter() - began_wall) * 1000)
    row = {"name": page.name, "role": page.role or "anonymous", "cpu": statistics.median(cpu),
           "wall": statistics.median(wall), "queries": len(timings), "sql": sum(ms for ms, _ in timings)}
    print(f"  {row['name']:<40} {row['cpu']:6.1f} ms CPU {row['wall']:6.1f} ms wall, "
          f"{row['queries']} queries, {row['sql']:.1f} ms SQL", flush=True)
    for ms, sql in sorted(timings, reverse=True)[:args.slowest]:
        print(f"    {ms:7.1f} ms  {' '.join(sql.split())[:args.sql_chars]}")
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.requests):
            _call(handler, page.path, cookie)
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(args.lines)
        print(out.getvalue())
    return row


def _timed(timings: list, execute, sql, params, many, context):
    began = time.perf_counter()
    try:
        return execute(sql, params, many, context)
    finally:
        timings.append(((time.perf_counter() - began) * 1000, sql))
