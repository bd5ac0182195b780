from decimal import Decimal

import pytest

from purchases.models import Purchase
from purchases.services import case_spend
from tests.purchases.factories import PurchaseFactory

pytestmark = pytest.mark.django_db


def test_case_spend_totals_what_is_not_voided_in_one_query(
        case, caseworker, card, django_assert_num_queries):
    PurchaseFactory(case=case, card=card, amount=Decimal("20.00"), merchant="EDF top-up")
    PurchaseFactory(case=case, card=card, amount=Decimal("140.00"), merchant="Halfords")
    PurchaseFactory(case=case, card=card, amount=Decimal("5.00")).void(by=caseworker,
                                                                       reason="Twice")
    with django_assert_num_queries(1):
        spend = case_spend(case)
        shown = [(p.merchant, p.amount, p.voided, p.worker) for p in spend.purchases]
    assert spend.total == Decimal("160.00") and spend.count == 2
    assert shown == [(p.merchant, p.amount, p.voided, str(p.worker)) for p in Purchase.objects
                     .filter(case=case).select_related("worker").order_by("-date", "-pk")]
    assert len(shown) == 3


def test_the_case_page_shows_the_cases_spend(signed_in, caseworker, case, purchase):
    page = signed_in(caseworker).get(f"/cases/{case.pk}/").text
    assert "£23.50 at Asda" in page
    assert f"/purchases/new?case={case.pk}" in page
