"""The case page's records (people, what matters, debts, holds, decisions, pulls, outcomes)
are compiled queries (caseload.views.timeline.CASE_RECORDS, accounts/compiled.py): the same
objects, in the same order, as the case's related managers with select_related read."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from caseload.models import (
    Debt,
    EnforcementDecision,
    Hold,
    Outcome,
    Pull,
    WhatMatters,
)
from caseload.views.timeline import CASE_RECORDS
from tests.factories import CaseFactory, PersonFactory

pytestmark = pytest.mark.django_db

RELATED = {"people": ("people", ()), "what_matters": ("what_matters_versions", ("written_by",)),
           "debts": ("debts", ()), "holds": ("holds", ("requested_by", "decided_by", "ended_by")),
           "decisions": ("enforcement_decisions", ("recorded_by",)),
           "pulls": ("pulls", ("by",)), "outcomes": ("outcomes", ("recorded_by",))}


@pytest.fixture
def full_case(team, caseworker, leader):
    case = CaseFactory(team=team, lead=caseworker, person__name="Marjorie Quennell",
                       person__preferred_name="Madge")
    PersonFactory(case=case, name="Tobias Quennell", relationship="partner")
    PersonFactory(case=case, name="Amy Quennell", relationship="child")
    CaseFactory(team=team, lead=caseworker, person__name="Someone Else")  # not this case's
    for n, words in enumerate(["Getting to the funeral", "Sunday dinners", "Heating"]):
        WhatMatters.objects.create(case=case, written_by=caseworker if n % 2 else leader,
                                   what_matters=words)
    Debt.objects.create(case=case, creditor="rent", creditor_name="Fenwick Lettings",
                        amount=Decimal("812.40"), pay_status="cant_pay")
    Debt.objects.create(case=case, creditor="energy", amount=Decimal("90.00"))
    Hold.objects.create(case=case, kind="bailiff", reason="Terrified", requested_by=caseworker)
    Hold.objects.create(case=case, kind="eviction", reason="Court date", requested_by=caseworker,
                        status="granted", decided_by=leader, decision_note="Yes",
                        review_on=datetime.date(2026, 12, 1))
    EnforcementDecision.objects.create(case=case, kind="bailiff", went_ahead=False,
                                       should_we="No: stroke last spring", recorded_by=leader)
    Pull.objects.create(case=case, specialist="debt_adviser", who="Kyle",
                        what_for="pension", by=caseworker)
    Outcome.objects.create(case=case, kind="benefits", weekly_amount=Decimal("92.20"),
                           recorded_by=caseworker)
    return case


def _fields(instance) -> dict:
    return {field.attname: getattr(instance, field.attname)
            for field in instance._meta.concrete_fields}


@pytest.mark.parametrize("name", list(CASE_RECORDS))
def test_each_kind_of_record_is_what_the_related_manager_reads(full_case, name):
    manager, related = RELATED[name]
    records = getattr(full_case, manager).all()
    expected = list(records.select_related(*related) if related else records)
    with CaptureQueriesContext(connection) as queries:
        found = CASE_RECORDS[name].objects({"case": full_case.pk}, known={"case": full_case})
        shown = [(record.case.reference, *(str(getattr(record, r)) for r in related))
                 for record in found]  # the case and each related object: no more queries
    assert len(queries) == 1
    assert expected and [_fields(r) for r in found] == [_fields(r) for r in expected]
    assert shown == [(full_case.reference, *(str(getattr(record, r)) for r in related))
                     for record in expected]


def test_a_missing_related_object_is_none(full_case):
    holds = CASE_RECORDS["holds"].objects({"case": full_case.pk})
    assert [(hold.kind, hold.decided_by) for hold in holds][-1] == ("bailiff", None)
    assert str(holds[0].decided_by) == str(full_case.holds.get(kind="eviction").decided_by)


def test_the_case_page_shows_every_kind_of_record(signed_in, caseworker, full_case,
                                                 django_assert_max_num_queries):
    client = signed_in(caseworker)
    with django_assert_max_num_queries(10):  # as test_cases' bound for the case page
        page = client.get(f"/cases/{full_case.pk}/").text
    for text in ["Tobias Quennell", "Amy Quennell", "Heating", "Fenwick Lettings", "Court date",
                 "No: stroke last spring", "Kyle", "92.20"]:
        assert text in page
    assert "Someone Else" not in page


def test_a_case_panel_names_a_jinja2_template():
    """The case page is a Jinja2 page: a panel's template must be one too."""
    from caseload.panels import CasePanel

    assert CasePanel("purchases/includes/case_spend.jinja").order == 50
    with pytest.raises(ValueError, match="Jinja2"):
        CasePanel("purchases/includes/case_spend.html")
