"""A caseworker of one team gets 404 on every URL of another team's case and its records."""

import pytest
from django.urls import get_resolver

from caseload.models import Debt, Hold
from tests.factories import ContactFactory, PersonFactory

pytestmark = pytest.mark.django_db


def caseload_object_urls():
    resolver = get_resolver().url_patterns
    caseload = next(p for p in resolver if getattr(p, "namespace", None) == "caseload")
    return [p.pattern._route for p in caseload.url_patterns if "<int:pk>" in p.pattern._route]


def test_other_team_case_and_its_records_are_404_on_every_url(signed_in, caseworker, other_case,
                                                              make_user):
    ids = {
        "people/": PersonFactory(case=other_case, relationship="partner").pk,
        "contacts/": ContactFactory(case=other_case).pk,
        "debts/": Debt.objects.create(case=other_case, creditor="rent", amount=10).pk,
        "holds/": Hold.objects.create(case=other_case, kind="bailiff", reason="x",
                                      requested_by=other_case.lead).pk,
    }
    client = signed_in(caseworker)
    routes = caseload_object_urls()
    assert len(routes) >= 17
    for route in routes:
        pk = next((v for prefix, v in ids.items() if route.startswith(prefix)), other_case.pk)
        url = "/cases/" + route.replace("<int:pk>", str(pk))
        # Leader-only pages refuse a caseworker's role (403) before looking anything up.
        expected = {403} if route.endswith(("/decide", "/access-log")) else {404}
        for method in ("get", "post"):
            status = getattr(client, method)(url).status_code
            assert status in expected | {405}, f"{method.upper()} {url} -> {status}"


def test_caseworker_cannot_decide_a_hold(signed_in, caseworker, case):
    hold = Hold.objects.create(case=case, kind="bailiff", reason="x", requested_by=caseworker)
    assert signed_in(caseworker).get(f"/cases/holds/{hold.pk}/decide").status_code == 403
    assert signed_in(caseworker).get("/cases/holds/").status_code == 403
