"""Who may see and change which case. Every case-related fetch in a view goes through here.

A case outside the user's reach is a 404 (its existence is not confirmed); a role that may not
do the thing at all is a 403.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import BigIntegerField, Model
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.compiled import CompiledObjects, Reach, Slot, reach
from caseload.models import Case


def can_read_cases(user) -> bool:
    return user.has_perm("accounts.work_cases") or user.has_perm("accounts.see_all_teams")


def can_change_cases(user) -> bool:
    return user.has_perm("accounts.work_cases")


def require_read(user):
    if not can_read_cases(user):
        raise PermissionDenied


def require_change(user):
    if not can_change_cases(user):
        raise PermissionDenied


# Case.objects.for_user's rule, compiled once per set of capabilities (accounts/compiled.py).
CASE = CompiledObjects(Case, lambda capabilities: Case.objects.for_user(Reach(capabilities))
                       .filter(pk=Slot("pk", BigIntegerField())), related=("team", "lead"))


def case_for_user(user, pk, *, change: bool = False) -> Case:
    """The case, if the user may see it (and change it, when asked). One query."""
    require_change(user) if change else require_read(user)
    capabilities, teams = reach(user)
    found = CASE.objects({"pk": pk, "teams": teams}, capabilities=capabilities)
    if not found:
        raise Http404("No case matches the given query.")
    return found[0]


def case_child_for_user(model: type[Model], user, pk, *, change: bool = False):
    """A record that belongs to a case (contact, debt, hold...), if the user may see its case.
    One query."""
    require_change(user) if change else require_read(user)
    return get_object_or_404(
        model.objects.filter(case__in=Case.objects.for_user(user)).select_related(
            "case", "case__team", "case__lead"), pk=pk)


def case_for_access_log(user, pk) -> Case:
    """Leaders and admins may read who looked at any case. One query."""
    if not user.has_perm("accounts.read_access_log"):
        raise PermissionDenied
    return get_object_or_404(Case.objects.select_related("team"), pk=pk)
