"""The Transparency Code's purchase-card file: the Code's columns, a fixed summary of purpose
so nothing about the people helped is published, voided spend left out, a period, streamed in
one query, and every download in the access log."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.http import FileResponse, StreamingHttpResponse
from openpyxl import load_workbook

from accounts.models import AccessLog
from purchases.models import Purchase
from purchases.transparency import PURPOSE
from tests.purchases.factories import PurchaseFactory

pytestmark = pytest.mark.django_db

HEADERS = ["Date", "Department", "Beneficiary", "Amount (£)", "Irrecoverable VAT (£)",
           "Summary of purpose", "Merchant category"]
JUNE = datetime.date(2026, 6, 12)
PERIOD = ("date_from_day=1&date_from_month=6&date_from_year=2026"
          "&date_to_day=30&date_to_month=6&date_to_year=2026")
URL = "/purchases/transparency"


def download(client, query=PERIOD, fmt="csv"):
    return client.get(f"{URL}?format={fmt}&{query}")


def read_csv(response):
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def read_xlsx(response):
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.fixture
def june_purchase(purchase):
    Purchase.objects.filter(pk=purchase.pk).update(
        date=JUNE, merchant="Asda", amount=Decimal("23.50"),
        purpose="Food for Joanne Robson, who had nothing until payday",
        plan_necessary_reason="Joanne had no food in the house",
        merchant_category="Grocery stores, supermarkets")
    purchase.refresh_from_db()
    return purchase


def test_the_file_has_the_codes_columns_and_one_row_a_purchase(signed_in, auditor,
                                                               june_purchase):
    response = download(signed_in(auditor))
    assert response["Content-Type"] == "text/csv"
    assert response["Content-Disposition"] == (
        'attachment; filename="purchase-card-spend-2026-06-01-to-2026-06-30.csv"')
    assert read_csv(response) == [HEADERS, [
        "2026-06-12", "Riverside", "Asda", "23.50", "",
        "Food for a household supported by the community team",
        "Grocery stores, supermarkets"]]


def test_nothing_about_the_person_helped_is_in_the_file_even_when_the_worker_named_them(
        signed_in, leader, june_purchase, case):
    response = download(signed_in(leader))
    text = b"".join(response.streaming_content).decode("utf-8")
    assert "Joanne" not in text and "Robson" not in text
    assert case.reference not in text
    assert "payday" not in text  # nothing the worker typed about the purchase
    assert "Casey" not in text and "1234" not in text  # nor the worker or their card


def test_every_category_has_a_fixed_summary_of_purpose(signed_in, auditor, case, caseworker,
                                                       card):
    for category in Purchase.Category.values:
        PurchaseFactory(case=case, worker=caseworker, card=card, date=JUNE, category=category,
                        purpose=f"{category} for Joanne Robson")
    rows = read_csv(download(signed_in(auditor)))[1:]
    assert sorted(row[5] for row in rows) == sorted(PURPOSE.values())
    assert len(set(PURPOSE.values())) == len(Purchase.Category.values)


def test_a_recorded_vat_figure_is_published(signed_in, auditor, june_purchase):
    Purchase.objects.filter(pk=june_purchase.pk).update(irrecoverable_vat=Decimal("3.92"))
    assert read_csv(download(signed_in(auditor)))[1][4] == "3.92"


def test_voided_purchases_are_left_out(signed_in, auditor, june_purchase, case, caseworker,
                                       card):
    voided = PurchaseFactory(case=case, worker=caseworker, card=card, date=JUNE,
                             merchant="Greggs")
    voided.void(by=caseworker, reason="Logged twice")
    rows = read_csv(download(signed_in(auditor)))
    assert [row[2] for row in rows[1:]] == ["Asda"]
    assert AccessLog.objects.get().label.endswith(", 1 row")


def test_the_period_and_team_choose_the_rows(signed_in, auditor, team, other_team, case,
                                            caseworker, card, other_purchase):
    PurchaseFactory(case=case, worker=caseworker, card=card, date=datetime.date(2026, 5, 31),
                    merchant="May shop")
    PurchaseFactory(case=case, worker=caseworker, card=card, date=datetime.date(2026, 6, 1),
                    merchant="First of June")
    PurchaseFactory(case=case, worker=caseworker, card=card, date=datetime.date(2026, 6, 30),
                    merchant="End of June")
    PurchaseFactory(case=case, worker=caseworker, card=card, date=datetime.date(2026, 7, 1),
                    merchant="July shop")
    Purchase.objects.filter(pk=other_purchase.pk).update(date=JUNE)
    client = signed_in(auditor)
    merchants = lambda query: [row[2] for row in read_csv(download(client, query))[1:]]  # noqa: E731
    assert merchants(PERIOD) == ["First of June", "Greggs", "End of June"]
    assert merchants(f"{PERIOD}&team={team.pk}") == ["First of June", "End of June"]
    assert merchants(f"{PERIOD}&team={other_team.pk}") == ["Greggs"]


def test_the_xlsx_file_keeps_numbers_and_dates_native(signed_in, auditor, june_purchase):
    response = download(signed_in(auditor), fmt="xlsx")
    assert isinstance(response, FileResponse)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = read_xlsx(response)
    assert rows[0] == HEADERS
    assert rows[1][:5] == [datetime.datetime(2026, 6, 12), "Riverside", "Asda", 23.5, None]


def test_cells_a_spreadsheet_would_run_are_escaped(signed_in, auditor, case, caseworker, card):
    PurchaseFactory(case=case, worker=caseworker, card=card, date=JUNE,
                    merchant="=HYPERLINK(\"http://x\")", merchant_category="+SUM(A1)")
    row = read_csv(download(signed_in(auditor)))[1]
    assert row[2] == "'=HYPERLINK(\"http://x\")"
    assert row[6] == "'+SUM(A1)"
    assert read_xlsx(download(signed_in(auditor), fmt="xlsx"))[1][2] == (
        "'=HYPERLINK(\"http://x\")")


def test_the_file_streams_in_a_fixed_number_of_queries(signed_in, auditor, case, caseworker,
                                                       card, other_case,
                                                       django_assert_max_num_queries):
    PurchaseFactory.create_batch(150, case=case, worker=caseworker, card=card, date=JUNE)
    PurchaseFactory.create_batch(150, case=other_case, date=JUNE)
    client = signed_in(auditor)
    with django_assert_max_num_queries(12):
        response = download(client)
        assert isinstance(response, StreamingHttpResponse)
        rows = read_csv(response)
    assert len(rows) == 301
    assert {row[1] for row in rows[1:]} == {"Riverside", "Hillside"}


def test_each_download_is_recorded_with_its_period_and_row_count(signed_in, auditor, team,
                                                                june_purchase):
    download(signed_in(auditor), f"{PERIOD}&team={team.pk}", fmt="xlsx")
    entry = AccessLog.objects.get()
    assert entry.user == auditor and entry.action == AccessLog.Action.EXPORT
    assert entry.label == "transparency file: 2026-06-01..2026-06-30, team Riverside, 1 row"
    assert "format=xlsx" in entry.path


def test_leaders_auditors_and_admins_may_download(signed_in, leader, auditor, service_admin,
                                                  june_purchase):
    for user in (leader, auditor, service_admin):
        client = signed_in(user)
        page = client.get(URL)
        assert page.status_code == 200
        assert "Transparency file of purchase-card spend" in page.content.decode()
        assert len(read_csv(download(client))) == 2  # every team's spend, whoever asks
    assert AccessLog.objects.count() == 3


def test_caseworkers_and_coordinators_are_refused(signed_in, caseworker, coordinator,
                                                  june_purchase):
    for user in (caseworker, coordinator):
        assert signed_in(user).get(URL).status_code == 403
        assert download(signed_in(user)).status_code == 403
    assert not AccessLog.objects.exists()


def test_the_file_needs_sign_in(client):
    response = download(client)
    assert response.status_code == 302
    assert response["Location"].startswith("/account/sign-in?next=/purchases/transparency")
    assert not AccessLog.objects.exists()


def test_a_period_is_required(signed_in, auditor, june_purchase):
    response = signed_in(auditor).get(f"{URL}?format=csv")
    assert response.status_code == 422
    page = response.content.decode()
    assert "Enter the first date to include" in page
    assert "Enter the last date to include" in page
    assert not AccessLog.objects.exists()


def test_a_period_that_ends_before_it_starts_is_refused_and_the_input_kept(signed_in, auditor):
    response = signed_in(auditor).get(
        f"{URL}?format=csv&date_from_day=30&date_from_month=6&date_from_year=2026"
        "&date_to_day=1&date_to_month=6&date_to_year=2026")
    assert response.status_code == 422
    page = response.content.decode()
    assert "To must be the same as or after From" in page
    assert 'value="30"' in page
    assert not AccessLog.objects.exists()


def test_the_page_explains_the_empty_vat_column_and_the_fixed_purpose(signed_in, auditor):
    page = signed_in(auditor).get(URL).content.decode()
    assert "Irrecoverable VAT" in page and "Left empty" in page
    assert "It is never what the worker typed" in page


def test_the_auditor_export_page_links_to_the_transparency_file(signed_in, auditor):
    assert URL in signed_in(auditor).get("/purchases/export").content.decode()


def test_the_file_cannot_be_posted_to(signed_in, auditor):
    assert signed_in(auditor).post(URL).status_code == 405
