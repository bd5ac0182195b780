from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction

from accounts.roles import Role
from purchases.models import BudgetPot, Purchase
from tests.factories import CaseFactory
from tests.purchases.factories import BudgetPotFactory, CardFactory, PurchaseFactory

pytestmark = pytest.mark.django_db



@pytest.mark.parametrize("field, value", [
    ("amount", Decimal("0")),
    ("amount", Decimal("-5")),
    ("amount", Decimal("10000.01")),
    ("plan_legal", False),
    ("plan_necessary_reason", "   "),
    ("irrecoverable_vat", Decimal("30")),
])
def test_database_refuses_a_purchase_that_breaks_the_rules(purchase, field, value):
    setattr(purchase, field, value)
    with pytest.raises(IntegrityError), transaction.atomic():
        purchase.save()


def test_database_refuses_a_review_by_the_purchases_own_worker(purchase, caseworker):
    with pytest.raises(IntegrityError), transaction.atomic():
        Purchase.objects.filter(pk=purchase.pk).update(
            review_verdict="ok", reviewed_by=caseworker, reviewed_at=purchase.created_at)


def test_database_refuses_to_delete_a_purchase(purchase):
    with pytest.raises(DatabaseError, match="Cannot delete"), transaction.atomic():
        Purchase.objects.filter(pk=purchase.pk).delete()
    assert Purchase.objects.filter(pk=purchase.pk).exists()


@pytest.mark.parametrize("digits", ["12a4", "123", "12 4"])
def test_card_last_four_must_be_four_digits(caseworker, team, digits):
    with pytest.raises(IntegrityError), transaction.atomic():
        CardFactory(holder=caseworker, team=team, last_four=digits)


def test_budget_pot_ends_after_it_starts_and_is_one_per_team_and_start(team):
    pot = BudgetPotFactory(team=team)
    with pytest.raises(IntegrityError), transaction.atomic():
        BudgetPotFactory(team=team, period_start=pot.period_start)
    with pytest.raises(IntegrityError), transaction.atomic():
        BudgetPotFactory(team=team, period_start=pot.period_end, period_end=pot.period_end)
    assert list(BudgetPot.objects.covering(pot.period_start)) == [pot]


def test_review_records_verdict_and_names_the_reviewer_in_the_audit_trail(purchase, leader):
    purchase.review(by=leader, verdict="query", note="Which shop was this?")
    purchase.refresh_from_db()
    assert (purchase.review_verdict, purchase.reviewed_by) == ("query", leader)
    assert purchase.version == 2
    event = purchase.events.order_by("-pgh_id").first()
    assert event.pgh_context["user"] == leader.pk
    assert event.review_verdict == "query"


def test_nobody_reviews_their_own_spend(make_user, team):
    both = make_user(Role.LEADER, Role.CASEWORKER, team=team)
    purchase = PurchaseFactory(case=CaseFactory(team=team, lead=both))
    with pytest.raises(ValidationError, match="cannot review your own spend"):
        purchase.review(by=both, verdict="ok")
    purchase.refresh_from_db()
    assert purchase.review_verdict == ""


def test_a_query_or_not_ok_needs_a_note(purchase, leader):
    with pytest.raises(ValidationError, match="Write a note"):
        purchase.review(by=leader, verdict="not_ok", note=" ")


def test_void_keeps_the_purchase_and_takes_it_out_of_totals(purchase, caseworker):
    purchase.void(by=caseworker, reason="Logged twice")
    assert Purchase.objects.filter(pk=purchase.pk, voided=True).exists()
    assert not Purchase.objects.counted().exists()
    with pytest.raises(ValidationError, match="already voided"):
        purchase.void(by=caseworker, reason="Again")


def test_only_the_worker_answers_a_query_and_the_answer_sends_it_back_for_review(
        purchase, caseworker, coordinator, leader):
    purchase.review(by=leader, verdict="query", note="What was it for?")
    assert list(Purchase.objects.to_answer()) == [purchase]
    assert not Purchase.objects.to_review().exists()
    with pytest.raises(ValidationError, match="Only the worker"):
        purchase.answer_query(by=coordinator, text="Food")
    purchase.answer_query(by=caseworker, text="The weekly shop")
    assert not Purchase.objects.to_answer().exists()
    assert list(Purchase.objects.to_review()) == [purchase]


def test_record_advice_names_who_gave_it(purchase, coordinator):
    purchase.advice_asked = True
    purchase.save()
    purchase.record_advice(by=coordinator, text="Fine; next time try the food bank first")
    purchase.refresh_from_db()
    assert purchase.advice_given_by == coordinator and purchase.advice_given_at
    assert purchase.events.order_by("-pgh_id").first().pgh_context["user"] == coordinator.pk


def test_receipt_missing_means_neither_a_receipt_nor_a_reason(purchase, case):
    missing = PurchaseFactory(case=case, no_receipt_reason="")
    assert list(Purchase.objects.receipt_missing()) == [missing]
    assert missing.is_receipt_missing and not purchase.is_receipt_missing


def test_reach_by_role(purchase, other_purchase, caseworker, coordinator, leader, auditor,
                       make_user):
    assert list(Purchase.objects.for_user(caseworker)) == [purchase]
    assert list(Purchase.objects.for_user(coordinator)) == [purchase]
    assert set(Purchase.objects.for_user(leader)) == {purchase, other_purchase}
    assert set(Purchase.objects.for_user(auditor)) == {purchase, other_purchase}
    assert not Purchase.objects.for_user(make_user(Role.ADMIN)).exists()
    assert not Purchase.objects.for_user(make_user()).exists()


def test_a_purchase_is_its_cases_teams_spend_however_it_is_written(purchase, other_team):
    """The team is kept on the purchase for the spend pages' index: save() sets it, and the
    database sets it for any other writer (bulk inserts, SQL), on insert and on a new case."""
    assert purchase.team_id == purchase.case.team_id
    fields = {f.attname: getattr(purchase, f.attname) for f in Purchase._meta.concrete_fields
              if f.attname not in ("id", "team_id")}
    [bulk] = Purchase.objects.bulk_create([Purchase(**fields)])
    assert Purchase.objects.get(pk=bulk.pk).team_id == purchase.case.team_id
    elsewhere = CaseFactory(team=other_team)
    Purchase.objects.filter(pk=bulk.pk).update(case=elsewhere)  # no save(): the trigger
    assert Purchase.objects.get(pk=bulk.pk).team_id == other_team.pk


def test_a_case_never_moves_to_another_team(purchase, other_team):
    """Its purchases keep its team for their spend and who may see them."""
    from caseload.models import Case

    with pytest.raises(DatabaseError), transaction.atomic():
        Case.objects.filter(pk=purchase.case_id).update(team=other_team)
    assert Case.objects.get(pk=purchase.case_id).team_id == purchase.team_id


def test_a_purchases_category_is_named_as_django_names_it():
    from django.db.models import Model

    for value, label in Purchase.Category.choices:
        purchase = Purchase(category=value)
        assert purchase.get_category_display() == label
        assert Model._get_FIELD_display(purchase, Purchase._meta.get_field("category")) == label
    assert Purchase(category="retired_category").get_category_display() == "retired_category"
