from dataclasses import dataclass, field
from datetime import date

from django.db.models import IntegerField

from accounts.compiled import Compiled, Slot
from caseload.panels import CasePanel
from debriefs.models import Entry

ENTRIES_SHOWN = 20
PROGRESS_LABELS = dict(Entry.Progress.choices)


@dataclass(slots=True)
class DebriefNote:
    """What the case page shows of an entry: its debrief's day (the entry's own `held_on`,
    which its trigger keeps to its debrief's), the answer and the note; read as plain values,
    not an entry and its debrief as model instances."""

    debrief_id: int
    held_on: date
    progress: str
    note: str
    progress_label: str = field(init=False)

    def __post_init__(self):
        self.progress_label = PROGRESS_LABELS.get(self.progress, self.progress)


ENTRIES = Compiled(Entry, lambda: Entry.objects.filter(
    case=Slot("case", IntegerField())).exclude(progress=Entry.Progress.NOT_DISCUSSED)
    .order_by("-held_on").values_list("debrief_id", "held_on", "progress", "note"))


def case_panel(request, case, batch) -> CasePanel:
    """The person's debrief notes over time, the latest ENTRIES_SHOWN: a learning timeline.
    One query, compiled once, in the batch (accounts/compiled.py)."""
    entries = batch.rows(ENTRIES, {"case": case.pk}, limit=ENTRIES_SHOWN,
                         then=lambda rows: [DebriefNote(*row) for row in rows])
    return CasePanel("debriefs/includes/case_entries.jinja", {"entries": entries}, order=30)
