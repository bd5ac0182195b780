import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from purchases.models import BudgetPot, Card, Purchase
from tests.factories import CaseFactory, TeamFactory, UserFactory


class CardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Card

    holder = factory.SubFactory(UserFactory)
    team = factory.SubFactory(TeamFactory)
    last_four = factory.Sequence(lambda n: f"{4000 + n % 6000:04d}")


class BudgetPotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BudgetPot

    team = factory.SubFactory(TeamFactory)
    period_start = factory.LazyFunction(lambda: timezone.localdate().replace(day=1))
    period_end = factory.LazyAttribute(
        lambda p: (p.period_start + datetime.timedelta(days=32)).replace(day=1))
    amount = Decimal("2000.00")


class PurchaseFactory(factory.django.DjangoModelFactory):
    """A PLAN-checked purchase with a reason for having no receipt."""

    class Meta:
        model = Purchase

    case = factory.SubFactory(CaseFactory)
    worker = factory.LazyAttribute(lambda p: p.case.lead)
    card = factory.LazyAttribute(lambda p: CardFactory(holder=p.worker, team=p.case.team))
    created_by = factory.LazyAttribute(lambda p: p.worker)
    updated_by = factory.LazyAttribute(lambda p: p.worker)
    date = factory.LazyFunction(timezone.localdate)
    merchant = "Asda"
    amount = Decimal("23.50")
    category = Purchase.Category.FOOD
    purpose = "Food shop: cupboards empty until payday"
    plan_proportionate = plan_legal = plan_auditable = plan_necessary = True
    plan_proportionate_reason = "A week's basics, nothing more"
    plan_legal_reason = "Ordinary groceries"
    plan_auditable_reason = "Linked to the case, receipt kept"
    plan_necessary_reason = "No food in the house and no money until Friday"
    no_receipt_reason = "Till receipt lost"
