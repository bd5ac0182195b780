from caseload.panels import CasePanel
from issues.forms import QuickIssueForm, new_quick_issue_fields
from issues.permissions import can_raise_issues
from issues.services import issues_for_case


def case_panel(request, case, batch) -> CasePanel:
    """Issues this case illustrates, and the quick way to log one from here. One query, in
    the batch."""
    shown = can_raise_issues(request.user) and case.is_open
    return CasePanel("issues/includes/case_panel.jinja", {
        "case": case, "issues": issues_for_case(case, request.user, batch),
        "issue_form": QuickIssueForm() if shown else None,
        "new_issue_fields": new_quick_issue_fields() if shown else None,
    }, order=40)
