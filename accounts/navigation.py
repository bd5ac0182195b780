"""The service navigation: each item shows only to users whose capabilities may use it."""

from dataclasses import dataclass
from functools import cache

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    active: bool


# (label, URL name, any of these permissions; None = every signed-in user)
NAVIGATION = [
    ("Home", "home", None),
    ("Cases", "caseload:case-list", ["accounts.work_cases", "accounts.see_all_teams"]),
    ("Holds", "caseload:hold-list", ["accounts.decide_holds"]),
    ("Debrief", "debriefs:today", ["accounts.work_cases"]),
    ("Spend", "purchases:purchase-list",
     ["accounts.work_cases", "accounts.review_spend", "accounts.read_purchases"]),
    ("Issues", "issues:issue-list",
     ["accounts.work_cases", "accounts.see_all_teams", "accounts.read_issues"]),
    ("Learning", "learning", ["accounts.view_learning"]),
    ("Manage", "admin:index", ["accounts.manage_service"]),
]


@cache
def _url(url_name: str) -> str | None:
    """The item's address, worked out once per process (it is on every page)."""
    try:
        return reverse(url_name)
    except NoReverseMatch:
        return None


def nav_items_for(user, path: str) -> list[NavItem]:
    """Navigation for this user; an item whose app is not installed yet is left out."""
    if not user.is_authenticated:
        return []
    items = []
    for label, url_name, perms in NAVIGATION:
        if perms is not None and not any(user.has_perm(p) for p in perms):
            continue
        url = _url(url_name)
        if url is None:
            continue
        active = path == url if url == "/" else path.startswith(url)
        items.append(NavItem(label, url, active))
    return items
