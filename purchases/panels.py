from caseload.panels import CasePanel
from purchases.permissions import can_log, can_read
from purchases.services import case_spend


def case_panel(request, case, batch) -> CasePanel | None:
    """The case's spend, for everyone who may read purchases. One query, in the batch."""
    if not can_read(request.user):
        return None
    return CasePanel("purchases/includes/case_spend.jinja",
                     {"case": case, "spend": case_spend(case, batch),
                      "can_log": can_log(request.user) and case.is_open}, order=40)
