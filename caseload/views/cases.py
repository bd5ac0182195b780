from dataclasses import InitVar, dataclass
from datetime import date, datetime, timedelta

from django.contrib import messages
from django.contrib.postgres.fields import ArrayField
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import (
    BigIntegerField,
    CharField,
    DateField,
    DateTimeField,
    Func,
    IntegerField,
    Q,
)
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from accounts.compiled import Compiled, Reach, Slot, reach
from accounts.models import AccessLog, User
from accounts.shortcuts import is_id, render_form
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


@dataclass
class CaseRow:
    """One case in the caseload list, read as plain values (the columns of _caseload_query)."""

    pk: int
    reference: str
    status: str
    lead_first_name: str
    lead_last_name: str
    lead_username: str
    last_contact_at: datetime | None
    next_step_due: date | None
    has_active_hold: bool
    main_name: str | None
    main_preferred_name: str | None
    now: InitVar[datetime]
    today: InitVar[date]
    lead: str = ""
    main_person_name: str | None = None
    days_since_contact: int | None = None
    next_step_overdue: bool = False

    def __post_init__(self, now, today):
        self.lead = User.shown_name(self.lead_first_name, self.lead_last_name, self.lead_username)
        if self.main_name is not None:
            self.main_person_name = Person.shown_name(self.main_name,
                                                      self.main_preferred_name or "")
        if self.last_contact_at:
            self.days_since_contact = (now - self.last_contact_at).days
        self.next_step_overdue = bool(self.next_step_due and self.next_step_due < today)


def _matching(*, capabilities, status: bool, lead: bool, not_seen: bool, overdue: bool,
              hold: bool, transition: bool):
    """The cases in reach (Case.objects.for_user's rule) that match the filters, with the
    annotations the filters and the rows need; the filters' values are Slots."""
    cases = Case.objects.for_user(Reach(capabilities))
    if status:
        cases = cases.filter(status=Slot("status", CharField()))
    if lead:
        cases = cases.filter(lead=Slot("lead", BigIntegerField()))
    cases = cases.with_activity()
    if not_seen:
        cases = cases.filter(Q(last_contact_at__lt=Slot("since", DateTimeField()))
                             | Q(last_contact_at__isnull=True))
    if overdue:
        cases = cases.filter(next_step_due__lt=Slot("today", DateField()))
    if hold:
        cases = cases.filter(has_active_hold=True)
    if transition:
        cases = cases.filter(transitions__contains=Slot(
            "transition", ArrayField(CharField(max_length=30))))
    return cases


def _caseload_query(**shape):
    """The matching cases, longest without contact first: the columns of CaseRow. Read a page
    at a time, in the order of an index (`case_by_last_contact`), so a page reads its own
    rows and looks up the next step, hold and names of those only. Numbers repeat across
    teams: the id settles ties, so pages neither repeat nor skip a case."""
    return (_matching(**shape).with_main_names().order_by("last_contact_at", "number", "pk")
            .values_list("pk", "reference", "status", "lead__first_name", "lead__last_name",
                         "lead__username", "last_contact_at", "next_step_due",
                         "has_active_hold", "main_name", "main_preferred_name"))


# Compiled once per set of capabilities and filters used (accounts/compiled.py).
CASELOAD = Compiled(Case, _caseload_query)
# How many cases match: counted apart from the page, from the index where the filters allow.
CASELOAD_COUNT = Compiled(Case, lambda **shape: _matching(**shape).order_by().values_list(
    Func(template="count(*)", output_field=IntegerField())),
    label="caseload_count")

# The lead filter's choices: everyone leading a case in reach, as plain rows.
LEADS = Compiled(User, lambda capabilities: User.objects.filter(
    pk__in=Case.objects.for_user(Reach(capabilities)).values("lead")).order_by(
    "first_name").values_list("pk", "first_name", "last_name", "username"), label="case_leads")


def _caseload(request, *, mine: bool):
    """At most three queries whatever the number of cases: how many cases match, the page's
    rows (when any match) and, where the lead filter is shown or used, the leads. A page past
    the end shows the last page."""
    require_read(request.user)
    capabilities, teams = reach(request.user)
    filters = CaseFilterForm(request.GET or None, leads=lambda: LEADS.rows(
        {"teams": teams}, capabilities=capabilities))
    filters.is_valid()
    data = getattr(filters, "cleaned_data", {})
    status = data.get("status") or "open"
    lead = request.user.pk if mine else data.get("lead")
    now, today = timezone.now(), timezone.localdate()
    values = {"teams": teams, "status": status, "lead": lead, "today": today,
              "since": now - timedelta(days=data.get("not_seen_days") or 0),
              "transition": [data.get("transition")]}
    shape = {"capabilities": capabilities, "status": status != "all", "lead": bool(lead),
             "not_seen": bool(data.get("not_seen_days")), "overdue": bool(data.get("overdue")),
             "hold": bool(data.get("active_hold")), "transition": bool(data.get("transition"))}
    [(total,)] = CASELOAD_COUNT.rows(values, **shape) or [(0,)]
    number = request.GET.get("page", "")
    number = min(int(number), 100_000) if is_id(number) and int(number) > 0 else 1
    page = Paginator(range(total), PAGE_SIZE).get_page(number)  # past the end: the last
    rows = CASELOAD.rows(values, limit=PAGE_SIZE, offset=page.start_index() - 1,
                         **shape) if total else []
    page.object_list = [CaseRow(*row, now=now, today=today) for row in rows]
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
    results = search_cases(request.user, query) if query else []
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
    return render(request, "caseload/case_detail.jinja", case_page_context(request, case),
                  using="jinja2")


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
