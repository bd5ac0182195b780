"""Find a person by name, preferred name, reference, address or phone, forgiving typos.

Each text field is searched with PostgreSQL's trigram word distance, nearest first: a GIN
trigram index finds the people whose words are close enough (`field %> query`), and only those
are sorted. Reference-shaped queries ("RS-0042", "rs42") and
phone-shaped ones (mostly digits) go straight to their own indexed lookups.
"""

import re
from dataclasses import dataclass

from django.contrib.postgres.search import TrigramWordDistance
from django.db import connection, transaction
from django.db.models import CharField

from accounts.compiled import Compiled, Reach, Slot, reach
from caseload.models import Case, Person, normalise_phone

# pg_trgm's default word similarity (0.6) misses one-letter slips in short surnames
# ("Robsen" for "Robson"); 0.45 keeps them without flooding the results.
WORD_SIMILARITY_THRESHOLD = 0.45
MAX_RESULTS = 50
FIELDS = ("name", "preferred_name", "address")
REFERENCE = re.compile(r"^\s*([a-z]{1,4})[\s-]*0*(\d{1,6})\s*$", re.IGNORECASE)


@dataclass
class SearchResult:
    case: Case
    person: Person | None
    rank: float


def _reference_matches(cases, query):
    match = REFERENCE.match(query)
    if not match:
        return []
    prefix, number = match.group(1).upper(), int(match.group(2))
    found = cases.filter(team__case_prefix=prefix, number=number).select_related("lead", "team")
    return [SearchResult(case, None, 2.0) for case in found]


def _phone_matches(cases, query):
    digits = normalise_phone(query)
    letters = sum(ch.isalpha() for ch in query)
    if len(digits) < 4 or letters > len(digits) / 2:
        return []
    people = (Person.objects.filter(case__in=cases, phone_digits__contains=digits)
              .select_related("case", "case__lead", "case__team")[:MAX_RESULTS])
    return [SearchResult(p.case, p, 1.5) for p in people]


def _nearest_query(capabilities, field: str):
    """(person id, distance) of the people in reach (Case.objects.for_user's rule) whose
    `field` is close to the query, nearest first, and equally near people in the order they
    were added, so a search gives the same people every time. The `%>` condition is served by
    the field's GIN trigram index (and finds none quickly when nothing is close); only the
    people it finds are sorted. Compiled once per set of capabilities and field
    (accounts/compiled.py): building the query was most of a search's time."""
    query = Slot("query", CharField())
    return (Person.objects.filter(case__in=Case.objects.for_user(Reach(capabilities)),
                                  **{f"{field}__trigram_word_similar": query})
            .annotate(distance=TrigramWordDistance(query, field))
            .order_by("distance", "pk").values_list("pk", "distance"))


NEAREST = Compiled(Person, _nearest_query, label="search_nearest")


def _people_by_name(user, query) -> list[SearchResult]:
    """Nearest people over name, preferred name and address: three index scans for ids, then
    one query for the best MAX_RESULTS people with their cases."""
    capabilities, teams = reach(user)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('pg_trgm.word_similarity_threshold', %s, true)",
                       [str(WORD_SIMILARITY_THRESHOLD)])
        distances: dict[int, float] = {}
        for field in FIELDS:
            for pk, distance in NEAREST.rows({"teams": teams, "query": query},
                                             limit=MAX_RESULTS, capabilities=capabilities,
                                             field=field):
                distances[pk] = min(distance, distances.get(pk, 1.0))
    best = sorted(distances, key=distances.get)[:MAX_RESULTS]
    people = Person.objects.filter(pk__in=best).select_related("case", "case__lead", "case__team")
    return [SearchResult(p.case, p, 1 - distances[p.pk]) for p in people]


def search_cases(user, query: str) -> list[SearchResult]:
    """Best matches first, among the cases in the user's reach (Case.objects.for_user), one
    result per person. Runs at most five queries, each bounded by MAX_RESULTS rows."""
    query = " ".join(query.split())[:100]
    if len(query) < 2:
        return []
    cases = Case.objects.for_user(user)
    results = (_reference_matches(cases, query) or _phone_matches(cases, query)
               or _people_by_name(user, query))
    best: dict[tuple, SearchResult] = {}
    for result in results:
        key = (result.case.pk, result.person.pk if result.person else None)
        if key not in best or result.rank > best[key].rank:
            best[key] = result
    return sorted(best.values(), key=lambda r: (-r.rank, r.case.reference))[:MAX_RESULTS]


