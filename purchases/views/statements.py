"""Card statements: import the provider's monthly CSV (upload, preview, confirm), read each
statement's reconciliation, and match or unmatch its lines by hand.

As with the caseload import, the checked file waits in the session between preview and
confirm; confirming checks every row again and writes them all or none.
"""

import hashlib
from datetime import date, timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.forms import GovukFormMixin
from accounts.shortcuts import is_id, require
from caseload.permissions import can_read_cases
from caseload.resources import ImportFileError, decode_csv_upload
from purchases.models import MATCH_DAYS, Statement
from purchases.permissions import (
    can_read_statements,
    can_reconcile,
    purchase_for_user,
    statement_for_user,
    statement_line_for_user,
)
from purchases.reconcile import statement_auto_match, statement_import, statement_reconciliation
from purchases.resources import (
    STATEMENT_COLUMNS,
    STATEMENT_MAX_BYTES,
    STATEMENT_MAX_ROWS,
    read_statement_csv,
    statement_template_csv,
)

SESSION_KEY = "statement_import"
PAGE_SIZE = 50
MONTHS_OFFERED = 12


def _months(today: date) -> list[tuple[str, str]]:
    """The last MONTHS_OFFERED months, newest first, as ("2026-04", "April 2026")."""
    months, first = [], today.replace(day=1)
    for _ in range(MONTHS_OFFERED):
        months.append((f"{first:%Y-%m}", f"{first:%B %Y}"))
        first = (first - timedelta(days=1)).replace(day=1)
    return months


class StatementUploadForm(GovukFormMixin, forms.Form):
    month = forms.ChoiceField(label="Statement month",
                              error_messages={"required": "Select the statement's month",
                                              "invalid_choice": "Select the statement's month"})
    file = forms.FileField(
        label="Upload the statement as CSV", help_text="Up to 2 MB and 5,000 lines.",
        error_messages={"required": "Select a CSV file", "empty": "The selected file is empty"},
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["month"].choices = _months(today)
        last_month = (today.replace(day=1) - timedelta(days=1))
        self.fields["month"].initial = f"{last_month:%Y-%m}"

    def clean_month(self):
        year, month = self.cleaned_data["month"].split("-")
        return date(int(year), int(month), 1)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        self.text = decode_csv_upload(upload, max_bytes=STATEMENT_MAX_BYTES)
        try:
            self.dataset = read_statement_csv(self.text)
        except ImportFileError as error:
            raise forms.ValidationError(str(error)) from error
        return upload


def _digest(text: str, month: str) -> str:
    return hashlib.sha256(f"{month}\n{text}".encode()).hexdigest()


def _upload_page(request, form, outcome=None):
    """The upload page; 422 when the file or any of its rows is wrong."""
    invalid = bool(form.errors) or (outcome is not None and not outcome.ok)
    return render(request, "purchases/statement_upload.html", {
        "form": form, "outcome": outcome, "columns": STATEMENT_COLUMNS,
        "max_rows": f"{STATEMENT_MAX_ROWS:,}", "match_days": MATCH_DAYS,
    }, status=422 if invalid else 200)


@require_http_methods(["GET", "POST"])
def statement_upload(request):
    require(can_reconcile(request.user))
    if request.GET.get("template"):
        response = HttpResponse(statement_template_csv(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="card-statement.csv"'
        return response
    if request.method == "POST" and "confirm" in request.POST:
        return _confirm(request)
    form = StatementUploadForm(request.POST or None, request.FILES or None)
    if request.method != "POST" or not form.is_valid():
        return _upload_page(request, form)
    month, name = form.cleaned_data["month"], form.cleaned_data["file"].name
    outcome = statement_import(dataset=form.dataset, month=month, file_name=name,
                               user=request.user, dry_run=True)
    if not outcome.ok:
        return _upload_page(request, form, outcome)
    pending = {"csv": form.text, "month": f"{month:%Y-%m}", "name": name,
               "digest": _digest(form.text, f"{month:%Y-%m}")}
    if outcome.added:
        request.session[SESSION_KEY] = pending
    return render(request, "purchases/statement_preview.html", {
        "outcome": outcome, "digest": pending["digest"], "file_name": name, "month": month})


def _confirm(request):
    pending = request.session.get(SESSION_KEY)
    if not pending or pending["digest"] != request.POST.get("digest") or (
            _digest(pending["csv"], pending["month"]) != pending["digest"]):
        messages.error(request, "That preview is no longer waiting to be imported. Upload the "
                       "file again to check it.")
        return redirect("purchases:statement-upload")
    del request.session[SESSION_KEY]
    request.session.save()  # now, so a second click cannot import the same file twice
    form = StatementUploadForm()
    month = date.fromisoformat(f"{pending['month']}-01")
    outcome = statement_import(dataset=read_statement_csv(pending["csv"]), month=month,
                               file_name=pending["name"], user=request.user, dry_run=False)
    if not outcome.ok:
        return _upload_page(request, form, outcome)
    count = len(outcome.added)
    messages.success(request, f"Imported {count:,} line{'' if count == 1 else 's'} from "
                     f"{pending['name']}; {outcome.matched:,} matched a logged purchase."
                     + (f" {len(outcome.duplicates):,} duplicate"
                        f"{'' if len(outcome.duplicates) == 1 else 's'} skipped."
                        if outcome.duplicates else ""))
    if len(outcome.statements) == 1:
        return redirect(outcome.statements[0])
    return redirect("purchases:statement-list")


@require_GET
def statement_list(request):
    """Every statement, newest month first, with how many of its lines are not matched yet
    (a line matched with a purchase since voided counts as not matched, as on the statement's
    own page). A fixed number of queries."""
    require(can_read_statements(request.user))
    statements = (Statement.objects.select_related("card__holder", "card__team")
                  .annotate(line_count=Count("lines"),
                            unmatched_count=Count("lines", filter=Q(lines__purchase__isnull=True)
                                                  | Q(lines__purchase__voided=True)),
                            total=Sum("lines__amount"))
                  .order_by("-month", "card__team__name", "card__last_four", "pk"))
    page = Paginator(statements, PAGE_SIZE).get_page(request.GET.get("page"))
    template = "purchases/statement_list.html"
    return render(request, f"{template}#results" if request.htmx else template, {
        "page": page, "can_reconcile": can_reconcile(request.user)})


@require_GET
def statement_detail(request, pk):
    """The reconciliation: what needs a look first, then the totals and why they differ,
    then every line. A fixed number of queries, whatever the number of lines."""
    statement = statement_for_user(request.user, pk)
    return render(request, "purchases/statement_detail.html", _detail_context(request, statement))


def _detail_context(request, statement, **extra):
    return {"statement": statement, "rec": statement_reconciliation(statement),
            "match_days": MATCH_DAYS,
            "can_reconcile": can_reconcile(request.user),
            "reads_cases": can_read_cases(request.user), **extra}


def _after_change(request, statement, notice: str, *, error_line=None, status=200):
    """The reconciliation again: the fragment for htmx, else back to the page."""
    if request.htmx or error_line:
        template = "purchases/statement_detail.html"
        return render(request, f"{template}#reconciliation" if request.htmx else template,
                      _detail_context(request, statement, notice=notice,
                                      error_line=error_line), status=status)
    messages.success(request, notice)
    return redirect(statement)


@require_POST
def statement_match_again(request, pk):
    require(can_reconcile(request.user))
    statement = statement_for_user(request.user, pk)
    count = statement_auto_match(statement=statement, by=request.user)
    return _after_change(request, statement, f"{count:,} more line{'' if count == 1 else 's'} "
                                             "matched a logged purchase.")


@require_POST
def statement_line_match(request, pk):
    """Match a line with a purchase chosen by hand; the amounts may differ."""
    line = statement_line_for_user(request.user, pk)
    statement = line.statement
    purchase_id = request.POST.get("purchase", "")
    purchase = purchase_for_user(request.user, purchase_id) if is_id(purchase_id) else None
    try:
        if purchase is None:
            raise ValidationError("Select the purchase this line is for")
        line.match(purchase, by=request.user)
    except ValidationError as error:
        return _after_change(request, statement, "", error_line=(line.pk, error.messages[0]),
                             status=422)
    return _after_change(request, statement, f"Matched {line} with purchase {purchase.pk}.")


@require_POST
def statement_line_unmatch(request, pk):
    line = statement_line_for_user(request.user, pk)
    statement = line.statement
    try:
        line.unmatch(by=request.user)
    except ValidationError as error:
        return _after_change(request, statement, "", error_line=(line.pk, error.messages[0]),
                             status=422)
    return _after_change(request, statement, f"Unmatched {line}.")
