from datetime import timedelta

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import AccessLog
from accounts.shortcuts import render_form
from caseload.forms import CaseFilterForm, CaseForm, CloseCaseForm, PersonForm
from caseload.models import Case, Person, Stale, edit_stamp, save_unless_changed
from caseload.permissions import (
    case_for_access_log,
    case_for_user,
    require_change,
    require_read,
)
from caseload.search import search_cases
from caseload.views.timeline import case_page_context

PAGE_SIZE = 50


def _caseload(request, *, mine: bool):
    """Runs a fixed number of queries whatever the number of cases."""
    require_read(request.user)
    cases = Case.objects.for_user(request.user)
    leads = (request.user.__class__.objects.filter(pk__in=cases.values("lead"))
             .order_by("first_name"))
    filters = CaseFilterForm(request.GET or None, leads=leads)
    filters.is_valid()
    data = getattr(filters, "cleaned_data", {})
    status = data.get("status") or "open"
    if status != "all":
        cases = cases.filter(status=status)
    if mine:
        cases = cases.filter(lead=request.user)
    elif data.get("lead"):
        cases = cases.filter(lead=data["lead"])
    cases = cases.with_activity()
    if data.get("not_seen_days"):
        since = timezone.now() - timedelta(days=data["not_seen_days"])
        cases = cases.filter(Q(last_contact_at__lt=since) | Q(last_contact_at__isnull=True))
    if data.get("overdue"):
        cases = cases.filter(next_step_due__lt=timezone.localdate())
    if data.get("active_hold"):
        cases = cases.filter(has_active_hold=True)
    if data.get("transition"):
        cases = cases.filter(transitions__contains=[data["transition"]])
    cases = (cases.select_related("lead")
             .only("reference", "status", "number", "lead__first_name", "lead__last_name",
                   "lead__username")
             .order_by("last_contact_at", "number"))
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    now, today = timezone.now(), timezone.localdate()
    names = Person.objects.main_names(page)
    for case in page:
        case.main_person_name = Person.shown_name(*names[case.pk]) if case.pk in names else None
        case.days_since_contact = (now - case.last_contact_at).days if case.last_contact_at else None
        case.next_step_overdue = bool(case.next_step_due and case.next_step_due < today)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "caseload/case_list.html", {
        "page": page, "filters": filters, "mine": mine, "status": status,
        "query_string": query.urlencode(),
        "can_add": request.user.has_perm("accounts.work_cases"),
    })


@require_GET
def case_list(request):
    return _caseload(request, mine=False)


@require_GET
def my_cases(request):
    return _caseload(request, mine=True)


@require_GET
def case_search(request):
    require_read(request.user)
    query = request.GET.get("q", "")
    results = search_cases(Case.objects.for_user(request.user), query) if query else []
    template = "caseload/case_search.html#results" if request.htmx else "caseload/case_search.html"
    return render(request, template, {"query": query, "results": results})


@require_http_methods(["GET", "POST"])
def case_create(request):
    require_change(request.user)
    team = request.user.teams.first()
    if team is None:
        messages.error(request, "You are not in a team yet, so you cannot add a case.")
        return redirect("caseload:case-list")
    form = CaseForm(request.POST or None, team=team, initial={"lead": request.user})
    person_form = PersonForm(request.POST or None, prefix="person")
    person_form.fields["relationship"].disabled = True
    if request.method == "POST" and form.is_valid() and person_form.is_valid() and (
            person_form.check_duplicates(
                Person.objects.filter(case__in=Case.objects.for_user(request.user)))):
        with transaction.atomic():
            case = form.save(commit=False)
            case.team = team
            case.save()
            person = person_form.save(commit=False)
            person.case, person.relationship = case, Person.Relationship.MAIN
            person.save()
        messages.success(request, f"Case {case.reference} opened for {person.name}.")
        return redirect("caseload:case-detail", pk=case.pk)
    return render_form(request, "caseload/case_form.html",
                       {"form": form, "person_form": person_form, "team": team}, form, person_form)


@require_GET
def case_detail(request, pk):
    case = case_for_user(request.user, pk)
    AccessLog.record(request, case)
    return render(request, "caseload/case_detail.html", case_page_context(request, case))


@require_http_methods(["GET", "POST"])
def case_edit(request, pk):
    """If anyone changed the case since the form was opened, nothing is overwritten: the form
    comes back (409) with the user's choices and the details as they are now."""
    case = case_for_user(request.user, pk, change=True)
    form = CaseForm(request.POST or None, instance=case, team=case.team)
    if request.method == "POST" and form.is_valid():
        try:
            save_unless_changed(form.save(commit=False), seen=form.cleaned_data["seen"])
        except Stale:
            current = case_for_user(request.user, pk, change=True)
            form.add_error(None, "Someone changed this case's details while you were editing "
                                 "them, so nothing was saved. The details as they are now are "
                                 "shown below; your choices are still in the form. Save again "
                                 "to keep yours.")
            form.data = form.data.copy()
            form.data["seen"] = edit_stamp(current)
            return render(request, "caseload/case_edit.html",
                          {"form": form, "case": current, "conflict": current}, status=409)
        messages.success(request, "Case details saved.")
        return redirect("caseload:case-detail", pk=case.pk)
    return render_form(request, "caseload/case_edit.html", {"form": form, "case": case}, form)


@require_http_methods(["GET", "POST"])
def case_close(request, pk):
    """Closing is the caseworker's own decision: no approval step."""
    case = case_for_user(request.user, pk, change=True)
    form = CloseCaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        case.close(note=form.cleaned_data["note"])
        messages.success(request, f"Case {case.reference} closed. You can reopen it at any time.")
        return redirect("caseload:case-detail", pk=case.pk)
    return render_form(request, "caseload/case_close.html", {"form": form, "case": case}, form)


@require_http_methods(["POST"])
def case_reopen(request, pk):
    case = case_for_user(request.user, pk, change=True)
    case.reopen()
    messages.success(request, f"Case {case.reference} reopened.")
    return redirect("caseload:case-detail", pk=case.pk)


@require_GET
def case_access_log(request, pk):
    case = case_for_access_log(request.user, pk)
    entries = AccessLog.objects.for_object(case).select_related("user")[:500]
    return render(request, "caseload/case_access_log.html", {"case": case, "entries": entries})
