"""What the application's log lines carry: a request id on each, and never a person's words.

Every request gets an id. Each log line written while it runs carries that id, and the
response sends it back in `X-Request-ID`, so a reported problem, the proxy's log and the
application's log can be matched without quoting anything personal.

Exceptions are logged with their type and where they happened, but not their message: a
database error's message can quote the value that failed (a name, a note about someone's
health). `config/settings.py` LOGGING wires these in.
"""

import contextvars
import logging
import re
import traceback
import uuid

from django.core.signals import request_finished

REQUEST_ID = contextvars.ContextVar("request_id", default="-")
# A proxy's own id is reused only if it looks like one: no spaces, no markup, not too long.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{8,64}")


class RequestIdMiddleware:
    """First in MIDDLEWARE, so every log line of the request, errors included, carries the id.

    The id is forgotten when the response is finished, not when this middleware returns:
    Django logs a 4xx or 5xx response after the whole middleware chain has run."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get("X-Request-ID", "")
        request.id = given if SANE_REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        REQUEST_ID.set(request.id)
        response = self.get_response(request)
        response["X-Request-ID"] = request.id
        return response


def _forget_request_id(**kwargs):
    REQUEST_ID.set("-")


request_finished.connect(_forget_request_id, dispatch_uid="accounts.logs.forget_request_id")


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record ("-" outside a request, as in a management command)."""

    def filter(self, record):
        record.request_id = REQUEST_ID.get()
        return True


class Formatter(logging.Formatter):
    """The plain format, with exception messages left out (their type and stack are kept)."""

    def format(self, record):
        record.exc_text = None  # never reuse text another formatter cached, message and all
        if isinstance(record.msg, BaseException):  # logger.debug(error): the message is the error
            kind = type(record.msg)
            record.msg, record.args = f"{kind.__module__}.{kind.__qualname__} (message not logged)", ()
        return super().format(record)

    def formatException(self, ei):
        if ei[1] is None:  # exc_info=True outside an exception: nothing to show
            return ""
        return "".join(_without_messages(ei[1], seen=set())).rstrip("\n")


def _without_messages(exc: BaseException, *, seen: set[int]) -> list[str]:
    """The traceback of `exc` and the exceptions it came from, naming each exception's type
    but not its message."""
    seen.add(id(exc))
    lines = []
    cause, context = exc.__cause__, exc.__context__
    if cause is not None and id(cause) not in seen:
        lines += _without_messages(cause, seen=seen)
        lines.append("\nThe above exception was the direct cause of the following exception:\n\n")
    elif context is not None and not exc.__suppress_context__ and id(context) not in seen:
        lines += _without_messages(context, seen=seen)
        lines.append("\nDuring handling of the above exception, another exception occurred:\n\n")
    if exc.__traceback__ is not None:
        lines.append("Traceback (most recent call last):\n")
        lines += traceback.format_tb(exc.__traceback__)
    kind = type(exc)
    lines.append(f"{kind.__module__}.{kind.__qualname__} (message not logged)\n")
    return lines
