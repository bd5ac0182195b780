"""The Transparency Code's purchase-card file, for a period: the form, and the download."""

from django.http import FileResponse, StreamingHttpResponse
from django.views.decorators.http import require_GET

from accounts.models import AccessLog
from accounts.shortcuts import render_form, require
from config.routers import replica_reads
from purchases.models import Purchase
from purchases.transparency import (
    PURPOSE,
    TransparencyForm,
    can_publish,
    csv_chunks,
    xlsx_file,
)


@replica_reads
@require_GET
def transparency_export(request):
    """The period form; with ?format=csv or xlsx, the file as a download, streamed. Every
    purchase in the period is in it, whoever asks: it holds nothing about the people helped.
    Each download is recorded in the access log with its period and row count."""
    require(can_publish(request.user))
    form = TransparencyForm(request.GET or None)
    fmt = request.GET.get("format")
    if fmt not in ("csv", "xlsx") or not form.is_valid():
        return render_form(request, "purchases/transparency.html", {
            "form": form, "example_purpose": PURPOSE[Purchase.Category.FOOD]}, form)
    purchases = form.filter(Purchase.objects.all())
    AccessLog.objects.create(
        user=request.user, action=AccessLog.Action.EXPORT,
        object_type=Purchase._meta.label_lower, object_id="",
        label=form.summary(purchases.counted().count()), path=request.get_full_path()[:500])
    name = form.filename(fmt)
    if fmt == "csv":
        response = StreamingHttpResponse(csv_chunks(purchases), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return FileResponse(xlsx_file(purchases), as_attachment=True, filename=name,
                        content_type="application/vnd.openxmlformats-officedocument."
                                     "spreadsheetml.sheet")
