"""A purchase as a list's row (purchases.rows.PurchaseRow, read as plain values) says what the
model says, in every state a purchase can be in, and its status tags are written the same."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.roles import Role
from accounts.templatetags.jinja_include import jinja_include
from purchases.models import Purchase
from purchases.rows import purchase_rows
from tests.factories import CaseFactory
from tests.purchases.factories import PurchaseFactory

pytestmark = pytest.mark.django_db

SHOWN = ("pk", "date", "merchant", "purpose", "amount", "voided", "advice_asked",
         "advice_given", "review_verdict", "is_receipt_missing", "awaits_answer")


@pytest.fixture
def purchases(team, caseworker, leader, make_user):
    now = timezone.now()
    nameless = make_user(Role.CASEWORKER, team=team, username="ash42", first_name="",
                         last_name="")
    states = {
        "a reason for no receipt": {},
        "receipt missing": {"no_receipt_reason": ""},
        "receipt kept": {"no_receipt_reason": "", "receipt": "receipts/till.pdf"},
        "voided": {"voided": True, "void_reason": "Logged twice", "voided_by": caseworker,
                   "voided_at": now},
        "advice asked": {"advice_asked": True},
        "advice given": {"advice_asked": True, "advice_given": "Fine", "advice_given_by": leader,
                         "advice_given_at": now},
        "reviewed OK": {"review_verdict": "ok", "reviewed_by": leader, "reviewed_at": now},
        "not OK": {"review_verdict": "not_ok", "review_note": "No", "reviewed_by": leader,
                   "reviewed_at": now},
        "queried": {"review_verdict": "query", "review_note": "Which shop?",
                    "reviewed_by": leader, "reviewed_at": now},
        "query answered": {"review_verdict": "query", "review_note": "Which shop?",
                           "reviewed_by": leader, "reviewed_at": now - timedelta(hours=1),
                           "query_answered_at": now},
        "queried, then voided": {"review_verdict": "query", "review_note": "Which shop?",
                                 "reviewed_by": leader, "reviewed_at": now, "voided": True,
                                 "void_reason": "Refunded", "voided_by": caseworker,
                                 "voided_at": now},
        "heating, by someone with no name": {"category": Purchase.Category.HEATING},
    }
    made = []
    for name, state in states.items():
        worker = nameless if "no name" in name else caseworker
        purchase = PurchaseFactory(case=CaseFactory(team=team, lead=worker), merchant=name)
        Purchase.objects.filter(pk=purchase.pk).update(**state)
        made.append(purchase.pk)
    return made


def test_a_row_says_what_the_model_says_in_every_state(purchases):
    models = Purchase.objects.filter(pk__in=purchases).select_related("case", "worker")
    rows = purchase_rows(Purchase.objects.filter(pk__in=purchases).for_rows())
    assert len(rows) == len(purchases)
    by_pk = {model.pk: model for model in models}
    for row in rows:
        model = by_pk[row.pk]
        assert [getattr(row, name) for name in SHOWN] == [getattr(model, n) for n in SHOWN]
        assert (row.case_reference, row.worker, row.category_label) == (
            model.case.reference, str(model.worker), model.get_category_display())
        assert (jinja_include("purchases/includes/status_tags.jinja", purchase=row)
                == jinja_include("purchases/includes/status_tags.jinja", purchase=model))


def test_the_states_are_told_apart(purchases):
    rows = {row.merchant: row for row in purchase_rows(
        Purchase.objects.filter(pk__in=purchases).for_rows())}
    assert rows["receipt missing"].is_receipt_missing
    assert not rows["receipt kept"].is_receipt_missing
    assert not rows["a reason for no receipt"].is_receipt_missing
    assert rows["queried"].awaits_answer
    assert not rows["query answered"].awaits_answer
    assert not rows["queried, then voided"].awaits_answer
    assert rows["heating, by someone with no name"].worker == "ash42"
    assert rows["heating, by someone with no name"].category_label == "Heating and energy"
