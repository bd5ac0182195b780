"""Who may see and run which debrief. A debrief outside the user's teams is a 404."""

from django.core.exceptions import PermissionDenied
from django.db.models import BigIntegerField, OuterRef, Subquery
from django.http import Http404

from accounts.compiled import Capabilities, CompiledObjects, Reach, Slot, reach
from caseload.models import Case
from debriefs.models import Debrief


def require_debriefs(user):
    if not (user.has_perm("accounts.work_cases") or user.has_perm("accounts.see_all_teams")):
        raise PermissionDenied


def _debrief_query(*, capabilities: Capabilities, change: bool):
    """A debrief by id within reach (Debrief.objects.for_user's rule), or within the user's
    own teams to change it, with the day of the team's debrief before it
    (`previous_held_on`, None for its first); compiled once per shape (accounts/compiled.py)."""
    debriefs = Debrief.objects.filter(pk=Slot("pk", BigIntegerField())).annotate(
        previous_held_on=Subquery(Debrief.objects.filter(
            team=OuterRef("team"), held_on__lt=OuterRef("held_on"))
            .order_by("-held_on").values("held_on")[:1]))
    return (debriefs.filter(team__in=Reach(capabilities).team_ids) if change
            else debriefs.for_user(Reach(capabilities)))


DEBRIEF = CompiledObjects(Debrief, _debrief_query, related=("team", "started_by", "closed_by"),
                          extra=("previous_held_on",))


def debrief_for_user(user, pk, *, change: bool = False) -> Debrief:
    """The debrief, if the user may see it; `change` needs a member of its team. One query,
    which also reads the day of the team's debrief before it (`previous_held_on`)."""
    if change and not user.has_perm("accounts.work_cases"):
        raise PermissionDenied
    require_debriefs(user)
    capabilities, teams = reach(user)
    found = DEBRIEF.objects({"pk": pk, "teams": teams}, capabilities=capabilities,
                            change=change)
    if not found:
        raise Http404("No debrief matches the given query.")
    return found[0]


def sees_everyones_welfare(user, debrief) -> bool:
    """Individual welfare answers: the team's coordinators only (and each person their own)."""
    return user.has_perm("accounts.run_debriefs") and debrief.team_id in user.team_ids


# A case of a team by id, its reference only: what a debrief's answer for one person names.
TEAM_CASE = CompiledObjects(Case, lambda: Case.objects.filter(
    team=Slot("team", BigIntegerField()), pk=Slot("pk", BigIntegerField())), only=("reference",))


def debrief_case(debrief: Debrief, pk) -> Case:
    """The case `pk` of the debrief's team (a debrief the user may change: debrief_for_user),
    with its reference; any other is a 404. One query, compiled once (accounts/compiled.py),
    where the ORM built it afresh for every answer saved at the huddle (0.86 ms of CPU with
    its round trip, measured in-process on a slow machine)."""
    found = TEAM_CASE.objects({"team": debrief.team_id, "pk": pk})
    if not found:
        raise Http404("No case of this team matches the given query.")
    return found[0]
