"""Six months of made-up casework for the demo team: about forty people and their stories.

Deterministic (random.Random(42)) and idempotent: does nothing if the team already has cases.
Phone numbers are in Ofcom's drama range (07700 900xxx); streets and people are invented.
"""

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.demo import DemoContext
from accounts.roles import Role
from accounts.shortcuts import next_month

from .models import (
    Case,
    Contact,
    Debt,
    EnforcementDecision,
    Hold,
    Outcome,
    Person,
    Pull,
    Transition,
    WhatMatters,
)

CASES, DAYS = 40, 182
MONTHS = 6  # the calendar months the story is told over, this one included
# Per calendar month, oldest first: holds asked for rise as the team learns to ask, and
# enforcement that went ahead falls by three-quarters (8 in the first three months, 2 in the
# last three) while more is avoided.
HOLDS_ASKED = [1, 1, 2, 3, 4, 5]
WENT_AHEAD_BY_MONTH = [3, 3, 2, 1, 0, 1]
AVOIDED_BY_MONTH = [0, 1, 2, 3, 4, 4]
FIRST = ["Margaret/Maggie", "Christopher/Chris", "Kelly", "Darren", "Elizabeth/Liz", "Gary",
         "Joanne/Jo", "Stephen/Stevie", "Lisa", "Michael/Mick", "Tracey", "Paul", "Nicola/Nicky",
         "Craig", "Shauna", "Wayne", "Gemma", "Lee", "Donna", "Anthony/Tony", "Stacey", "Keith",
         "Leanne", "John/Jack", "Amy", "Ryan", "Chelsea", "Jordan", "Dorothy/Dot", "Brian",
         "Kirsty", "Dean", "Patricia/Pat", "Callum", "Jade", "Ian", "Hayley", "Robert/Bobby",
         "Sharon", "Kyle", "Denise", "Liam"]
SURNAMES = ["Armstrong", "Dodds", "Elliott", "Forster", "Laidler", "Nixon", "Ridley", "Shotton",
            "Tait", "Urwin", "Younger", "Bainbridge", "Craggs", "Gowland", "Lumsden", "Pattinson",
            "Purvis", "Reay", "Swinburne", "Thirlwell", "Wardle", "Coulson", "Heslop", "Brannigan",
            "Liddle", "Dixon", "Stoker", "Fenwick", "Common", "Hedley", "Gibson", "Oliver"]
STREETS = ["Keelmen Terrace", "Staithes Road", "Colliery Row", "Tyneview Close", "Ropery Walk",
           "Shipcote Gardens", "Windmill Crescent", "Brae Side", "Wagonway Court", "Pitman Street",
           "Coaly Lane", "Ferry Bank", "Lamesley View", "Redheugh Place"]
OTHERS = ["partner", "child", "parent"]
CHILDREN = ["Kai", "Lily", "Mason", "Ava", "Alfie", "Harper", "Tyler", "Evie"]
WHAT_MATTERS = ["Keeping my flat so the kids can stay at the same school",
                "Getting back to work at the garage", "Not being scared when the door goes",
                "Getting the letters to stop so I can sleep", "Seeing my grandbairns again",
                "Having the electric on without worrying every night",
                "Staying out of trouble and getting a proper job",
                "Getting my head straight after losing my mam",
                "Somewhere of my own that isn't a sofa", "Being a good dad to our Kai",
                "Getting my driving licence back", "Feeling like somebody again, not a number",
                "Getting the damp sorted before the baby comes", "Going to college to do catering"]
GOOD_LIFE = ["Bills paid, food in and the kids happy", "A job, a car and a holiday once a year",
             "Peace and quiet, and my dog", "Being able to say yes when the kids ask for something",
             "Knowing where I'll be living next year", "Out walking again, seeing my mates"]
WE_CAN_DO = ["Help me make sense of the letters", "Come with me to the jobcentre",
             "Talk to the council so they give me a bit of time", "Sort the gas and electric",
             "Just keep coming round", "Help me fill in the forms, I can't read them well"]
# kind, what happened, what we did, next step ("" for none)
CONTACTS = [
    ("home_visit", "Cupboards were empty and the bairns were at their nana's for tea.",
     "Did a food shop with {n} at Asda (£38 on the card).", "Check the UC payment landed"),
    ("home_visit", "Gas meter on emergency credit, heating off, {n} sat in a coat.",
     "Sorted the gas meter: £25 top-up and rang the supplier about the debt.", ""),
    ("phone", "{n} rang in a panic about a letter from the enforcement agents.",
     "Read it through together on the phone and rang the council recovery team.",
     "Ask the leader about a hold"),
    ("accompanied", "Jobcentre appointment; {n} was worried about being sanctioned.",
     "Went with {n} to the jobcentre and explained what has been going on.",
     "Follow up with the work coach"),
    ("home_visit", "{n} has been putting off the Universal Credit form for weeks.",
     "Helped fill in a UC form on my phone; claim submitted.", "Chase the first payment date"),
    ("phone", "Landlord had left a note saying he wants the flat back.",
     "Rang the landlord; he'll wait a month if the arrears plan is in place.",
     "Set up the arrears plan"),
    ("message", "{n} texted to say the money came through.", "Texted back to say well done.", ""),
    ("meeting_out", "Coffee at the Metrocentre; {n} talked about their mam for the first time.",
     "Listened. Bought lunch. Agreed we'd look at the bereavement support together.", ""),
    ("accompanied", "GP appointment about sleep and low mood.",
     "Went along and helped {n} say what has been happening.", "Pick up the prescription"),
    ("home_visit", "Washing machine broke; clothes piling up, kids off school.",
     "Bought a reconditioned washer (£120) and arranged delivery.", ""),
    ("phone", "{n} didn't answer the door yesterday; rang to check in.",
     "Had a good chat; {n} had been at the hospital with their dad.", "Visit next week"),
    ("meeting_out", "Met at the library to look at jobs online.",
     "Helped {n} write a CV and apply for two warehouse jobs.", "Check for interview replies"),
    ("home_visit", "Water bill arrears letter; {n} thought they'd lose the water.",
     "Explained they can't cut it off; applied for the WaterSure social tariff.", ""),
    ("message", "{n} sent a photo of a court letter.", "Rang back straight away and explained it.",
     "Take the letter to the debt adviser"),
    ("other", "Bus pass ran out so {n} couldn't get to work trials.",
     "Bought a month's bus pass (£65).", ""),
]
FAILURE = [("phone", "{n} still has no decision on the PIP claim after 14 weeks.",
            "Rang DWP again and chased the decision; no date given.", "Chase PIP again"),
           ("phone", "Housing benefit still not backdated though the form went in a month ago.",
            "Rang benefits to chase the backdate that should have been done.", ""),
           ("message", "Second bailiff letter arrived even though the hold was agreed.",
            "Rang recovery to chase the hold being put on the account.", "")]
TRANSITION_LINES = {
    Transition.LEAVING_PRISON: "Out of Durham three weeks ago; discharge grant, nowhere settled.",
    Transition.LEAVING_CARE: "Just turned 18 and moved out of the children's home into a flat.",
    Transition.LEAVING_FORCES: "Left the army after twelve years; civvy street has been hard.",
    Transition.BEREAVEMENT: "Lost their mam in the spring and the money side fell apart.",
    Transition.NEW_BABY: "New baby a month ago; partner's hours cut at the same time.",
    Transition.JOB_LOSS: "Laid off from the warehouse when the contract ended.",
    Transition.RELATIONSHIP_ENDED: "Relationship ended; on their own now, bills in their name.",
    Transition.LEAVING_HOSPITAL: "Home from the RVI after six weeks; can't manage the stairs yet.",
}
CLOSING = ["Settled in work and the council tax plan is holding. Happy for us to step back.",
           "Moved to a new flat nearer family; everything set up. Knows where we are.",
           "Debt relief order approved and things are calm. Ended on a good note.",
           "Moved out of the area to be near their sister.",
           "Said they're doing fine now and don't need us. Door left open.",
           "Benefits sorted, back at college. Agreed together to close."]
PULLS = {"debt_adviser": ("Citizens Advice", "Debt advice and a possible debt relief order"),
         "work_coach": ("Jobcentre Plus", "Getting the claim right and work trial support"),
         "housing_officer": ("Riverside Homes", "Arrears plan and repairs to the damp"),
         "mental_health": ("Community mental health team", "Support with anxiety and sleep")}
DEBT_RANGE = {"council_tax": (80, 2500, "Riverside Council"),
              "rent": (200, 4500, "Riverside Homes"),
              "energy": (90, 1800, "Octopus Energy"), "water": (80, 900, "Northumbrian Water"),
              "benefit_overpayment": (150, 3500, "DWP")}
HOLD_REASONS = ["Liability order granted but we've only just met {n}; they can't pay and we "
                "need time to sort the benefits.",
                "Notice seeking possession served; arrears plan being set up with housing.",
                "Enforcement agent visit booked; {n} is in hospital next week."]
WENT_AHEAD = ["We hadn't met {n} yet and didn't know about the illness. With hindsight, no.",
              "The warrant was already with the agents before we knew; it cost {n} £310 in fees.",
              "Court action went ahead on the old process. We should have been asked first."]
AVOIDED = ["No. {n} can't pay, not won't pay; bailiffs would only add fees and fear.",
           "No. Eviction would cost far more than the arrears and put the kids in temporary care.",
           "Not now: the benefits claim will cover the arrears within two months.",
           "No. We know {n} now and there's a plan; enforcement would undo it."]
OUTCOME_NOTES = {"work": "Started at the warehouse, 25 hours a week",
                 "education": "Enrolled on the catering course at Gateshead College",
                 "benefits": "Universal Credit with the housing element sorted",
                 "debt_written_off": "Debt relief order approved",
                 "housing_move": "Moved to a two-bed near the school",
                 "reconnected": "Back in touch with family; goes to the Tuesday group",
                 "health_support": "Seeing the community mental health team fortnightly"}


def _at(d: date, rng: random.Random) -> datetime:
    when = time(rng.randint(9, 16), rng.choice([0, 15, 30, 45]))
    return timezone.make_aware(datetime.combine(d, when))


def _money(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randint(low * 100, high * 100)) / 100


def _people(case: Case, i: int, rng: random.Random) -> str:
    first, _, preferred = FIRST[i].partition("/")
    surname = SURNAMES[i % len(SURNAMES)]
    care_leaver = Transition.LEAVING_CARE in case.transitions
    age = rng.randint(18, 21) if care_leaver else rng.randint(19, 76)
    dob = case.opened_on - timedelta(days=age * 365 + rng.randint(0, 364))
    unit = f"{rng.randint(1, 9)}{rng.choice('ABDHJLPQRTW')}{rng.choice('BDGHNPTX')}"
    postcode = f"NE{rng.randint(8, 10)} {unit}"
    address = f"{rng.randint(1, 120)} {rng.choice(STREETS)}\nGateshead\n{postcode}"
    Person.objects.create(case=case, name=f"{first} {surname}", preferred_name=preferred,
                          date_of_birth=dob if rng.random() < 0.7 else None,
                          phone=f"07700 900{i * 7 % 1000:03d}", address=address)
    if rng.random() < 0.3:
        rel = rng.choice(OTHERS)
        other_first = rng.choice(CHILDREN if rel == "child" else
                                 [f.partition("/")[0] for f in FIRST if f != FIRST[i]])
        other_age = {"child": rng.randint(2, 16), "parent": age + rng.randint(20, 30)}.get(rel, age)
        Person.objects.create(case=case, name=f"{other_first} {surname}", relationship=rel,
                              address=address, date_of_birth=case.opened_on - timedelta(
                                  days=other_age * 365 + rng.randint(0, 364)))
    return preferred or first


def seed(demo: DemoContext) -> None:
    if Case.objects.filter(team=demo.team).exists():
        return
    rng = random.Random(42)
    today = timezone.localdate()
    start = today - timedelta(days=DAYS)
    leader = demo.users[Role.LEADER]
    team_workers = demo.caseworkers
    closed_ix = set(rng.sample(range(CASES - 12), 6))  # only cases open long enough
    transition_ix = set(rng.sample(range(CASES), 10))
    transitions = list(Transition)
    rows: dict[str, list] = {k: [] for k in ("wm", "contact", "pull", "debt")}
    cases: list[tuple[Case, str, date]] = []  # case, name, last day of work

    for i in range(CASES):
        opened = start + timedelta(days=int(i * (DAYS - 4) / CASES) + rng.randint(0, 3))
        source = rng.choices(["recovery_list", "housing", "self", "partner"], [60, 15, 15, 10])[0]
        trans = rng.sample(transitions, rng.choice([1, 1, 2])) if i in transition_ix else []
        case = Case(team=demo.team, lead=rng.choices(team_workers, [4, 2, 4])[0], source=source,
                    opened_on=opened, transitions=[str(t) for t in trans])
        if i in closed_ix:
            case.status, case.closing_note = Case.Status.CLOSED, rng.choice(CLOSING)
            case.closed_on = opened + timedelta(days=rng.randint(35, (today - opened).days - 5))
        case.save()
        name = _people(case, i, rng)
        end = case.closed_on or today - timedelta(days=1)
        span = max((end - opened).days, 1)
        cases.append((case, name, end))

        # What matters: 1-3 versions, priorities shifting later on
        versions = rng.randint(1, 3) if span > 40 else 1
        for v, text in enumerate(rng.sample(WHAT_MATTERS, versions)):
            day = opened + timedelta(days=v * span // versions + rng.randint(0, 3))
            rows["wm"].append(WhatMatters(case=case, what_matters=text, written_by=case.lead,
                                          good_life=rng.choice(GOOD_LIFE), written_at=_at(day, rng),
                                          what_we_can_do=rng.choice(WE_CAN_DO)))

        # Contacts: more early on (squared spread), mostly by the lead
        n_contacts = min(rng.randint(3, 15), 3 + span // 7)
        days = sorted(opened + timedelta(days=int(span * rng.random() ** 2))
                      for _ in range(n_contacts))
        days[0] = opened
        for k, day in enumerate(days):
            failure = k > 1 and rng.random() < 0.08
            kind, happened, did, step = rng.choice(FAILURE if failure else CONTACTS)
            if k == 0:
                kind, did = "home_visit", "Introduced ourselves; asked what matters. " + did
                happened = (" ".join(TRANSITION_LINES[t] for t in trans) + " " + happened).strip()
            worker = case.lead if rng.random() < 0.85 else rng.choice(team_workers)
            last_open = k == n_contacts - 1 and case.is_open
            step = step or ("Pop round to see how things are" if last_open else "")
            due = day + timedelta(days=rng.randint(3, 14)) if step else None
            done = bool(due and due < today and (not last_open or rng.random() < 0.75))
            rows["contact"].append(Contact(
                case=case, happened_at=_at(day, rng), kind=kind, worker=worker, author=worker,
                what_happened=happened.format(n=name), what_we_did=did.format(n=name),
                next_step=step, next_step_due=due, next_step_done=done,
                demand="failure" if failure else ""))

        # Debts: most have 1-3, council tax first if they came off the recovery list
        n_debts = rng.choice([0, 0, 1, 1, 2, 2, 3])
        for d in range(max(n_debts, 1) if source == "recovery_list" else n_debts):
            creditor = "council_tax" if d == 0 and source == "recovery_list" else rng.choices(
                list(DEBT_RANGE), [40, 20, 20, 10, 10])[0]
            low, high, who = DEBT_RANGE[creditor]
            status = rng.choices(["cant_pay", "wont_pay", "not_known"], [45, 12, 43])[0]
            rows["debt"].append(Debt(case=case, creditor=creditor, creditor_name=who,
                                     amount=_money(rng, low, high), pay_status=status,
                                     as_of=min(end, opened + timedelta(days=rng.randint(0, 10)))))

        # Pulls: about 40% pull in one or two specialists
        if rng.random() < 0.4 and span > 10:
            for spec in rng.sample(list(PULLS), rng.choice([1, 1, 2])):
                who, what_for = PULLS[spec]
                rows["pull"].append(Pull(case=case, specialist=spec, who=who, what_for=what_for,
                                         by=case.lead, pulled_on=opened + timedelta(
                                             days=rng.randint(7, span))))

    WhatMatters.objects.bulk_create(rows["wm"])
    Contact.objects.bulk_create(rows["contact"])
    Debt.objects.bulk_create(rows["debt"])
    Pull.objects.bulk_create(rows["pull"])

    months = _months_back(today, MONTHS)
    Hold.objects.bulk_create(_holds(cases, months, today, leader, rng))
    EnforcementDecision.objects.bulk_create(_decisions(cases, months, today, rng))
    _debts_known_better(Debt.objects.filter(case__team=demo.team), random.Random(7))

    # Outcomes: about 20, more of them as the months go on
    outcomes = []
    for _ in range(20):
        when = start + timedelta(days=int(DAYS * rng.random() ** 0.5))
        eligible = [c for c in cases if c[0].opened_on + timedelta(days=14) <= when <= c[2]]
        if not eligible:
            continue
        case = rng.choice(eligible)[0]
        kind = rng.choices(list(OUTCOME_NOTES), [3, 2, 5, 2, 2, 2, 2])[0]
        weekly = Decimal(rng.randint(4560, 12000)) / 100 if kind == "benefits" else None
        outcomes.append(Outcome(case=case, kind=kind, happened_on=when, weekly_amount=weekly,
                                note=OUTCOME_NOTES[kind], recorded_by=case.lead))
    Outcome.objects.bulk_create(outcomes)



def _months_back(today: date, count: int) -> list[tuple[date, date]]:
    """(first day, last day so far) of each of the last `count` calendar months, oldest first."""
    months, first = [], today.replace(day=1)
    for _ in range(count):
        last = min(next_month(first) - timedelta(days=1), today)
        months.append((first, last))
        first = (first - timedelta(days=1)).replace(day=1)
    return months[::-1]


def _day_in(month: tuple[date, date], cases, rng: random.Random, *, settled: int = 5,
            oldest_first: set | None = None):
    """A day in the month and a case that had been open at least `settled` days by then: any
    such case, or with `oldest_first` (a set of cases already chosen, which grows) the
    longest-open case not chosen yet, so the people known longest have the fullest stories."""
    first, last = month
    for _ in range(50):
        day = first + timedelta(days=rng.randint(0, (last - first).days))
        open_then = [c for c in cases if c[0].opened_on + timedelta(days=settled) <= day <= c[2]]
        if oldest_first is not None:
            open_then = [c for c in open_then if c[0].pk not in oldest_first][:1]
        if open_then:
            chosen = rng.choice(open_then)
            if oldest_first is not None:
                oldest_first.add(chosen[0].pk)
            return day, chosen
    raise ValueError(f"No case open in {first:%B %Y}")


def _holds(cases, months, today: date, leader, rng: random.Random) -> list[Hold]:
    """More holds asked for each month. The newest two wait for a decision, one was declined,
    those older than two months have mostly ended, and two granted holds are due for review."""
    holds = []
    held: set[int] = set()
    asked_days = [day_case for month, n in zip(months, HOLDS_ASKED, strict=True)
                  for day_case in (_day_in(month, cases, rng, settled=7, oldest_first=held)
                                   for _ in range(n))]
    asked_days.sort(key=lambda day_case: day_case[0])
    waiting = {len(asked_days) - 1, len(asked_days) - 2}
    for h, (day, (case, name, _)) in enumerate(asked_days):
        if h in waiting:
            day = min(day, today - timedelta(days=1))
        hold = Hold(case=case, kind="eviction" if h % 4 == 3 else "bailiff",
                    reason=HOLD_REASONS[h % len(HOLD_REASONS)].format(n=name),
                    requested_by=case.lead, requested_at=_at(day, rng))
        holds.append(hold)
        if h in waiting:
            continue
        hold.decided_by, hold.decided_at = leader, hold.requested_at + timedelta(hours=20)
        if h == len(asked_days) // 2:
            hold.status = Hold.Status.DECLINED
            hold.decision_note = "Not this time: they've had two holds and haven't engaged."
            continue
        hold.status, hold.decision_note = Hold.Status.GRANTED, "Yes. Keep me posted."
        hold.review_on = day + timedelta(days=rng.randint(45, 75))
        if hold.review_on < today and (case.closed_on or h % 3 != 2):
            hold.status, hold.ended_by, hold.review_on = Hold.Status.ENDED, leader, None
            hold.ended_at = min(hold.decided_at + timedelta(days=rng.randint(30, 45)),
                                timezone.now() - timedelta(days=1))
            hold.end_reason = "Payment plan agreed and kept for two months; hold no longer needed."
    granted = [hold for hold in holds if hold.status == Hold.Status.GRANTED]
    for k, hold in enumerate(granted[:2]):  # two are due for review
        hold.review_on = today - timedelta(days=k + 1)
    for hold in granted[2:]:
        hold.review_on = max(hold.review_on, today + timedelta(days=7))
    return holds


def _decisions(cases, months, today: date, rng: random.Random) -> list[EnforcementDecision]:
    """Enforcement decisions per month: early on it mostly went ahead before the team knew the
    person; later, asked "should we?", the answer was mostly no."""
    decisions = []
    for month, went, avoided in zip(months, WENT_AHEAD_BY_MONTH, AVOIDED_BY_MONTH, strict=True):
        for went_ahead in [True] * went + [False] * avoided:
            day, (case, name, _) = _day_in(month, cases, rng, settled=0)
            decisions.append(EnforcementDecision(
                case=case, kind="eviction" if len(decisions) % 3 == 2 else "bailiff",
                went_ahead=went_ahead, decided_on=min(day, today), recorded_by=case.lead,
                should_we=rng.choice(WENT_AHEAD if went_ahead else AVOIDED).format(n=name)))
    return decisions


def _debts_known_better(debts, rng: random.Random) -> None:
    """As the team gets to know people, most debts first marked "not known" turn out to be
    "can't pay", and so do some first thought "won't pay". Each change is an update, so the
    debt's history keeps the first answer."""
    becomes = {Debt.PayStatus.NOT_KNOWN: 0.8, Debt.PayStatus.WONT_PAY: 0.6}
    known_better = [debt.pk for debt in debts.filter(pay_status__in=becomes).order_by("pk")
                    .only("pay_status") if rng.random() < becomes[debt.pay_status]]
    debts.filter(pk__in=known_better).update(pay_status=Debt.PayStatus.CANT_PAY)
