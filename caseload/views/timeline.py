"""The case page and its timeline of contacts, which grows from a phone without a reload."""

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Count, IntegerField
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods, require_POST

from accounts.compiled import Batch, Compiled, CompiledObjects, Slot
from accounts.models import User
from accounts.templatetags.jinja_include import jinja_include
from caseload.forms import TEAM_WORKERS, ContactForm
from caseload.models import (
    Contact,
    Debt,
    EnforcementDecision,
    Hold,
    Outcome,
    Person,
    Pull,
    Stale,
    WhatMatters,
    edit_stamp,
    save_unless_changed,
)
from caseload.panels import case_panels
from caseload.permissions import can_change_cases, case_child_for_user, case_for_user

TIMELINE_PAGE = 50


def _of_case(model, *related: str) -> CompiledObjects:
    """A case's records of `model` in the model's order, with `related` read in the same
    query: what `case.<records>.select_related(*related)` reads, built and compiled once
    (accounts/compiled.py). The case page reads seven kinds of record so."""
    return CompiledObjects(model, lambda: model.objects.filter(
        case=Slot("case", IntegerField())), related=related)


@dataclass(slots=True)
class TimelineEntry:
    """A contact as the timeline shows it, read as one row of plain values: a page of fifty
    contacts and their workers as model instances was a tenth of the case page's time."""

    pk: int
    kind: str
    happened_at: datetime
    what_happened: str
    what_we_did: str
    next_step: str
    next_step_due: date | None
    author_id: int
    created_at: datetime
    updated_at: datetime
    worker_first_name: str
    worker_last_name: str
    worker_username: str
    worker: str = field(init=False)
    kind_label: str = field(init=False)
    was_corrected: bool = field(init=False)

    def __post_init__(self):
        self.worker = User.shown_name(self.worker_first_name, self.worker_last_name,
                                      self.worker_username)
        self.kind_label = KIND_LABELS.get(self.kind, self.kind)
        self.was_corrected = Contact.corrected(self.created_at, self.updated_at)


KIND_LABELS = dict(Contact.Kind.choices)

# A case's contacts, newest first (the model's order), with who made each: the columns of
# TimelineEntry, in its order; and how many it has (grouped by the one case, so the count is a
# row the compiled query can answer).
CONTACTS = Compiled(Contact, lambda: Contact.objects.filter(
    case=Slot("case", IntegerField())).values_list(
    "pk", "kind", "happened_at", "what_happened", "what_we_did", "next_step", "next_step_due",
    "author_id", "created_at", "updated_at",
    "worker__first_name", "worker__last_name", "worker__username"))
CONTACT_COUNT = Compiled(Contact, lambda: Contact.objects.filter(
    case=Slot("case", IntegerField())).values("case").annotate(n=Count("pk")).values_list("n"))


class TimelineRead:
    """A page of the case's newest contacts, as Paginator.get_page pages them (a page that is
    not a number is the first, one past the end the last), asked for in `batch`
    (accounts/compiled.py): the count and the page asked for are read together, and `page()`
    gives the page once they are. A page that is not the one asked for (past the end, say)
    is read again, apart. With `new_entry`, for those who may log a contact on an open case,
    the team's workers are read too, for a new entry's fields (`new_contact_fields`)."""

    def __init__(self, request, case, batch: Batch, *, new_entry: bool = True):
        self.asked = request.GET.get("timeline")
        self.case = case
        self.guess = _page_number(self.asked)
        self.count = batch.rows(CONTACT_COUNT, {"case": case.pk})
        self.rows = batch.rows(CONTACTS, {"case": case.pk}, limit=TIMELINE_PAGE,
                               offset=(self.guess - 1) * TIMELINE_PAGE)
        self.workers = (batch.rows(TEAM_WORKERS, {"team": case.team_id})
                        if new_entry and can_change_cases(request.user) and case.is_open
                        else None)

    def page(self) -> Page:
        page = Paginator(range(self.count[0][0] if self.count else 0), TIMELINE_PAGE).get_page(
            self.asked)
        rows = self.rows if page.number == self.guess else CONTACTS.rows(
            {"case": self.case.pk}, limit=TIMELINE_PAGE, offset=(page.number - 1) * TIMELINE_PAGE)
        page.object_list = [TimelineEntry(*row) for row in rows]
        return page


def _page_number(asked: str | None) -> int:
    """The page Paginator.get_page gives for `asked` when the timeline has that many pages
    (the one to read with the count; TimelineRead checks)."""
    try:
        number = int(asked)
    except (TypeError, ValueError):
        return 1
    return number if 1 <= number <= 10**6 else 1


def timeline_context(request, case, contact_form=None, *, read: TimelineRead | None = None):
    """The timeline's values for the page: `read` if the caller asked for it in a batch with
    the rest of its page; otherwise one round trip of its own. The "log a visit" form is
    `contact_form` (sent, with what was typed) or, for those who may log one on an open case,
    a new one's fields (`new_contact_fields`)."""
    read = read or TimelineRead(request, case, Batch(), new_entry=contact_form is None)
    page = read.page()
    new_fields = None
    if contact_form is None and read.workers is not None:
        new_fields = new_contact_fields(case.team, read.workers)
    return {"case": case, "timeline": page, "contact_form": contact_form,
            "new_contact_fields": new_fields}


def new_contact_fields(team, workers) -> SafeString:
    """The "log a visit" form's fields for a new entry, as ContactForm writes them
    (caseload/includes/contact_fields.jinja), kept in this process for the team's workers as
    they are now (`workers`, TEAM_WORKERS's rows, read with the page every time), the day and
    the language: a new entry's fields depend on nothing else (no values, no errors, no one's
    own choices). Building the form and writing its nine fields was a sixth of an open
    case's page."""
    return _new_contact_fields(team, tuple(workers), timezone.localdate(), get_language())


@lru_cache(maxsize=512)
def _new_contact_fields(team, workers: tuple, today: date, language: str) -> SafeString:
    return jinja_include("caseload/includes/contact_fields.jinja",
                         form=ContactForm(team=team, workers=workers, prefix="contact"))


CASE_RECORDS = {
    "people": _of_case(Person),
    "what_matters": _of_case(WhatMatters, "written_by"),
    "debts": _of_case(Debt),
    "holds": _of_case(Hold, "requested_by", "decided_by", "ended_by"),
    "decisions": _of_case(EnforcementDecision, "recorded_by"),
    "pulls": _of_case(Pull, "by"),
    "outcomes": _of_case(Outcome, "recorded_by"),
}


def case_page_context(request, case):
    """Everything on the case page: its own sections, the timeline's page and each other
    app's panel are asked for in one batch and read in one round trip (accounts/compiled.py),
    whatever the case's size."""
    batch = Batch()
    records = {name: batch.objects(query, {"case": case.pk}, known={"case": case})
               for name, query in CASE_RECORDS.items()}
    timeline = TimelineRead(request, case, batch)
    panels = case_panels(request, case, batch)
    versions = records.pop("what_matters")
    return {  # the batch is read at the first answer used: the timeline's count
        **timeline_context(request, case, read=timeline),
        **records,
        "what_matters": versions[0] if versions else None,
        "earlier_what_matters": versions[1:],
        "can_change": can_change_cases(request.user),
        "panels": panels,
    }


@require_POST
def contact_create(request, pk):
    """Log a visit or call. With htmx, answers with the refreshed timeline section (a fresh
    form and the new entry at the top); on a mistake, 422 with the typed text kept."""
    case = case_for_user(request.user, pk, change=True)
    form = ContactForm(request.POST, team=case.team, prefix="contact")
    if form.is_valid():
        contact = form.save(commit=False)
        contact.case, contact.author = case, request.user
        contact.worker = contact.worker if contact.worker_id else request.user
        contact.save()
        if not request.htmx:
            messages.success(request, f"{contact.get_kind_display()} logged.")
            return redirect("caseload:case-detail", pk=case.pk)
        context = {**timeline_context(request, case), "logged": contact}
        return render(request, "caseload/case_detail.jinja#timeline", context, using="jinja2")
    if request.htmx:
        return render(request, "caseload/case_detail.jinja#timeline",
                      timeline_context(request, case, form), status=422, using="jinja2")
    return render(request, "caseload/contact_form.html", {"form": form, "case": case},
                  status=422)


@require_http_methods(["GET", "POST"])
def contact_edit(request, pk):
    """Only the author corrects an entry; the audit trail keeps what it said before. If it was
    corrected since this form was opened (on another device, say), nothing is overwritten: the
    form comes back (409) with the user's text and the entry as it is now."""
    contact = case_child_for_user(Contact, request.user, pk, change=True)
    if contact.author_id != request.user.pk:
        raise PermissionDenied
    form = ContactForm(request.POST or None, instance=contact, team=contact.case.team,
                       prefix="contact")
    if request.method == "POST" and form.is_valid():
        try:
            save_unless_changed(form.save(commit=False), seen=form.cleaned_data["seen"])
        except Stale:
            current = case_child_for_user(Contact, request.user, pk, change=True)
            form.add_error(None, "This entry was corrected somewhere else while you were "
                                 "writing, so nothing was saved. It is shown below as it is "
                                 "now; your text is still in the form. Save again to keep "
                                 "yours.")
            form.data = form.data.copy()
            form.data[form.add_prefix("seen")] = edit_stamp(current)
            return render(request, "caseload/contact_form.html",
                          {"form": form, "case": current.case, "contact": current,
                           "conflict": current}, status=409)
        messages.success(request, "Entry corrected. The earlier wording is kept in its history.")
        return redirect("caseload:case-detail", pk=contact.case_id)
    return render(request, "caseload/contact_form.html",
                  {"form": form, "case": contact.case, "contact": contact},
                  status=422 if form.errors else 200)
