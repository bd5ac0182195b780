"""Change stamps kept by the database's triggers, and results kept until one moves
(accounts/stamps.py). These tests commit (transaction=True), as requests do: inside a
transaction nothing is kept."""

from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.stamps import kept, stamp
from purchases.models import Purchase
from tests.factories import CaseFactory
from tests.purchases.factories import PurchaseFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("committed")]


def _spend(team) -> int:
    return stamp(Purchase, [f"spend:{team.pk}"])


def test_every_kind_of_write_to_a_teams_purchases_moves_its_stamp_and_only_its(
        team, other_team, case, caseworker, card):
    other = _spend(other_team)
    before = _spend(team)
    purchase = PurchaseFactory(case=case, worker=caseworker, card=card)
    assert _spend(team) == before + 1
    purchase.void(by=caseworker, reason="Logged twice")  # a save
    assert _spend(team) == before + 2
    Purchase.objects.filter(pk=purchase.pk).update(merchant="Corner shop")  # no save() at all
    assert _spend(team) == before + 3
    Purchase.objects.filter(pk=-1).update(merchant="Nobody")  # no row written
    assert _spend(team) == before + 3
    assert _spend(other_team) == other


def test_a_write_of_many_rows_moves_the_stamp_once_and_a_move_of_team_moves_both(
        team, other_team, case, caseworker, card):
    for _ in range(3):
        PurchaseFactory(case=case, worker=caseworker, card=card)
    before, other = _spend(team), _spend(other_team)
    assert Purchase.objects.filter(team=team).update(merchant="Market") == 3
    assert _spend(team) == before + 1
    elsewhere = CaseFactory(team=other_team)
    moved = Purchase.objects.filter(team=team).first()
    Purchase.objects.filter(pk=moved.pk).update(case=elsewhere)  # its team follows its case
    assert (_spend(team), _spend(other_team)) == (before + 2, other + 1)


def test_names_move_when_a_name_changes_and_not_when_someone_signs_in(caseworker):
    def names():
        return stamp(User, ["names"])

    before = names()
    User.objects.filter(pk=caseworker.pk).update(last_login=timezone.now())
    caseworker.first_name = "Casey"  # the same name saved again
    caseworker.save()
    assert names() == before
    caseworker.last_name = "Robson"
    caseworker.save()
    assert names() == before + 1


def test_a_result_is_worked_out_once_until_a_stamp_moves(team, case, caseworker, card):
    calls = []

    def work_out():
        calls.append(1)
        return sum(Purchase.objects.filter(team=team).values_list("amount", flat=True),
                   Decimal(0))

    def total():
        return kept(f"total:{team.pk}", Purchase, [f"spend:{team.pk}"], work_out)

    assert (total(), total()) == (0, 0) and len(calls) == 1
    PurchaseFactory(case=case, worker=caseworker, card=card, amount=Decimal("12.50"))
    assert (total(), total()) == (Decimal("12.50"), Decimal("12.50")) and len(calls) == 2


def test_nothing_is_kept_inside_a_transaction(team, case, caseworker, card):
    """A transaction sees its own writes before they are committed, and they may never be:
    after a rollback, the next committed write brings the stamp back to the same number."""
    def total():
        return kept(f"total:{team.pk}", Purchase, [f"spend:{team.pk}"], lambda: sum(
            Purchase.objects.filter(team=team).values_list("amount", flat=True), Decimal(0)))

    before = _spend(team)
    with pytest.raises(RuntimeError), transaction.atomic():
        PurchaseFactory(case=case, worker=caseworker, card=card, amount=Decimal("50.00"))
        assert (_spend(team), total()) == (before + 1, Decimal("50.00"))
        raise RuntimeError("roll back")
    PurchaseFactory(case=case, worker=caseworker, card=card, amount=Decimal("12.50"))
    assert (_spend(team), total()) == (before + 1, Decimal("12.50"))
