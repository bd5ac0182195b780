"""A large council's data, generated quickly and always the same (seeded) into the bench
database: teams of caseworkers with a coordinator, a leader and an auditor; cases with a main
person and their household; the timeline of contacts; purchase-card spend with cards and budget
pots; the issue log; and years of daily debriefs with their "is this working?" entries.

`--scale` multiplies every count (cases, contacts, purchases, issues, debriefs, entries) but
keeps the 25 teams, so 0.1 is a council a few months in and 1.0 is years of data.

Everything goes in through PostgreSQL COPY (bulk inserts skip `save()`, so case numbers,
references, phone digits and timestamps are set here). The audit triggers (pghistory) are
switched off while loading: they cost more than the load itself, and no benchmark reads the
audit events.
"""

import io
import random
import time
from bisect import bisect_right
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal
from string import ascii_uppercase

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection, transaction
from faker.providers.person.en_GB import Provider as Names

from accounts.models import Membership, Team, User
from accounts.roles import Role
from accounts.shortcuts import next_month
from benchmarks import database
from caseload.models import LAST_CONTACT, Case, Contact, Person, Transition, normalise_phone
from debriefs.models import Attendance, Debrief, Entry
from issues.models import Issue, IssueUpdate
from purchases.models import BudgetPot, Card, Purchase

SEED = 1
CASEWORKERS_PER_TEAM = 8
LEADER = "bench-leader"
AUDITOR = "bench-auditor"
NOBODY = "bench-nobody"  # signed in, no role and no team: the trivial page
# At scale 1: a large council's size (cases and people come from --cases).
SIZES = {"cases": 20_000, "contacts": 500_000, "purchases": 200_000, "issues": 5_000,
         "debriefs": 15_000, "entries": 400_000}
YEARS = 3

GIVEN_NAMES = (Names.first_names_male, Names.first_names_female)  # 182 each
FIRST_NAMES = sorted({*GIVEN_NAMES[0], *GIVEN_NAMES[1]})
SURNAMES = list(Names.last_names)  # 500, weighted as in England: Smith is common
SURNAME_WEIGHTS = list(Names.last_names.values())
NICKNAMES = {
    "William": "Bill", "Robert": "Bob", "Elizabeth": "Liz", "Margaret": "Maggie",
    "Christopher": "Chris", "Michael": "Mick", "Alexander": "Alex", "Thomas": "Tom",
    "Rebecca": "Becky", "Daniel": "Dan", "Victoria": "Vicky", "Patricia": "Pat",
    "Anthony": "Tony", "Deborah": "Debbie", "Stephen": "Steve", "Susan": "Sue",
    "James": "Jim", "Joseph": "Joe", "Richard": "Rich", "Nicholas": "Nick",
    "Jacqueline": "Jackie", "Samantha": "Sam", "Katherine": "Kate", "Jennifer": "Jen",
}
AREAS = [
    "Riverside", "Northfield", "Eastgate", "Westbrook", "Southmoor", "Hillside", "Oldtown",
    "Newbridge", "Parkview", "Meadowbank", "Stonehaven", "Ashford", "Brookside", "Castlefields",
    "Dunmore", "Elmwood", "Fairhaven", "Greenacres", "Harbour", "Kingsway", "Longmoor",
    "Millbrook", "Oakhill", "Queensbury", "Thornbury", "Underwood", "Valley", "Whitehall",
]
STREETS = [f"{stem} {kind}" for stem in [
    "Oak", "Elm", "Ash", "Beech", "Birch", "Cedar", "Chestnut", "Hawthorn", "Holly", "Laurel",
    "Maple", "Rowan", "Willow", "Station", "Church", "Mill", "Park", "Victoria", "Albert",
    "Queen", "Princess", "Castle", "Bridge", "Market", "School", "Chapel", "Manor", "Grange",
    "Meadow", "Orchard", "Spring", "Brook", "River", "Heath", "Moor", "Highfield", "Westfield",
    "Windsor", "Stanley", "Nelson", "Wellington", "Cromwell", "Shakespeare", "Tennyson",
    "Balmoral", "Clarence", "Regent", "Coronation", "Jubilee", "Alexandra", "Gladstone",
    "Poplar", "Sycamore", "Hazel", "Primrose", "Bluebell", "Heather", "Lavender", "Juniper",
] for kind in ["Road", "Street", "Avenue", "Close", "Grove", "Lane", "Crescent", "Terrace"]]

HOUSEHOLD_EXTRA = ([0, 1, 2, 3, 4], [25, 30, 25, 12, 8])  # people besides the main person
RELATIONSHIPS = ([Person.Relationship.PARTNER, Person.Relationship.CHILD,
                  Person.Relationship.PARENT, Person.Relationship.OTHER_FAMILY,
                  Person.Relationship.FRIEND, Person.Relationship.CARER], [25, 40, 10, 10, 10, 5])
# relationship: (chance of sharing the main person's surname, of a phone, ages)
PROFILE = {
    Person.Relationship.MAIN: (1.0, 0.9, (18, 85)),
    Person.Relationship.PARTNER: (0.6, 0.6, (18, 85)),
    Person.Relationship.CHILD: (0.85, 0.1, (0, 17)),
    Person.Relationship.PARENT: (0.7, 0.4, (45, 95)),
    Person.Relationship.OTHER_FAMILY: (0.5, 0.3, (10, 80)),
    Person.Relationship.FRIEND: (0.0, 0.5, (18, 80)),
    Person.Relationship.CARER: (0.0, 0.7, (20, 70)),
}


def sizes(args) -> dict[str, int]:
    scale = getattr(args, "scale", 1.0)
    wanted = {name: round(n * scale) for name, n in SIZES.items()}
    if getattr(args, "cases", None):
        wanted["cases"] = args.cases
    return wanted


def ensure(args) -> None:
    """Reuse the bench data when it has the wanted size; otherwise generate it afresh."""
    wanted = sizes(args)
    held = (Team.objects.count(), Case.objects.count(), Contact.objects.count(),
            Purchase.objects.count(),
            Debrief.objects.filter(held_on__lt=date.today()).count())  # not today's (pages)
    if held == (args.teams, wanted["cases"], wanted["contacts"], wanted["purchases"],
                wanted["debriefs"]):
        print(f"Reusing the bench data: {held[0]} teams, {held[1]:,} cases, {held[2]:,} "
              f"contacts, {held[3]:,} purchases, {held[4]:,} debriefs (--reset to regenerate).")
        return
    if any(held):
        print(f"The bench database holds other data ({held[0]} teams, {held[1]:,} cases, "
              f"{held[2]:,} contacts): regenerating.")
        database.recreate(args.database_url)
    generate(teams=args.teams, **wanted)


def run(args) -> None:
    ensure(args)


def bench_users() -> dict[str, User]:
    """The leader (sees every team), the first team's first caseworker and its coordinator,
    the auditor, and a signed-in nobody."""
    first_team = Team.objects.earliest("pk")
    return {"leader": User.objects.get(username=LEADER),
            "caseworker": User.objects.filter(memberships__isnull=False).earliest("pk"),
            "coordinator": User.objects.get(username=_coordinator_name(first_team)),
            "auditor": User.objects.get(username=AUDITOR),
            "nobody": User.objects.get(username=NOBODY)}


TABLES = (Team, User, Membership, Case, Person, Contact, Card, BudgetPot, Purchase, Issue,
          IssueUpdate, Debrief, Attendance, Entry)


def generate(*, teams: int, cases: int, contacts: int, purchases: int, issues: int,
             debriefs: int, entries: int) -> None:
    started = time.perf_counter()
    rng = random.Random(SEED)
    timings = {}

    def step(name, fn, *fn_args):
        began = time.perf_counter()
        result = fn(*fn_args)
        timings[name] = time.perf_counter() - began
        return result

    with transaction.atomic(), audit_triggers_off(*TABLES):
        team_rows = Team.objects.bulk_create([_team(i) for i in range(teams)])
        workers, staff = step("users", _users, team_rows)
        case_rows = step("cases", _cases, rng, workers, cases)
        people = step("people", _people, rng, case_rows)
        contacts = step("contacts", _contacts, rng, case_rows, workers, contacts)
        purchases = step("purchases", _purchases, rng, case_rows, workers, staff, purchases)
        issues = step("issues", _issues, rng, case_rows, workers, staff, issues)
        entries = step("debriefs", _debriefs, rng, case_rows, workers, staff, debriefs,
                       entries)
        began = time.perf_counter()
    timings["foreign-key checks"] = time.perf_counter() - began
    inserted = time.perf_counter() - started
    began = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    timings["VACUUM ANALYZE"] = time.perf_counter() - began
    print(f"Generated {teams} teams, {User.objects.count()} users, {len(case_rows):,} cases, "
          f"{people:,} people, {contacts:,} contacts, {purchases:,} purchases, {issues:,} "
          f"issues, {debriefs:,} debriefs and {entries:,} entries in "
          f"{time.perf_counter() - started:.1f} s ({inserted:.1f} s inserting):")
    print("  " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in timings.items()))


@contextmanager
def audit_triggers_off(*models):
    """Disable the tables' own triggers (not foreign-key checks) within the transaction."""
    tables = [connection.ops.quote_name(m._meta.db_table) for m in models]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        yield
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # check the deferred foreign keys now
        for table in tables:
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")


def copy_insert(objs: list) -> list:
    """Like bulk_create, through COPY: ids come from the table's sequence first, so the
    objects can be referenced afterwards."""
    meta = type(objs[0])._meta
    fields, quote = meta.concrete_fields, connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) "
                       "FROM generate_series(1, %s)", [meta.db_table, len(objs)])
        for obj, (pk,) in zip(objs, cursor.fetchall(), strict=True):
            obj.pk = pk
        columns = ", ".join(quote(f.column) for f in fields)
        with cursor.cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                copy.write_row([f.get_db_prep_save(f.pre_save(obj, add=True), connection)
                                for f in fields])
    return objs


def copy_rows(model, fields: list[str], rows) -> int:
    """COPY plain tuples (in `fields` order) into the model's table, in text format, without
    building model objects. Values are str, int, bool, Decimal, date, datetime or None; text
    must not hold tabs, newlines or backslashes (generated text never does)."""
    meta, quote = model._meta, connection.ops.quote_name
    columns = ", ".join(quote(meta.get_field(name).column) for name in fields)
    count, buffer = 0, io.StringIO()

    def cell(value):
        if value is None:
            return "\\N"
        if value is True or value is False:
            return "t" if value else "f"
        return str(value)

    with connection.cursor() as cursor, cursor.cursor.copy(
            f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
        for row in rows:
            buffer.write("\t".join(map(cell, row)))
            buffer.write("\n")
            count += 1
            if count % 20_000 == 0:
                copy.write(buffer.getvalue())
                buffer = io.StringIO()
        copy.write(buffer.getvalue())
    return count


def reserve_ids(model, count: int) -> list[int]:
    """Ids from the table's own sequence, so rows can be referenced before they are copied."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) "
                       "FROM generate_series(1, %s)", [model._meta.db_table, count])
        return [pk for (pk,) in cursor.fetchall()]


def _team(i: int) -> Team:
    area, round_ = AREAS[i % len(AREAS)], i // len(AREAS)
    suffix = f" {round_ + 1}" if round_ else ""
    return Team(name=f"{area} community team{suffix}",
                case_prefix=f"{area[:3].upper()}{round_ or ''}")


def _coordinator_name(team: Team) -> str:
    return f"bench-{team.case_prefix.lower()}-coordinator"


def _users(teams: list[Team]) -> tuple[dict[Team, list[User]], dict]:
    """Caseworkers by team, and the other staff: each team's coordinator, the leader and the
    auditor. (Benchmarks sign in by making sessions directly: passwords are unusable.)"""
    password = make_password(None)
    leader = User(username=LEADER, first_name="Lee", last_name="Leader", password=password)
    workers = {team: [User(username=f"bench-{team.case_prefix.lower()}-{k}",
                           first_name=FIRST_NAMES[k], last_name=team.name.split()[0],
                           password=password) for k in range(CASEWORKERS_PER_TEAM)]
               for team in teams}
    coordinators = {team: User(username=_coordinator_name(team), first_name="Cora",
                               last_name=team.name.split()[0], password=password)
                    for team in teams}
    auditor = User(username=AUDITOR, first_name="Audrey", last_name="Auditor", password=password)
    nobody = User(username=NOBODY, first_name="No", last_name="Body", password=password)
    User.objects.bulk_create([leader, *(u for users in workers.values() for u in users),
                              *coordinators.values(), auditor, nobody])
    groups = {g.name: g for g in Group.objects.all()}
    UserGroup = User.groups.through
    UserGroup.objects.bulk_create(
        [UserGroup(user=leader, group=groups[Role.LEADER]),
         UserGroup(user=auditor, group=groups[Role.AUDITOR])]
        + [UserGroup(user=u, group=groups[Role.CASEWORKER]) for us in workers.values() for u in us]
        + [UserGroup(user=u, group=groups[Role.COORDINATOR]) for u in coordinators.values()]
    )
    Membership.objects.bulk_create(
        [Membership(user=u, team=team) for team, us in workers.items() for u in us]
        + [Membership(user=u, team=team) for team, u in coordinators.items()])
    return workers, {"leader": leader, "auditor": auditor, "coordinators": coordinators}


def _cases(rng: random.Random, workers: dict[Team, list[User]], count: int) -> list[Case]:
    teams = list(workers)
    weights = [rng.uniform(0.6, 1.4) for _ in teams]  # some teams busier than others
    today = date.today()
    opened = sorted(today - timedelta(days=rng.randint(0, 3 * 365)) for _ in range(count))
    numbers = dict.fromkeys(teams, 0)
    rows = []
    for team, opened_on in zip(rng.choices(teams, weights, k=count), opened, strict=True):
        numbers[team] += 1
        closed_on = opened_on + timedelta(days=rng.randint(30, 400))
        closed = rng.random() < 0.4 and closed_on < today
        rows.append(Case(
            team=team, number=numbers[team],
            reference=f"{team.case_prefix}-{numbers[team]:04d}",
            lead=rng.choice(workers[team]), source=rng.choice(Case.Source.values),
            status=Case.Status.CLOSED if closed else Case.Status.OPEN,
            opened_on=opened_on, closed_on=closed_on if closed else None,
            closing_note="Things are steadier now; they know where we are." if closed else "",
            transitions=rng.sample(Transition.values, k=rng.choice([0, 0, 0, 1, 1, 2])),
        ))
    return copy_insert(rows)


def _people(rng: random.Random, cases: list[Case]) -> int:
    rows = []
    for case in cases:
        surname = _surname(rng)
        home = _address(rng, case.team)
        rows.append(_person(rng, case, Person.Relationship.MAIN, surname, home))
        extra = rng.choices(*HOUSEHOLD_EXTRA)[0]
        relationships = rng.choices(*RELATIONSHIPS, k=extra)
        if relationships.count(Person.Relationship.PARTNER) > 1:  # one partner at most
            first = relationships.index(Person.Relationship.PARTNER)
            relationships = [r if r != Person.Relationship.PARTNER or i == first
                             else Person.Relationship.CHILD for i, r in enumerate(relationships)]
        for relationship in relationships:
            shares, _, _ = PROFILE[relationship]
            lives_elsewhere = relationship in {Person.Relationship.FRIEND,
                                               Person.Relationship.CARER}
            address = (_address(rng, case.team) if rng.random() < 0.6 else "") \
                if lives_elsewhere else home
            rows.append(_person(rng, case, relationship,
                                surname if rng.random() < shares else _surname(rng), address))
    copy_insert(rows)
    return len(rows)


def _person(rng, case, relationship, surname, address) -> Person:
    _, phone_chance, (youngest, oldest) = PROFILE[relationship]
    given = rng.choice(GIVEN_NAMES)
    first = rng.choice(given)
    middle = f" {rng.choice(given)}" if rng.random() < 0.15 else ""
    if first in NICKNAMES and rng.random() < 0.5:
        preferred = NICKNAMES[first]
    else:
        preferred = rng.choice(FIRST_NAMES) if rng.random() < 0.02 else ""
    phone = _phone(rng) if rng.random() < phone_chance else ""
    age_days = rng.randint(youngest * 365, oldest * 365 + 364)
    return Person(case=case, name=f"{first}{middle} {surname}", preferred_name=preferred,
                  date_of_birth=date.today() - timedelta(days=age_days), phone=phone,
                  phone_digits=normalise_phone(phone), address=address,
                  relationship=relationship)


def _surname(rng: random.Random) -> str:
    surname = rng.choices(SURNAMES, SURNAME_WEIGHTS)[0]
    if rng.random() < 0.03:
        surname = f"{surname}-{rng.choices(SURNAMES, SURNAME_WEIGHTS)[0]}"
    return surname


def _address(rng: random.Random, team: Team) -> str:
    district = team.name.split()[0] if rng.random() < 0.9 else rng.choice(AREAS)
    postcode = (f"DB{rng.randint(1, 20)} {rng.randint(1, 9)}"
                f"{rng.choice(ascii_uppercase)}{rng.choice(ascii_uppercase)}")
    return f"{rng.randint(1, 180)} {rng.choice(STREETS)}, {district}, {postcode}"


def _phone(rng: random.Random) -> str:
    mobile = f"07{rng.randint(100, 999)}{rng.randint(0, 999_999):06d}"
    style = rng.random()
    if style < 0.5:
        return f"{mobile[:5]} {mobile[5:]}"
    if style < 0.75:
        return mobile
    if style < 0.9:
        return f"+44 {mobile[1:5]} {mobile[5:]}"
    return f"0{rng.choice(['113', '114', '191'])} {rng.randint(200, 999)} {rng.randint(0, 9999):04d}"


# Contacts, purchases, issues and debriefs: plain tuples through copy_rows.

CONTACT_TEXT = [
    "Popped round; they were in and glad of the company.", "Rang about the gas bill letter.",
    "Went with them to the jobcentre appointment.", "Texted to check the food parcel arrived.",
    "Coffee at the library; talked about what a good week looks like.",
    "Sorted the council-tax arrears letter together.", "Met at the GP surgery, as planned.",
]
DID_TEXT = ["", "", "Rang the energy supplier with them.", "Filled in the form together.",
            "Bought a week's electricity top-up.", "Asked the housing officer to visit."]
NEXT_STEPS = ["Ring the landlord", "Chase the PIP decision", "Visit on Thursday",
              "Check the school uniform grant", "Take them to the food bank"]
MERCHANTS = {
    "food": ["Tesco", "Aldi", "Co-op", "Greggs", "Lidl"],
    "heating_energy": ["British Gas top-up", "EDF prepayment", "Octopus Energy", "PayPoint"],
    "clothing": ["Primark", "George at Asda", "Matalan"],
    "transport": ["Northern Rail", "Arriva buses", "Trainline"],
    "household_furniture": ["Argos", "Dunelm", "Wilko", "IKEA"],
    "phone_digital": ["Vodafone top-up", "EE top-up", "Currys"],
    "other": ["Post Office", "Boots", "Timpson"],
}
PURPOSES = ["A week of food while the benefit claim is sorted", "Electricity top-up",
            "School shoes", "Bus pass to the new job", "A bed for the youngest",
            "Phone credit to ring the council", "Passport photos for ID"]
ISSUE_TITLES = ["Can't get a council-tax hold without a form from housing",
                "Benefit letters go to the old address", "No way to pay a deposit directly",
                "Eligibility rules stop us helping a working family",
                "Case system needs three logins", "Targets count calls, not people helped",
                "Funding for food ends in March", "Bailiff referrals happen automatically"]


def _when(rng: random.Random, first: date, last: date) -> datetime:
    day = first + timedelta(days=rng.randint(0, max((last - first).days, 0)))
    return datetime.combine(day, clock(rng.randint(8, 17), rng.randint(0, 59)), tzinfo=UTC)


def _case_end(case: Case) -> date:
    return case.closed_on or date.today()


def _contacts(rng: random.Random, cases: list[Case], workers, total: int) -> int:
    """A few cases have long timelines (hundreds of contacts); most have a handful."""
    weights = [min(rng.paretovariate(1.2), 100.0) for _ in cases]
    scale = total / sum(weights)
    counts = [int(w * scale) for w in weights]
    for i in rng.choices(range(len(cases)), weights, k=total - sum(counts)):
        counts[i] += 1
    kinds, demands = Contact.Kind.values, ["", "", "value", "value", "failure"]

    def rows():
        for case, count in zip(cases, counts, strict=True):
            team_workers = workers[case.team]
            end = _case_end(case)
            for _ in range(count):
                at = _when(rng, case.opened_on, end)
                worker = rng.choice(team_workers).pk if rng.random() < 0.3 else case.lead_id
                step = rng.random() < 0.3
                yield (case.pk, at, rng.choice(kinds), worker, rng.choice(CONTACT_TEXT),
                       rng.choice(DID_TEXT), rng.choice(NEXT_STEPS) if step else "",
                       (at.date() + timedelta(days=rng.randint(1, 21))) if step else None,
                       step and at.date() < date.today() - timedelta(days=21),
                       rng.choice(demands), worker, at, at)

    loaded = copy_rows(Contact, ["case", "happened_at", "kind", "worker", "what_happened",
                                 "what_we_did", "next_step", "next_step_due", "next_step_done",
                                 "demand", "author", "created_at", "updated_at"], rows())
    with connection.cursor() as cursor:  # what the triggers, off while loading, would keep
        cursor.execute(f"UPDATE {Case._meta.db_table} c "  # noqa: S608  # nosec B608: constants
                       f"SET last_contact_at = {LAST_CONTACT.format(case='c.id')}")
    return loaded


def _months(first: date, last: date):
    month = first.replace(day=1)
    while month <= last:
        following = next_month(month)
        yield month, following
        month = following


def _purchases(rng: random.Random, cases: list[Case], workers, staff, total: int) -> int:
    """A card per caseworker, a budget pot per team per month, and spend on open cases."""
    cards = Card.objects.bulk_create([
        Card(last_four=f"{rng.randint(0, 9999):04d}", holder=worker, team=team,
             per_transaction_guidance=Decimal("250.00"), monthly_guidance=Decimal("1500.00"))
        for team, team_workers in workers.items() for worker in team_workers])
    card_of = {card.holder_id: card.pk for card in cards}
    today = date.today()
    BudgetPot.objects.bulk_create([
        BudgetPot(team=team, period_start=start, period_end=end, amount=Decimal("6000.00"))
        for team in workers for start, end in _months(today - timedelta(days=YEARS * 365), today)])
    categories = Purchase.Category.values
    leader = staff["leader"].pk
    reasons = ("It costs less than the arrears it prevents", "Within the council's rules",
               "Linked to the case with a receipt", "Nothing free would do this week")

    def rows():
        for case in rng.choices(cases, k=total):
            worker = case.lead_id if rng.random() < 0.7 else rng.choice(workers[case.team]).pk
            at = _when(rng, case.opened_on, _case_end(case))
            category = rng.choice(categories)
            pence = min(int(rng.lognormvariate(7.8, 1.0)), 999_999)
            verdict = rng.choices(["ok", "", "query", "not_ok"], [70, 25, 4, 1])[0]
            reviewed_at = at + timedelta(days=rng.randint(1, 10)) if verdict else None
            receipt = rng.random()
            yield (case.pk, case.team_id, worker, card_of[worker], at.date(),
                   rng.choice(MERCHANTS[category]),
                   f"{pence // 100 + 1}.{pence % 100:02d}", None, category, "",
                   rng.choice(PURPOSES), True, reasons[0], True, reasons[1], True, reasons[2],
                   True, reasons[3], rng.random() < 0.05, "", None, None,
                   f"receipts/bench{rng.randrange(16**8):08x}.jpg" if receipt < 0.85 else "",
                   "image/jpeg" if receipt < 0.85 else "",
                   "Market stall, no till" if 0.85 <= receipt < 0.95 else "",
                   verdict, "Which case is this for?" if verdict in ("query", "not_ok") else "",
                   leader if verdict else None, reviewed_at, "", None, False, "", None, None,
                   worker, at, worker, reviewed_at or at, 1)

    return copy_rows(Purchase, [
        "case", "team", "worker", "card", "date", "merchant", "amount", "irrecoverable_vat",
        "category",
        "merchant_category", "purpose", "plan_proportionate", "plan_proportionate_reason",
        "plan_legal", "plan_legal_reason", "plan_auditable", "plan_auditable_reason",
        "plan_necessary", "plan_necessary_reason", "advice_asked", "advice_given",
        "advice_given_by", "advice_given_at", "receipt", "receipt_content_type",
        "no_receipt_reason", "review_verdict", "review_note", "reviewed_by", "reviewed_at",
        "query_answer", "query_answered_at", "voided", "void_reason", "voided_by", "voided_at",
        "created_by", "created_at", "updated_by", "updated_at", "version"], rows())


def _issues(rng: random.Random, cases: list[Case], workers, staff, total: int) -> int:
    """Issues raised over three years, 40% still open, each with 1–3 case examples and a
    short thread of updates."""
    ids = reserve_ids(Issue, total)
    by_team = {}
    for case in cases:
        by_team.setdefault(case.team, []).append(case)
    teams, today, leader = list(workers), date.today(), staff["leader"].pk
    closures = Issue.Closure.values
    issue_rows, links, updates = [], [], []
    for pk in ids:
        team = rng.choice(teams)
        raised_by = rng.choice(workers[team]).pk
        raised_on = today - timedelta(days=rng.randint(0, YEARS * 365))
        at = datetime.combine(raised_on, clock(10), tzinfo=UTC)
        closed = rng.random() < 0.6 and raised_on < today - timedelta(days=7)
        closure = rng.choice(closures) if closed else ""
        closed_on = raised_on + timedelta(days=rng.randint(1, (today - raised_on).days)) \
            if closed else None
        level = rng.choices([1, 2, 3], [50, 35, 15])[0]
        owner_level = {1: "team", 2: "leadership", 3: "government"}[level]
        issue_rows.append((
            pk, rng.choice(ISSUE_TITLES), "What happened, in the caseworker's words.", level,
            "closed" if closed else "open", owner_level,
            leader if level > 1 and rng.random() < 0.7 else None, team.pk, raised_by, raised_on,
            "Ring the team leader each time.", "Change the form so housing can do it" if
            closure == "system_change" or rng.random() < 0.5 else "",
            rng.choice(Issue.Category.values), level == 3 and rng.random() < 0.5, closure,
            "It stopped happening." if closed else "", closed_on, 1, at, at))
        for case in rng.sample(by_team[team], k=min(rng.randint(1, 3), len(by_team[team]))):
            links.append((pk, case.pk))
        for k in range(rng.randint(0, 5)):
            updates.append((pk, at + timedelta(days=k + 1), raised_by,
                            "Spoke to the service manager; waiting to hear.", False))
    copy_rows(Issue, ["id", "title", "description", "level", "status", "owner_level", "owner",
                      "team", "raised_by", "raised_on", "countermeasure", "system_change",
                      "category", "law_or_rule_in_way", "closure", "closure_note", "closed_on",
                      "version", "created_at", "updated_at"], issue_rows)
    Link = Issue.cases.through
    copy_rows(Link, ["issue", "case"], links)
    copy_rows(IssueUpdate, ["issue", "at", "by", "text", "automatic"], updates)
    return total


def _debriefs(rng: random.Random, cases: list[Case], workers, staff, total: int,
              entries: int) -> int:
    """Each team's past weekday debriefs (never today's: the page benchmark starts that),
    with attendance and "is this working?" for about 27 open cases each."""
    ids = reserve_ids(Debrief, total)
    teams, coordinators = list(workers), staff["coordinators"]
    by_team = {team: sorted((c for c in cases if c.team == team), key=lambda c: c.opened_on)
               for team in teams}
    opened = {team: [c.opened_on for c in team_cases] for team, team_cases in by_team.items()}
    weekdays = []
    day = date.today() - timedelta(days=1)
    while len(weekdays) < -(-total // len(teams)):
        if day.weekday() < 5:
            weekdays.append(day)
        day -= timedelta(days=1)
    progress = (Entry.Progress.values, [45, 30, 10, 15])
    debrief_rows, attendance_rows, entry_rows = [], [], []
    for n, pk in enumerate(ids):
        team, held_on = teams[n % len(teams)], weekdays[n // len(teams)]
        coordinator = coordinators[team].pk
        started = datetime.combine(held_on, clock(9), tzinfo=UTC)
        debrief_rows.append((pk, team.pk, held_on, coordinator, started, "Went well.",
                             started + timedelta(minutes=25), coordinator, 2))
        for member in [*workers[team], coordinators[team]]:
            attendance_rows.append((pk, member.pk, rng.random() < 0.85))
        wanted = entries * (n + 1) // total - entries * n // total
        known = by_team[team][:bisect_right(opened[team], held_on)]
        candidates = [c for c in rng.sample(known, k=min(len(known), wanted * 2))
                      if c.closed_on is None or c.closed_on >= held_on][:wanted]
        for case in candidates:
            entry_rows.append((pk, held_on, case.pk, rng.choices(*progress)[0], "", case.lead_id,
                               started + timedelta(minutes=rng.randint(1, 25)), 1))
    copy_rows(Debrief, ["id", "team", "held_on", "started_by", "started_at", "reflection",
                        "closed_at", "closed_by", "version"], debrief_rows)
    copy_rows(Attendance, ["debrief", "user", "present"], attendance_rows)
    return copy_rows(Entry, ["debrief", "held_on", "case", "progress", "note", "updated_by",
                             "updated_at", "version"], entry_rows)
