"""Each figure on the hand-made story in factories.py: April to June 2026, today 20 June.
Another team's rows are in the story too; none of them may be counted."""

from datetime import date
from decimal import Decimal

import pytest

from learning import figures as f
from learning.report import Scope
from tests.learning.factories import TODAY

pytestmark = pytest.mark.django_db

APR, MAY, JUN = date(2026, 4, 1), date(2026, 5, 1), date(2026, 6, 1)


@pytest.fixture
def scope(story):
    return Scope(story.team, story.period)


def test_the_period_is_whole_months_up_to_today():
    period = f.Period.ending(date(2026, 1, 15), 3)
    assert period.months == (date(2025, 11, 1), date(2025, 12, 1), date(2026, 1, 1))
    assert (period.start, period.end) == (date(2025, 11, 1), date(2026, 1, 15))
    assert period.halves() == ((date(2025, 11, 1),), (date(2026, 1, 1),))
    six = f.Period.ending(TODAY, 6)
    assert six.halves() == (six.months[:3], six.months[3:])


def test_open_cases_came_and_closed_by_month(scope):
    m = f.open_cases_by_month(scope.cases(), scope.period)
    assert m.months == [APR, MAY, JUN]
    assert m.series == {"Open at the month's end": [3, 3, 4], "Came to the team": [1, 1, 1],
                        "Closed": [0, 1, 0]}


def test_time_with_the_team_spreads_the_people_open_today(scope):
    d = f.time_with_team(scope.cases(), TODAY)  # 10, 49, 102 and 166 days
    assert d.count == 4
    assert (d.minimum, d.lower_quartile, d.median, d.upper_quartile, d.maximum) == (
        10, 39.25, 75.5, 118, 166)
    assert d.mean == pytest.approx(81.75)
    assert d.bins == [("Under a month", 1), ("1 to 3 months", 1), ("3 to 6 months", 2),
                      ("6 to 12 months", 0), ("Over a year", 0)]


def test_days_from_first_contact_to_first_working(scope, story):
    points, total = f.days_to_first_working(scope.cases(), scope.period)
    # A: first met 12 March, first "working" 5 May. C: no contact logged, so from the day
    # the case opened (2 May) to 15 June. F's first "working" was before the period.
    assert [(p.reference, p.first_working, p.days) for p in points] == [
        (story.cases["A"].reference, date(2026, 5, 5), 54),
        (story.cases["C"].reference, date(2026, 6, 15), 44)]
    assert total == 2
    latest, total = f.days_to_first_working(scope.cases(), scope.period, limit=1)
    assert [p.days for p in latest] == [44] and total == 2


def test_stuck_counts_each_person_once_a_month(scope):
    m = f.stuck_by_month(scope.entries(), scope.period)
    assert m.series == {"People talked about": [2, 3, 2], "Stuck at least once": [2, 1, 0]}


def test_outcomes_by_kind_and_benefits_gained_per_week(scope):
    kinds, benefits = f.outcomes_by_month(scope.outcomes(), scope.period)
    assert kinds.series == {"Into work": [0, 1, 0], "Benefits gained": [1, 1, 1]}
    assert benefits.series == {"Benefits gained": [1, 1, 1], "£ a week": [
        Decimal("50.00"), Decimal("30.50"), Decimal("20.00")]}


def test_holds_asked_granted_and_ended_in_london_months(scope):
    m = f.holds_by_month(scope.holds(), scope.period)
    # The second hold was granted at 00:30 on 1 May in London: May, not April.
    assert m.series == {"Asked for": [2, 1, 1], "Granted": [1, 1, 0], "Ended": [0, 0, 1]}


def test_enforcement_went_ahead_or_avoided_and_says_how_it_changed(scope):
    m = f.enforcement_by_month(scope.decisions(), scope.period)
    assert m.series == {"Went ahead": [2, 0, 0], "Avoided": [0, 1, 1]}
    assert f.enforcement_change(m, scope.period) == (
        "Enforcement went ahead twice in the first month of the period and not at all in the "
        "last. That is down to none.")


@pytest.mark.parametrize("went, said", [
    ([2, 1, 1, 0, 1, 0], "Enforcement went ahead 4 times in the first 3 months of the period "
                         "and once in the last 3. That is down by three-quarters."),
    ([1, 0, 0, 1, 1, 0], "Enforcement went ahead once in the first 3 months of the period and "
                         "twice in the last 3. That is up from 1 to 2."),
    ([0, 0, 0, 0, 0, 0], "Enforcement did not go ahead in the first 3 months of the period, "
                         "nor in the last 3."),
    ([0, 0, 0, 2, 1, 0], "No enforcement decision was recorded in the first 3 months of the "
                         "period, so there is nothing to compare yet; enforcement went ahead 3 "
                         "times in the last 3."),
    ([3, 0, 0, 1, 0, 0], "Enforcement went ahead 3 times in the first 3 months of the period "
                         "and once in the last 3. That is down by 67%."),
])
def test_the_enforcement_sentence_follows_the_figures(went, said):
    period = f.Period.ending(TODAY, 6)
    m = f.Monthly(list(period.months), {"Went ahead": went, "Avoided": [0] * 6})
    assert f.enforcement_change(m, period) == said


def test_should_we_answers_newest_first(scope):
    answers, total = f.should_we_answers(scope.decisions(), scope.period, limit=2)
    assert [a.should_we for a in answers] == ["No: there is a plan",
                                              "No: can't pay, not won't pay"]
    assert total == 4


def test_cant_pay_and_wont_pay_split_by_count_and_amount(scope):
    assert f.debt_split(scope.debts()) == [
        ("cant_pay", "Can't pay", 2, Decimal("350.50")),
        ("wont_pay", "Won't pay", 1, Decimal("40.00")),
        ("not_known", "Not known yet", 1, Decimal("10.00"))]


def test_first_recorded_status_comes_from_the_debts_history(scope):
    assert f.debt_first_vs_now(scope.debts()) == {
        ("not_known", "cant_pay"): 1, ("cant_pay", "cant_pay"): 1,
        ("wont_pay", "wont_pay"): 1, ("not_known", "not_known"): 1}


def test_issue_flow(scope):
    raised = f.issues_raised_by_level(scope.issues(), scope.period)
    assert raised.series == {"1 Method": [1, 0, 0], "2 System": [1, 1, 0],
                             "3 Macro": [0, 0, 1]}
    assert f.open_issue_ageing(scope.issues(), TODAY) == [
        ("14 days or less", 1), ("15 to 30 days", 0), ("31 to 90 days", 1),
        ("More than 90 days", 1)]
    assert f.new_normal_by_month(scope.issues(), scope.period).series == {
        "System change made": [0, 1, 0], "Countermeasure became the normal way": [0, 0, 1]}
    assert f.issue_categories(scope.issues(), scope.period) == [
        ("Rule or policy", 2), ("Regulation or law", 1), ("Process", 1)]


def test_spend_per_person_is_a_distribution_without_voided_spend(scope):
    d = f.spend_per_person(scope.purchases(), scope.period)  # £5, £40, £100, £250
    assert d.count == 4
    assert (d.minimum, d.lower_quartile, d.median, d.upper_quartile, d.maximum) == (
        5, 31.25, 70, 137.5, 250)
    assert d.mean == pytest.approx(98.75)
    assert d.bins == [("Under £25", 1), ("£25 to £50", 1), ("£50 to £100", 0),
                      ("£100 to £200", 1), ("£200 to £400", 1), ("£400 or more", 0)]


def test_spend_by_category_and_against_the_pot(scope):
    money = [Decimal(v) for v in ("0.00",)]
    zero = money[0]
    assert f.spend_by_category(scope.purchases(), scope.period).series == {
        "Food": [Decimal("10.00"), zero, Decimal("5.00")],
        "Clothing": [zero, zero, Decimal("250.00")],
        "Transport": [zero, Decimal("30.00"), zero],
        "Household and furniture": [Decimal("100.00"), zero, zero]}
    assert f.spend_against_pots(scope.purchases(), scope.pots(), scope.period).series == {
        "Budget pot": [Decimal("1000.00"), Decimal("1000.00"), Decimal("1500.00")],
        "Spent": [Decimal("110.00"), Decimal("30.00"), Decimal("255.00")]}


def test_value_work_by_complexity_band(scope):
    assert f.strokes_by_band(scope.strokes(), scope.period).series == {
        "Simple (1 to 2)": [2, 0, 1], "Middling (3)": [0, 1, 0], "Complex (4 to 5)": [1, 0, 0]}


def test_failure_demand_share_of_contacts(scope):
    # 00:30 on 1 May in London is still 30 April in UTC: it counts for May.
    assert f.failure_demand_by_month(scope.contacts(), scope.period).series == {
        "Contacts": [3, 4, 0], "Failure demand": [1, 1, 0],
        "Failure demand share (%)": [33.3, 25.0, None]}


def test_welfare_average_is_hidden_when_fewer_than_three_answered(scope):
    months = f.welfare_by_month(scope.welfare(), scope.period)
    assert [(w.answers, w.average, w.teams_left_out) for w in months] == [
        (4, 3.5, 0), (None, None, 1), (3, 4.3, 0)]


def test_welfare_across_teams_leaves_out_only_the_small_team(story):
    months = f.welfare_by_month(Scope(None, story.period).welfare(), story.period)
    assert [(w.answers, w.average, w.teams_left_out) for w in months] == [
        (4, 3.5, 0), (3, 1.0, 1), (3, 4.3, 0)]


def test_specialists_pulled_in_per_person_and_by_kind(scope):
    d = f.pulls_per_person(scope.cases(), scope.period)  # A 2, B 1; C, D and F none
    assert d.count == 5
    assert d.bins == [("None", 3), ("One", 1), ("Two", 1), ("Three or more", 0)]
    assert f.pulls_by_kind(scope.pulls(), scope.period) == [
        ("Citizens Advice debt adviser", 2), ("DWP work coach", 1)]


def test_every_team_counts_the_other_teams_rows_too(story):
    everyone = Scope(None, story.period)
    assert f.holds_by_month(everyone.holds(), story.period).series["Asked for"] == [2, 2, 1]
    assert ("Police or probation", 1) in f.pulls_by_kind(everyone.pulls(), story.period)
