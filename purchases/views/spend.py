"""Logging, reading, correcting, reviewing and voiding purchase-card spend."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import BigIntegerField, Count, DateField, Q, Sum
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.utils import timezone
from django.utils.dates import MONTHS
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.compiled import Compiled, Reach, Slot, reach
from accounts.models import AccessLog
from accounts.shortcuts import is_id, log_denied, next_month, render_form, require
from caseload.permissions import can_read_cases
from config.routers import replica_reads
from purchases.charts import bar_chart, burn_down
from purchases.forms import AnswerForm, ExportForm, PurchaseForm, ReviewForm, VoidForm
from purchases.models import Purchase
from purchases.permissions import (
    can_answer,
    can_edit,
    can_export,
    can_log,
    can_read,
    can_review,
    can_void,
    list_teams,
    may_review,
    overview_team,
    overview_team_names,
    purchase_for_user,
)
from purchases.resources import csv_chunks, xlsx_file
from purchases.rows import purchase_rows
from purchases.services import UNUSUAL_RULE, purchase_history, spend_overview

PAGE_SIZE = 50

# ?show=... on the purchase list: (label, filter by the purchases and the user, who sees the tab)
FILTERS = {
    "all": ("All", lambda qs, user: qs, can_read),
    "mine": ("Mine", lambda qs, user: qs.filter(worker=user), can_log),
    "receipt-missing": ("Receipt missing", lambda qs, user: qs.receipt_missing(), can_read),
    "to-answer": ("Queries to answer", lambda qs, user: qs.to_answer(), can_read),
    "advice": ("Flagged for advice", lambda qs, user: qs.counted().advice_asked(), can_read),
    "awaiting-advice": ("Waiting for advice", lambda qs, user: qs.awaiting_advice(), can_read),
    "voided": ("Voided", lambda qs, user: qs.filter(voided=True), can_read),
}


def _listed(who, user, *, show: str, team, month, month_end):
    """The purchase list's purchases: in `who`'s reach (Purchase.objects.for_user), in the
    tab `show` for `user`, of `team` and in the month from `month` to `month_end` when they
    are given."""
    purchases = FILTERS[show][1](Purchase.objects.for_user(who), user)
    if team is not None:  # one team's purchases only (the debrief links here for its own)
        purchases = purchases.filter(team=team)
    if month is not None:
        purchases = purchases.filter(date__gte=month, date__lt=month_end)
    return purchases


# A page of the purchase list, newest first: compiled once per set of capabilities, tab and
# filters used (accounts/compiled.py), and run with the user's values.
LIST_ROWS = Compiled(Purchase, lambda *, capabilities, show, team, month: _listed(
    Reach(capabilities), Slot("user", BigIntegerField()), show=show,
    team=Slot("team", BigIntegerField()) if team else None,
    month=Slot("month", DateField()) if month else None,
    month_end=Slot("month_end", DateField()) if month else None).order_by("-date", "-pk")
    .for_rows())


@dataclass
class ListPage:
    """A page of a list that is never counted as a whole: one row more than the page is read,
    which tells whether there is a next page."""

    rows: list
    number: int
    has_next: bool

    @classmethod
    def of(cls, rows: list, number: int, size: int) -> "ListPage":
        """`rows`: up to `size` + 1 from the page's start."""
        return cls(rows[:size], number, len(rows) > size)


def _list_month(value: str) -> date | None:
    """`?month=2026-11` as the month's first day; anything else means no month."""
    try:
        return datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        return None


def _list_months(today: date, chosen: date | None, count: int = 36) -> list[tuple[str, str, bool]]:
    """The month select's options, newest first: (`2026-11`, "November 2026", chosen?).
    Written here, not by the template's `date` filter twice for each of the 36."""
    months = [today.replace(day=1)]
    while len(months) < count:
        months.append((months[-1] - timedelta(days=1)).replace(day=1))
    return [(f"{m:%Y-%m}", f"{MONTHS[m.month]} {m.year}", m == chosen) for m in months]


@require_GET
def purchase_list(request):
    """The user's reach, newest first, a page at a time. Nothing is counted or summed over
    everything in reach (for leaders and auditors, every purchase ever logged): the number
    of purchases and their total show for a chosen month, through the index on `date`.
    Runs a fixed number of queries."""
    require(can_read(request.user))
    show = request.GET.get("show") if request.GET.get("show") in FILTERS else "all"
    month = _list_month(request.GET.get("month", ""))
    month_end = next_month(month) if month else None
    team_id = request.GET.get("team", "")
    team = list_teams(request.user).filter(pk=team_id).first() if is_id(team_id) else None
    figures = None
    if month:
        figures = _listed(request.user, request.user, show=show, team=team, month=month,
                          month_end=month_end).aggregate(
            count=Count("pk"), total=Sum("amount", filter=Q(voided=False)))
    number = request.GET.get("page", "")
    number = min(int(number), 10_000) if is_id(number) and int(number) else 1
    capabilities, teams = reach(request.user)
    page = ListPage.of(purchase_rows(LIST_ROWS.rows(
        {"teams": teams, "user": request.user.pk, "team": team and team.pk, "month": month,
         "month_end": month_end}, limit=PAGE_SIZE + 1, offset=(number - 1) * PAGE_SIZE,
        capabilities=capabilities, show=show, team=bool(team), month=bool(month))),
        number, PAGE_SIZE)
    tabs = [(key, label) for key, (label, _, allowed) in FILTERS.items() if allowed(request.user)]
    kept = {**({"month": f"{month:%Y-%m}"} if month else {}), **({"team": team.pk} if team else {})}
    query = {"show": show, **kept}
    template = "purchases/purchase_list.html"
    return render(request, f"{template}#results" if request.htmx else template, {
        "page": page, "show": show, "tabs": tabs, "month": month, "figures": figures,
        "team": team, "months": _list_months(timezone.localdate(), month),
        "month_query": f"&{urlencode(kept)}" if kept else "",
        "query_string": urlencode(query), "can_log": can_log(request.user),
    })


@require_http_methods(["GET", "POST"])
def purchase_create(request):
    require(can_log(request.user))
    case = request.GET.get("case", "")
    form = PurchaseForm(request.POST if request.method == "POST" else None,
                        request.FILES or None, user=request.user,
                        initial={"case": case} if is_id(case) else {})
    if request.method == "POST" and form.is_valid():
        purchase = form.save(commit=False)
        purchase.worker = purchase.created_by = purchase.updated_by = request.user
        purchase.save()
        messages.success(request, f"{purchase} logged for {purchase.case.reference}."
                         + _guidance_note(purchase))
        return redirect(purchase)
    return render_form(request, "purchases/purchase_form.html",
                       {"form": form, "title": "Log a purchase"}, form)


def _guidance_note(purchase) -> str:
    limit = purchase.card.per_transaction_guidance
    if limit and purchase.amount > limit and purchase.card.holder_id == purchase.worker_id:
        return (f" It is over your card's guidance of £{limit:,} a purchase: that is fine, "
                "it is guidance, and a leader will see it when they review.")
    return ""


@require_GET
def purchase_detail(request, pk):
    purchase = purchase_for_user(request.user, pk)
    return render(request, "purchases/purchase_detail.html", _detail_context(request, purchase))


def _detail_context(request, purchase, answer_form=None):
    """The purchase page: two queries for its history, one for the person when shown."""
    user = request.user
    reads_cases = can_read_cases(user)  # auditors see the case reference, never a name
    answerable = can_answer(user, purchase)
    return {
        "purchase": purchase, "history": purchase_history(purchase),
        "person": purchase.case.main_person if reads_cases else None,
        "reads_cases": reads_cases,
        "can_edit": can_edit(user, purchase), "can_void": can_void(user, purchase),
        "may_review": may_review(user, purchase),
        "answer_form": answer_form or (AnswerForm() if answerable else None),
    }


@require_http_methods(["GET", "POST"])
def purchase_edit(request, pk):
    """Its worker corrects it until it is reviewed. If anyone changed it since the form was
    opened, nothing is overwritten: the form comes back with the user's input and a message."""
    require(can_log(request.user))
    purchase = purchase_for_user(request.user, pk)
    require(can_edit(request.user, purchase))
    form = PurchaseForm(request.POST if request.method == "POST" else None,
                        request.FILES or None, instance=purchase, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            form.save(commit=False).save_edit(by=request.user,
                                              seen_version=form.cleaned_data["version"])
        except Purchase.Stale:
            return _edit_conflict(request, form, pk)
        messages.success(request, "Purchase corrected. The earlier details are kept in its "
                                  "history.")
        return redirect(purchase)
    return render_form(request, "purchases/purchase_form.html",
                       {"form": form, "purchase": purchase, "title": "Correct the purchase"},
                       form)


def _edit_conflict(request, form, pk):
    current = purchase_for_user(request.user, pk)
    if not can_edit(request.user, current):
        messages.error(request, f"{current.updated_by} changed this purchase while you were "
                                "correcting it, and it can no longer be changed. Nothing you "
                                "typed was saved.")
        return redirect(current)
    form.add_error(None, f"{current.updated_by} changed this purchase while you were correcting "
                         "it, so nothing was saved. Their version is shown below; your changes "
                         "are still in the form. Save again to keep yours.")
    form.data = form.data.copy()
    form.data["version"] = current.version
    return render(request, "purchases/purchase_form.html",
                  {"form": form, "purchase": current, "conflict": current,
                   "title": "Correct the purchase"}, status=409)


@require_http_methods(["GET", "POST"])
def purchase_void(request, pk):
    require(can_log(request.user) or can_review(request.user))
    purchase = purchase_for_user(request.user, pk)
    require(can_void(request.user, purchase))
    form = VoidForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        purchase.void(by=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, "Purchase voided. It is kept, struck through, and no longer "
                                  "counted in totals.")
        return redirect(purchase)
    return render_form(request, "purchases/purchase_action.html", {
        "form": form, "purchase": purchase, "title": "Void the purchase",
        "button": "Void the purchase"}, form)


@require_POST
def purchase_answer(request, pk):
    """The worker answers a reviewer's query on the purchase page."""
    require(can_log(request.user))
    purchase = purchase_for_user(request.user, pk)
    require(can_answer(request.user, purchase))
    form = AnswerForm(request.POST)
    if form.is_valid():
        purchase.answer_query(by=request.user, text=form.cleaned_data["answer"])
        messages.success(request, "Answer sent. The purchase goes back to the reviewer.")
        return redirect(purchase)
    return render(request, "purchases/purchase_detail.html",
                  _detail_context(request, purchase, answer_form=form), status=422)


@require_http_methods(["GET", "POST"])
def purchase_review(request, pk):
    require(can_review(request.user))
    purchase = purchase_for_user(request.user, pk)
    if purchase.worker_id == request.user.pk:
        log_denied(request, 403)
        return render(request, "purchases/purchase_review.html",
                      {"purchase": purchase, "own": True}, status=403)
    if purchase.voided:
        raise PermissionDenied
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            purchase.review(by=request.user, verdict=form.cleaned_data["verdict"],
                            note=form.cleaned_data["note"])
        except ValidationError as error:  # the form checks the same rules; kept as a guard
            form.add_error(None, error)
        else:
            messages.success(request, f"Reviewed: {purchase.get_review_verdict_display()} for "
                                      f"{purchase}.")
            return redirect("purchases:review-queue")
    return render_form(request, "purchases/purchase_review.html",
                       {"purchase": purchase, "form": form,
                        "reads_cases": can_read_cases(request.user)}, form)


def _every(seconds: int) -> str:
    """`600` as "10 minutes", `90` as "90 seconds"; empty for 0 (kept for no time)."""
    if not seconds:
        return ""
    if seconds % 60:
        return f"{seconds} second{pluralize(seconds)}"
    return f"{seconds // 60} minute{pluralize(seconds // 60)}"


@require_GET
def review_queue(request):
    """Spend not yet reviewed (or answered since a query), oldest first; never the reviewer's
    own. Runs a fixed number of queries."""
    require(can_review(request.user))
    reach = Purchase.objects.for_user(request.user).to_review()
    queue = reach.exclude(worker=request.user).for_rows().order_by("date", "pk")
    page = Paginator(queue, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = purchase_rows(page.object_list)
    return render(request, "purchases/review_queue.html", {
        "page": page, "own": reach.filter(worker=request.user).count()})


@require_GET
def receipt_download(request, pk):
    """The receipt, as an attachment, to those who may see the purchase. Each download is
    logged."""
    purchase = purchase_for_user(request.user, pk)
    if not purchase.receipt:
        raise Http404
    AccessLog.record(request, purchase, action=AccessLog.Action.DOWNLOAD,
                     label=f"Receipt for purchase {purchase.pk} on {purchase.case.reference}")
    extension = purchase.receipt.name.rsplit(".", 1)[-1]
    response = FileResponse(purchase.receipt.open("rb"), as_attachment=True,
                            filename=f"receipt-{purchase.pk}.{extension}",
                            content_type=purchase.receipt_content_type
                            or "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    return response


@replica_reads
@require_GET
def purchase_export(request):
    """The filter form; with ?format=csv or xlsx, the matching purchases as a download,
    streamed. Each download is recorded in the access log with its filters and row count."""
    require(can_export(request.user))
    form = ExportForm(request.GET or None)
    fmt = request.GET.get("format")
    if fmt not in ("csv", "xlsx") or not form.is_valid():
        return render_form(request, "purchases/purchase_export.html", {"form": form}, form)
    purchases = form.filter(Purchase.objects.for_user(request.user))
    AccessLog.objects.create(
        user=request.user, action=AccessLog.Action.EXPORT,
        object_type=Purchase._meta.label_lower, object_id="",
        label=form.summary(purchases.count()), path=request.get_full_path()[:500])
    name = f"purchases-{timezone.localdate():%Y-%m-%d}.{fmt}"
    if fmt == "csv":
        response = StreamingHttpResponse(csv_chunks(purchases), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return FileResponse(xlsx_file(purchases), as_attachment=True, filename=name,
                        content_type="application/vnd.openxmlformats-officedocument."
                                     "spreadsheetml.sheet")


OVERVIEW_ROWS = 20  # flagged and unusual purchases listed, unless the leader asks for all


@replica_reads
@require_GET
def spend_overview_page(request):
    """This period's spend for one team against its pot, with charts and the same figures in
    tables. Reviewers choose any team; coordinators see their own. A fixed number of
    queries."""
    require(can_review(request.user) or request.user.has_perm("accounts.run_debriefs"))
    team_id = request.GET.get("team", "")
    team = overview_team(request.user, int(team_id) if is_id(team_id) else None)
    everything = request.GET.get("all") == "1"
    overview = spend_overview(team=team, today=timezone.localdate(),
                              shown=None if everything else OVERVIEW_ROWS)
    charts = {
        "category": bar_chart("by-category", "Spend by category",
                              "Spend this period in each category.",
                              [(label, total) for label, total, _ in overview.by_category]),
        "worker": bar_chart("by-worker", "Spend by worker", "Spend this period by each worker.",
                            [(name, total) for name, total, _ in overview.by_worker]),
    }
    if overview.pot:
        charts["burn_down"] = burn_down("burn-down", overview.pot.amount, overview.start,
                                        overview.end, overview.remaining_by_day)
    return render(request, "purchases/spend_overview.jinja", {
        "overview": overview, "charts": charts,
        "team_options": overview_team_names(request.user),
        "rule": UNUSUAL_RULE,
        "medians_every": _every(settings.SPEND_MEDIANS_SECONDS),
        "all_url": f"?{urlencode({'team': team.pk, 'all': 1})}"}, using="jinja2")
