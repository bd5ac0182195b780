from django.apps import AppConfig


class PurchasesConfig(AppConfig):
    name = "purchases"
    case_panel = "purchases.panels.case_panel"
