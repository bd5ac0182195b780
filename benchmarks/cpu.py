"""Where each key page's time goes, one request at a time: the pages of `pages`, called
in-process through Django's WSGI handler with production-like settings (DEBUG off, cached
templates, the real middleware), as the same signed-in users, on the large council's data.

The debrief quick-entry POST is sent as `pages` sends it (htmx, over 60 of the team's open
cases in turn, with the version each answer carries), so each one is a real update.

For each page it prints the CPU per request of this process (`time.process_time()`: Django,
templates and the client side of the queries, not the database's own work), the wall time, the
number of queries and the time PostgreSQL took for them. It is steadier than a run under load
on a busy machine, so it is the quick check after each change; `pages` remains the measure of
the targets. `--profile` adds the functions with the most CPU for each page (cProfile).

As in a worker (config/wsgi.py), what is loaded before the first page is frozen out of the
cycle collector's reach (`--unfrozen` leaves it in); the time spent in collections is shown
for each page, as a mean over its requests: most requests see none, a few a long one.
"""

import contextlib
import cProfile
import functools
import gc
import importlib
import io
import itertools
import pstats
import re
import statistics
import sys
import time
from unittest import mock

from django.conf import settings
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.db.backends.utils import CursorWrapper
from django.test.utils import override_settings

from benchmarks import data, yardstick
from benchmarks.overhead import _call
from benchmarks.pages import csrf_secret, key_pages, prepare, session_cookie
from config.collector import freeze_loaded


def run(args) -> None:
    data.ensure(args)
    users = data.bench_users()
    fixtures = prepare(users)
    cookies = {role: session_cookie(user) for role, user in users.items()}
    chosen = [p for p in key_pages(fixtures) if p.path and p.clients == 8
              and (not args.only or any(word in p.name for word in args.only.split(",")))]
    plain_static = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    with override_settings(DEBUG=False, ALLOWED_HOSTS=["127.0.0.1"], STORAGES=plain_static,
                           SECURE_SSL_REDIRECT=False):
        handler = WSGIHandler()
        print(yardstick.describe())
        if not args.unfrozen:
            print(f"Frozen out of the cycle collector's reach: {freeze_loaded():,} objects")
        rows = [measure(page, _forgetting(_sender(handler, page, cookies.get(page.role, ""),
                                                  fixtures), args.forget), args)
                for page in chosen]
    print("\n| page | role | CPU ms/req | mean | in collections | wall ms/req | queries | SQL ms |")
    print("|---|---|--:|--:|--:|--:|--:|--:|")
    for r in rows:
        print(f"| {r['name']} | {r['role']} | {r['cpu']:.1f} | {r['cpu_mean']:.1f} | "
              f"{r['gc']:.2f} | {r['wall']:.1f} | {r['queries']} | {r['sql']:.1f} |")


def _sender(handler, page, cookie: str, fixtures: dict):
    """A function sending the page's next request and answering its status."""
    if page.method == "GET":
        return lambda: _call(handler, page.path, cookie)
    cases, turns, versions = itertools.cycle(fixtures["entry_cases"]), itertools.count(), {}
    headers = {"HTTP_X_CSRFTOKEN": csrf_secret(), "HTTP_HX_REQUEST": "true"}

    def post() -> str:
        case = next(cases)
        progress = "working" if next(turns) % 2 else "not_yet"
        body = f"case{case}-progress={progress}&case{case}-note=&case{case}-version=" \
               f"{versions.get(case, '')}"
        answer = []
        status = _call(handler, f"{page.path}{case}", cookie, body.encode(), headers, answer)
        if found := re.search(rb'name="case(\d+)-version" value="(\d*)"', answer[0]):
            versions[int(found[1])] = found[2].decode()
        return status
    return post


def _forgetting(send, forget: bool):
    """`send`, emptying the cache first with `--forget`: what a page keeps until a write
    (accounts/stamps.py) or for a while is then worked out on every request."""
    if not forget:
        return send

    def forgetful() -> str:
        cache.clear()
        return send()
    return forgetful


def measure(page, send, args) -> dict:
    with _phases(args.phases) as spent:
        return _measure(page, send, args, spent)


@contextlib.contextmanager
def _phases(names: str):
    """Wrap each named function (`module:function` or `module:Class.method`, comma-separated)
    wherever it is bound, so that the CPU spent inside it is added up: `--phases` shows how a
    page's time divides without a profiler's distortion of small calls."""
    spent, undo = {}, []
    for name in filter(None, names.split(",")):
        module_name, _, attr = name.partition(":")
        owner = importlib.import_module(module_name)
        *path, last = attr.split(".")
        for part in path:
            owner = getattr(owner, part)
        original = getattr(owner, last)
        spent[name] = 0.0
        wrapped = _timed_call(original, spent, name)
        places = [(owner, last)] if path else [
            (module, key) for module in list(sys.modules.values())
            for key, value in list(getattr(module, "__dict__", {}).items())
            if value is original]
        for place, key in places:
            setattr(place, key, wrapped)
            undo.append((place, key, original))
    try:
        yield spent
    finally:
        for place, key, original in undo:
            setattr(place, key, original)


def _timed_call(function, spent: dict, name: str):
    depth = [0]  # only the outermost call of a recursive function counts

    @functools.wraps(function)
    def timed(*args, **kwargs):
        depth[0] += 1
        began = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            depth[0] -= 1
            if not depth[0]:
                spent[name] += time.process_time() - began
    return timed


@contextlib.contextmanager
def _collections():
    """The CPU spent in the cycle collector while the block runs, in ms (`["ms"]`)."""
    spent = {"ms": 0.0}
    began = [0.0]

    def timed(phase: str, info: dict) -> None:
        if phase == "start":
            began[0] = time.process_time()
        else:
            spent["ms"] += (time.process_time() - began[0]) * 1000
    gc.callbacks.append(timed)
    try:
        yield spent
    finally:
        gc.callbacks.remove(timed)


def _measure(page, send, args, spent: dict) -> dict:
    for _ in range(3):
        status = send()
    if not status.startswith("200"):
        raise SystemExit(f"{page.path} as {page.role} answered {status}, not 200")
    # Each query of one request, timed where Django's cursor runs it: an execute wrapper would
    # make a batch (accounts.compiled.Batch) send its statements one at a time, and Django's
    # debug cursor keeps whole milliseconds.
    timings = []  # (ms, sql) of each query of one request
    run = CursorWrapper._execute

    def timed(cursor, sql, *args):
        began = time.perf_counter()
        try:
            return run(cursor, sql, *args)
        finally:
            timings.append(((time.perf_counter() - began) * 1000, sql))

    with mock.patch.object(CursorWrapper, "_execute", timed):
        send()
    spent.update(dict.fromkeys(spent, 0.0))  # only the timed requests count
    cpu, wall = [], []
    with _collections() as collecting:
        for _ in range(args.requests):
            began, began_wall = time.process_time(), time.perf_counter()
            send()
            cpu.append((time.process_time() - began) * 1000)
            wall.append((time.perf_counter() - began_wall) * 1000)
    phases = {name: ms * 1000 / args.requests for name, ms in spent.items()}
    row = {"name": page.name, "role": page.role or "anonymous", "cpu": statistics.median(cpu),
           "cpu_mean": statistics.fmean(cpu), "gc": collecting["ms"] / args.requests,
           "wall": statistics.median(wall), "queries": len(timings),
           "sql": sum(ms for ms, _ in timings)}
    print(f"  {row['name']:<40} {row['cpu']:6.1f} ms CPU (mean {row['cpu_mean']:.1f}, "
          f"{row['gc']:.2f} in collections) {row['wall']:6.1f} ms wall, "
          f"{row['queries']} queries, {row['sql']:.1f} ms SQL", flush=True)
    for name, ms in phases.items():
        print(f"    {ms:7.2f} ms CPU in {name} (mean per request, calls included)")
    for ms, sql in sorted(timings, reverse=True)[:args.slowest]:
        print(f"    {ms:7.1f} ms  {' '.join(sql.split())[:args.sql_chars]}")
    if args.profile:
        profiler = cProfile.Profile(time.process_time)  # CPU, as the figures above
        profiler.enable()
        for _ in range(args.requests):
            send()
        profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).sort_stats(args.sort)
        stats.print_stats(args.lines)
        if args.callers:
            stats.print_callers(args.callers)
        print(out.getvalue())
    return row
