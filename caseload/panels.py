"""Sections other apps add to the case page, without caseload importing them.

An app that builds on caseload names a function in its AppConfig:

    class PurchasesConfig(AppConfig):
        case_panel = "purchases.panels.case_panel"

The function takes (request, case, batch) and returns a CasePanel, or None to show nothing
(for example, to a role that may not see it). Each should run a fixed number of queries, and
ask for them through `batch` (accounts.compiled.Batch) where it can: the case page reads its
own sections and every panel's in one round trip, once all have asked (when the page's
values are put together, before it is written).

A panel's template is a Jinja2 template (config/jinja2.py), included by the case page
(caseload/case_detail.jinja), which is Jinja2 throughout; it sees the panel's context as
`panel`, and the page's values.
"""

from dataclasses import dataclass, field

from django.apps import apps
from django.utils.module_loading import import_string

from accounts.compiled import Batch


@dataclass
class CasePanel:
    template: str  # Jinja2 (`.jinja`): the case page is a Jinja2 page
    context: dict = field(default_factory=dict)
    order: int = 50

    def __post_init__(self):
        if not self.template.endswith(".jinja"):
            raise ValueError(f"A case panel's template is Jinja2 (.jinja): {self.template}")


def case_panels(request, case, batch: Batch) -> list[CasePanel]:
    panels = []
    for config in apps.get_app_configs():
        path = getattr(config, "case_panel", None)
        if path and (panel := import_string(path)(request, case, batch)):
            panels.append(panel)
    return sorted(panels, key=lambda p: p.order)
