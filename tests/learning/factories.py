"""A small, hand-made story for the learning figures, with every expected number worked out
by hand in test_figures.py. "Today" is 20 June 2026 and the period is April to June 2026."""

from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from django.utils import timezone

from caseload.models import (
    Case,
    Contact,
    Debt,
    EnforcementDecision,
    Hold,
    Outcome,
    Pull,
)
from debriefs.models import Activity, Debrief, Entry, Stroke, Welfare
from learning.figures import Period
from tests.factories import CaseFactory
from tests.issues.factories import IssueFactory
from tests.purchases.factories import BudgetPotFactory, PurchaseFactory

TODAY = date(2026, 6, 20)


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """An aware London time on that day."""
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


def d(month: int, day: int, year: int = 2026) -> date:
    return date(year, month, day)


@dataclass
class Story:
    team: object
    other_team: object
    period: Period = field(default_factory=lambda: Period.ending(TODAY, 3))
    cases: dict = field(default_factory=dict)


def case(team, lead, opened: date, closed: date | None = None, name: str = "") -> Case:
    made = CaseFactory(team=team, lead=lead, opened_on=opened, person__name=name or "A Person")
    if closed:
        made.close(note="Done", on=closed)
    return made


def debrief(team, by, day: date) -> Debrief:
    return Debrief.objects.create(team=team, held_on=day, started_by=by)


def build_story(team, other_team, caseworker, coordinator, third, other_lead) -> Story:
    story = Story(team, other_team)
    c = story.cases
    c["A"] = case(team, caseworker, d(3, 10), name="Ann Armstrong")
    c["B"] = case(team, caseworker, d(4, 5), d(5, 20), name="Bob Bainbridge")
    c["C"] = case(team, coordinator, d(5, 2), name="Cath Craggs")
    c["D"] = case(team, coordinator, d(6, 10), name="Dot Dodds")
    c["F"] = case(team, caseworker, d(1, 5), name="Fred Forster")
    c["G"] = case(team, caseworker, d(1, 1), d(3, 1), name="Gina Gowland")
    c["E"] = case(other_team, other_lead, d(4, 1), name="Eve Elliott")
    A, B, C, D, E, F = (c[k] for k in "ABCDEF")

    # Debriefs and "is this working?"
    debriefs = {day: debrief(team, coordinator, day)
                for day in (d(3, 20), d(4, 10), d(4, 24), d(5, 5), d(6, 15))}
    other_debrief = debrief(other_team, other_lead, d(5, 5))
    entries = [(d(3, 20), F, "working"), (d(4, 10), A, "not_yet"), (d(4, 10), B, "stuck"),
               (d(4, 24), A, "stuck"), (d(4, 24), B, "stuck"), (d(5, 5), A, "working"),
               (d(5, 5), B, "stuck"), (d(5, 5), C, "not_discussed"), (d(5, 5), F, "working"),
               (d(6, 15), A, "working"), (d(6, 15), C, "working")]
    for day, who, progress in entries:
        Entry.objects.create(debrief=debriefs[day], case=who, progress=progress,
                             updated_by=coordinator)
    Entry.objects.create(debrief=other_debrief, case=E, progress="stuck", updated_by=other_lead)

    # Contacts: A first met on 12 March; one failure demand in April and one in May.
    for who, when, demand in [(A, at(d(3, 12)), ""), (A, at(d(4, 2)), "failure"),
                              (A, at(d(4, 3)), "value"), (B, at(d(4, 30), 23, 30), ""),
                              (B, at(d(5, 5)), "failure"), (B, at(d(5, 6)), ""),
                              (B, at(d(5, 7)), ""), (B, at(d(5, 1), 0, 30), ""),
                              (E, at(d(5, 3)), "failure")]:
        Contact.objects.create(case=who, happened_at=when, worker=who.lead, author=who.lead,
                               what_happened="Called round", demand=demand)

    # Outcomes
    for who, kind, day, weekly in [(A, "benefits", d(4, 15), "50.00"), (A, "work", d(5, 3), None),
                                   (C, "benefits", d(5, 20), "30.50"),
                                   (C, "benefits", d(6, 1), "20.00"),
                                   (A, "benefits", d(3, 1), "99.00"),
                                   (E, "benefits", d(5, 1), "77.00")]:
        Outcome.objects.create(case=who, kind=kind, happened_on=day, recorded_by=who.lead,
                               weekly_amount=Decimal(weekly) if weekly else None)

    # Holds: asked Apr 2, May 1, Jun 1; granted Apr 1, May 1 (just after midnight in London,
    # still April in UTC); ended Jun 1; one declined.
    decider = coordinator
    Hold.objects.create(case=A, kind="bailiff", reason="r", status="granted",
                        requested_by=caseworker, requested_at=at(d(4, 2)), decided_by=decider,
                        decided_at=at(d(4, 3)), review_on=d(7, 1))
    Hold.objects.create(case=B, kind="eviction", reason="r", status="ended",
                        requested_by=caseworker, requested_at=at(d(4, 20)),
                        decided_by=decider, decided_at=at(d(5, 1), 0, 30), review_on=d(6, 1),
                        ended_by=decider, ended_at=at(d(6, 2)), end_reason="Plan kept")
    Hold.objects.create(case=C, kind="bailiff", reason="r", status="declined",
                        requested_by=coordinator, requested_at=at(d(5, 10)),
                        decided_by=decider, decided_at=at(d(5, 11)))
    Hold.objects.create(case=D, kind="bailiff", reason="r", requested_by=coordinator,
                        requested_at=at(d(6, 12)))
    Hold.objects.create(case=E, kind="bailiff", reason="r", requested_by=other_lead,
                        requested_at=at(d(5, 12)))

    # Enforcement decisions: two went ahead in April, none in June.
    for who, day, went, answer in [
            (A, d(4, 5), True, "We had not met Ann yet"), (B, d(4, 25), True, "Old process"),
            (C, d(5, 10), False, "No: can't pay, not won't pay"),
            (A, d(6, 5), False, "No: there is a plan"),
            (E, d(6, 6), True, "Hillside went ahead")]:
        EnforcementDecision.objects.create(case=who, kind="bailiff", went_ahead=went,
                                           should_we=answer, decided_on=day,
                                           recorded_by=who.lead)

    # Debts: A's was not known when first recorded and is can't pay now.
    first_a = Debt.objects.create(case=A, creditor="council_tax", amount=Decimal("100.00"))
    first_a.pay_status = "cant_pay"
    first_a.save()
    for who, creditor, amount, status in [(B, "rent", "250.50", "cant_pay"),
                                          (C, "energy", "40.00", "wont_pay"),
                                          (C, "water", "10.00", "not_known"),
                                          (E, "rent", "999.00", "cant_pay"),
                                          (c["G"], "rent", "1000.00", "cant_pay")]:
        Debt.objects.create(case=who, creditor=creditor, amount=Decimal(amount),
                            pay_status=status)

    # Issues
    closed = {"status": "closed", "closure_note": "Changed", "system_change": "The new way"}
    IssueFactory(team=team, raised_by=caseworker, level=1, raised_on=d(4, 3),
                 category="process")
    IssueFactory(team=team, raised_by=caseworker, level=2, raised_on=d(4, 20), category="rule",
                 closure="system_change", closed_on=d(5, 15), **closed)
    IssueFactory(team=team, raised_by=caseworker, level=2, raised_on=d(5, 2), category="rule",
                 closure="countermeasure", closed_on=d(6, 10), **closed)
    IssueFactory(team=team, raised_by=caseworker, level=3, raised_on=d(6, 18), category="law")
    IssueFactory(team=team, raised_by=caseworker, level=2, raised_on=d(2, 1), category="")
    IssueFactory(team=other_team, raised_by=other_lead, level=1, raised_on=d(5, 1),
                 category="it")

    # Spend: per person £40 (A), £100 (B), £250 (C), £5 (D); one voided, one before.
    for who, day, amount, category in [(A, d(4, 5), "10.00", "food"),
                                       (A, d(5, 6), "30.00", "transport"),
                                       (B, d(4, 25), "100.00", "household_furniture"),
                                       (C, d(6, 2), "250.00", "clothing"),
                                       (D, d(6, 15), "5.00", "food"),
                                       (A, d(3, 31), "70.00", "food"),
                                       (E, d(5, 5), "60.00", "food")]:
        PurchaseFactory(case=who, date=day, amount=Decimal(amount), category=category)
    PurchaseFactory(case=B, date=d(4, 26), amount=Decimal("500.00"), voided=True,
                    void_reason="Logged twice", voided_by=caseworker,
                    voided_at=at(d(4, 27)))
    for start, amount in [(d(3, 1), "800.00"), (d(4, 1), "1000.00"), (d(5, 1), "1000.00"),
                          (d(6, 1), "1500.00")]:
        BudgetPotFactory(team=team, period_start=start, amount=Decimal(amount))
    BudgetPotFactory(team=other_team, period_start=d(5, 1), amount=Decimal("9999.00"))

    # Value work
    simple, middling, complex_ = (
        Activity.objects.create(team=team, name=name, complexity=n, created_by=coordinator)
        for name, n in [("Food shop", 1), ("Benefit claim", 3), ("Housing move", 5)])
    for day, activity, times in [(d(4, 10), simple, 2), (d(4, 10), complex_, 1),
                                 (d(5, 5), middling, 1), (d(6, 15), simple, 1),
                                 (d(3, 20), simple, 4)]:
        for _ in range(times):
            Stroke.objects.create(activity=activity, debrief=debriefs[day], added_by=coordinator)
    theirs = Activity.objects.create(team=other_team, name="Food shop", complexity=1,
                                     created_by=other_lead)
    Stroke.objects.create(activity=theirs, debrief=other_debrief, added_by=other_lead)

    # Welfare: April 3 people (avg 3.5 over 4 answers), May only 2 (not shown), June 3.
    for day, who, feeling in [(d(4, 10), caseworker, 2), (d(4, 10), coordinator, 4),
                              (d(4, 10), third, 3), (d(4, 24), caseworker, 5),
                              (d(5, 5), caseworker, 1), (d(5, 5), coordinator, 5),
                              (d(6, 15), caseworker, 4), (d(6, 15), coordinator, 4),
                              (d(6, 15), third, 5)]:
        Welfare.objects.create(debrief=debriefs[day], user=who, feeling=feeling,
                               note="private note")
    for n in range(3):
        person = type(other_lead).objects.create(username=f"hill{n}", first_name=f"Hill{n}")
        Welfare.objects.create(debrief=other_debrief, user=person, feeling=1)

    # Specialists: A two in the period, B one, F one before the period.
    for who, spec, day in [(A, "debt_adviser", d(4, 10)), (A, "work_coach", d(5, 1)),
                           (B, "debt_adviser", d(5, 2)), (F, "housing_officer", d(3, 1)),
                           (E, "police", d(5, 1))]:
        Pull.objects.create(case=who, specialist=spec, what_for="help", pulled_on=day,
                            by=who.lead)
    return story


def more_of_everything(team, lead, n: int):
    """n more people with contacts, "working" entries, debts, spend, specialists, holds,
    decisions, outcomes and issues, all in the story's period (for query counts)."""
    from tests.issues.factories import many_issues
    from tests.purchases.factories import CardFactory

    people = [case(team, lead, d(4, 1 + i % 28)) for i in range(n)]
    debriefs = [Debrief.objects.get_or_create(team=team, held_on=d(5, 1 + i),
                                              defaults={"started_by": lead})[0]
                for i in range(3)]
    Contact.objects.bulk_create(
        Contact(case=p, happened_at=at(d(4, 1 + i % 28)), worker=lead, author=lead,
                what_happened="Visit", demand="failure" if i % 3 else "")
        for i, p in enumerate(people) for _ in range(2))
    Entry.objects.bulk_create(
        Entry(debrief=debriefs[i % 3], case=p, progress=["working", "stuck"][i % 2],
              updated_by=lead) for i, p in enumerate(people))
    Debt.objects.bulk_create(Debt(case=p, creditor="rent", amount=Decimal("12.00"),
                                  pay_status="cant_pay") for p in people)
    Pull.objects.bulk_create(Pull(case=p, specialist="debt_adviser", what_for="help",
                                  pulled_on=d(5, 3), by=lead) for p in people)
    Hold.objects.bulk_create(Hold(case=p, kind="bailiff", reason="r", requested_by=lead,
                                  requested_at=at(d(5, 4))) for p in people)
    EnforcementDecision.objects.bulk_create(
        EnforcementDecision(case=p, kind="bailiff", went_ahead=bool(i % 2), should_we="No",
                            decided_on=d(5, 5), recorded_by=lead) for i, p in enumerate(people))
    Outcome.objects.bulk_create(Outcome(case=p, kind="work", happened_on=d(6, 2),
                                        recorded_by=lead) for p in people)
    card = CardFactory(holder=lead, team=team)
    for p in people[:10]:
        PurchaseFactory(case=p, worker=lead, card=card, date=d(5, 9))
    many_issues(team, lead, n)
    return people
