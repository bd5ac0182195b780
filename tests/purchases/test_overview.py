"""The spend overview: this period's spend against the pot, by category, month, worker and
case, flagged and unusual items, voided purchases excluded, in a bounded number of queries."""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from purchases.models import Purchase
from purchases.services import spend_overview
from tests.purchases.factories import BudgetPotFactory, PurchaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pot(team):
    start = timezone.localdate().replace(day=1)
    return BudgetPotFactory(team=team, period_start=start, amount=Decimal("1000.00"))


@pytest.fixture
def spend(pot, case, caseworker, card, coordinator, leader):
    """Nine £20 food shops, a £200 food shop, a £30 bus pass by the coordinator (queried),
    a voided £500 and last period's £40."""
    day = pot.period_start
    shops = [PurchaseFactory(case=case, worker=caseworker, card=card, date=day,
                             amount=Decimal("20.00")) for _ in range(9)]
    big = PurchaseFactory(case=case, worker=caseworker, card=card, date=day,
                          amount=Decimal("200.00"), merchant="Big Shop", advice_asked=True)
    bus = PurchaseFactory(case=case, worker=coordinator, date=day, amount=Decimal("30.00"),
                          category=Purchase.Category.TRANSPORT, merchant="Buses")
    bus.review(by=leader, verdict=Purchase.Verdict.QUERY, note="Which journey?")
    voided = PurchaseFactory(case=case, worker=caseworker, card=card, date=day,
                             amount=Decimal("500.00"), merchant="Mistake")
    voided.void(by=caseworker, reason="Logged twice")
    PurchaseFactory(case=case, worker=caseworker, card=card,
                    date=day - datetime.timedelta(days=1), amount=Decimal("40.00"))
    return {"shops": shops, "big": big, "bus": bus, "voided": voided}


def test_the_figures_count_this_period_and_leave_out_voided(team, pot, spend, case):
    overview = spend_overview(team=team, today=timezone.localdate())
    assert overview.total == Decimal("410.00") and overview.count == 11
    assert overview.left == Decimal("590.00")
    assert overview.by_category == [("Food", Decimal("380.00"), 10),
                                    ("Transport", Decimal("30.00"), 1)]
    assert overview.by_month == [(pot.period_start, Decimal("410.00"), 11)]
    assert overview.by_worker == [("Casey Bell", Decimal("380.00"), 10),
                                  ("Cora Hepple", Decimal("30.00"), 1)]
    assert overview.top_cases == [(case.reference, Decimal("410.00"), 11)]
    assert overview.remaining_by_day == [(pot.period_start, Decimal("590.00"))]


def test_days_workers_and_cases_are_added_up_apart_and_in_order(team, pot, case, caseworker,
                                                               coordinator, card):
    from tests.factories import CaseFactory

    second = CaseFactory(team=team, lead=caseworker)
    first_day, later = pot.period_start, pot.period_start + datetime.timedelta(days=3)
    for day, worker, on_case, amount in [
            (later, caseworker, case, "5.00"), (first_day, coordinator, second, "12.50"),
            (first_day, caseworker, case, "7.50"), (later, coordinator, second, "0.01")]:
        cards = {"card": card} if worker == caseworker else {}  # the factory gives others one
        PurchaseFactory(case=on_case, worker=worker, date=day, amount=Decimal(amount), **cards)
    overview = spend_overview(team=team, today=timezone.localdate())
    assert overview.remaining_by_day == [(first_day, Decimal("980.00")),
                                         (later, Decimal("974.99"))]
    assert overview.by_worker == [("Cora Hepple", Decimal("12.51"), 2),
                                  ("Casey Bell", Decimal("12.50"), 2)]
    assert overview.top_cases == [(second.reference, Decimal("12.51"), 2),
                                  (case.reference, Decimal("12.50"), 2)]
    assert overview.by_month == [(first_day, Decimal("25.01"), 4)]
    assert (overview.total, overview.count) == (Decimal("25.01"), 4)


def test_the_top_cases_break_a_tie_at_the_cut_by_reference(team, pot, caseworker, card):
    from purchases.services import TOP_CASES
    from tests.factories import CaseFactory

    # TOP_CASES cases spend £100, £99, ... £91; then three more, numbered below them all
    # (the lowest references, though made last), spend £91 each. The tenth place is a
    # four-way tie at £91, which the lowest reference wins: one of the last three made.
    def numbered(number):
        return CaseFactory(team=team, lead=caseworker, number=number,
                           reference=f"{team.case_prefix}-{number:04d}")

    ranked = [numbered(100 + n) for n in range(TOP_CASES)]
    tied_early = [numbered(n) for n in (1, 2, 3)]
    amounts = [(case, Decimal(91)) for case in tied_early] + [
        (case, Decimal(100 - n)) for n, case in enumerate(ranked)]
    for case, amount in amounts:
        PurchaseFactory(case=case, worker=caseworker, card=card, date=pot.period_start,
                        amount=amount)
    top = spend_overview(team=team, today=timezone.localdate()).top_cases
    first_tied = min([*tied_early, ranked[-1]], key=lambda case: case.reference)
    assert [reference for reference, _, _ in top] == (
        [case.reference for case in ranked[:TOP_CASES - 1]] + [first_tied.reference])
    assert first_tied in tied_early and top[-1][1] == Decimal(91)


def test_flagged_and_unusual_items_follow_the_stated_rule(team, pot, spend):
    overview = spend_overview(team=team, today=timezone.localdate())
    assert [p.merchant for p in overview.flagged] == ["Big Shop", "Buses"]
    # The food median over 12 months is £20 (the £40 counts; the voided £500 does not),
    # so £200 is unusual and £40 is not.
    assert [(p.merchant, median) for p, median in overview.unusual] == [
        ("Big Shop", Decimal("20.00"))]


def test_each_teams_medians_are_kept_for_a_while_and_the_page_says_so(
        team, pot, spend, case, caseworker, settings, signed_in, leader):
    """The year of medians is the overview's slowest query: each process keeps it for
    SPEND_MEDIANS_SECONDS. Which purchases are above it is decided afresh each time."""
    from django.core.cache import cache

    settings.SPEND_MEDIANS_SECONDS = 600
    cache.clear()
    today = timezone.localdate()
    assert spend_overview(team=team, today=today).unusual[0][1] == Decimal("20.00")
    for _ in range(15):  # the food median moves from £20 to £200
        PurchaseFactory(case=case, worker=caseworker, date=today, amount=Decimal("200.00"),
                        category=Purchase.Category.FOOD)
    PurchaseFactory(case=case, worker=caseworker, date=today, merchant="Late",
                    amount=Decimal("90.00"), category=Purchase.Category.FOOD)
    kept = spend_overview(team=team, today=today)
    assert ("Late", Decimal("20.00")) in [(p.merchant, m) for p, m in kept.unusual]
    page = signed_in(leader).get(f"/purchases/overview?team={team.pk}").text
    assert "The medians are worked out again every 10 minutes." in page
    cache.clear()  # as when the ten minutes are up
    assert spend_overview(team=team, today=today).unusual == []  # nothing is over £600


def test_how_often_the_medians_are_worked_out_is_said_in_words():
    from purchases.views.spend import _every

    assert [_every(n) for n in (600, 60, 90, 1, 0)] == [
        "10 minutes", "1 minute", "90 seconds", "1 second", ""]


def test_leaders_see_the_page_with_charts_and_tables(signed_in, leader, team, pot, spend,
                                                     django_assert_max_num_queries):
    client = signed_in(leader)
    with django_assert_max_num_queries(20):
        response = client.get(f"/purchases/overview?team={team.pk}")
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('role="img"') == 3 and "style=" not in page
    assert "Pot £1,000.00, spent £410.00, left £590.00." in page
    assert "More than 3 times the median amount for its category" in page
    assert "Mistake" not in page and "Joanne" not in page


def test_each_listed_purchase_links_to_itself_with_its_case_worker_and_why(
        signed_in, leader, team, pot, spend, case, caseworker, coordinator):
    """The flagged and unusual purchases are kept as plain values (purchases.services.Listed),
    read back out of the cache: the page still shows each one whole."""
    from django.core.cache import cache

    cache.clear()
    client = signed_in(leader)
    for _ in range(2):  # worked out, then kept
        page = client.get(f"/purchases/overview?team={team.pk}").text
        flagged = page.split('id="flagged"')[1].split('id="unusual"')[0]
        unusual = page.split('id="unusual"')[1]
        big, bus = spend["big"], spend["bus"]
        day = big.date.strftime("%-d %b")
        assert (f'<a class="govuk-link" href="/purchases/{big.pk}/">Big Shop, {day}</a> by '
                f'{caseworker.get_full_name()}</td><td class="govuk-table__cell">'
                f'{case.reference}</td><td class="govuk-table__cell"><strong class="govuk-tag '
                f'govuk-tag--blue">Advice asked</strong>') in flagged
        assert (f'<a class="govuk-link" href="/purchases/{bus.pk}/">Buses, {day}</a> by '
                f'{coordinator.get_full_name()}') in flagged
        assert '<strong class="govuk-tag govuk-tag--yellow">Queried</strong>' in flagged
        assert (f'<a class="govuk-link" href="/purchases/{big.pk}/">Big Shop, {day}</a> '
                f'({big.get_category_display()})</td><td class="govuk-table__cell">'
                f'{case.reference}</td>') in unusual
        assert "£200.00" in unusual and "£20.00" in unusual


def test_coordinators_see_their_own_team_only(signed_in, coordinator, other_team, pot, spend):
    client = signed_in(coordinator)
    assert "£410.00" in client.get("/purchases/overview").content.decode()
    assert client.get(f"/purchases/overview?team={other_team.pk}").status_code == 404


def test_caseworkers_and_auditors_cannot_see_the_overview(signed_in, caseworker, auditor):
    for user in (caseworker, auditor):
        assert signed_in(user).get("/purchases/overview").status_code == 403


def test_without_a_pot_the_calendar_month_is_shown(signed_in, leader, team, case, caseworker,
                                                   card):
    PurchaseFactory(case=case, worker=caseworker, card=card, amount=Decimal("12.00"))
    page = signed_in(leader).get(f"/purchases/overview?team={team.pk}").content.decode()
    assert "has no budget pot for this period" in page and "£12.00" in page


def test_the_page_lists_twenty_of_each_and_shows_all_on_request(signed_in, leader, team, pot,
                                                               case, caseworker, card):
    """The flagged and unusual lists are counted in full; the page lists 20 of each (the
    unusual furthest above their median first) and everything when asked."""
    day = pot.period_start
    for n in range(30):
        PurchaseFactory(case=case, worker=caseworker, card=card, date=day,
                        amount=Decimal("10.00"), merchant=f"Small {n}")
    for n in range(25):
        PurchaseFactory(case=case, worker=caseworker, card=card, date=day,
                        amount=Decimal(100 + n), merchant=f"Big {n:02d}", advice_asked=True)
    overview = spend_overview(team=team, today=timezone.localdate(), shown=20)
    assert (overview.flagged_count, overview.unusual_count) == (25, 25)
    assert len(overview.flagged) == 20 and len(overview.unusual) == 20
    assert overview.unusual[0][0].merchant == "Big 24"  # the furthest above the median
    client = signed_in(leader)
    page = client.get(f"/purchases/overview?team={team.pk}").content.decode()
    assert "The first 20 of 25, oldest first." in page and "Big 04" not in page.split(
        'id="unusual"')[1]
    assert f'href="?team={team.pk}&amp;all=1#unusual"' in page
    everything = client.get(f"/purchases/overview?team={team.pk}&all=1").content.decode()
    assert all(f"Big {n:02d}" in everything.split('id="unusual"')[1] for n in range(25))
    assert "The first 20" not in everything


@pytest.mark.django_db(transaction=True)  # commits, as requests do: only then is it kept
def test_the_kept_overview_shows_every_committed_change_at_once(
        committed, signed_in, leader, team, pot, case, caseworker, card,
        django_assert_max_num_queries):
    """Kept between views (accounts/stamps.py), and worked out again after any write to the
    team's spend or to a name in it: the next view after a change shows it."""
    PurchaseFactory(case=case, worker=caseworker, card=card, date=pot.period_start,
                    amount=Decimal("25.00"), merchant="Corner shop", advice_asked=True)
    client = signed_in(leader)
    address = f"/purchases/overview?team={team.pk}"
    first = client.get(address).content.decode()
    assert "1 purchase, £25.00 in total" in first and "Casey Bell" in first
    with django_assert_max_num_queries(9):  # kept: nothing of the spend is read again
        again = client.get(address).content.decode()
    assert again.split("<main")[1] == first.split("<main")[1]  # the page's tokens differ
    late = PurchaseFactory(case=case, worker=caseworker, card=card, date=pot.period_start,
                           amount=Decimal("5.00"), merchant="Late shop")
    assert "2 purchases, £30.00 in total" in client.get(address).content.decode()
    Purchase.objects.filter(pk=late.pk).update(advice_asked=True)  # not through save()
    assert "Late shop" in client.get(address).content.decode().split('id="flagged"')[1]
    caseworker.last_name = "Robson"
    caseworker.save()
    page = client.get(address).content.decode()
    assert "Casey Robson" in page and "Casey Bell" not in page
    pot.amount = Decimal("2000.00")
    pot.save()
    assert "Pot £2,000.00, spent £30.00, left £1,970.00." in client.get(address).content.decode()


def test_of_two_pots_covering_today_the_one_starting_later_is_shown(signed_in, leader, team):
    """A year's pot made first, then this month's inside it: the overview is of this month's,
    as the pots' own order (latest start first) has them."""
    today = timezone.localdate()
    BudgetPotFactory(team=team, period_start=today.replace(month=1, day=1),
                     period_end=today.replace(year=today.year + 1, month=1, day=1),
                     amount=Decimal("12000.00"))
    BudgetPotFactory(team=team, amount=Decimal("900.00"))
    page = signed_in(leader).get(f"/purchases/overview?team={team.pk}").text
    assert "Pot £900.00, spent £0.00, left £900.00." in page


def test_the_team_select_lists_every_team_for_a_leader_and_own_teams_for_a_coordinator(
        signed_in, leader, coordinator, team, other_team, pot, spend):
    """The team shown and the options come from compiled queries of one rule
    (purchases.permissions.overview_team and overview_team_names): a leader's of every team, a
    coordinator's of their own teams. Each sees the teams they may choose, by name, with the
    shown team chosen, and without one asked for, the first by name."""
    from accounts.models import Membership, Team

    third = Team.objects.create(name="Aardvark team", case_prefix="AAR")
    Membership.objects.create(user=coordinator, team=third)
    options = re.compile(r'<option value="(\d+)"( selected)?>([^<]*)</option>')
    leader_page = signed_in(leader).get(f"/purchases/overview?team={other_team.pk}").text
    assert options.findall(leader_page) == [
        (str(t.pk), " selected" if t == other_team else "", t.name)
        for t in Team.objects.order_by("name")]
    coordinator_page = signed_in(coordinator).get(f"/purchases/overview?team={team.pk}").text
    assert options.findall(coordinator_page) == [
        (str(third.pk), "", "Aardvark team"), (str(team.pk), " selected", team.name)]
    first = signed_in(coordinator).get("/purchases/overview").text
    assert options.findall(first) == [
        (str(third.pk), " selected", "Aardvark team"), (str(team.pk), "", team.name)]
    assert signed_in(leader).get("/purchases/overview?team=999999").status_code == 404
