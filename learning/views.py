"""The learning page: what the team's work is teaching us, for the team and its leaders."""

import csv
import threading
from datetime import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from config.routers import replica_reads
from learning.figures import Period
from learning.forms import DEFAULT_MONTHS, LearningFilterForm
from learning.panels import BUILDERS, build_sections
from learning.report import Scope


def _scope(request) -> tuple[LearningFilterForm, Scope | None]:
    """The team and period asked for. A team outside the user's reach is a 404; a bad period
    falls back to the default. None when the user is in no team and sees no other."""
    form = LearningFilterForm(request.GET, user=request.user)
    form.is_valid()
    if "team" in form.errors:
        raise Http404("No such team within your reach")
    team = form.cleaned_data.get("team")
    if team is None and not form.sees_all_teams:
        team = form.fields["team"].queryset.first()
        if team is None:
            return form, None
    months = form.cleaned_data.get("months") or DEFAULT_MONTHS
    return form, Scope(team, Period.ending(timezone.localdate(), months))


def _download(scope: Scope, panel_id: str) -> HttpResponse:
    """One figure's table as CSV."""
    build = BUILDERS.get(panel_id)
    if build is None:
        raise Http404("No such figure")
    who = slugify(scope.team.name) if scope.team else "all-teams"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{panel_id}-{who}-{scope.period.start:%Y-%m}-to-'
        f'{scope.period.end}.csv"')
    csv.writer(response).writerows(build(scope).table.csv_rows())
    return response


@replica_reads
@require_GET
def learning(request):
    """Every figure for a team (or every team) over a period; `?download=<figure>` gives one
    figure as CSV. Runs a fixed number of queries however much data there is."""
    if not request.user.has_perm("accounts.view_learning"):
        raise PermissionDenied
    form, scope = _scope(request)
    if scope is None:
        return render(request, "learning/learning.html", {"form": form})
    if "download" in request.GET:
        return _download(scope, request.GET["download"])
    figures, as_of = _figures(request, scope)
    return render(request, "learning/learning.html", {
        "form": form, "scope": scope, "figures": figures, "figures_as_of": as_of,
        "figures_minutes": _cache_seconds() // 60,
        "show_team_choice": form.sees_all_teams or len(form.fields["team"].queryset) > 1,
    })


def _cache_seconds() -> int:
    return settings.LEARNING_FIGURES_SECONDS


def _figures(request, scope: Scope) -> tuple[str, datetime]:
    """Every figure for the scope, rendered, and when they were worked out. They read years of
    contacts, entries and spend (about 30 queries), so they are kept for a few minutes per team
    and period (in each server process) and the page says how old they are. What they show
    depends on the scope alone, never on who asks: the view has checked who may see it."""
    key = (f"learning-figures:{scope.team.pk if scope.team else 'all'}:"
           f"{len(scope.period.months)}:{scope.period.end}")
    seconds = _cache_seconds()
    if not seconds:
        return _work_out(request, scope), timezone.now()
    cached = cache.get(key)
    if cached is None:
        # One thread works the figures out while the others asking for the same ones wait
        # for its answer, rather than all working them out at once when the kept ones expire.
        with _working_out_lock(key):
            cached = cache.get(key)
            if cached is None:
                cached = (_work_out(request, scope), timezone.now())
                cache.set(key, cached, seconds)
    return cached


_locks: dict[str, threading.Lock] = {}
_locks_lock = threading.Lock()


def _working_out_lock(key: str) -> threading.Lock:
    """One lock per team and number of months (not per day, so the locks do not pile up)."""
    with _locks_lock:
        return _locks.setdefault(key.rsplit(":", 1)[0], threading.Lock())


def _work_out(request, scope: Scope) -> str:
    query = urlencode({"team": scope.team.pk if scope.team else "",
                       "months": len(scope.period.months)})
    return render_to_string("learning/learning.html#figures", {
        "sections": build_sections(scope), "query": query}, request)
