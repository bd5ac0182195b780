"""Who may see and change which issue. Every issue fetch in a view goes through here.

The team raises and updates its own issues; leaders see every team's and may take one on;
auditors read. An issue outside the user's reach is a 404; a role that may not do the thing
at all is a 403. Nothing is ever deleted: an issue raised in error is closed as such.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from accounts.models import Team
from issues.models import Issue


def can_read_issues(user) -> bool:
    return any(user.has_perm(f"accounts.{code}")
               for code in ("work_cases", "see_all_teams", "read_issues"))


def can_raise_issues(user) -> bool:
    return user.has_perm("accounts.work_cases")


def can_take_ownership(user) -> bool:
    return user.has_perm("accounts.see_all_teams")


def can_change_issue(user, issue: Issue) -> bool:
    """Leaders may work on any issue; the team on its own (its ids come with the user's
    access: no query)."""
    if user.has_perm("accounts.see_all_teams"):
        return True
    return can_raise_issues(user) and issue.team_id in user.team_ids


def teams_in_reach(user):
    """The teams whose issues the user may see."""
    if user.has_perm("accounts.see_all_teams") or user.has_perm("accounts.read_issues"):
        return Team.objects.all()
    return Team.objects.filter(pk__in=user.team_ids)


def require_read(user):
    if not can_read_issues(user):
        raise PermissionDenied


def require_raise(user):
    if not can_raise_issues(user):
        raise PermissionDenied


def issue_for_user(user, pk, *, change: bool = False) -> Issue:
    """The issue, if the user may see it (and change it, when asked). One query, two when
    checking a team member may change it."""
    require_read(user)
    issue = get_object_or_404(
        Issue.objects.for_user(user).select_related("team", "owner", "raised_by"), pk=pk)
    if change and not can_change_issue(user, issue):
        raise PermissionDenied
    return issue
