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
            status = rng.choices(["cant_pay", "wont_pay", "not_known"], [78, 4, 18])[0]
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

    # Holds: granted (3 ahead, 2 due), 2 waiting, 1 declined, 2 ended
    open_old = [c for c in cases if c[0].is_open and (today - c[0].opened_on).days > 45]
    plan = ["granted"] * 5 + ["requested"] * 2 + ["declined", "ended", "ended"]
    holds = []
    chosen = rng.sample(open_old, len(plan))
    for h, (status, (case, name, _)) in enumerate(zip(plan, chosen, strict=True)):
        asked = today - timedelta(days=rng.randint(1, 3)) if status == "requested" else (
            case.opened_on + timedelta(days=rng.randint(5, 20)))
        hold = Hold(case=case, kind="eviction" if h % 4 == 3 else "bailiff", status=status,
                    reason=HOLD_REASONS[h % len(HOLD_REASONS)].format(n=name),
                    requested_by=case.lead, requested_at=_at(asked, rng))
        if status != "requested":
            hold.decided_by, hold.decided_at = leader, hold.requested_at + timedelta(hours=20)
            hold.decision_note = ("Not this time: they've had two holds and haven't engaged."
                                  if status == "declined" else "Yes. Keep me posted.")
            if status != "declined":
                hold.review_on = today + timedelta(days=rng.randint(7, 40) if h > 1 else -h - 2)
        if status == "ended":
            hold.ended_by = leader
            hold.ended_at = min(hold.decided_at + timedelta(days=rng.randint(20, 40)),
                                timezone.now() - timedelta(days=1))
            hold.end_reason = "Payment plan agreed and kept for two months; hold no longer needed."
        holds.append(hold)
    Hold.objects.bulk_create(holds)

    # Enforcement decisions: early ones went ahead, later ones avoided
    decisions = []
    for k in range(8):
        when = start + timedelta(days=12 + k * 22)
        case, name, end = rng.choice([c for c in cases if c[0].opened_on < when <= c[2]])
        went = rng.random() < 0.85 - k * 0.12
        decisions.append(EnforcementDecision(
            case=case, kind="eviction" if k % 3 == 2 else "bailiff", went_ahead=went,
            should_we=rng.choice(WENT_AHEAD if went else AVOIDED).format(n=name),
            decided_on=when, recorded_by=case.lead))
    EnforcementDecision.objects.bulk_create(decisions)

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

