"""What each role's home page offers: what to do next, in the order a person needs it."""

from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse

from accounts.roles import Role


@dataclass
class HomeSection:
    role: Role
    heading: str
    body: str
    links: list[tuple[str, str]] = field(default_factory=list)  # (label, url)


SECTIONS = {
    Role.CASEWORKER: (
        "Your people today",
        "Find a person, read what matters to them, and log a visit, a call or a spend as you go.",
        [("Your cases", "caseload:case-list"), ("Log a purchase", "purchases:purchase-create"),
         ("Raise an issue", "issues:issue-create")],
    ),
    Role.COORDINATOR: (
        "Today's debrief",
        "Start today's debrief with the team: is it working for each person, what got in the "
        "way, what went well, and how everyone is finding it.",
        [("Today's debrief", "debriefs:today"), ("Issue log", "issues:issue-list")],
    ),
    Role.LEADER: (
        "Air cover and review",
        "Grant or review enforcement holds, review spend after the fact, and take on the "
        "issues the team cannot solve alone.",
        [("Holds to decide", "caseload:hold-list"), ("Spend to review", "purchases:review-queue"),
         ("Open issues by level and owner", "issues:issue-grid"), ("Learning", "learning"),
         ("Subject-access requests", "privacy:request-list"),
         ("Who looked at what (access log)", "accounts:access-log")],
    ),
    Role.AUDITOR: (
        "Purchase records",
        "Read purchase-card records and their history, and export them for a period.",
        [("Purchase records", "purchases:purchase-list"), ("Export", "purchases:export"),
         ("Issue log", "issues:issue-list")],
    ),
    Role.ADMIN: (
        "Manage the service",
        "Add people and teams, give people their roles, and set up cards and budget pots.",
        [("Users and teams", "admin:index"),
         ("Subject-access requests", "privacy:request-list"),
         ("Who looked at what (access log)", "accounts:access-log")],
    ),
}


def _url(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def home_sections(user) -> list[HomeSection]:
    """One section per role the user holds; links to parts not yet available are left out."""
    sections = []
    for role in user.roles:
        heading, body, links = SECTIONS[role]
        resolved = [(label, url) for label, name in links if (url := _url(name))]
        sections.append(HomeSection(role, heading, body, resolved))
    return sections
