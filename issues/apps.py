from django.apps import AppConfig


class IssuesConfig(AppConfig):
    name = "issues"
    verbose_name = "Issue log"
    case_panel = "issues.panels.case_panel"
