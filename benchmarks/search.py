"""How fast, and how well, `search_cases` finds people in a large council's caseload.

200 queries of seven kinds, drawn (seeded) from the people of the caseworker's team so that
both users can find the intended case. Each user runs them all once to warm up, then once
timed. `found@10` is the share of queries whose intended case is among the first 10 results:
low for ambiguous queries (a common surname or first name, a street) by nature.
"""

import os
import random
import re
import statistics
import time
from dataclasses import dataclass
from string import ascii_lowercase

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from benchmarks import data
from caseload.models import Case, Person
from caseload.search import WORD_SIMILARITY_THRESHOLD, search_cases

SEED = 2026
KINDS = {  # kind: number of queries, 200 in all
    "exact surname": 30, "misspelt surname": 40, "first name": 25, "partial word": 25,
    "street name": 30, "phone fragment": 25, "case reference": 25,
}


@dataclass
class Query:
    kind: str
    text: str
    case_id: int
    surname: str


def surname(person: Person) -> str:
    return person.name.split()[-1]


def misspell(word: str, rng: random.Random) -> str:
    """One letter changed, dropped or swapped with the next, anywhere in the word."""
    lower = word.lower()
    while True:
        kind = rng.choice(("change", "drop", "swap"))
        i = rng.randrange(len(lower) - (kind == "swap"))
        match kind:
            case "change":
                typo = lower[:i] + rng.choice(ascii_lowercase) + lower[i + 1:]
            case "drop":
                typo = lower[:i] + lower[i + 1:]
            case _:
                typo = lower[:i] + lower[i + 1] + lower[i] + lower[i + 2:]
        if typo != lower:
            return typo.capitalize()


def query_text(kind: str, person: Person, rng: random.Random) -> str | None:
    """The query someone looking for this person might type, or None if it does not apply."""
    last = surname(person)
    match kind:
        case "exact surname":
            return last
        case "misspelt surname":
            return misspell(last, rng) if len(last) >= 4 and last.isalpha() else None
        case "first name":
            return person.name.split()[0]
        case "partial word":
            return last[:4] if len(last) >= 5 else None
        case "street name":  # "12 Elm Grove, Riverside, DB4 7QX" -> "Elm Grove"
            return person.address.split(",")[0].split(" ", 1)[1] if person.address else None
        case "phone fragment":
            return person.phone_digits[-6:] if person.phone_digits else None
        case "case reference":
            reference = person.case.reference
            return reference.lower() if rng.random() < 0.3 else reference
    raise ValueError(kind)


def build_queries(team) -> list[Query]:
    people = list(Person.objects.filter(case__team=team).select_related("case").order_by("pk"))
    rng = random.Random(SEED)
    queries = []
    for kind, count in KINDS.items():
        while sum(q.kind == kind for q in queries) < count:
            person = rng.choice(people)
            if text := query_text(kind, person, rng):
                queries.append(Query(kind, text, person.case_id, surname(person)))
    return queries


def run_queries(user, queries: list[Query]) -> list[tuple[Query, float, list]]:
    timings = []
    for query in queries:
        started = time.perf_counter()
        results = search_cases(user, query.text)
        timings.append((query, (time.perf_counter() - started) * 1000, results))
    return timings


def has_surname(person: Person | None, wanted: str) -> bool:
    """The wanted surname is one of the person's name words ("Jones" in "Evans-Jones")."""
    return bool(person) and wanted.lower() in re.split(r"[\s-]+", person.name.lower())


def found(query: Query, results: list) -> bool:
    return query.case_id in {r.case.pk for r in results[:10]}


def stats(ms: list[float]) -> str:
    cuts = statistics.quantiles(ms, n=100, method="inclusive")
    return "".join(f"{v:>8.1f}" for v in (cuts[49], cuts[94], cuts[98], max(ms)))


def explain(user, text: str) -> None:
    """EXPLAIN ANALYZE the exact SQL search_cases runs, with its similarity threshold."""
    with CaptureQueriesContext(connection) as captured:
        search_cases(user, text)
    for sql in (q["sql"] for q in captured.captured_queries):
        if not sql.startswith(("SELECT", "EXECUTE")) or "set_config" in sql:
            continue
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT set_config('pg_trgm.word_similarity_threshold', %s, true)",
                           [str(WORD_SIMILARITY_THRESHOLD)])
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
            print("\n".join(row[0] for row in cursor.fetchall()), end="\n\n")


def run(args) -> None:
    data.ensure(args)
    users = data.bench_users()
    team = users["caseworker"].teams.get()
    queries = build_queries(team)
    print(f"\nsearch_cases: {len(queries)} queries from {team.name}'s people, per user: "
          f"leader (all {Case.objects.count():,} cases, {Person.objects.count():,} people), "
          f"caseworker ({team.cases.count():,} cases). Times in ms.\n")

    print(f"Load average before: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    runs = {}
    for label, user in users.items():
        run_queries(user, queries)  # warm-up: caches, permissions, connection
        runs[label] = run_queries(user, queries)

    print(f"{'user':<12}{'kind':<18}{'n':>4}{'p50':>8}{'p95':>8}{'p99':>8}{'max':>8}"
          f"{'found@10':>10}")
    for label, timings in runs.items():
        for kind in [*KINDS, "all"]:
            rows = [t for t in timings if kind in (t[0].kind, "all")]
            hits = sum(found(q, results) for q, _, results in rows)
            print(f"{label:<12}{kind:<18}{len(rows):>4}{stats([ms for _, ms, _ in rows])}"
                  f"{hits / len(rows):>10.0%}")
    every = [ms for timings in runs.values() for _, ms, _ in timings]
    p95 = statistics.quantiles(every, n=100, method="inclusive")[94]
    verdict = "PASS" if p95 < args.target_ms else "MISS"
    print(f"Load average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    print(f"\nOverall p95 over {len(every)} calls: {p95:.1f} ms; target p95 < "
          f"{args.target_ms:.0f} ms: {verdict}")

    print("\nMisspelt surnames (one letter changed, dropped or swapped):")
    for label, timings in runs.items():
        rows = [(q, results) for q, _, results in timings if q.kind == "misspelt surname"]
        case_hits = sum(found(q, results) for q, results in rows)
        name_hits = sum(any(has_surname(r.person, q.surname) for r in results[:10])
                        for q, results in rows)
        empty = sum(not results for _, results in rows)
        print(f"  {label}: intended case in top 10 (recall@10) {case_hits}/{len(rows)} "
              f"({case_hits / len(rows):.0%}); someone with the intended surname in top 10 "
              f"{name_hits}/{len(rows)} ({name_hits / len(rows):.0%}); no results {empty}")
    team_ids = {team.pk}
    outside = sum(r.case.team_id not in team_ids for _, _, results in runs["caseworker"]
                  for r in results)
    print(f"  caseworker results from other teams: {outside} (should be 0)")

    sample = next(q for q in queries if q.kind == "misspelt surname")
    print(f"\nEXPLAIN ANALYZE, leader, misspelt surname {sample.text!r} "
          f"(for {sample.surname!r}):\n")
    explain(users["leader"], sample.text)
