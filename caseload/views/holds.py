"""Enforcement holds ("air cover"): a caseworker asks, a leader decides and reviews."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from accounts.shortcuts import render_form
from caseload.forms import HoldDecisionForm, HoldEndForm, HoldRequestForm
from caseload.models import Case, Hold
from caseload.permissions import case_child_for_user, case_for_user


def _require_decider(user):
    if not user.has_perm("accounts.decide_holds"):
        raise PermissionDenied


@require_http_methods(["GET", "POST"])
def hold_request(request, pk):
    case = case_for_user(request.user, pk, change=True)
    form = HoldRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        hold = form.save(commit=False)
        hold.case, hold.requested_by = case, request.user
        hold.save()
        messages.success(request, "Hold asked for. A leader will decide.")
        return redirect("caseload:case-detail", pk=case.pk)
    return render_form(request, "caseload/record_form.html",
                       {"form": form, "case": case, "title": "Ask for a hold on enforcement"},
                       form)


@require_http_methods(["GET", "POST"])
def hold_decide(request, pk):
    _require_decider(request.user)
    hold = case_child_for_user(Hold, request.user, pk)
    form = HoldDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        hold.decide(by=request.user, grant=data["decision"] == "grant", note=data["note"],
                    review_on=data["review_on"])
        messages.success(request, f"Hold {hold.get_status_display().lower()}.")
        return redirect("caseload:hold-list")
    return render_form(request, "caseload/hold_decide.html", {"form": form, "hold": hold,
                                                              "case": hold.case}, form)


@require_http_methods(["GET", "POST"])
def hold_end(request, pk):
    hold = case_child_for_user(Hold, request.user, pk)
    if not (request.user.has_perm("accounts.decide_holds")
            or request.user.has_perm("accounts.work_cases")):
        raise PermissionDenied
    form = HoldEndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        hold.end(by=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, "Hold ended.")
        return redirect("caseload:case-detail", pk=hold.case_id)
    return render_form(request, "caseload/record_form.html",
                       {"form": form, "case": hold.case, "title": "End the hold"}, form)


@require_GET
def hold_list(request):
    """For leaders: holds to decide, holds due for review, and all active holds."""
    _require_decider(request.user)
    holds = (Hold.objects.filter(case__in=Case.objects.for_user(request.user))
             .select_related("case", "case__team", "requested_by", "decided_by"))
    today = timezone.localdate()
    return render(request, "caseload/hold_list.html", {
        "requested": holds.filter(status=Hold.Status.REQUESTED).order_by("requested_at"),
        "due": holds.due_for_review(today).order_by("review_on"),
        "active": holds.active().filter(review_on__gt=today).order_by("review_on"),
    })
