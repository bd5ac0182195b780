import datetime
import logging

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone

denied_logger = logging.getLogger("accounts.denied")


def render_form(request, template, context, form, *forms):
    """Render a form page: 422 when any form has errors (the user's input is kept)."""
    invalid = any(f.errors for f in (form, *forms))
    return render(request, template, context, status=422 if invalid else 200)


def log_denied(request, status: int) -> None:
    """Every refused request (403) and every record outside reach (404) is logged: the method,
    the path and the user's id. Never anything personal: paths hold record numbers only, and
    the query string (where a search for a name would be) is left out."""
    denied_logger.warning("Denied %s %s %s to user %s", status, request.method, request.path,
                          getattr(getattr(request, "user", None), "pk", None))


def is_id(value: str) -> bool:
    """Whether a value from the address is a record id: ASCII digits only ("²" is a digit to
    `str.isdigit` but not to `int`), and few enough for the database's integers."""
    return value.isascii() and value.isdigit() and len(value) <= 18


def require(allowed: bool) -> None:
    """Refuse the request (403) unless `allowed`: for a view's or permission helper's check."""
    if not allowed:
        raise PermissionDenied


def local_midnight(day: datetime.date) -> datetime.datetime:
    """The start of `day` in the service's time zone. Compare a timestamp with this rather than
    with its `__date`, so the timestamp's index can serve the comparison."""
    return datetime.datetime.combine(day, datetime.time(), tzinfo=timezone.get_current_timezone())


def next_month(day: datetime.date) -> datetime.date:
    """The first day of the month after `day`'s."""
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
