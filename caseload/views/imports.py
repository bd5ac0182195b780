"""Importing a caseload from a CSV: upload, preview (a dry run), confirm. Leaders and admins.

The checked file waits in the session between preview and confirm, so nobody has to choose it
again on a phone; confirming checks every row again and writes them all or none.
"""

import hashlib

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.forms import GovukFormMixin
from caseload.resources import (
    COLUMNS,
    MAX_BYTES,
    MAX_ROWS,
    ImportFileError,
    cases_import,
    decode_csv_upload,
    ignored_columns,
    read_csv,
    template_csv,
)

SESSION_KEY = "case_import"


class CaseImportForm(GovukFormMixin, forms.Form):
    file = forms.FileField(
        label="Upload a CSV file", help_text="Up to 2 MB and 5,000 people.",
        error_messages={"required": "Select a CSV file", "empty": "The selected file is empty"},
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        self.text = decode_csv_upload(upload, max_bytes=MAX_BYTES)
        try:
            self.dataset = read_csv(self.text)
        except ImportFileError as error:
            raise forms.ValidationError(str(error)) from error
        return upload


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _page(request, form, outcome=None):
    """The upload page; 422 when the file or any of its rows is wrong."""
    invalid = bool(form.errors) or (outcome is not None and not outcome.ok)
    return render(request, "caseload/case_import.html", {
        "form": form, "outcome": outcome, "columns": COLUMNS, "max_rows": f"{MAX_ROWS:,}",
    }, status=422 if invalid else 200)


@require_http_methods(["GET", "POST"])
def case_import(request):
    if not request.user.has_perm("accounts.import_cases"):
        raise PermissionDenied
    if request.GET.get("template"):
        response = HttpResponse(template_csv(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="caseload-import.csv"'
        return response
    if request.method == "POST" and "confirm" in request.POST:
        return _confirm(request)
    form = (CaseImportForm(request.POST, request.FILES) if request.method == "POST"
            else CaseImportForm())
    if request.method != "POST" or not form.is_valid():
        return _page(request, form)
    outcome = cases_import(dataset=form.dataset, user=request.user, dry_run=True)
    if not outcome.ok:
        return _page(request, form, outcome)
    pending = {"csv": form.text, "digest": _digest(form.text),
               "name": form.cleaned_data["file"].name}
    request.session[SESSION_KEY] = pending
    return render(request, "caseload/case_import_preview.html", {
        "outcome": outcome, "digest": pending["digest"], "file_name": pending["name"],
        "ignored": ignored_columns(form.dataset)})


def _confirm(request):
    pending = request.session.get(SESSION_KEY)
    if not pending or pending["digest"] != request.POST.get("digest") or (
            _digest(pending["csv"]) != pending["digest"]):
        messages.error(request, "That preview is no longer waiting to be imported. Upload the "
                       "file again to check it.")
        return redirect("caseload:case-import")
    del request.session[SESSION_KEY]
    request.session.save()  # now, so a second click cannot import the same file twice
    outcome = cases_import(dataset=read_csv(pending["csv"]), user=request.user, dry_run=False)
    if not outcome.ok:
        return _page(request, CaseImportForm(), outcome)
    messages.success(request, f"Imported {len(outcome.created):,} case"
                     f"{'' if len(outcome.created) == 1 else 's'} from {pending['name']}.")
    return redirect("caseload:case-list")
