"""The caseload list's filters, order and pages (caseload.views.cases: one compiled query for
the rows and how many match, accounts/compiled.py)."""

import datetime
import re

import pytest
from django.utils import timezone

from caseload.models import Case, Hold, Person
from tests.factories import CaseFactory, ContactFactory

pytestmark = pytest.mark.django_db


def _names(page: str) -> list[str]:
    body = page.split('<tbody class="govuk-table__body">')[1].split("</tbody>")[0]
    return re.findall(r'href="/cases/\d+/">([^<]+)</a>', body)


@pytest.fixture
def cases(team, caseworker, coordinator, other_case):
    now = timezone.now()
    made = {
        "Ada Open": CaseFactory(team=team, lead=caseworker, person__name="Ada Open"),
        "Ben Closed": CaseFactory(team=team, lead=caseworker, person__name="Ben Closed",
                                  status="closed", closed_on=timezone.localdate()),
        "Cal Coordinated": CaseFactory(team=team, lead=coordinator,
                                       person__name="Cal Coordinated",
                                       transitions=["bereavement"]),
        "Dot Held": CaseFactory(team=team, lead=caseworker, person__name="Dot Held",
                                transitions=["new_baby", "job_loss"]),
    }
    ContactFactory(case=made["Ada Open"], happened_at=now - datetime.timedelta(days=40),
                   next_step="Ring the landlord",
                   next_step_due=timezone.localdate() - datetime.timedelta(days=1))
    ContactFactory(case=made["Cal Coordinated"], happened_at=now - datetime.timedelta(days=2))
    ContactFactory(case=made["Dot Held"], happened_at=now - datetime.timedelta(days=10))
    Hold.objects.create(case=made["Dot Held"], kind="bailiff", reason="Working with her",
                        status="granted", requested_by=caseworker,
                        review_on=timezone.localdate() + datetime.timedelta(days=30))
    return made


@pytest.mark.parametrize(("query", "expected"), [
    ("", ["Ada Open", "Dot Held", "Cal Coordinated"]),  # open, longest without contact first
    ("?status=closed", ["Ben Closed"]),
    ("?status=all", ["Ada Open", "Dot Held", "Cal Coordinated", "Ben Closed"]),
    ("?not_seen_days=30", ["Ada Open"]),
    ("?not_seen_days=5", ["Ada Open", "Dot Held"]),
    ("?overdue=on", ["Ada Open"]),
    ("?active_hold=on", ["Dot Held"]),
    ("?transition=job_loss", ["Dot Held"]),
    ("?transition=bereavement&not_seen_days=5", []),
    ("?status=all&transition=bereavement", ["Cal Coordinated"]),
    ("?status=nonsense&transition=nonsense", ["Ada Open", "Dot Held", "Cal Coordinated"]),
])
def test_each_filter_picks_the_cases_it_names(signed_in, caseworker, cases, query, expected):
    page = signed_in(caseworker).get(f"/cases/{query}").text
    if expected:
        assert _names(page) == expected
        assert f"{len(expected)} case{'s' if len(expected) > 1 else ''}, longest" in page
    else:
        assert "No cases match these filters" in page


def test_the_lead_filter_and_my_cases(signed_in, caseworker, coordinator, cases):
    client = signed_in(caseworker)
    assert _names(client.get(f"/cases/?lead={coordinator.pk}").text) == ["Cal Coordinated"]
    assert _names(client.get("/cases/mine").text) == ["Ada Open", "Dot Held"]
    assert _names(signed_in(coordinator).get("/cases/mine").text) == ["Cal Coordinated"]


def test_a_leader_sees_every_teams_cases_and_a_caseworker_their_own(
        signed_in, caseworker, leader, cases, other_case):
    assert "Peter Armstrong" not in _names(signed_in(caseworker).get("/cases/").text)
    everyone = _names(signed_in(leader).get("/cases/").text)
    assert set(everyone) == {"Ada Open", "Dot Held", "Cal Coordinated", "Peter Armstrong"}


def _numbered_cases(team, lead, count: int, name: str) -> None:
    """Cases numbered 1 to `count` in the team, never contacted, each with a main person named
    `name` with the case's number put in."""
    made = Case.objects.bulk_create(
        [Case(team=team, lead=lead, number=n, reference=f"{team.case_prefix}-{n:04d}",
              source="recovery_list") for n in range(1, count + 1)])
    Person.objects.bulk_create([Person(case=case, name=name.format(case.number),
                                       relationship="main") for case in made])


def test_pages_of_fifty_and_a_page_past_the_end_is_the_last(signed_in, caseworker, team):
    _numbered_cases(team, caseworker, 120, "Person {:03d}")
    client = signed_in(caseworker)
    first = client.get("/cases/").text
    assert _names(first) == [f"Person {n:03d}" for n in range(1, 51)]  # by case number
    assert "120 cases" in first and "Page 1 of 3" in first
    third = client.get("/cases/?page=3").text
    assert _names(third) == [f"Person {n:03d}" for n in range(101, 121)]
    assert "Page 3 of 3" in third
    assert _names(client.get("/cases/?page=9").text) == _names(third)
    assert _names(client.get("/cases/?page=abc").text) == _names(first)


def test_a_leaders_pages_show_each_case_once_though_numbers_repeat_across_teams(
        signed_in, leader, caseworker, team, other_team):
    for each in (team, other_team):
        _numbered_cases(each, caseworker, 30, f"{each.name} {{:02d}}")
    client = signed_in(leader)
    shown = _names(client.get("/cases/").text) + _names(client.get("/cases/?page=2").text)
    assert len(shown) == 60 and len(set(shown)) == 60
