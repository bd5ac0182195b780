"""The order of the debrief's people (debriefs.services.debrief_people): anything new since
the last debrief first, then those not discussed for longest, then by case number. Its query is
compiled once per process and run with each debrief's values, so these tests also run it for
debriefs on different days, with and without an earlier debrief, in one process."""

import datetime

import pytest

from accounts.shortcuts import local_midnight
from caseload.models import Hold
from debriefs.models import Debrief, Entry
from debriefs.services import debrief_people
from tests.factories import CaseFactory, ContactFactory
from tests.purchases.factories import PurchaseFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 11)  # a Wednesday
YESTERDAY = TODAY - datetime.timedelta(days=1)


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return local_midnight(day) + datetime.timedelta(hours=hour)


@pytest.fixture
def earlier(team, coordinator):
    """The team's debriefs before today's, on days 1, 3 and 10 days ago."""
    return {n: Debrief.objects.create(team=team, held_on=TODAY - datetime.timedelta(days=n),
                                      started_by=coordinator) for n in (1, 3, 10)}


def _discussed(earlier, case, days_ago, coordinator, progress="working"):
    Entry.objects.create(debrief=earlier[days_ago], case=case, progress=progress,
                         updated_by=coordinator)


@pytest.fixture
def cases(team, coordinator, earlier):
    """One case for each reason a person comes where they do, made in case-number order."""
    made = {name: CaseFactory(team=team, lead=coordinator, person__name=name.title())
            for name in ["quiet", "contact today", "old contact", "spend today", "advice",
                         "hold due", "hold later", "discussed 3", "discussed 10",
                         "not discussed", "new and discussed"]}
    ContactFactory(case=made["contact today"], happened_at=_at(TODAY, 0),
                   what_happened="Gas back on")
    ContactFactory(case=made["old contact"], happened_at=_at(YESTERDAY, 23))
    PurchaseFactory(case=made["spend today"], date=TODAY)
    PurchaseFactory(case=made["advice"], date=TODAY - datetime.timedelta(days=40),
                    advice_asked=True)
    for name, review_on in [("hold due", TODAY), ("hold later", TODAY + datetime.timedelta(1))]:
        Hold.objects.create(case=made[name], kind="bailiff", reason="Working with them",
                            status="granted", requested_by=coordinator, review_on=review_on)
    for name, days_ago in [("discussed 3", 3), ("discussed 10", 10), ("new and discussed", 1)]:
        _discussed(earlier, made[name], days_ago, coordinator)
    _discussed(earlier, made["not discussed"], 1, coordinator, progress="not_discussed")
    ContactFactory(case=made["new and discussed"], happened_at=_at(TODAY, 9))
    CaseFactory(team=team, lead=coordinator, status="closed", closed_on=YESTERDAY)  # never in the debrief
    return made


def _order(debrief, since, **kwargs):
    return [row.name for row in debrief_people(debrief, since=since, **kwargs).rows]


def test_new_first_then_longest_undiscussed_then_by_number(team, coordinator, cases):
    today = Debrief.objects.create(team=team, held_on=TODAY, started_by=coordinator)
    assert _order(today, YESTERDAY) == [
        # new since yesterday's debrief: never discussed first, by number
        "Contact Today", "Spend Today", "Advice", "Hold Due",
        "New And Discussed",  # new, but discussed yesterday
        # nothing new: never discussed (a "not discussed" entry does not count), by number
        "Quiet", "Old Contact", "Hold Later", "Not Discussed",
        "Discussed 10", "Discussed 3",
    ]


def test_each_row_says_why_it_is_where_it_is(team, coordinator, cases):
    today = Debrief.objects.create(team=team, held_on=TODAY, started_by=coordinator)
    people = debrief_people(today, since=YESTERDAY)
    rows = {row.name: row for row in people.rows}
    assert people.total == 11 and people.next_start is None
    assert (rows["Contact Today"].contacts_since, rows["Contact Today"].latest_contact) == (
        1, "Gas back on")
    assert rows["Old Contact"].contacts_since is None and not rows["Old Contact"].is_new
    assert rows["Hold Due"].hold_due and not rows["Hold Later"].hold_due
    assert rows["Advice"].advice_asked and not rows["Spend Today"].advice_asked
    assert rows["Discussed 3"].last_discussed == TODAY - datetime.timedelta(days=3)
    assert rows["Not Discussed"].last_discussed is None
    assert rows["Quiet"].lead == str(coordinator) and rows["Quiet"].reference == \
        cases["quiet"].reference


def test_a_later_debrief_runs_the_same_query_with_its_own_days(team, coordinator, cases):
    """Tomorrow, with today's debrief as the last one, today's news is no longer new, and a
    hold due tomorrow is; the entries of today's debrief count as discussed."""
    today = Debrief.objects.create(team=team, held_on=TODAY, started_by=coordinator)
    _order(today, YESTERDAY)  # the query is compiled with today's values first
    Entry.objects.create(debrief=today, case=cases["quiet"], progress="stuck",
                         updated_by=coordinator)
    tomorrow = Debrief.objects.create(team=team, held_on=TODAY + datetime.timedelta(days=1),
                                      started_by=coordinator)
    order = _order(tomorrow, TODAY)
    assert order[:2] == ["Advice", "Hold Due"]  # still waiting for advice; hold still due
    assert order[2] == "Hold Later"  # due tomorrow
    assert order[-1] == "Quiet"  # discussed today, the most recently
    assert order.index("Contact Today") > 2 and order.index("Spend Today") > 2


def test_the_first_debrief_counts_everything_as_new(team, coordinator, cases):
    Debrief.objects.filter(team=team).delete()
    first = Debrief.objects.create(team=team, held_on=TODAY, started_by=coordinator)
    new = [row.name for row in debrief_people(first, since=None).rows if row.is_new]
    assert new == ["Contact Today", "Old Contact", "Spend Today", "Advice", "Hold Due",
                   "New And Discussed"]


def test_pages_of_the_list_follow_on_and_past_the_end_is_empty(team, coordinator, cases):
    today = Debrief.objects.create(team=team, held_on=TODAY, started_by=coordinator)
    whole = _order(today, YESTERDAY)
    pages = [debrief_people(today, since=YESTERDAY, start=start, size=4)
             for start in (0, 4, 8)]
    assert [name for page in pages for name in (r.name for r in page.rows)] == whole
    assert [page.next_start for page in pages] == [4, 8, None]
    past = debrief_people(today, since=YESTERDAY, start=40, size=4)
    assert (past.rows, past.total, past.next_start) == ([], 11, None)


def test_todays_entries_come_with_their_rows(team, coordinator, cases):
    today = Debrief.objects.create(team=team, held_on=TODAY, started_by=coordinator)
    Entry.objects.create(debrief=today, case=cases["advice"], progress="stuck", note="Ask Sam",
                         updated_by=coordinator)
    rows = {row.name: row for row in debrief_people(today, since=YESTERDAY).rows}
    assert (rows["Advice"].entry.progress, rows["Advice"].entry.note) == ("stuck", "Ask Sam")
    assert rows["Quiet"].entry is None
