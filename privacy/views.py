"""Subject-access requests: start one from a person's case page, mark what to withhold, release
it, and download what was released as a readable HTML document or as JSON."""

import json

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import AccessLog
from accounts.shortcuts import is_id, render_form, require
from privacy.forms import WHOLE_RECORD_CHOICE, StartRequestForm, WithholdForm
from privacy.models import SubjectAccessRequest
from privacy.permissions import (
    can_handle,
    can_prepare,
    people_for_reference,
    person_for_subject_access,
    request_for_user,
    requests_for_user,
)
from privacy.subject_access import (
    WHOLE_RECORD,
    bundle_digest,
    find_item,
    gather,
    item_count,
    released,
)


def _log(request, sar, action):
    """Record the look or the download against the case, where the case's own access log
    shows it; against the request once the person's records are gone."""
    target = sar.person.case if sar.person else sar
    AccessLog.record(request, target, action=action,
                     label=f"{sar.case_reference} subject access {sar.pk}")


def _item_key(item: dict) -> str:
    return f"{item['type'].replace('.', '-')}-{item['id']}"


def _withhold_form(sar, item: dict, marks: dict, data=None) -> WithholdForm:
    marked = marks.get((item["type"], item["id"]), {})
    ticked = [WHOLE_RECORD_CHOICE if field == WHOLE_RECORD else field for field in marked]
    return WithholdForm(data, item=item, prefix=_item_key(item),
                        initial={"withhold": ticked, "reason": next(iter(marked.values()), "")})


def _marks(sar) -> dict:
    """{(record type, id): {field: reason}} for the request's redactions. One query."""
    marks: dict = {}
    for r in sar.redactions.all():
        marks.setdefault((r.record_type, r.record_id), {})[r.field] = r.reason
    return marks


@require_GET
def request_list(request):
    require(can_prepare(request.user))
    requests = requests_for_user(request.user).select_related("person", "started_by")
    case_pk = request.GET.get("case", "")
    if is_id(case_pk):
        requests = requests.filter(person__case_id=case_pk)
    reference = request.GET.get("reference", "").strip()
    return render(request, "privacy/request_list.html", {
        "requests": requests[:200], "can_handle": can_handle(request.user),
        "reference": reference,
        "found": (people_for_reference(request.user, reference)
                  if reference and can_handle(request.user) else None),
    })


@require_http_methods(["GET", "POST"])
def request_start(request):
    chosen = request.GET.get("person", "")
    person = person_for_subject_access(request.user, int(chosen) if is_id(chosen) else 0)
    form = StartRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        sar = SubjectAccessRequest.objects.create(
            person=person, case_reference=person.case.reference, started_by=request.user,
            received_on=form.cleaned_data["received_on"])
        messages.success(request, f"Request started. It is due by {sar.due_on:%-d %B %Y}.")
        return redirect("privacy:request-detail", pk=sar.pk)
    return render_form(request, "privacy/request_start.html", {"form": form, "person": person},
                       form)


def _detail(request, sar, *, failed: tuple[str, WithholdForm] | None = None):
    """The preparation page while preparing (every record with its withhold form), the
    release summary after. Runs a fixed number of queries however many records there are."""
    context = {"sar": sar, "can_handle": can_handle(request.user), "failed": failed}
    if sar.is_released:
        context["bundle"] = sar.released_bundle
    elif sar.person:
        bundle, marks = gather(sar.person), _marks(sar)
        context["sections"] = [
            {"title": section["title"], "entries": [
                (failed[1] if failed and failed[0] == _item_key(item)
                 else _withhold_form(sar, item, marks), item,
                 marks.get((item["type"], item["id"]), {}), _item_key(item))
                for item in section["items"]]}
            for section in bundle["sections"]]
        context["withheld_count"] = sum(len(fields) for fields in marks.values())
        context["item_count"] = item_count(bundle)
        _log(request, sar, AccessLog.Action.VIEW)
    return render(request, "privacy/request_detail.html", context,
                  status=422 if failed else 200)


@require_GET
def request_detail(request, pk):
    return _detail(request, request_for_user(request.user, pk))


@require_POST
def request_withhold(request, pk):
    """Mark what to withhold from one record. With htmx, answers with that record's part of
    the page; on a mistake, 422 with what was ticked and typed kept."""
    sar = request_for_user(request.user, pk)
    if sar.is_released or sar.person is None:
        messages.error(request, "This request is released, so nothing can be withheld now.")
        return redirect("privacy:request-detail", pk=sar.pk)
    item = find_item(gather(sar.person), request.POST.get("record_type", ""),
                     request.POST.get("record_id", ""))
    if item is None:
        raise Http404("No such record in this request")
    form = _withhold_form(sar, item, {}, data=request.POST)
    if not form.is_valid():
        if not request.htmx:
            return _detail(request, sar, failed=(_item_key(item), form))
        return render(request, "privacy/request_detail.html#item",
                      {"sar": sar, "form": form, "item": item, "key": _item_key(item),
                       "marked": {}}, status=422)
    fields = form.withheld_fields()
    sar.withhold(by=request.user, record_type=item["type"], record_id=item["id"],
                 fields=fields, reason=form.cleaned_data["reason"].strip())
    if not request.htmx:
        messages.success(request, "Saved what to withhold." if fields else "Nothing withheld "
                         "from that record.")
        return redirect(f"{sar.get_absolute_url()}#{_item_key(item)}")
    marked = _marks(sar).get((item["type"], item["id"]), {})
    return render(request, "privacy/request_detail.html#item",
                  {"sar": sar, "form": _withhold_form(sar, item, {(item["type"], item["id"]):
                                                                  marked}),
                   "item": item, "key": _item_key(item), "marked": marked, "saved": True})


@require_http_methods(["GET", "POST"])
def request_release(request, pk):
    """Release what is not withheld. The released bundle is stored, so every download gives
    exactly what was released."""
    sar = request_for_user(request.user, pk, handle=True)
    if sar.is_released or sar.person is None:
        return redirect("privacy:request-detail", pk=sar.pk)
    redactions = list(sar.redactions.all())
    bundle = gather(sar.person)
    context = {"sar": sar, "withheld_count": len(redactions), "digest": bundle_digest(bundle)}
    if request.method == "POST":
        if request.POST.get("digest") != context["digest"]:
            # Records were added or changed since this page was opened: they have not been
            # checked for other people's details, so nothing is released yet.
            return render(request, "privacy/request_release.html", {**context, "changed": True},
                          status=409)
        sar.release(by=request.user, bundle=released(bundle, redactions))
        messages.success(request, "Released. Download the bundle and send it to the person.")
        return redirect("privacy:request-detail", pk=sar.pk)
    return render(request, "privacy/request_release.html", context)


def _released_for_download(request, pk):
    sar = request_for_user(request.user, pk, handle=True)
    if not sar.is_released:
        raise Http404("Not released yet")
    _log(request, sar, AccessLog.Action.EXPORT)
    return sar


def _attachment(content, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@csp_override({"default-src": [CSP.NONE], "style-src": [CSP.NONCE], "img-src": [CSP.NONE],
               "base-uri": [CSP.NONE], "form-action": [CSP.NONE],
               "frame-ancestors": [CSP.NONE]})
def download_html(request, pk):
    """A self-contained document: its only style is in the page, so it reads and prints the
    same opened from a disk, and nothing in it loads from anywhere."""
    sar = _released_for_download(request, pk)
    html = render_to_string("privacy/bundle.html", {"sar": sar, "bundle": sar.released_bundle},
                            request=request)
    return _attachment(html, "text/html; charset=utf-8",
                       f"subject-access-{sar.case_reference}-{sar.pk}.html")


@require_GET
def download_json(request, pk):
    sar = _released_for_download(request, pk)
    return _attachment(json.dumps(sar.released_bundle, indent=2, ensure_ascii=False),
                       "application/json; charset=utf-8",
                       f"subject-access-{sar.case_reference}-{sar.pk}.json")
