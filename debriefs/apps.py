from django.apps import AppConfig


class DebriefsConfig(AppConfig):
    name = "debriefs"
    case_panel = "debriefs.panels.case_panel"
