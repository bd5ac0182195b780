"""Send the reads of read-only pages to a replica, when one is configured.

Most pages must read what the person has just written, so they read from the primary. A view
marked with `@replica_reads` only reports (the Learning page, the spend overview, exports): a
second of replication lag does not matter to it, and it reads the most rows. While it runs, reads
go to the `replica` alias. Writes always go to `default`.
"""

from collections.abc import Callable
from contextvars import ContextVar
from functools import wraps

from django.conf import settings

REPLICA = "replica"
_reading_from_replica: ContextVar[bool] = ContextVar("reading_from_replica", default=False)


def replica_reads(view: Callable) -> Callable:
    """Run the view's reads on the replica (if there is one) for GET and HEAD requests."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        token = _reading_from_replica.set(True)
        try:
            response = view(request, *args, **kwargs)
            if getattr(response, "streaming", False):
                # A streamed export reads while it is sent, after the view has returned.
                response.streaming_content = _on_replica(response.streaming_content)
            return response
        finally:
            _reading_from_replica.reset(token)

    return wrapped


def _on_replica(chunks):
    _reading_from_replica.set(True)
    try:
        yield from chunks
    finally:
        _reading_from_replica.set(False)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if _reading_from_replica.get() and settings.READ_REPLICA:
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        return None

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return False if db == REPLICA else None
