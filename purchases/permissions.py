"""Who may see and change which purchase. Every purchase fetch in a view goes through here.

A purchase outside the user's reach is a 404; a role that may not do the thing at all is a 403.
Auditors read everything and change nothing: every write needs work_cases or review_spend.
"""

from django.db.models import BigIntegerField
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.compiled import AnyOf, Compiled, CompiledObjects, Slot
from accounts.models import Team
from accounts.shortcuts import require
from purchases.models import Purchase, Statement, StatementLine


def can_read(user) -> bool:
    return any(user.has_perm(f"accounts.{p}") for p in
               ("work_cases", "see_all_teams", "read_purchases", "review_spend"))


def can_log(user) -> bool:
    return user.has_perm("accounts.work_cases")


def can_review(user) -> bool:
    return user.has_perm("accounts.review_spend")


def can_export(user) -> bool:
    return user.has_perm("accounts.export_purchases")


def _overview_teams(every: bool, chosen: bool = False):
    """The teams whose spend overview a user sees, by name: every team, or those among the
    list `teams` (a coordinator's own); with `chosen`, only the one whose id is `pk`."""
    teams = Team.objects.all() if every else Team.objects.filter(AnyOf("id", "teams"))
    teams = teams.order_by("name", "pk")
    return teams.filter(pk=Slot("pk", BigIntegerField())) if chosen else teams


OVERVIEW_TEAM = CompiledObjects(Team, _overview_teams)
OVERVIEW_TEAM_NAMES = Compiled(Team, lambda every: _overview_teams(every).values_list("pk", "name"),
                               label="overview_team_names")


def _sees_every_team(user) -> bool | None:
    """Whose spend overview the user sees: every team's (True: a reviewer), their own teams'
    (False: a coordinator), or none (None)."""
    if can_review(user):
        return True
    return False if user.has_perm("accounts.run_debriefs") else None


def overview_team(user, pk: int | None) -> Team:
    """The team whose spend overview the user asked for (`pk`), or else the first by name
    that they see; a 404 if they do not see it. One compiled query."""
    every = _sees_every_team(user)
    found = [] if every is None else OVERVIEW_TEAM.objects(
        {"teams": list(user.team_ids), "pk": pk}, limit=1, every=every, chosen=pk is not None)
    if not found:
        raise Http404("No team matches the given query.")
    return found[0]


def overview_team_names(user) -> list[tuple[int, str]]:
    """The (id, name) of each team whose spend overview the user sees, by name."""
    every = _sees_every_team(user)
    return [] if every is None else OVERVIEW_TEAM_NAMES.rows(
        {"teams": list(user.team_ids)}, every=every)


def list_teams(user):
    """The teams the user may narrow the purchase list to: those whose purchases they read."""
    if user.has_perm("accounts.see_all_teams") or user.has_perm("accounts.read_purchases"):
        return Team.objects.all()
    return Team.objects.filter(pk__in=user.team_ids)


def purchase_for_user(user, pk) -> Purchase:
    """The purchase, if the user may see it. One query."""
    require(can_read(user))
    return get_object_or_404(
        Purchase.objects.for_user(user).select_related(
            "case", "case__team", "worker", "card", "reviewed_by", "voided_by",
            "advice_given_by"),
        pk=pk)


def can_void(user, purchase: Purchase) -> bool:
    """Its worker, or a reviewer."""
    return not purchase.voided and (
        (can_log(user) and purchase.worker_id == user.pk) or can_review(user))


def can_edit(user, purchase: Purchase) -> bool:
    return can_log(user) and purchase.worker_id == user.pk and purchase.is_editable


def can_answer(user, purchase: Purchase) -> bool:
    return can_log(user) and purchase.worker_id == user.pk and purchase.awaits_answer


def may_review(user, purchase: Purchase) -> bool:
    return can_review(user) and purchase.worker_id != user.pk and not purchase.voided


def can_reconcile(user) -> bool:
    """Import statements and match their lines: a reviewer's job."""
    return user.has_perm("accounts.review_spend")


def can_read_statements(user) -> bool:
    return can_reconcile(user) or user.has_perm("accounts.read_purchases")


def statement_for_user(user, pk) -> Statement:
    """The statement, to those who may read statements (they see every team's). One
    query."""
    require(can_read_statements(user))
    return get_object_or_404(
        Statement.objects.select_related("card__holder", "card__team", "uploaded_by"), pk=pk)


def statement_line_for_user(user, pk) -> StatementLine:
    """The line and its statement (as statement_for_user loads it), to those who may match
    lines. One query."""
    require(can_reconcile(user))
    return get_object_or_404(StatementLine.objects.select_related(
        "statement__card__holder", "statement__card__team", "statement__uploaded_by"), pk=pk)
