import time

import pytest

from accounts.demo import seed_accounts
from accounts.services import roles_apply
from caseload import demo as caseload_demo
from purchases import demo
from purchases.models import BudgetPot, Card, Purchase

pytestmark = pytest.mark.django_db


def test_demo_spend_is_believable_quick_and_idempotent(settings, tmp_path):
    roles_apply()
    context = seed_accounts()
    caseload_demo.seed(context)
    started = time.monotonic()
    demo.seed(context)
    assert time.monotonic() - started < 10
    purchases = Purchase.objects.filter(case__team=context.team)
    assert 100 <= purchases.count() <= 120
    assert Card.objects.count() == len(context.caseworkers)
    assert BudgetPot.objects.filter(team=context.team).count() == demo.MONTHS + 1
    assert purchases.filter(voided=True).count() == 2
    assert purchases.filter(review_verdict="not_ok").count() == 2
    assert purchases.to_answer().count() == 2
    assert purchases.filter(review_verdict="query").exclude(query_answer="").count() == 4
    assert purchases.filter(advice_asked=True).exclude(advice_given="").count() >= 3
    assert purchases.filter(advice_asked=True, advice_given="").exists()
    assert purchases.receipt_missing().exists()
    assert purchases.exclude(receipt="").count() > 40
    assert purchases.to_review().exists()
    reviewed = purchases.filter(review_verdict="ok").first()
    assert reviewed.events.order_by("-pgh_id").first().pgh_context["user"] == reviewed.reviewed_by_id

    demo.seed(context)
    assert Purchase.objects.count() == purchases.count()
    assert Card.objects.count() == len(context.caseworkers)
