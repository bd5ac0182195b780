"""The auditor's purchase export at 100,000 and 1,000,000 purchases, CSV and XLSX, through the
real view in a real server, beside PostgreSQL `COPY` of the same rows in the same run.

Its own database (`liberated_bench_export`): a small caseload from `data.generate` (teams,
staff, cards, cases and people, nothing else), then purchases made by
`INSERT ... SELECT generate_series` in SQL, topped up (never regenerated) as the sizes grow.

Each export runs in a fresh gunicorn with one sync worker, so each starts from the same idle
worker: two tiny exports (no rows) load the code, then the worker's resident memory is read
and its peak reset (`/proc/<pid>/clear_refs`), then the whole export is downloaded as the
signed-in auditor (two-step done, as in `pages`). Time to first byte is from sending the
request to the first byte of the body. Peak memory is the worker's VmHWM, cross-checked by
polling its RSS every 20 ms. `COPY (SELECT ... ORDER BY date, id) TO STDOUT` reads the same
columns from the same joins, through the same driver, into this process.
"""

import http.client
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import psutil
from django.conf import settings
from django.db import connection, transaction

from benchmarks import data, database, pages
from purchases.models import Purchase

ROOT = Path(__file__).resolve().parent.parent
BASE = {"teams": 25, "cases": 2_000, "contacts": 0, "purchases": 0, "issues": 0,
        "debriefs": 0, "entries": 0}
# Targets (for 100,000 rows): seconds end to end, seconds to first byte, MB over idle.
TARGETS = {"csv": (2.0, 0.5, 20.0), "xlsx": (15.0, None, 25.0)}
COPY_RATIO = 4.0
EMPTY = "&date_to_day=1&date_to_month=1&date_to_year=2000"  # a filter matching no row

INSERT = """
WITH staff AS (SELECT id FROM accounts_user WHERE username = %(leader)s),
cases AS (
    SELECT row_number() OVER (ORDER BY c.id) - 1 AS n, c.id, c.team_id, c.lead_id, k.id AS card_id
    FROM caseload_case c JOIN purchases_card k ON k.holder_id = c.lead_id
),
numbered AS (
    SELECT i, c.id AS case_id, c.team_id, c.lead_id, c.card_id,
           current_date - ((i::bigint * 7919) %% 1095)::int AS day
    FROM generate_series(%(first)s, %(last)s) AS g(i)
    JOIN cases c ON c.n = i %% (SELECT count(*) FROM cases)
)
INSERT INTO purchases_purchase (
    case_id, team_id, worker_id, card_id, date, merchant, amount, category, merchant_category, purpose,
    plan_proportionate, plan_proportionate_reason, plan_legal, plan_legal_reason,
    plan_auditable, plan_auditable_reason, plan_necessary, plan_necessary_reason,
    advice_asked, advice_given, receipt, receipt_content_type, no_receipt_reason,
    review_verdict, review_note, reviewed_by_id, reviewed_at, query_answer, voided,
    void_reason, created_by_id, created_at, updated_by_id, updated_at, version)
SELECT case_id, team_id, lead_id, card_id, day,
       (ARRAY['Tesco', 'Aldi', 'Co-op', 'Greggs', 'British Gas top-up', 'Primark',
              'Northern Rail', 'Argos', 'EE top-up', 'Post Office'])[1 + i %% 10],
       1 + ((i * 37) %% 20000) / 100.0,
       (ARRAY['food', 'heating_energy', 'clothing', 'transport', 'household_furniture',
              'phone_digital', 'other'])[1 + i %% 7],
       '',
       (ARRAY['A week of food while the benefit claim is sorted', 'Electricity top-up',
              'School shoes', 'Bus pass to the new job', 'A bed for the youngest',
              'Phone credit to ring the council', 'Passport photos for ID'])[1 + i %% 7],
       true, 'It costs less than the arrears it prevents', true, 'Within the council''s rules',
       true, 'Linked to the case with a receipt', true, 'Nothing free would do this week',
       i %% 20 = 0, '',
       CASE WHEN i %% 7 < 6 THEN 'receipts/bench' || i || '.jpg' ELSE '' END,
       CASE WHEN i %% 7 < 6 THEN 'image/jpeg' ELSE '' END,
       CASE WHEN i %% 7 < 6 THEN '' ELSE 'Market stall, no till' END,
       CASE WHEN i %% 4 = 0 THEN '' ELSE 'ok' END, '',
       CASE WHEN i %% 4 = 0 THEN NULL ELSE (SELECT id FROM staff) END,
       CASE WHEN i %% 4 = 0 THEN NULL ELSE day + time '14:30' + interval '3 days' END,
       '', false, '',
       lead_id, day + time '10:15', lead_id, day + time '10:15', 1
FROM numbered
"""

# The auditor export's columns, from the same joins, for COPY.
COPY_SQL = """
COPY (
    SELECT p.id, p.date, t.name, concat_ws(' ', w.first_name, w.last_name), k.last_four,
           c.reference, p.merchant, p.category, p.amount, p.purpose,
           p.plan_proportionate, p.plan_proportionate_reason, p.plan_legal, p.plan_legal_reason,
           p.plan_auditable, p.plan_auditable_reason, p.plan_necessary, p.plan_necessary_reason,
           p.advice_asked, p.advice_given, p.receipt <> '', p.review_verdict,
           concat_ws(' ', r.first_name, r.last_name), p.reviewed_at, p.voided, p.void_reason,
           p.created_at, concat_ws(' ', cb.first_name, cb.last_name), p.updated_at,
           concat_ws(' ', ub.first_name, ub.last_name)
    FROM purchases_purchase p
    JOIN caseload_case c ON c.id = p.case_id
    JOIN accounts_team t ON t.id = c.team_id
    JOIN purchases_card k ON k.id = p.card_id
    JOIN accounts_user w ON w.id = p.worker_id
    LEFT JOIN accounts_user r ON r.id = p.reviewed_by_id
    JOIN accounts_user cb ON cb.id = p.created_by_id
    JOIN accounts_user ub ON ub.id = p.updated_by_id
    ORDER BY p.date, p.id
) TO STDOUT WITH (FORMAT csv, HEADER)
"""


@dataclass
class Result:
    rows: int
    fmt: str
    status: int
    ttfb: float  # seconds
    total: float  # seconds
    size: int  # bytes downloaded
    lines: int  # CSV lines (header included); 0 for XLSX
    idle_mb: float  # worker RSS before the export
    peak_mb: float  # worker's peak RSS during it (VmHWM after a reset)
    polled_mb: float  # highest RSS seen by polling
    worker_cpu: float  # seconds
    load: float


def run(args) -> None:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop gunicorn on the way out
    sizes = sorted({int(n) for n in args.rows.split(",")})
    formats = [f for f in args.formats.split(",") if f]
    if set(formats) - {"csv", "xlsx"}:
        raise SystemExit("--formats takes csv, xlsx or both")
    base()
    secret = secrets.token_urlsafe(50)
    settings.SECRET_KEY = secret  # sessions are signed with the server's key
    auditor = auditor_ready()
    cookie = pages.session_cookie(auditor)
    facts = {"date": datetime.now().strftime("%Y-%m-%d %H:%M"), "cores": os.cpu_count(),
             "load_before": os.getloadavg()[0]}
    results, copies = [], {}
    for rows in sizes:
        purchases(rows)
        copies[rows] = copy_seconds()
        print(f"  COPY of {rows:,} rows: {copies[rows]:.2f} s", flush=True)
        for fmt in formats:
            result = export(args, secret, cookie, rows, fmt)
            results.append(result)
            print(f"  {fmt} of {rows:,}: status {result.status}, first byte "
                  f"{result.ttfb:.2f} s, total {result.total:.2f} s, "
                  f"{result.size / 2**20:.1f} MiB, peak +{result.peak_mb - result.idle_mb:.1f} MB "
                  f"(idle {result.idle_mb:.1f} MB), load {result.load:.2f}", flush=True)
            copies[rows] = min(copies[rows], copy_seconds())  # COPY beside each export
    report(results, copies, facts)


def base() -> None:
    """The caseload the purchases hang on; generated once, reused after."""
    if data.Team.objects.exists():
        return
    data.generate(**BASE)


def auditor_ready():
    from django_otp.plugins.otp_totp.models import TOTPDevice

    auditor = data.User.objects.get(username=data.AUDITOR)
    TOTPDevice.objects.get_or_create(user=auditor, name="Bench authenticator",
                                     defaults={"confirmed": True})
    return auditor


def purchases(rows: int) -> None:
    """Exactly `rows` purchases: topped up by SQL when fewer; the database made afresh when
    more (purchases are never deleted, so there is no cheaper way down)."""
    held = Purchase.objects.count()
    if held > rows:
        print(f"The bench database holds {held:,} purchases, more than {rows:,}: recreating.")
        database.recreate(_url())
        base()
        held = 0
    if held == rows:
        print(f"Reusing {rows:,} purchases.", flush=True)
        return
    began = time.perf_counter()
    with transaction.atomic(), data.audit_triggers_off(Purchase), connection.cursor() as cursor:
        cursor.execute(INSERT, {"leader": data.LEADER, "first": held + 1, "last": rows})
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE purchases_purchase")
    print(f"Added {rows - held:,} purchases in {time.perf_counter() - began:.1f} s.", flush=True)


def _url() -> str:
    return os.environ["DATABASE_URL"]


def copy_seconds() -> float:
    """COPY of the export's rows to this process, in CSV: the floor for any export."""
    began = time.perf_counter()
    with connection.cursor() as cursor, cursor.cursor.copy(COPY_SQL) as copy:
        for _ in copy:
            pass
    return time.perf_counter() - began


def export(args, secret: str, cookie: str, rows: int, fmt: str) -> Result:
    env = pages.server_env(_url(), secret, Path(tempfile.gettempdir()))
    port = pages.free_port()
    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "config.wsgi", "-w", "1", "-k", "sync",
         "--timeout", str(args.timeout), "-b", f"127.0.0.1:{port}"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        pages.wait_until_up(f"http://127.0.0.1:{port}")
        worker = psutil.Process(server.pid).children()[0]
        path = f"/purchases/export?format={fmt}"
        for _ in range(2):  # load the export's code with exports of no rows
            status, *_ = download(port, path + EMPTY, cookie)
            if status != 200:
                log.seek(0)
                print(log.read().decode()[-3000:], file=sys.stderr)
                raise SystemExit(f"{path} answered {status} to the auditor, not 200")
        idle = worker.memory_info().rss
        Path(f"/proc/{worker.pid}/clear_refs").write_text("5")  # reset the peak (VmHWM)
        cpu = sum(worker.cpu_times()[:2])
        polled = Poller(worker)
        polled.start()
        load = os.getloadavg()[0]
        status, ttfb, total, size, lines = download(port, path, cookie, count_lines=fmt == "csv")
        polled.stop()
        peak = vm_hwm(worker.pid)
        cpu = sum(worker.cpu_times()[:2]) - cpu
    finally:
        server.terminate()
        server.wait(timeout=60)
        log.close()
    return Result(rows, fmt, status, ttfb, total, size, lines, idle / 2**20, peak / 2**20,
                  polled.peak / 2**20, cpu, max(load, os.getloadavg()[0]))


def download(port: int, path: str, cookie: str, count_lines=False):
    """Status, seconds to the first byte of the body, seconds to the last, bytes, lines."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=3600)
    began = time.perf_counter()
    conn.request("GET", path, headers={"Cookie": cookie})
    response = conn.getresponse()
    first = response.read(1)
    ttfb = time.perf_counter() - began
    size, lines = len(first), first.count(b"\n")
    while block := response.read(1 << 16):
        size += len(block)
        if count_lines:
            lines += block.count(b"\n")
    total = time.perf_counter() - began
    conn.close()
    return response.status, ttfb, total, size, lines


def vm_hwm(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


class Poller(threading.Thread):
    """The highest RSS of a process, polled every 20 ms."""

    def __init__(self, process: psutil.Process):
        super().__init__(daemon=True)
        self.process, self.peak, self.running = process, 0, True

    def run(self):
        while self.running:
            try:
                self.peak = max(self.peak, self.process.memory_info().rss)
            except psutil.NoSuchProcess:
                return
            time.sleep(0.02)

    def stop(self):
        self.running = False
        self.join()


def report(results: list[Result], copies: dict[int, float], facts: dict) -> None:
    print(f"\nExports on {facts['date']}: {facts['cores']} cores, load average "
          f"{facts['load_before']:.2f} before the run. Times in seconds, memory in MB "
          "(MiB); targets apply to 100,000 rows.")
    print("| rows | format | status | first byte | total | COPY | total ÷ COPY | MiB sent "
          "| idle worker | peak (VmHWM) | peak − idle | worker CPU s | load | target |")
    print("|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|")
    for r in results:
        copy = copies[r.rows]
        ratio = r.total / copy
        growth = r.peak_mb - r.idle_mb
        total_target, ttfb_target, memory_target = TARGETS[r.fmt]
        # COPY writes CSV: a spreadsheet is held to its time and memory, not to COPY's speed.
        near_copy = r.fmt != "csv" or ratio <= COPY_RATIO
        checks = [("total", r.total <= total_target), ("memory", growth <= memory_target),
                  ("× COPY", near_copy), ("status", r.status == 200)]
        if ttfb_target is not None:
            checks.append(("first byte", r.ttfb < ttfb_target))
        if r.rows == 100_000:
            missed = [name for name, ok in checks if not ok]
            verdict = "MISS: " + ", ".join(missed) if missed else "PASS"
        else:
            verdict = "(no target)" if near_copy else f"MISS: × COPY > {COPY_RATIO:g}"
        rows_note = f" ({r.lines - 1:,} data lines)" if r.lines else ""
        print(f"| {r.rows:,}{rows_note} | {r.fmt} | {r.status} | {r.ttfb:.2f} | {r.total:.2f} "
              f"| {copy:.2f} | {ratio:.1f} | {r.size / 2**20:.1f} | {r.idle_mb:.1f} "
              f"| {r.peak_mb:.1f} | {growth:+.1f} (polled {r.polled_mb - r.idle_mb:+.1f}) "
              f"| {r.worker_cpu:.1f} | {r.load:.2f} | {verdict} |")
    print("\nTargets at 100,000 rows: CSV ≤ 2 s, first byte < 0.5 s, ≤ +20 MB, total ≤ "
          f"{COPY_RATIO:g}× COPY; XLSX ≤ 15 s, ≤ +25 MB. COPY is the fastest of the run's "
          "COPYs of the same rows.")
