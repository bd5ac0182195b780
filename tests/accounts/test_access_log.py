"""Leaders and admins search the access log: who looked at this person's case?"""

import datetime

import pytest

from accounts.models import AccessLog
from tests.caseload.conftest import case, other_case  # noqa: F401  (shared case fixtures)
from tests.purchases.factories import CardFactory, PurchaseFactory
from tests.purchases.receipts import jpeg_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def looked(signed_in, caseworker, case, other_case, settings, tmp_path):  # noqa: F811
    """The caseworker opens their case and downloads a receipt on it; someone else opens
    another team's case."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    settings.MEDIA_ROOT = tmp_path
    purchase = PurchaseFactory(case=case, worker=caseworker,
                               card=CardFactory(holder=caseworker, team=case.team))
    purchase.receipt.save("r.jpg", SimpleUploadedFile("r.jpg", jpeg_bytes()), save=True)
    client = signed_in(caseworker)
    assert client.get(f"/cases/{case.pk}/").status_code == 200
    assert client.get(f"/purchases/{purchase.pk}/receipt").status_code == 200
    AccessLog.objects.create(user=other_case.lead, object_type="caseload.case",
                             object_id=str(other_case.pk), label=other_case.reference,
                             path=f"/cases/{other_case.pk}/")
    return purchase


def rows(response) -> str:
    html = response.content.decode()
    return html[html.index("<tbody"):html.index("</tbody>")] if "<tbody" in html else ""


def test_a_leader_finds_every_look_at_one_case_by_its_reference(
        signed_in, leader, case, other_case, looked):  # noqa: F811
    response = signed_in(leader).get("/account/access-log", {"reference": case.reference})
    assert response.status_code == 200
    found = rows(response)
    assert found.count("<tr") == 2
    assert "Viewed" in found and "Downloaded" in found
    assert f"Receipt for purchase {looked.pk} on {case.reference}" in found
    assert "Casey Bell" in found
    assert other_case.reference not in found


def test_the_search_narrows_by_who_what_and_when(signed_in, service_admin, looked):
    client = signed_in(service_admin)
    assert rows(client.get("/account/access-log", {"who": "casey", "action": "download"})
                ).count("<tr") == 1
    today = datetime.date.today()
    tomorrow = {"date_from_day": today.day, "date_from_month": today.month,
                "date_from_year": today.year + 1}
    response = client.get("/account/access-log", tomorrow)
    assert response.status_code == 422
    assert "From must be today or in the past" in response.content.decode()


def test_a_bad_date_range_is_explained_and_the_search_kept(signed_in, leader):
    response = signed_in(leader).get("/account/access-log", {
        "reference": "RS-0001",
        "date_from_day": "10", "date_from_month": "6", "date_from_year": "2026",
        "date_to_day": "1", "date_to_month": "6", "date_to_year": "2026"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "The end date must be the same as or after the start date" in html
    assert 'value="RS-0001"' in html


def test_older_entries_follow_on_without_counting(signed_in, leader, case,  # noqa: F811
                                                  django_assert_max_num_queries):
    for _ in range(60):
        AccessLog.objects.create(user=case.lead, object_type="caseload.case",
                                 object_id=str(case.pk), label=case.reference, path="/cases/")
    client = signed_in(leader)
    with django_assert_max_num_queries(8):
        first = client.get("/account/access-log")
    assert rows(first).count("<tr") == 50
    assert "Older entries" in first.content.decode()
    last_shown = AccessLog.objects.order_by("-pk")[49].pk
    assert f"before={last_shown}" in first.content.decode()
    second = client.get(f"/account/access-log?before={last_shown}")
    assert rows(second).count("<tr") == 10
    assert "Older entries" not in second.content.decode()


@pytest.mark.parametrize("role", ["caseworker", "coordinator", "auditor"])
def test_only_leaders_and_admins_may_read_it(signed_in, request, role):
    assert signed_in(request.getfixturevalue(role)).get("/account/access-log").status_code == 403


def test_a_reference_finds_that_case_only_not_longer_ones(signed_in, leader, case):  # noqa: F811
    for label in ("RS-1000", "RS-10000", "ARS-1000", "Receipt for purchase 7 on RS-1000"):
        AccessLog.objects.create(user=case.lead, object_type="caseload.case", object_id="1",
                                 label=label, path="/cases/1/")
    found = rows(signed_in(leader).get("/account/access-log", {"reference": "rs-1000"}))
    assert found.count("<tr") == 2
    assert "RS-10000" not in found and "ARS-1000" not in found
