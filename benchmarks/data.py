"""A large council's caseload, generated quickly and always the same (seeded) into the bench
database: teams of caseworkers, a leader, cases with a main person and their household.

Cases and people go in through PostgreSQL COPY (bulk inserts skip `save()`, so case numbers,
references and phone digits are set here). The audit triggers (pghistory) are switched off
while loading: they cost more than the load itself, and no benchmark reads the audit events.
"""

import random
import time
from contextlib import contextmanager
from datetime import date, timedelta
from string import ascii_uppercase

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection, transaction
from faker.providers.person.en_GB import Provider as Names

from accounts.models import Membership, Team, User
from accounts.roles import Role
from benchmarks import database
from caseload.models import Case, Person, Transition, normalise_phone

SEED = 1
CASEWORKERS_PER_TEAM = 8
LEADER = "bench-leader"

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


def ensure(args) -> None:
    """Reuse the bench caseload when it has the wanted size; otherwise generate it afresh."""
    cases, teams = Case.objects.count(), Team.objects.count()
    if (cases, teams) == (args.cases, args.teams):
        print(f"Reusing the bench caseload: {teams} teams, {cases:,} cases, "
              f"{Person.objects.count():,} people (--reset to regenerate).")
        return
    if cases or teams:
        print(f"The bench database holds {teams} teams and {cases:,} cases: regenerating.")
        database.recreate(args.database_url)
    generate(teams=args.teams, cases=args.cases)


def run(args) -> None:
    ensure(args)


def bench_users() -> dict[str, User]:
    """The leader (sees every team) and the first team's first caseworker."""
    return {"leader": User.objects.get(username=LEADER),
            "caseworker": User.objects.filter(memberships__isnull=False).earliest("pk")}


def generate(*, teams: int, cases: int) -> None:
    started = time.perf_counter()
    rng = random.Random(SEED)
    with transaction.atomic(), audit_triggers_off(Team, User, Membership, Case, Person):
        team_rows = Team.objects.bulk_create([_team(i) for i in range(teams)])
        workers = _users(team_rows)
        case_rows = _cases(rng, workers, cases)
        people = _people(rng, case_rows)
    inserted = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"Generated {teams} teams, {len(workers) * CASEWORKERS_PER_TEAM + 1} users, "
          f"{len(case_rows):,} cases and {people:,} people in "
          f"{time.perf_counter() - started:.1f} s ({inserted:.1f} s inserting, "
          "the rest VACUUM ANALYZE).")


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


def _team(i: int) -> Team:
    area, round_ = AREAS[i % len(AREAS)], i // len(AREAS)
    suffix = f" {round_ + 1}" if round_ else ""
    return Team(name=f"{area} community team{suffix}",
                case_prefix=f"{area[:3].upper()}{round_ or ''}")


def _users(teams: list[Team]) -> dict[Team, list[User]]:
    password = make_password(None)  # unusable: nobody signs in as a bench user
    leader = User(username=LEADER, first_name="Lee", last_name="Leader", password=password)
    workers = {team: [User(username=f"bench-{team.case_prefix.lower()}-{k}",
                           first_name=FIRST_NAMES[k], last_name=team.name.split()[0],
                           password=password) for k in range(CASEWORKERS_PER_TEAM)]
               for team in teams}
    User.objects.bulk_create([leader, *(u for users in workers.values() for u in users)])
    groups = {g.name: g for g in Group.objects.all()}
    UserGroup = User.groups.through
    UserGroup.objects.bulk_create(
        [UserGroup(user=leader, group=groups[Role.LEADER])]
        + [UserGroup(user=u, group=groups[Role.CASEWORKER]) for us in workers.values() for u in us]
    )
    Membership.objects.bulk_create(
        [Membership(user=u, team=team) for team, us in workers.items() for u in us])
    return workers


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
