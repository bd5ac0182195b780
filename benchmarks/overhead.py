"""The fixed cost of a signed-in request: CPU per request for `/healthz` beside a signed-in
trivial page (the home page of a user with no role), in this process, through Django's WSGI
handler with production-like settings (DEBUG off, cached templates, real middleware).

No server and no network: each request is a WSGI call, so what is timed is Django's own work
(session, sign-in, two-step check, CSP, middleware, the base template) and the client side of
the queries. CPU is `time.process_time()` over many requests; the queries of one request are
counted too. The database's own CPU is not included.

Needs no generated data: it makes its own users (`bench-overhead-*`) in the bench database.
"""

import io
import statistics
import time

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test.utils import override_settings

from accounts.models import Membership, Team, User
from accounts.roles import Role

TARGET_MS = 1.0
USERS = {"nobody": None, "caseworker": Role.CASEWORKER, "leader": Role.LEADER}


def run(args) -> None:
    users = _users()
    cookies = {name: _session_cookie(user) for name, user in users.items()}
    plain_static = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    with override_settings(DEBUG=False, ALLOWED_HOSTS=["127.0.0.1"], STORAGES=plain_static,
                           SECURE_SSL_REDIRECT=False):
        handler = WSGIHandler()
        pages = [("/healthz", "anonymous", ""),
                 *((("/", name, cookie)) for name, cookie in cookies.items())]
        results = [measure(handler, path, who, cookie, args.requests) for path, who, cookie
                   in pages]
    report(results, args.requests)


def _users() -> dict[str, User]:
    """A signed-in nobody (the trivial page), a caseworker in a team, and a leader who has
    done the second step."""
    from django.contrib.auth.models import Group
    from django_otp.plugins.otp_totp.models import TOTPDevice

    team, _ = Team.objects.get_or_create(name="Overhead bench team",
                                         defaults={"case_prefix": "OVB"})
    users = {}
    for name, role in USERS.items():
        user, _ = User.objects.get_or_create(username=f"bench-overhead-{name}",
                                             defaults={"first_name": name.title()})
        if role:
            user.groups.add(Group.objects.get(name=role))
        if role == Role.CASEWORKER:
            Membership.objects.get_or_create(user=user, team=team)
        if role == Role.LEADER:
            TOTPDevice.objects.get_or_create(user=user, name="Bench authenticator",
                                             defaults={"confirmed": True})
        users[name] = user
    return users


def _session_cookie(user) -> str:
    from benchmarks.pages import session_cookie

    return session_cookie(user)


def _environ(path: str, cookie: str, body: bytes = b"", headers: dict | None = None) -> dict:
    path, _, query = path.partition("?")
    environ = {"REQUEST_METHOD": "POST" if body else "GET", "PATH_INFO": path,
               "QUERY_STRING": query, "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80",
               "HTTP_HOST": "127.0.0.1", "REMOTE_ADDR": "127.0.0.1", "HTTP_COOKIE": cookie,
               "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body),
               "wsgi.errors": io.StringIO(), "wsgi.version": (1, 0), "wsgi.multithread": True,
               "wsgi.multiprocess": True, "wsgi.run_once": False, "SERVER_PROTOCOL": "HTTP/1.1"}
    if body:
        environ.update(CONTENT_TYPE="application/x-www-form-urlencoded",
                       CONTENT_LENGTH=str(len(body)))
    environ.update(headers or {})
    return environ


def _call(handler, path: str, cookie: str, body: bytes = b"", headers: dict | None = None,
          answer: list | None = None) -> str:
    """One request through the WSGI handler; its status, and its body appended to `answer`."""
    status = []
    response = handler(_environ(path, cookie, body, headers),
                       lambda s, headers, exc_info=None: status.append(s))
    try:
        content = b"".join(response)
    finally:
        response.close()
    if answer is not None:
        answer.append(content)
    return status[0]


def measure(handler, path: str, who: str, cookie: str, n: int) -> dict:
    for _ in range(20):  # imports, template loading, connection
        status = _call(handler, path, cookie)
    if not status.startswith("200"):
        raise SystemExit(f"{path} as {who} answered {status}, not 200")
    queries = []
    with connection.execute_wrapper(lambda execute, sql, params, many, context: (
            queries.append(sql), execute(sql, params, many, context))[1]):
        _call(handler, path, cookie)
    rounds = []
    for _ in range(10):  # ten rounds: the median, and the quickest, which is least disturbed
        began = time.process_time()  # by other work on a shared machine
        for _ in range(max(n // 10, 1)):
            _call(handler, path, cookie)
        rounds.append((time.process_time() - began) * 1000 / max(n // 10, 1))
    return {"path": path, "who": who, "cpu_ms": statistics.median(rounds),
            "min_ms": min(rounds), "queries": queries}


def report(results: list[dict], n: int) -> None:
    from benchmarks import yardstick

    health = results[0]
    print(yardstick.describe())
    print(f"CPU per request in-process ({n} requests each page in 10 rounds):")
    print("| page | user | CPU ms/req, median round | over /healthz | quickest round | "
          "over /healthz | queries |")
    print("|---|---|--:|--:|--:|--:|--:|")
    for r in results:
        print(f"| {r['path']} | {r['who']} | {r['cpu_ms']:.2f} | "
              f"{r['cpu_ms'] - health['cpu_ms']:+.2f} | {r['min_ms']:.2f} | "
              f"{r['min_ms'] - health['min_ms']:+.2f} | {len(r['queries'])} |")
    for r in results[1:]:
        print(f"\nQueries for {r['path']} as {r['who']}:")
        for sql in r["queries"]:
            print(f"  {' '.join(sql.split())[:160]}")
    trivial = results[1]["cpu_ms"] - health["cpu_ms"]
    quickest = results[1]["min_ms"] - health["min_ms"]
    print(f"\nFixed per-request overhead (signed-in home of a user with no role minus /healthz): "
          f"{trivial:.2f} ms (quickest rounds: {quickest:.2f} ms); target ≤ {TARGET_MS:.0f} ms: "
          f"{'PASS' if trivial <= TARGET_MS else 'MISS'}.")
