from django.db.models import IntegerField

from accounts.compiled import CompiledObjects, Slot
from caseload.panels import CasePanel
from debriefs.models import Entry

ENTRIES_SHOWN = 20
ENTRIES = CompiledObjects(Entry, lambda: Entry.objects.filter(
    case=Slot("case", IntegerField())).exclude(progress=Entry.Progress.NOT_DISCUSSED)
    .order_by("-held_on"), related=("debrief",))


def case_panel(request, case, batch) -> CasePanel:
    """The person's debrief notes over time, the latest ENTRIES_SHOWN: a learning timeline.
    One query, compiled once, in the batch (accounts/compiled.py)."""
    entries = batch.objects(ENTRIES, {"case": case.pk}, known={"case": case},
                            limit=ENTRIES_SHOWN)
    return CasePanel("debriefs/includes/case_entries.jinja", {"entries": entries}, order=30)
