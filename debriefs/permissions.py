"""Who may see and run which debrief. A debrief outside the user's teams is a 404."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from debriefs.models import Debrief


def require_debriefs(user):
    if not (user.has_perm("accounts.work_cases") or user.has_perm("accounts.see_all_teams")):
        raise PermissionDenied


def debrief_for_user(user, pk, *, change: bool = False) -> Debrief:
    """The debrief, if the user may see it; `change` needs a member of its team. One query."""
    if change and not user.has_perm("accounts.work_cases"):
        raise PermissionDenied
    require_debriefs(user)
    debriefs = Debrief.objects.select_related("team", "started_by", "closed_by")
    debriefs = (debriefs.filter(team__in=user.team_ids) if change
                else debriefs.for_user(user))
    return get_object_or_404(debriefs, pk=pk)


def sees_everyones_welfare(user, debrief) -> bool:
    """Individual welfare answers: the team's coordinators only (and each person their own)."""
    return user.has_perm("accounts.run_debriefs") and debrief.team_id in user.team_ids
