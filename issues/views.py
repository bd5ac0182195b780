"""The issue log: raise (in full or quickly, mid-conversation), read, update, close, take on;
the leader's grid, the new normal and the export for lobbying."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import AccessLog
from accounts.shortcuts import is_id, render_form
from caseload.models import Case
from config.routers import replica_reads
from issues.forms import (
    CloseIssueForm,
    IssueFilterForm,
    IssueForm,
    QuickIssueForm,
    UpdateForm,
    VersionForm,
)
from issues.models import Issue, StaleIssue
from issues.permissions import (
    can_change_issue,
    can_raise_issues,
    can_take_ownership,
    issue_for_user,
    require_raise,
    require_read,
    teams_in_reach,
)
from issues.resources import csv_lines, xlsx_file
from issues.services import (
    case_examples_for,
    issue_history,
    issue_raise,
    open_issue_grid,
)

PAGE_SIZE = 50
DETAIL = "issues/issue_detail.html"


def _filtered_log(request):
    """The issues the log's filters pick out, and the filter form. Invalid filters are
    ignored; the status defaults to open."""
    data = request.GET.copy()
    data.setdefault("status", "open")
    filters = IssueFilterForm(data, teams=teams_in_reach(request.user))
    issues = Issue.objects.for_user(request.user).filtered(**filters.filters())
    return issues, filters


@require_GET
def issue_list(request):
    """Oldest open issue first. Runs a fixed number of queries whatever the number of issues."""
    require_read(request.user)
    issues, filters = _filtered_log(request)
    issues = (issues.with_case_count().select_related("team", "owner").oldest_open_first())
    page = Paginator(issues, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    can_raise = can_raise_issues(request.user)
    return render(request, "issues/issue_list.html", {
        "page": page, "filters": filters, "query_string": query.urlencode(),
        "can_raise": can_raise,
        "issue_form": QuickIssueForm() if can_raise else None,
    })


@require_http_methods(["GET", "POST"])
def issue_create(request):
    require_raise(request.user)
    teams = list(request.user.teams.all())
    if not teams:
        messages.error(request, "You are not in a team yet, so you cannot raise an issue.")
        return redirect("issues:issue-list")
    reach = Case.objects.for_user(request.user)
    initial = {"owner_level": Issue.OwnerLevel.TEAM}
    if is_id(case_pk := request.GET.get("case", "")):
        initial["case_references"] = ", ".join(
            reach.filter(pk=case_pk).values_list("reference", flat=True))
    form = IssueForm(request.POST or None, user=request.user, teams=teams,
                     cases_in_reach=reach, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        issue = issue_raise(by=request.user, team=data.get("team") or teams[0],
                            cases=form.case_examples(),
                            raised_on=data["raised_on"] or timezone.localdate(),
                            **{name: data[name] for name in IssueForm.Meta.fields})
        messages.success(request, f"Issue #{issue.pk} logged.")
        return redirect(issue)
    return render_form(request, "issues/issue_form.html", {"form": form}, form)


@require_http_methods(["GET", "POST"])
def issue_quick_add(request):
    """Log an issue in a few words, from the log, a case or the debrief. With htmx, answers
    with the form again (reset) and a line saying it was logged."""
    require_raise(request.user)
    reach = Case.objects.for_user(request.user)
    form = QuickIssueForm(request.POST or None, cases_in_reach=reach)
    logged, case = None, None
    if request.method == "GET" and is_id(case_pk := request.GET.get("case", "")):
        case = reach.filter(pk=case_pk).first()
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        case = data["case"]
        team = case.team if case else request.user.teams.first()
        if team is None:
            form.add_error(None, "You are not in a team yet, so you cannot raise an issue.")
        else:
            logged = issue_raise(by=request.user, team=team, title=data["title"],
                                 level=data["level"], owner_level=data["owner_level"],
                                 countermeasure=data["countermeasure"],
                                 cases=[case] if case else [])
            if not request.htmx:
                messages.success(request, f"Issue #{logged.pk} logged.")
                return redirect("caseload:case-detail", pk=case.pk) if case else redirect(logged)
            form = QuickIssueForm()
    elif form.is_bound:
        case = form.cleaned_data.get("case")
    template = "issues/includes/quick_add.html" if request.htmx else "issues/issue_quick_add.html"
    return render_form(request, template, {"issue_form": form, "logged": logged, "case": case},
                       form)


def _detail_context(request, issue, **extra):
    """The issue page: details, the cases behind it (as far as the user may see them), the
    thread of updates and the history. A fixed number of queries."""
    can_change = can_change_issue(request.user, issue)
    return {
        "issue": issue,
        "examples": case_examples_for(issue, request.user),
        "history": issue_history(issue),
        "can_change": can_change,
        "can_take": (can_take_ownership(request.user) and issue.is_open
                     and issue.owner_id != request.user.pk),
        **_updates_context(issue, UpdateForm() if can_change else None),
        **extra,
    }


def _updates_context(issue, update_form):
    return {"issue": issue, "updates": list(issue.updates.select_related("by")),
            "update_form": update_form}


@require_GET
def issue_detail(request, pk):
    issue = issue_for_user(request.user, pk)
    return render(request, DETAIL, _detail_context(request, issue))


@require_POST
def update_create(request, pk):
    """Add to the thread. With htmx, answers with the thread (the new entry on top)."""
    issue = issue_for_user(request.user, pk, change=True)
    form = UpdateForm(request.POST)
    if form.is_valid():
        issue.add_update(by=request.user, text=form.cleaned_data["text"])
        if not request.htmx:
            messages.success(request, "Update added.")
            return redirect(issue)
        return render(request, f"{DETAIL}#updates",
                      {**_updates_context(issue, UpdateForm()), "added": True})
    if request.htmx:
        return render(request, f"{DETAIL}#updates", _updates_context(issue, form), status=422)
    context = _detail_context(request, issue)
    context["update_form"] = form
    return render(request, DETAIL, context, status=422)


def _conflict(form, current: Issue) -> None:
    """Tell the person someone else saved first; keep their input; let them save again."""
    form.add_error(None, f"Someone else changed this issue at "
                   f"{timezone.localtime(current.updated_at):%H:%M on %-d %B}, after you "
                   "opened this page. Nothing was saved. Your changes are still in the form: "
                   "check the issue as it is now, shown below, then save again to keep yours.")
    form.data = form.data.copy()
    form.data[form.add_prefix("version")] = current.version


@require_http_methods(["GET", "POST"])
def issue_edit(request, pk):
    issue = issue_for_user(request.user, pk, change=True)
    form = IssueForm(request.POST or None, instance=issue, user=request.user,
                     teams=[issue.team], cases_in_reach=Case.objects.for_user(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            issue.change(by=request.user, version=data["version"], cases=form.case_examples(),
                         **{name: data[name] for name in IssueForm.Meta.fields})
        except StaleIssue as stale:
            _conflict(form, stale.current)
            return render(request, "issues/issue_form.html",
                          {"form": form, "issue": issue, "current": stale.current}, status=409)
        messages.success(request, "Issue saved.")
        return redirect(issue)
    return render_form(request, "issues/issue_form.html", {"form": form, "issue": issue}, form)


@require_http_methods(["GET", "POST"])
def issue_close(request, pk):
    """Closing says what changed: a system change, the countermeasure became normal, or why
    it was dropped (an issue raised in error is closed as such, never deleted)."""
    issue = issue_for_user(request.user, pk, change=True)
    if not issue.is_open:
        messages.error(request, f"Issue #{issue.pk} is already closed.")
        return redirect(issue)
    form = CloseIssueForm(request.POST or None, initial={
        "version": issue.version, "system_change": issue.system_change})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            issue.close(by=request.user, version=data["version"], closure=data["closure"],
                        note=data["closure_note"], system_change=data["system_change"])
        except StaleIssue as stale:
            _conflict(form, stale.current)
            return render(request, "issues/issue_close.html",
                          {"form": form, "issue": issue, "current": stale.current}, status=409)
        messages.success(request, f"Issue #{issue.pk} closed: {issue.get_closure_display()}.")
        return redirect(issue)
    return render_form(request, "issues/issue_close.html", {"form": form, "issue": issue}, form)


def _versioned_action(request, issue, action, done: str):
    """Run a one-button change; if the issue changed since the page loaded, say so (409)."""
    form = VersionForm(request.POST)
    if not form.is_valid():
        return render(request, DETAIL, _detail_context(
            request, issue, conflict="Reload the page and try again."), status=422)
    try:
        action(by=request.user, version=form.cleaned_data["version"])
    except StaleIssue:
        issue = issue_for_user(request.user, issue.pk)
        return render(request, DETAIL, _detail_context(
            request, issue, conflict="Someone else changed this issue after you opened it, so "
            "nothing was done. Check it as it is now and try again."), status=409)
    messages.success(request, done)
    return redirect(issue)


@require_POST
def issue_take(request, pk):
    """A leader takes the issue on: it becomes theirs, at leadership level."""
    if not can_take_ownership(request.user):
        raise PermissionDenied
    issue = issue_for_user(request.user, pk)
    if not issue.is_open:
        messages.error(request, f"Issue #{issue.pk} is closed. Reopen it to take it on.")
        return redirect(issue)
    return _versioned_action(request, issue, issue.take_ownership,
                             f"You now own issue #{issue.pk}.")


@require_POST
def issue_reopen(request, pk):
    issue = issue_for_user(request.user, pk, change=True)
    return _versioned_action(request, issue, issue.reopen, f"Issue #{issue.pk} reopened.")


@require_GET
def issue_grid(request):
    """Open issues by level and owner, with how long they have been open. One query for
    the counts."""
    require_read(request.user)
    return render(request, "issues/issue_grid.html",
                  {"grid": open_issue_grid(user=request.user)})


@require_GET
def new_normal(request):
    """The system changes achieved: issues closed because the system changed."""
    require_read(request.user)
    issues = (Issue.objects.for_user(request.user).new_normal().with_case_count()
              .select_related("team").order_by("-closed_on", "-pk"))
    page = Paginator(issues, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "issues/new_normal.html", {"page": page})


@replica_reads
@require_GET
def issue_export(request, fmt):
    """The log's filtered set (say, macro issues for lobbying) as CSV or XLSX, streamed.
    No personal data; each export is recorded in the access log."""
    require_read(request.user)
    issues, _filters = _filtered_log(request)
    AccessLog.objects.create(
        user=request.user, action=AccessLog.Action.EXPORT,
        object_type=Issue._meta.label_lower, object_id="",
        label=f"Issue log export ({fmt.upper()})", path=request.get_full_path()[:500])
    name = f"issues-{timezone.localdate():%Y-%m-%d}.{fmt}"
    if fmt == "csv":
        response = StreamingHttpResponse(csv_lines(issues), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return FileResponse(xlsx_file(issues), as_attachment=True, filename=name,
                        content_type="application/vnd.openxmlformats-officedocument."
                                     "spreadsheetml.sheet")
