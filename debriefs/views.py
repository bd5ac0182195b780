"""The daily debrief: one page on the big screen, every part saving as the team talks."""

import csv
from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounts.compiled import Batch
from accounts.html import escaped
from accounts.shortcuts import is_id, render_form
from debriefs.charts import matrix_axes, matrix_points
from debriefs.forms import (
    ActivityForm,
    AdviceForm,
    CloseForm,
    EntryForm,
    WelfareForm,
    debrief_issue_form,
    new_activity_fields,
    new_issue_fields,
)
from debriefs.models import Activity, Attendance, Debrief, Entry, Welfare
from debriefs.permissions import (
    debrief_case,
    debrief_for_user,
    require_debriefs,
    sees_everyones_welfare,
)
from debriefs.services import (
    StaleEntry,
    advice_needed,
    advice_waiting,
    attendance,
    debrief_people,
    debrief_start,
    entry_save,
    stroke_add,
    tallies,
    welfare_answers,
)

PAGE = "debriefs/debrief_detail.jinja"  # Jinja2, as are its blocks: `_page`
# "Is this working?" choices with their keyboard keys, 1 to 4 (as text: rendered on every row)
# (value, label, key) of each answer, escaped once: each is written on every person's row.
PROGRESS_KEYS = [(escaped(value), escaped(label), escaped(str(n))) for n, (value, label)
                 in enumerate(Entry.Progress.choices, start=1)]


def _page(request, block: str, context: dict, status: int = 200):
    """The debrief page, or one block of it (`block`: "#attendance", say) for htmx."""
    return render(request, f"{PAGE}{block}", context, status=status, using="jinja2")


def _own_team(user):
    team = user.teams.order_by("name").first()
    if team is None:
        raise PermissionDenied
    return team


@require_GET
def today(request):
    """Today's debrief if it has started; otherwise the button to start it."""
    require_debriefs(request.user)
    team = _own_team(request.user)
    debrief = Debrief.objects.filter(team=team, held_on=timezone.localdate()).first()
    if debrief:
        return redirect("debriefs:debrief-detail", pk=debrief.pk)
    recent = Debrief.objects.filter(team=team).order_by("-held_on")[:5]
    return render(request, "debriefs/debrief_today.html", {"team": team, "recent": recent})


@require_POST
def start(request):
    if not request.user.has_perm("accounts.work_cases"):
        raise PermissionDenied
    debrief = debrief_start(team=_own_team(request.user), by=request.user)
    return redirect("debriefs:debrief-detail", pk=debrief.pk)


def _value_work_context(debrief, form=None, added=None, *, batch: Batch | None = None):
    """The value work's tallies, and its new activity form: `form` when one was sent with
    mistakes, or else the kept fields of a new one."""
    return {"debrief": debrief, "activities": tallies(debrief.team, debrief, batch),
            "activity_form": form, "new_activity_fields": new_activity_fields(), "added": added}


def _welfare_context(request, debrief, form=None, *, batch: Batch | None = None):
    answers = welfare_answers(debrief, batch)
    mine = next((answer for answer in answers if answer.user_id == request.user.pk), None)
    return {
        "debrief": debrief,
        "welfare_form": form or WelfareForm(instance=mine, prefix="welfare"),
        "my_welfare": mine,
        "team_welfare": answers if sees_everyones_welfare(request.user, debrief) else None,
    }


def _from(request) -> int:
    """Where in the list of people to start (`?from=30`); anything odd starts at the top."""
    value = request.GET.get("from", "")
    return min(int(value), 100_000) if is_id(value) else 0


@require_GET
def debrief_detail(request, pk):
    """The whole debrief, with the first PEOPLE_PER_PAGE people; "Show more people" adds the
    next ones (with htmx, only those rows). Runs a fixed number of queries whatever the team's
    caseload."""
    debrief = debrief_for_user(request.user, pk)
    since = debrief.previous_held_on  # the team's debrief before, read with it
    rows = {"debrief": debrief, "progress_choices": PROGRESS_KEYS,
            "people": debrief_people(debrief, since=since, start=_from(request)),
            "can_change": request.user.has_perm("accounts.work_cases")}
    if request.htmx and "from" in request.GET:
        return _page(request, "#people_rows", {**rows, "more": True})
    batch = Batch()  # the page's other parts, read together (accounts/compiled.py)
    context = {
        **rows, "since": since,
        "attendance": attendance(debrief, batch),
        "advice_needed": advice_needed(debrief.team_id, batch),
        "close_form": CloseForm(initial={"reflection": debrief.reflection}),
        "new_issue_fields": new_issue_fields(debrief),
        **_value_work_context(debrief, batch=batch),
    }
    if context["can_change"]:
        context.update(_welfare_context(request, debrief, batch=batch))
    context["advice_waiting"] = advice_waiting(context["advice_needed"])
    return _page(request, "", context)


@require_POST
def entry_update(request, pk, case_pk):
    """Save "is this working?" for one person. Answers with the row's status: saved, or a
    conflict showing both versions (409) so nothing is silently overwritten."""
    debrief = debrief_for_user(request.user, pk, change=True)
    case = debrief_case(debrief, case_pk)
    form = EntryForm(request.POST, prefix=f"case{case.pk}")
    context = {"debrief": debrief, "case": case, "form": form}
    if not form.is_valid():
        return _entry_response(request, context, status=422)
    data = form.cleaned_data
    try:
        context["entry"] = entry_save(debrief=debrief, case=case, progress=data["progress"],
                                      note=data["note"], version=data["version"],
                                      by=request.user)
    except StaleEntry as stale:
        context.update(entry=stale.current, conflict=True, mine=data,
                       mine_label=Entry.Progress(data["progress"]).label)
        return _entry_response(request, context, status=409)
    context["saved"] = True
    return _entry_response(request, context)


def _entry_response(request, context, status=200):
    if request.htmx:
        return render(request, "debriefs/includes/entry_answer.jinja", context, status=status,
                      using="jinja2")
    if status == 200:
        return redirect(f"{context['debrief'].get_absolute_url()}#case-{context['case'].pk}")
    return render(request, "debriefs/entry_form.html", context, status=status)


@require_POST
def attendance_update(request, pk):
    debrief = debrief_for_user(request.user, pk, change=True)
    present = set(request.POST.getlist("present"))
    rows = list(debrief.attendance.all())
    for row in rows:
        row.present = str(row.user_id) in present
    Attendance.objects.bulk_update(rows, ["present"])
    if request.htmx:
        return _page(request, "#attendance", {
            "debrief": debrief, "can_change": True, "attendance_saved": True,
            "attendance": attendance(debrief)})
    return redirect(debrief.get_absolute_url())


def _value_work_response(request, debrief, form=None, added=None):
    status = 422 if form is not None and form.errors else 200
    if request.htmx:
        return _page(request, "#value_work",
                     {**_value_work_context(debrief, form, added), "can_change": True}, status)
    if status == 422:
        return render(request, "debriefs/simple_form.html", {
            "debrief": debrief, "form": form, "title": "Add an activity",
            "action": reverse("debriefs:activity-create", args=[debrief.pk])}, status=422)
    return redirect(f"{debrief.get_absolute_url()}#value-work")


@require_POST
def stroke_create(request, pk, activity_pk):
    debrief = debrief_for_user(request.user, pk, change=True)
    activity = get_object_or_404(Activity, team=debrief.team_id, pk=activity_pk)
    stroke_add(debrief=debrief, activity=activity, by=request.user)
    return _value_work_response(request, debrief, added=activity)


@require_POST
def activity_create(request, pk):
    debrief = debrief_for_user(request.user, pk, change=True)
    form = ActivityForm(request.POST, team=debrief.team, prefix="activity")
    if not form.is_valid():
        return _value_work_response(request, debrief, form)
    activity = form.save(commit=False)
    activity.team, activity.created_by = debrief.team, request.user
    activity.save()
    stroke_add(debrief=debrief, activity=activity, by=request.user)
    return _value_work_response(request, debrief, added=activity)


@require_POST
def welfare_update(request, pk):
    """Each person answers for themselves only."""
    debrief = debrief_for_user(request.user, pk, change=True)
    mine = Welfare.objects.filter(debrief=debrief, user=request.user).first()
    form = WelfareForm(request.POST, instance=mine, prefix="welfare")
    if form.is_valid():
        welfare = form.save(commit=False)
        welfare.debrief, welfare.user = debrief, request.user
        welfare.save()
    if request.htmx:
        context = {**_welfare_context(request, debrief, form), "can_change": True,
                   "welfare_saved": form.is_valid()}
        return _page(request, "#welfare", context, 422 if form.errors else 200)
    if form.errors:
        return render(request, "debriefs/simple_form.html", {
            "debrief": debrief, "form": form, "title": "How are you finding this?",
            "action": request.path}, status=422)
    return redirect(f"{debrief.get_absolute_url()}#welfare")


@require_POST
def advice_record(request, pk, purchase_pk):
    """Advice, not permission: the worker already spent; the team records its advice."""
    from purchases.models import Purchase

    debrief = debrief_for_user(request.user, pk, change=True)
    purchase = get_object_or_404(Purchase.objects.filter(team=debrief.team_id,
                                                         advice_asked=True), pk=purchase_pk)
    form = AdviceForm(request.POST, prefix=f"advice{purchase.pk}")
    if form.is_valid():
        purchase.record_advice(by=request.user, text=form.cleaned_data["advice"])
        messages.success(request, f"Advice recorded on the £{purchase.amount} purchase.")
        return redirect(f"{debrief.get_absolute_url()}#advice")
    return render_form(request, "debriefs/simple_form.html", {
        "debrief": debrief, "form": form, "title": f"Advice on the £{purchase.amount} purchase",
        "action": request.path}, form)


@require_POST
def debrief_close(request, pk):
    """Write the reflection and close. A closed debrief can still be corrected; its
    history keeps every version."""
    debrief = debrief_for_user(request.user, pk, change=True)
    form = CloseForm(request.POST)
    if form.is_valid():
        debrief.close(by=request.user, reflection=form.cleaned_data["reflection"])
        if request.htmx:
            return _page(request, "#close",
                         {"debrief": debrief, "close_form": form, "closed_now": True})
        messages.success(request, "Debrief closed. Thank you, everyone.")
        return redirect(debrief.get_absolute_url())
    if request.htmx:
        return _page(request, "#close", {"debrief": debrief, "close_form": form}, 422)
    return render_form(request, "debriefs/simple_form.html", {
        "debrief": debrief, "form": form, "title": "Debrief the debrief",
        "action": request.path}, form)


@require_GET
def debrief_list(request):
    require_debriefs(request.user)
    debriefs = (Debrief.objects.for_user(request.user).select_related("team")
                .order_by("-held_on", "team__name"))
    page = Paginator(debriefs, 30).get_page(request.GET.get("page"))
    return render(request, "debriefs/debrief_list.html", {"page": page})


PERIODS = {"30": 30, "90": 90, "180": 180, "365": 365}


@require_GET
def matrix(request):
    """The value-work matrix for a period, as SVG with the same figures in a table, or CSV."""
    require_debriefs(request.user)
    team = _own_team(request.user)
    days = PERIODS.get(request.GET.get("days", "90"), 90)
    end = timezone.localdate()
    start = end - timedelta(days=days)
    points = matrix_points(team, start, end)
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="value-work-{end}.csv"'
        writer = csv.writer(response)
        writer.writerow(["activity", "complexity", "times", "quadrant", "from", "to"])
        for p in points:
            writer.writerow([p.name, p.complexity, p.count, p.quadrant, start, end])
        return response
    return render(request, "debriefs/matrix.html", {
        "team": team, "points": points, "axes": matrix_axes(), "days": str(days),
        "start": start, "end": end, "periods": PERIODS})


@require_POST
def issue_create(request, pk):
    """Quick-add an issue into the issue log from the debrief, linked to a person's case."""
    from issues.services import issue_raise

    debrief = debrief_for_user(request.user, pk, change=True)
    form = debrief_issue_form(debrief, request.POST)
    logged = None
    if form.is_valid():
        data = form.cleaned_data
        logged = issue_raise(by=request.user, team=debrief.team, title=data["title"],
                             level=data["level"], owner_level=data["owner_level"],
                             countermeasure=data["countermeasure"],
                             cases=[data["case"]] if data["case"] else [])
        if not request.htmx:
            messages.success(request, f"Issue #{logged.pk} logged.")
            return redirect(f"{debrief.get_absolute_url()}#issues-successes")
    if request.htmx:  # the form again: as sent, with its mistakes, or new
        sent = None if logged else form
        return render(request, "debriefs/includes/quick_issue.jinja",
                      {"debrief": debrief, "issue_form": sent, "logged": logged,
                       "new_issue_fields": new_issue_fields(debrief)},
                      status=200 if logged else 422, using="jinja2")
    return render_form(request, "debriefs/simple_form.html", {
        "debrief": debrief, "form": form, "title": "Raise an issue", "action": request.path},
        form)
