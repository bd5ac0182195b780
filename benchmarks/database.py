"""The benchmarks' own PostgreSQL database: never the development or production one."""

import os
from urllib.parse import urlsplit

import psycopg
from psycopg import sql

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/liberated_bench"


def database_name(url: str) -> str:
    name = urlsplit(url).path.lstrip("/")
    if "bench" not in name:
        raise SystemExit(f"Refusing database {name!r}: the benchmarks drop and fill their "
                         "database, so its name must contain 'bench'.")
    return name


def create(url: str, *, reset: bool = False) -> None:
    """Create the bench database if missing; drop it first with `reset`."""
    name = database_name(url)
    admin = psycopg.conninfo.make_conninfo(url, dbname="postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        if reset:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
                         .format(sql.Identifier(name)))
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"Created database {name}.")


def migrate() -> None:
    from django.core.management import call_command

    from accounts.services import roles_apply

    call_command("migrate", verbosity=0)
    roles_apply()


def setup_django(url: str, *, reset: bool) -> None:
    """Point Django at the bench database (whatever the environment says), then migrate."""
    create(url, reset=reset)
    os.environ["DATABASE_URL"] = url
    os.environ["LIBERATED_ENV"] = "development"  # a local secret key; nothing else is used
    os.environ["DEBUG"] = "false"  # as in production: no query logging
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django

    django.setup()
    migrate()


def recreate(url: str) -> None:
    from django.db import connections

    connections.close_all()
    create(url, reset=True)
    migrate()
