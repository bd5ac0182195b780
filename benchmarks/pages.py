"""Key pages under load: gunicorn with production-like settings on 127.0.0.1, driven by wrk as
signed-in users of each role, each page beside `/healthz` measured in the same run.

Sessions are made directly (no password sign-in): Django's SessionStore with the auth keys,
and for roles that must use two-step sign-in, django_otp's device key pointing at a confirmed
authenticator. Every response that is not the expected status is counted and reported, so a
redirect to the sign-in page cannot pass for a fast page.

`--growth` runs the same pages on a tenth of the data first (its own database) and prints the
ratio of each page's p50 at full size to its p50 at a tenth.
"""

import concurrent.futures
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

import psutil
from django.conf import settings
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import NoReverseMatch, reverse

from benchmarks import data, yardstick

ROOT = Path(__file__).resolve().parent.parent
SEARCH_QUERY = "Smtih"  # a misspelt common surname: the same query at every scale
GET_P95_MS, GET_RATIO, POST_P95_MS = 150.0, 0.10, 50.0
RESULT = re.compile(r"^BENCH (.*)$", re.MULTILINE)

GET_SCRIPT = """
wrk.headers["Cookie"] = "%(cookie)s"
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) unexpected = 0 end
function response(status, headers, body)
  if status ~= %(status)d then unexpected = unexpected + 1 end
end
%(done)s
"""

POST_SCRIPT = """
local cases = {%(cases)s}
local threads = {}
local n = 0
function setup(thread)
  thread:set("id", n)
  n = n + 1
  table.insert(threads, thread)
end
function init(args)
  mine, versions, turn, unexpected, conflicts = {}, {}, 0, 0, 0
  for i, c in ipairs(cases) do
    if (i - 1) %% %(threads)d == id then table.insert(mine, c) end
  end
end
function request()
  turn = turn + 1
  local c = mine[(turn - 1) %% #mine + 1]
  local p = "case" .. c .. "-"
  local progress = (turn %% 2 == 0) and "working" or "not_yet"
  local body = p .. "progress=" .. progress .. "&" .. p .. "note=&" .. p .. "version="
               .. (versions[c] or "")
  return wrk.format("POST", "%(path)s" .. c, {
    ["Cookie"] = "%(cookie)s", ["X-CSRFToken"] = "%(csrf)s", ["HX-Request"] = "true",
    ["Content-Type"] = "application/x-www-form-urlencoded"}, body)
end
function response(status, headers, body)
  local c, v = string.match(body, 'name="case(%%d+)%%-version" value="(%%d*)"')
  if c then versions[tonumber(c)] = v end
  if status == 409 then conflicts = conflicts + 1
  elseif status ~= 200 then unexpected = unexpected + 1 end
end
%(done)s
"""

DONE = """
function done(summary, latency, requests)
  local unexpected, conflicts = 0, 0
  for _, t in ipairs(threads) do
    unexpected = unexpected + (t:get("unexpected") or 0)
    conflicts = conflicts + (t:get("conflicts") or 0)
  end
  io.write(string.format("BENCH %d %d %.1f %.1f %.1f %d %d %d\\n", summary.requests,
    summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    unexpected, conflicts, summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout))
end
"""


@dataclass
class Page:
    name: str
    role: str | None  # None: anonymous
    path: str
    method: str = "GET"
    note: str = ""
    clients: int = 8  # wrk's open connections, each sending its next request when answered


@dataclass
class Result:
    name: str
    role: str
    path: str
    method: str
    requests: int
    rps: float
    p50: float
    p95: float
    p99: float
    unexpected: int
    conflicts: int
    socket_errors: int
    cpu_ms: float  # gunicorn workers' CPU per request
    db_cpu_ms: float  # the bench database's server processes' CPU per request
    load: float  # 1-minute load average at the end of the run
    note: str = ""
    clients: int = 8


def run(args) -> None:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop gunicorn on the way out
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    small = None
    if args.growth:
        small = _run_small(args)
    data.ensure(args)
    results, facts = measure(args)
    report(results, facts)
    if args.json:
        Path(args.json).write_text(json.dumps(
            {"facts": facts, "results": [asdict(r) for r in results]}, indent=1))
    if small:
        growth(small, results)


def _run_small(args) -> list[dict]:
    """The same pages at --small-scale, in a child process on its own database."""
    out = Path(tempfile.mkdtemp(prefix="bench-small-")) / "results.json"
    command = [sys.executable, "-m", "benchmarks", "pages", "--scale", str(args.small_scale),
               "--database-url", args.small_database_url, "--duration", str(args.duration),
               "--json", str(out)]
    print(f"Growth: running the pages at scale {args.small_scale} first.", flush=True)
    subprocess.run(command, check=True, cwd=ROOT)
    return json.loads(out.read_text())["results"]


def measure(args) -> tuple[list[Result], dict]:
    from debriefs.models import Entry  # Django is set up by now

    secret = secrets.token_urlsafe(50)
    settings.SECRET_KEY = secret  # sessions and auth hashes are signed with the server's key
    users = data.bench_users()
    fixtures = prepare(users)
    pages = [page for page in key_pages(fixtures) if page.name.startswith("healthz")
             or not args.only or any(word in page.name for word in args.only.split(","))]
    cookies = {role: session_cookie(user) for role, user in users.items()}
    static_root = Path(tempfile.mkdtemp(prefix="bench-static-"))
    env = server_env(args.database_url, secret, static_root)
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
                   check=True, cwd=ROOT, env=env)
    port = free_port()
    log_path = static_root / "gunicorn.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "config.wsgi",
             "-w", str(args.workers), "--threads", str(args.threads),
             "-k", "gthread" if args.threads > 1 else "sync", "-b", f"127.0.0.1:{port}"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    facts = machine_facts(args, fixtures)
    results = []
    try:
        wait_until_up(base)
        workers = psutil.Process(server.pid).children(recursive=True)
        for page in pages:
            if page.path is None:
                results.append(Result(page.name, page.role or "", "", page.method, 0, 0, 0, 0, 0,
                                      0, 0, 0, 0, 0, os.getloadavg()[0], page.note))
                print(f"  skipped {page.name}: {page.note}", flush=True)
                continue
            cookie = cookies.get(page.role, "")
            if page.method == "POST":  # each POST run starts from no entries, as the first
                Entry.objects.filter(debrief=fixtures["debrief"]).delete()
            warm(base, page, cookie, args.workers * args.threads)
            results.append(drive(base, page, cookie, fixtures, workers, args))
            r = results[-1]
            print(f"  {r.name:<34} {r.rps:7.1f}/s p50 {r.p50:6.1f} p95 {r.p95:6.1f} "
                  f"p99 {r.p99:6.1f} ms, {r.cpu_ms:.2f} ms CPU, unexpected {r.unexpected}",
                  flush=True)
        facts["server_errors_logged"] = log_path.read_text().count("Traceback")
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(static_root, ignore_errors=True)
    if args.profile:
        profile(pages, cookies, fixtures)
    return results, facts


def prepare(users) -> dict:
    """Two-step devices for the roles that need them, today's debrief, and the pages' objects."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from caseload.models import Case, Person
    from debriefs.models import Entry
    from debriefs.services import debrief_start

    for role in ("leader", "auditor"):
        TOTPDevice.objects.get_or_create(user=users[role], name="Bench authenticator",
                                         defaults={"confirmed": True})
    caseworker, coordinator = users["caseworker"], users["coordinator"]
    team = coordinator.teams.get()
    # The caseworker's open case with the longest timeline: an open case's page also has the
    # forms for logging a visit and an issue (a closed case's has neither).
    long_case = (Case.objects.for_user(caseworker).open().annotate(n=Count("contacts"))
                 .order_by("-n", "pk").first())
    debrief = debrief_start(team=team, by=coordinator)
    Entry.objects.filter(debrief=debrief).delete()  # each run starts with no entries today
    open_cases = list(Case.objects.open().filter(team=team).order_by("pk")
                      .values_list("pk", flat=True))
    return {
        "long_case": long_case.pk, "long_case_contacts": long_case.n,
        "team_cases": Case.objects.filter(team=team).count(), "team_open_cases": len(open_cases),
        "debrief": debrief.pk, "entry_cases": open_cases[:60],
        "search_matches": Person.objects.filter(case__team=team,
                                                name__icontains="Smith").count(),
    }


def _url(name: str, *args) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def key_pages(f: dict) -> list[Page]:
    spend = _url("purchases:overview")
    export = _url("purchases:export")
    return [
        Page("healthz", None, "/healthz"),
        Page("signed-in home (no role, no data)", "nobody", "/"),
        Page("team caseload list", "caseworker", reverse("caseload:case-list")),
        Page(f"case page ({f['long_case_contacts']} contacts)", "caseworker",
             reverse("caseload:case-detail", args=[f["long_case"]])),
        Page(f"search '{SEARCH_QUERY}' (caseworker)", "caseworker",
             reverse("caseload:case-search") + f"?q={SEARCH_QUERY}"),
        Page(f"today's debrief ({f['team_open_cases']} open cases)", "coordinator",
             reverse("debriefs:debrief-detail", args=[f["debrief"]])),
        Page("debrief quick-entry POST", "coordinator",
             reverse("debriefs:debrief-detail", args=[f["debrief"]]) + "cases/", "POST"),
        # A huddle has one or a few people typing at once, not eight: the same POST with 2
        # and 4 writers shows how the answer time depends on how many write together.
        *(Page(f"debrief quick-entry POST ({n} writers)", "coordinator",
               reverse("debriefs:debrief-detail", args=[f["debrief"]]) + "cases/", "POST",
               clients=n) for n in (2, 4)),
        Page("purchase list (caseworker)", "caseworker", reverse("purchases:purchase-list")),
        Page("purchase list (auditor, all teams)", "auditor", reverse("purchases:purchase-list")),
        Page("spend overview", "leader", spend,
             note="" if spend else "no spend overview page in the purchases app yet"),
        Page("leader issue grid", "leader", reverse("issues:issue-grid")),
        Page("auditor purchase export", "auditor", export,
             note="" if export else "no purchase export view yet"),
        Page("learning", "leader", _url("learning")),
        Page("healthz (again, at the end)", None, "/healthz"),
    ]


def session_cookie(user) -> str:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.sessions import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session["signed_in_at"] = time.time()
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device:
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}; csrftoken={csrf_secret()}"


def csrf_secret() -> str:
    if not hasattr(csrf_secret, "value"):
        from django.middleware.csrf import _get_new_csrf_string

        csrf_secret.value = _get_new_csrf_string()
    return csrf_secret.value


def server_env(database_url: str, secret: str, static_root: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "LIBERATED_ENV"}}
    env.update(LIBERATED_ENV="production", DEBUG="false", SECRET_KEY=secret,
               ALLOWED_HOSTS="127.0.0.1", SECURE_SSL_REDIRECT="false", SECURE_COOKIES="false",
               DATABASE_URL=database_url, STATIC_ROOT=str(static_root), LOG_LEVEL="WARNING",
               DJANGO_SETTINGS_MODULE="config.settings")
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(base: str) -> None:
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=10)  # noqa: S310 (http://127.0.0.1)
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer /healthz within 20 s")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def warm(base: str, page: Page, cookie: str, clients: int) -> None:
    """A few requests first (imports, template loading, caches), from `clients` at once, one
    for each of the server's workers and threads, so that every worker has loaded what it
    keeps before the page is measured; a GET must answer 200. (Sent one at a time, they
    reached one or two of four workers: the others then worked out Learning's figures inside
    the measured run.)"""
    if page.method != "GET":
        return
    opener = urllib.request.build_opener(_NoRedirect)

    def get(_):
        for _ in range(3):
            request = urllib.request.Request(base + page.path,  # noqa: S310 (127.0.0.1)
                                             headers={"Cookie": cookie})
            try:
                with opener.open(request, timeout=60) as response:
                    response.read()
            except urllib.error.HTTPError as error:
                raise SystemExit(f"{page.name}: {page.path} answered {error.code}, "
                                 "not 200") from None

    with concurrent.futures.ThreadPoolExecutor(clients) as pool:
        list(pool.map(get, range(clients)))


def bench_db_pids() -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                       "AND pid <> pg_backend_pid()")
        return [pid for (pid,) in cursor.fetchall()]


def cpu_seconds(pids) -> float:
    total = 0.0
    for pid in pids:
        try:
            times = psutil.Process(pid).cpu_times()
            total += times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return total


def drive(base, page, cookie, fixtures, workers, args) -> Result:
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    if page.method == "POST":
        cases = fixtures["entry_cases"]
        script.write_text(POST_SCRIPT % {
            "cases": ",".join(map(str, cases)), "threads": 2, "path": page.path,
            "cookie": cookie, "csrf": csrf_secret(), "done": DONE})
    else:
        script.write_text(GET_SCRIPT % {"cookie": cookie, "status": 200, "done": DONE})
    worker_pids = [w.pid for w in workers]
    db_pids = bench_db_pids()
    worker_cpu, db_cpu = cpu_seconds(worker_pids), cpu_seconds(db_pids)
    output = subprocess.run(
        ["wrk", "-t2", f"-c{page.clients}", f"-d{args.duration}s", "--timeout", "60s", "-s",
         str(script),
         base + (page.path if page.method == "GET" else "/")],
        check=True, capture_output=True, text=True).stdout
    worker_cpu = cpu_seconds(worker_pids) - worker_cpu
    db_cpu = cpu_seconds(set(db_pids) | set(bench_db_pids())) - db_cpu
    script.unlink()
    fields = RESULT.search(output).group(1).split()
    requests, duration_us = int(fields[0]), int(fields[1])
    p50, p95, p99 = (float(v) / 1000 for v in fields[2:5])
    unexpected, conflicts, socket_errors = map(int, fields[5:8])
    return Result(page.name, page.role or "anonymous", page.path, page.method, requests,
                  requests / (duration_us / 1e6), p50, p95, p99, unexpected, conflicts,
                  socket_errors, 1000 * worker_cpu / max(requests, 1),
                  1000 * db_cpu / max(requests, 1), os.getloadavg()[0], page.note,
                  page.clients)


def machine_facts(args, fixtures) -> dict:
    def run_text(*command):
        return subprocess.run(command, capture_output=True, text=True, cwd=ROOT).stdout.strip()

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    return {"date": datetime.now().strftime("%Y-%m-%d %H:%M"),
            "commit": run_text("git", "rev-parse", "--short", "HEAD"),
            "cores": os.cpu_count(), "memory_gib": round(psutil.virtual_memory().total / 2**30),
            "postgresql": pg, "python": sys.version.split()[0], "scale": args.scale,
            "interpreter": yardstick.describe(),
            "load_before": os.getloadavg()[0], "duration_s": args.duration,
            "gunicorn": (f"{args.workers} gthread workers × {args.threads} threads"
                         if args.threads > 1 else f"{args.workers} sync workers"), **fixtures}


def report(results: list[Result], facts: dict) -> None:
    healthz = [r.rps for r in results if r.path == "/healthz" and r.requests]
    baseline = sum(healthz) / len(healthz)
    trivial = next((r for r in results if r.role == "nobody"), None)
    print(f"\nPages at scale {facts['scale']} on {facts['date']}, commit {facts['commit']}: "
          f"{facts['cores']} cores; {facts['gunicorn']}; wrk -t2 -c8 -d{facts['duration_s']}s; "
          "healthz "
          f"{' and '.join(f'{v:.0f}' for v in healthz)} requests/s (ratios use the mean).")
    print("| page | role | req/s | p50 | p95 | p99 | × healthz | worker CPU ms/req "
          "| DB CPU ms/req | wrong status or socket error | load | target |")
    print("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|")
    for r in results:
        if not r.path:
            print(f"| {r.name} | {r.role} | – | – | – | – | – | – | – | – | – | "
                  f"skipped: {r.note} |")
            continue
        if not r.requests:
            print(f"| {r.name} | {r.role} | 0 | – | – | – | 0% | – | – | "
                  f"{r.unexpected + r.socket_errors} | {r.load:.2f} | MISS: no response "
                  f"completed in {facts['duration_s']} s |")
            continue
        if r.path == "/healthz":
            verdict = "baseline"
        elif r.method == "POST":
            ok = r.p95 < POST_P95_MS and not r.unexpected + r.socket_errors
            verdict = "PASS" if ok else "MISS"
            verdict += f" (p95 < {POST_P95_MS:.0f} ms)"
        else:
            ok = (r.p95 < GET_P95_MS and r.rps >= GET_RATIO * baseline
                  and not r.unexpected + r.socket_errors)
            verdict = ("PASS" if ok else "MISS") + f" (p95 < {GET_P95_MS:.0f} ms, ≥ 10%)"
        odd = f"{r.unexpected + r.socket_errors}" + (f" (+{r.conflicts} 409)" if r.conflicts
                                                      else "")
        print(f"| {r.name} | {r.role} | {r.rps:.1f} | {r.p50:.1f} | {r.p95:.1f} | {r.p99:.1f} "
              f"| {r.rps / baseline:.1%} | {r.cpu_ms:.2f} | {r.db_cpu_ms:.2f} | {odd} "
              f"| {r.load:.2f} | {verdict} |")
    health = next(r for r in results if r.path == "/healthz")
    if trivial and trivial.requests:
        overhead = trivial.cpu_ms - health.cpu_ms
        print(f"\nFixed per-request overhead (signed-in home page minus /healthz, worker CPU): "
              f"{overhead:.2f} ms; target ≤ 1 ms: {'PASS' if overhead <= 1 else 'MISS'}.")
    print(f"{facts['interpreter']}\n{yardstick.describe('at the end')}")
    print(f"Load average: {facts['load_before']:.2f} before, "
          f"{min(r.load for r in results):.2f}–{max(r.load for r in results):.2f} during. "
          f"Tracebacks in the server log: {facts.get('server_errors_logged', 0)}.")


def growth(small: list[dict], large: list[Result]) -> None:
    print("\nGrowth: p50 at full scale ÷ p50 at the small scale (target ≤ 1.5):")
    print("| page | p50 small | p50 full | ratio | target |")
    print("|---|--:|--:|--:|---|")
    # Names hold counts that differ with the scale ("case page (646 contacts)"): match on the
    # name before them, with the role, the method and the number of clients.
    by_key = {(r["role"], r["name"].split(" (")[0], r["method"], r.get("clients", 8)): r
              for r in small}
    for r in large:
        s = by_key.get((r.role, r.name.split(" (")[0], r.method, r.clients))
        if not r.path or not s or not s["requests"] or r.path == "/healthz":
            continue
        if not r.requests:
            print(f"| {r.name} | {s['p50']:.1f} | none completed | – | MISS |")
            continue
        ratio = r.p50 / s["p50"]
        print(f"| {r.name} | {s['p50']:.1f} | {r.p50:.1f} | {ratio:.2f} | "
              f"{'PASS' if ratio <= 1.5 else 'MISS'} |")


def profile(pages: list[Page], cookies: dict, fixtures: dict) -> None:
    """One request per GET page through Django's test client: queries, their time, and the
    slowest three (for EXPLAIN)."""
    print("\nQueries per page (one request each, test client):")
    plain_static = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    with override_settings(STORAGES=plain_static):  # no manifest in this process
        for page in pages:
            _profile_page(page, cookies)


def _profile_page(page: Page, cookies: dict) -> None:
    if page.method != "GET" or page.path is None or page.role is None:
        return
    client = Client(HTTP_HOST="127.0.0.1")
    for part in cookies[page.role].split("; "):
        name, value = part.split("=", 1)
        client.cookies[name] = value
    began = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(page.path)
    total = (time.perf_counter() - began) * 1000
    sql_ms = sum(float(q["time"]) for q in queries.captured_queries) * 1000
    print(f"- {page.name}: {response.status_code}, {len(queries)} queries, "
          f"{sql_ms:.1f} ms in SQL of {total:.1f} ms")
    for q in sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:3]:
        print(f"    {float(q['time']) * 1000:7.1f} ms  {q['sql'][:300]}")
