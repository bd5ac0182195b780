"""Find a person by name, preferred name, reference, address or phone, forgiving typos."""

from dataclasses import dataclass

from django.contrib.postgres.search import TrigramWordSimilarity
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.functions import Greatest

from caseload.models import Case, Person, normalise_phone

# pg_trgm's default (0.6) misses one-letter slips in short surnames ("Robsen" for "Robson").
WORD_SIMILARITY_THRESHOLD = 0.45
MAX_RESULTS = 50


@dataclass
class SearchResult:
    case: Case
    person: Person | None
    rank: float


def search_cases(cases, query: str) -> list[SearchResult]:
    """Best matches first, among `cases` (already limited to the user's reach).

    Runs two queries: people by trigram word similarity (served by GIN trigram indexes) or
    phone digits, and cases by reference.
    """
    query = " ".join(query.split())[:100]
    if len(query) < 2:
        return []
    digits = normalise_phone(query)
    match = (Q(name__trigram_word_similar=query) | Q(preferred_name__trigram_word_similar=query)
             | Q(address__trigram_word_similar=query))
    if len(digits) >= 4:
        match |= Q(phone_digits__contains=digits)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('pg_trgm.word_similarity_threshold', %s, true)",
                       [str(WORD_SIMILARITY_THRESHOLD)])
        people = list(
            Person.objects.filter(match, case__in=cases)
            .annotate(rank=Greatest(TrigramWordSimilarity(query, "name"),
                                    TrigramWordSimilarity(query, "preferred_name"),
                                    TrigramWordSimilarity(query, "address")))
            .select_related("case", "case__lead", "case__team")
            .order_by("-rank", "name")[:MAX_RESULTS]
        )
    results = [SearchResult(p.case, p, 1.0 if digits and digits in p.phone_digits else p.rank)
               for p in people]
    seen = {r.case.pk for r in results}
    by_reference = cases.filter(reference__icontains=query).select_related("lead", "team")[:10]
    results += [SearchResult(c, None, 1.0) for c in by_reference if c.pk not in seen]
    return sorted(results, key=lambda r: -r.rank)[:MAX_RESULTS]
