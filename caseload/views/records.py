"""Adding to and correcting a case: people, what matters, debts, specialists pulled in,
enforcement decisions and outcomes. Each form page answers 422 with the input kept on a
mistake, and writes nothing until everything is right."""

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods

from accounts.shortcuts import render_form
from caseload.forms import (
    DebtForm,
    EnforcementDecisionForm,
    OutcomeForm,
    PersonForm,
    PullForm,
    WhatMattersForm,
)
from caseload.models import Case, Debt, Person
from caseload.permissions import case_child_for_user, case_for_user

RECORD_TEMPLATE = "caseload/record_form.html"


def _record_page(request, case, form, *, title, on_valid, done, template=RECORD_TEMPLATE,
                 extra=None):
    """The shared add/correct flow for a record on a case."""
    if request.method == "POST" and form.is_valid() and on_valid(form) is not False:
        messages.success(request, done)
        return redirect("caseload:case-detail", pk=case.pk)
    return render_form(request, template,
                       {"form": form, "case": case, "title": title, **(extra or {})}, form)


def _save_on_case(case, **fields):
    def save(form):
        record = form.save(commit=False)
        record.case = case
        for name, value in fields.items():
            setattr(record, name, value)
        record.save()
    return save


@require_http_methods(["GET", "POST"])
def person_create(request, pk):
    case = case_for_user(request.user, pk, change=True)
    form = PersonForm(request.POST or None,
                      initial={"relationship": Person.Relationship.PARTNER})
    people_in_reach = Person.objects.filter(case__in=Case.objects.for_user(request.user))

    def save(form):
        if not form.check_duplicates(people_in_reach):
            return False
        _save_on_case(case)(form)

    return _record_page(request, case, form, title="Add a person", on_valid=save,
                        done="Person added.", template="caseload/person_form.html")


@require_http_methods(["GET", "POST"])
def person_edit(request, pk):
    person = case_child_for_user(Person, request.user, pk, change=True)
    form = PersonForm(request.POST or None, instance=person)
    people_in_reach = Person.objects.filter(case__in=Case.objects.for_user(request.user))

    def save(form):
        if not form.check_duplicates(people_in_reach):
            return False
        form.save()

    return _record_page(request, person.case, form, title=f"Change {person.name}'s details",
                        on_valid=save, done="Details saved.",
                        template="caseload/person_form.html")


@require_http_methods(["GET", "POST"])
def what_matters_edit(request, pk):
    """Each save adds a version. If someone else saved since this form was opened, nothing is
    overwritten: their words are shown beside the user's, who saves again to keep theirs."""
    case = case_for_user(request.user, pk, change=True)
    current = case.what_matters_versions.select_related("written_by").first()
    initial = {"based_on": current.pk if current else None}
    if current:
        initial |= {f: getattr(current, f) for f in WhatMattersForm.Meta.fields}
    form = WhatMattersForm(request.POST or None, initial=initial)
    conflict = None
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            latest = case.what_matters_versions.select_for_update().first()
            if latest is None or latest.pk == form.cleaned_data["based_on"]:
                _save_on_case(case, written_by=request.user)(form)
                messages.success(request, "Saved. The earlier version is kept, with its date.")
                return redirect("caseload:case-detail", pk=case.pk)
        conflict = case.what_matters_versions.select_related("written_by").first()
        form.add_error(None, f"{conflict.written_by} saved a new version while you were "
                       "writing. Their words are shown below and yours are still in the form. "
                       "Save again to keep yours as the newest version.")
        form.data = form.data.copy()
        form.data["based_on"] = conflict.pk
    return render_form(request, "caseload/what_matters_form.html",
                       {"form": form, "case": case, "title": "What matters",
                        "conflict": conflict}, form)


@require_http_methods(["GET", "POST"])
def debt_create(request, pk):
    case = case_for_user(request.user, pk, change=True)
    form = DebtForm(request.POST or None)
    return _record_page(request, case, form, title="Add a debt", on_valid=_save_on_case(case),
                        done="Debt added.")


@require_http_methods(["GET", "POST"])
def debt_edit(request, pk):
    debt = case_child_for_user(Debt, request.user, pk, change=True)
    form = DebtForm(request.POST or None, instance=debt)
    return _record_page(request, debt.case, form, title="Update the debt",
                        on_valid=lambda f: f.save(), done="Debt updated.")


@require_http_methods(["GET", "POST"])
def pull_create(request, pk):
    case = case_for_user(request.user, pk, change=True)
    form = PullForm(request.POST or None)
    return _record_page(request, case, form, title="Pull in a specialist",
                        on_valid=_save_on_case(case, by=request.user),
                        done=f"Recorded. You stay {case.reference}'s lead.")


@require_http_methods(["GET", "POST"])
def decision_create(request, pk):
    case = case_for_user(request.user, pk, change=True)
    form = EnforcementDecisionForm(request.POST or None)
    return _record_page(request, case, form, title="Record an enforcement decision",
                        on_valid=_save_on_case(case, recorded_by=request.user),
                        done="Decision recorded.")


@require_http_methods(["GET", "POST"])
def outcome_create(request, pk):
    case = case_for_user(request.user, pk, change=True)
    form = OutcomeForm(request.POST or None)
    return _record_page(request, case, form, title="Record an outcome",
                        on_valid=_save_on_case(case, recorded_by=request.user),
                        done="Outcome recorded.")
