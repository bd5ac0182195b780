"""The demo team's six months tell the story the service is for, from the figures themselves."""

import pytest
from django.utils import timezone

from accounts.demo import seed_accounts
from accounts.services import roles_apply
from caseload import demo
from caseload.models import Case, Debt, EnforcementDecision, Hold
from learning import figures

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    roles_apply()
    context = seed_accounts()
    demo.seed(context)
    return context


def test_enforcement_falls_by_three_quarters_while_holds_rise(seeded):
    period = figures.Period.ending(timezone.localdate(), demo.MONTHS)
    decisions = EnforcementDecision.objects.filter(case__team=seeded.team)
    by_month = figures.enforcement_by_month(decisions, period)
    assert by_month.series["Went ahead"] == demo.WENT_AHEAD_BY_MONTH
    assert by_month.series["Avoided"] == demo.AVOIDED_BY_MONTH
    assert figures.enforcement_change(by_month, period).endswith(
        "That is down by three-quarters.")

    holds = figures.holds_by_month(Hold.objects.filter(case__team=seeded.team), period)
    asked = holds.series["Asked for"]
    assert asked == demo.HOLDS_ASKED
    assert sum(asked[3:]) > 2 * sum(asked[:3])


def test_holds_are_believable(seeded):
    holds = Hold.objects.filter(case__team=seeded.team)
    today = timezone.localdate()
    assert holds.filter(status=Hold.Status.REQUESTED).count() == 2
    assert holds.filter(status=Hold.Status.DECLINED).count() == 1
    assert holds.filter(status=Hold.Status.ENDED).exists()
    assert holds.filter(status=Hold.Status.GRANTED, review_on__lt=today).count() == 2
    assert holds.filter(status=Hold.Status.GRANTED, review_on__gt=today).exists()
    for hold in holds.select_related("case"):
        assert hold.case.opened_on <= timezone.localtime(hold.requested_at).date()


def test_most_debts_turn_out_to_be_cant_pay_as_people_are_known(seeded):
    debts = Debt.objects.filter(case__team=seeded.team)
    split = {status: n for status, _, n, _ in figures.debt_split(debts)}
    known = split["cant_pay"] + split["wont_pay"]
    assert split["cant_pay"] / known >= 0.9
    first_vs_now = figures.debt_first_vs_now(debts)
    assert first_vs_now.get(("not_known", "cant_pay"), 0) >= 5
    assert first_vs_now.get(("wont_pay", "cant_pay"), 0) >= 1


def test_seeding_twice_adds_nothing(seeded):
    counts = Case.objects.count(), Hold.objects.count(), EnforcementDecision.objects.count()
    demo.seed(seeded)
    assert (Case.objects.count(), Hold.objects.count(),
            EnforcementDecision.objects.count()) == counts
