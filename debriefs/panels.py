from caseload.panels import CasePanel
from debriefs.models import Entry


def case_panel(request, case) -> CasePanel:
    """The person's debrief notes over time: a learning timeline. One query."""
    entries = (Entry.objects.filter(case=case).exclude(progress=Entry.Progress.NOT_DISCUSSED)
               .select_related("debrief").order_by("-held_on")[:20])
    return CasePanel("debriefs/includes/case_entries.html", {"entries": list(entries)}, order=30)
