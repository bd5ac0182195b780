"""Six months of the demo team's issue log: what got in the way, at three levels, and what
changed because of it (purchase cards in place of pre-approval, "can't pay vs won't pay" in the
debt recovery policy...). Some issues are still open, some closed, a few linked to demo cases.

Deterministic (random.Random(42)) and idempotent: does nothing if the team has issues.
"""

import random
from datetime import datetime, time, timedelta

from django.utils import timezone

from accounts.demo import DemoContext
from accounts.roles import Role
from caseload.models import Case

from .models import Issue, IssueUpdate

M, S, X = Issue.Level.METHOD, Issue.Level.SYSTEM, Issue.Level.MACRO
TEAM, LEAD, GOVT = (Issue.OwnerLevel.TEAM, Issue.OwnerLevel.LEADERSHIP,
                    Issue.OwnerLevel.GOVERNMENT)
C = Issue.Category

# Each issue: title, level, owner level, owner ("coordinator", "leader", "caseworker" or None),
# category, a law or rule in the way, raised (days ago), case examples, description,
# countermeasure, system change, closure or None, closure note, closed (days ago),
# updates [(days after raising, who, text)].
ISSUES = [
    dict(title="Every spend needs a manager's approval first", level=S, owner_level=LEAD,
         owner="leader", category=C.RULE, law=True, raised=176, cases=3,
         description="A food shop for a family with empty cupboards waited two days for a "
                     "signature. By then they had borrowed from a loan shark.",
         countermeasure="The director approves spends by phone the same day.",
         system_change="Caseworkers carry purchase cards and spend at their own discretion, "
                       "checked against PLAN. Leaders review spend after the fact.",
         closure=Issue.Closure.SYSTEM_CHANGE, closed=150,
         note="Purchase cards issued to the whole team; finance agreed to review afterwards "
              "instead of approving before. No trips to Antigua on there yet.",
         updates=[(3, "leader", "Met the head of finance: worried about fraud, open to a "
                                "trial with a monthly review."),
                  (14, "coordinator", "Two weeks of spend: £212 across nine people, all PLAN "
                                      "checked. Nothing untoward.")]),
    dict(title="Bailiffs sent to people who can't pay", level=S, owner_level=LEAD,
         owner="leader", category=C.RULE, law=True, raised=170, cases=4,
         description="Enforcement agents add fees to debts people have no means of paying, "
                     "and it never leads to them paying. They turn up at other services instead.",
         countermeasure="The director holds enforcement (air cover) for anyone the team is "
                        "working with.",
         system_change="\"Can't pay vs won't pay\" considered for every debt under the Debt "
                       "Recovery Policy before enforcement.",
         closure=Issue.Closure.SYSTEM_CHANGE, closed=60,
         note="Cabinet approved the revised Debt Recovery Policy with the can't pay vs won't "
              "pay test. Bailiff referrals from the team's area are down by three-quarters.",
         updates=[(10, "leader", "Revenues team nervous about losing a collection method. "
                                 "Agreed to look at what happened to people after a visit."),
                  (45, "coordinator", "Could not find one case where a bailiff visit was part "
                                      "of a longer-term solution."),
                  (90, "leader", "Draft policy wording shared with revenues and legal.")]),
    dict(title="Tenants with rent arrears can't move to another council home", level=S,
         owner_level=LEAD, owner="leader", category=C.RULE, law=True, raised=124, cases=2,
         description="The allocations rule blocks a move while any rent arrears are owed, even "
                     "when a smaller, cheaper home would let the person pay them off.",
         countermeasure="The leader asks housing to make an exception, case by case.",
         system_change="The allocations policy allows a move when it makes the arrears more "
                       "likely to be paid.",
         updates=[(7, "leader", "Housing will consider exceptions if we put them in writing."),
                  (40, "caseworker", "Exception agreed for one family; the move saves them "
                                     "£18 a week."),
                  (95, "leader", "Allocations policy review is on the housing board's agenda "
                                 "for next quarter.")]),
    dict(title="Closing a case needs a manager's sign-off", level=S, owner_level=LEAD,
         owner="leader", category=C.ROLE, raised=150, cases=0,
         countermeasure="The coordinator signs closures off at the debrief.",
         system_change="Caseworkers close cases themselves; the debrief hears about each one.",
         closure=Issue.Closure.SYSTEM_CHANGE, closed=110,
         note="Sign-off step removed from the procedure. Closures are read out at the debrief.",
         updates=[]),
    dict(title="Evictions go ahead without anyone asking about the person's life", level=S,
         owner_level=LEAD, owner="leader", category=C.PROCESS, law=True, raised=140, cases=2,
         countermeasure="The director asks housing to pause an eviction while the team works "
                        "with the person.",
         system_change="\"Just because we can, does it mean we should?\" asked in every "
                       "eviction decision.",
         closure=Issue.Closure.SYSTEM_CHANGE, closed=30,
         note="The question is now part of the eviction process, with a note of the person's "
              "context.",
         updates=[(20, "leader", "Senior housing colleagues uneasy: some tenants behaved "
                                 "badly. Agreed to try it for the team's cases.")]),
    dict(title="Nobody in the team can set up a Debt Relief Order", level=S, owner_level=LEAD,
         owner="leader", category=C.ROLE, raised=132, cases=3,
         countermeasure="Book the person into the Citizens Advice office, 3 weeks' wait.",
         system_change="A Citizens Advice debt adviser works in the front-line team.",
         closure=Issue.Closure.SYSTEM_CHANGE, closed=75,
         note="Citizens Advice seconded an approved intermediary two days a week.",
         updates=[(30, "coordinator", "Seven people in a month needed a DRO.")]),
    dict(title="A wheelchair takes twelve weeks through the assessment route", level=S,
         owner_level=LEAD, owner="leader", category=C.ELIGIBILITY, raised=96, cases=1,
         countermeasure="Bought a second-hand wheelchair on the card (£65).",
         system_change="Caseworkers collect stock equipment from the store the same day.",
         updates=[(5, "caseworker", "Rang the equipment store: they have stock, but only "
                                    "release it after an OT assessment.")]),
    dict(title="Council-tax reduction rules stop us helping people just over the threshold",
         level=S, owner_level=LEAD, owner=None, category=C.ELIGIBILITY, raised=61, cases=2,
         countermeasure="Help with other costs so the person can keep up the payments."),
    dict(title="Council-tax letters are hard to understand", level=S, owner_level=TEAM,
         owner="coordinator", category=C.PROCESS, raised=45, cases=3,
         countermeasure="Read the letters through with people, on the phone or at home.",
         system_change="Letters rewritten in plain English with the team's phone number.",
         updates=[(12, "coordinator", "Revenues will let us comment on the next redesign.")]),
    dict(title="The case system can't be used on a phone", level=S, owner_level=LEAD,
         owner=None, category=C.IT, raised=20, cases=0,
         countermeasure="Write notes on paper and type them up back at the office."),
    dict(title="Staff measured on how fast they close calls", level=S, owner_level=LEAD,
         owner="leader", category=C.MEASURES, raised=35, cases=0,
         countermeasure="The team's calls are left out of the call-centre figures.",
         system_change="Measure to learn: no call-time targets for anyone doing casework."),
    dict(title="Universal Credit: the five-week wait leaves people with nothing", level=X,
         owner_level=GOVT, owner="leader", category=C.LAW, law=True, raised=160, cases=5,
         countermeasure="Food shops and gas top-ups on the card; help to ask for an advance.",
         system_change="No wait for the first payment for people already in crisis.",
         updates=[(60, "leader", "Added to the council's submission to the DWP.")]),
    dict(title="The benefit cap pushes families into rent arrears", level=X, owner_level=GOVT,
         owner="leader", category=C.LAW, law=True, raised=115, cases=2,
         countermeasure="Discretionary housing payment applications for each family.",
         system_change="The cap does not apply while a family is working with the team."),
    dict(title="Enforcement fees add to debts people can't pay", level=X, owner_level=GOVT,
         owner=None, category=C.LAW, law=True, raised=100, cases=1,
         countermeasure="Air cover: no enforcement for people the team works with.",
         system_change="No enforcement fees where a debt is can't pay."),
    dict(title="Released from prison on a Friday with no ID, bank account or home", level=X,
         owner_level=GOVT, owner="coordinator", category=C.PROCESS, raised=80, cases=1,
         countermeasure="Meet people at the gate with a phone, a bus pass and a food shop.",
         system_change="Release early in the week with ID and a bank account in place."),
    dict(title="Sanctions for missed appointments when people are in crisis", level=X,
         owner_level=GOVT, owner=None, category=C.LAW, law=True, raised=25, cases=1,
         countermeasure="Go with people to the jobcentre and explain."),
    dict(title="Court costs added to council-tax debt at the summons", level=X,
         owner_level=GOVT, owner="leader", category=C.LAW, law=True, raised=130, cases=0,
         countermeasure="Ask revenues to withdraw costs case by case.",
         closure=Issue.Closure.DROPPED, closed=50,
         note="Covered by the debt recovery policy change: the team's cases no longer reach "
              "a summons."),
    dict(title="Universal Credit advance", level=X, owner_level=GOVT, owner=None,
         category="", raised=155, cases=0,
         closure=Issue.Closure.RAISED_IN_ERROR, closed=154,
         note="Same as the five-week wait issue, raised twice at the debrief."),
    dict(title="How to get a Debt Relief Order done quickly", level=M, owner_level=TEAM,
         owner="coordinator", category="", raised=145, cases=2,
         countermeasure="Pull in the Citizens Advice adviser on the first visit, with "
                        "payslips and bank statements ready.",
         closure=Issue.Closure.COUNTERMEASURE, closed=70,
         note="Now how we do it: most DROs done within two weeks.",
         updates=[(15, "caseworker", "Checklist of papers written up on the team's board.")]),
    dict(title="How to talk about council-tax debt without it sounding like collection",
         level=M, owner_level=TEAM, owner="caseworker", category="", raised=40, cases=2,
         countermeasure="Start with \"how are you doing?\" and leave the debt until the person "
                        "raises it.",
         updates=[(9, "coordinator", "Role-played it at the debrief.")]),
    dict(title="How to get a replacement birth certificate fast, for ID", level=M,
         owner_level=TEAM, owner="caseworker", category="", raised=90, cases=1,
         countermeasure="Order the priority service online and pay on the card.",
         closure=Issue.Closure.COUNTERMEASURE, closed=85,
         note="Takes two days. Written up for the team."),
    dict(title="How to reach someone who won't open the door", level=M, owner_level=TEAM,
         owner=None, category="", raised=8, cases=1,
         countermeasure="A note through the door with a first name and a mobile number."),
]


def _at(day, rng):
    return timezone.make_aware(datetime.combine(day, time(rng.randint(9, 16),
                                                          rng.choice([0, 15, 30, 45]))))


def seed(demo: DemoContext) -> None:
    if Issue.objects.filter(team=demo.team).exists():
        return
    rng = random.Random(42)
    today = timezone.localdate()
    people = {"leader": demo.users[Role.LEADER], "coordinator": demo.users[Role.COORDINATOR],
              "caseworker": demo.users[Role.CASEWORKER]}
    cases = list(Case.objects.filter(team=demo.team).order_by("number"))
    for spec in ISSUES:
        raised_on = today - timedelta(days=spec["raised"])
        raiser = rng.choice(demo.caseworkers)
        closure = spec.get("closure", "")
        issue = Issue.objects.create(
            team=demo.team, raised_by=raiser, raised_on=raised_on, title=spec["title"],
            level=spec["level"], owner_level=spec["owner_level"],
            owner=people.get(spec["owner"]), category=spec["category"],
            law_or_rule_in_way=spec.get("law", False), description=spec.get("description", ""),
            countermeasure=spec.get("countermeasure", ""),
            system_change=spec.get("system_change", ""),
            status=Issue.Status.CLOSED if closure else Issue.Status.OPEN, closure=closure,
            closure_note=spec.get("note", ""),
            closed_on=today - timedelta(days=spec["closed"]) if closure else None)
        if cases and spec["cases"]:
            issue.cases.set(rng.sample(cases, min(spec["cases"], len(cases))))
        updates = [IssueUpdate(issue=issue, by=people[who], text=text,
                               at=_at(raised_on + timedelta(days=after), rng))
                   for after, who, text in spec.get("updates", [])]
        if spec["owner"]:
            updates.append(IssueUpdate(
                issue=issue, by=people["coordinator"], automatic=True,
                at=_at(raised_on + timedelta(days=1), rng),
                text=f"Owner changed from no one to {people[spec['owner']]}."))
        if closure:
            updates.append(IssueUpdate(
                issue=issue, by=issue.owner or people["coordinator"], automatic=True,
                at=_at(issue.closed_on, rng),
                text=f"Closed: {issue.get_closure_display()}. {issue.closure_note}"))
        IssueUpdate.objects.bulk_create(updates)
