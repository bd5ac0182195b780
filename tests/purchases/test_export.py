"""The auditor's export: fixed columns, case references never names, filters, formulas
defused, streamed, one query however many rows, and every download in the access log."""

import csv
import datetime
import io

import pytest
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.html import escape
from openpyxl import load_workbook

from accounts.exports import COPY_CHUNK
from accounts.models import AccessLog
from purchases.models import Purchase
from tests.purchases.factories import CardFactory, PurchaseFactory

pytestmark = pytest.mark.django_db

HEADERS = ["Purchase id", "Date", "Team", "Worker", "Card last four", "Case reference",
           "Merchant", "Category", "Amount (£)", "Purpose", "Proportionate",
           "Why proportionate", "Legal", "Why legal", "Auditable", "Why auditable",
           "Necessary", "Why necessary", "Advice asked", "Advice given", "Receipt present",
           "Review verdict", "Reviewed by", "Reviewed at", "Voided", "Why voided",
           "Created at", "Created by", "Last changed at", "Last changed by"]
JUNE = datetime.date(2026, 6, 12)


def read_csv(response):
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def read_xlsx(response):
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def local(moment):
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


@pytest.fixture
def reviewed(purchase, leader):
    Purchase.objects.filter(pk=purchase.pk).update(date=JUNE, advice_asked=True)
    purchase.refresh_from_db()
    purchase.review(by=leader, verdict=Purchase.Verdict.OK)
    return purchase


def test_a_purchase_exports_with_every_column_and_the_case_reference_not_the_name(
        signed_in, auditor, reviewed, case):
    response = signed_in(auditor).get("/purchases/export?format=csv")
    assert response["Content-Type"] == "text/csv"
    assert response["Content-Disposition"].startswith('attachment; filename="purchases-')
    text = b"".join(response.streaming_content).decode("utf-8")
    assert "Joanne" not in text and "Robson" not in text
    header, row = list(csv.reader(io.StringIO(text[1:])))
    assert header == HEADERS
    reviewed.refresh_from_db()
    assert row == [
        str(reviewed.pk), "2026-06-12", "Riverside", "Casey Bell", "1234", case.reference,
        "Asda", "Food", "23.50", "Food shop: cupboards empty until payday",
        "Yes", "A week's basics, nothing more", "Yes", "Ordinary groceries",
        "Yes", "Linked to the case, receipt kept",
        "Yes", "No food in the house and no money until Friday",
        "Yes", "", "No", "OK", "Lee Charlton", local(reviewed.reviewed_at), "No", "",
        local(reviewed.created_at), "Casey Bell", local(reviewed.updated_at), "Lee Charlton"]


def test_the_xlsx_export_keeps_numbers_and_dates_native(signed_in, leader, reviewed):
    response = signed_in(leader).get("/purchases/export?format=xlsx")
    assert isinstance(response, FileResponse)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = read_xlsx(response)
    assert rows[0] == HEADERS
    assert rows[1][0] == reviewed.pk
    assert rows[1][1] == datetime.datetime(2026, 6, 12)
    assert rows[1][8] == 23.5  # a number, not text


def test_a_voided_purchase_is_exported_and_says_why(signed_in, auditor, purchase, caseworker):
    purchase.void(by=caseworker, reason="Logged twice")
    rows = read_csv(signed_in(auditor).get("/purchases/export?format=csv"))
    assert rows[1][HEADERS.index("Voided")] == "Yes"
    assert rows[1][HEADERS.index("Why voided")] == "Logged twice"


def test_filters_choose_the_rows(signed_in, auditor, team, other_team, reviewed, other_purchase):
    client = signed_in(auditor)
    ids = lambda query: [row[0] for row in read_csv(  # noqa: E731
        client.get(f"/purchases/export?format=csv&{query}"))[1:]]
    assert ids("") == [str(reviewed.pk), str(other_purchase.pk)]
    assert ids(f"team={other_team.pk}") == [str(other_purchase.pk)]
    assert ids(f"card={reviewed.card_id}") == [str(reviewed.pk)]
    assert ids("review_status=ok") == [str(reviewed.pk)]
    assert ids("review_status=unreviewed") == [str(other_purchase.pk)]
    june = "date_from_day=1&date_from_month=6&date_from_year=2026"
    assert ids(f"{june}&date_to_day=30&date_to_month=6&date_to_year=2026") == [str(reviewed.pk)]
    assert ids("date_to_day=31&date_to_month=5&date_to_year=2026") == []


def test_a_bad_date_range_shows_the_form_again_with_a_message(signed_in, auditor, purchase):
    response = signed_in(auditor).get(
        "/purchases/export?format=csv&date_from_day=31&date_from_month=2&date_from_year=2026")
    assert response.status_code == 422
    assert "From must be a real date" in response.content.decode()
    assert not AccessLog.objects.filter(action=AccessLog.Action.EXPORT).exists()


def test_cells_a_spreadsheet_would_run_are_escaped(signed_in, auditor, case, caseworker, card):
    PurchaseFactory(case=case, worker=caseworker, card=card, merchant="=HYPERLINK(\"x\")",
                    purpose="+44 bus pass", plan_legal_reason="-1 pound off",
                    plan_auditable_reason="@home", plan_necessary_reason="\tTabbed",
                    plan_proportionate_reason="\rReturned")
    row = read_csv(signed_in(auditor).get("/purchases/export?format=csv"))[1]
    assert row[HEADERS.index("Merchant")] == "'=HYPERLINK(\"x\")"
    assert row[HEADERS.index("Purpose")] == "'+44 bus pass"
    assert row[HEADERS.index("Why legal")] == "'-1 pound off"
    assert row[HEADERS.index("Why auditable")] == "'@home"
    assert row[HEADERS.index("Why necessary")] == "'\tTabbed"
    assert row[HEADERS.index("Why proportionate")] == "'\rReturned"
    xlsx_row = read_xlsx(signed_in(auditor).get("/purchases/export?format=xlsx"))[1]
    assert xlsx_row[HEADERS.index("Merchant")] == "'=HYPERLINK(\"x\")"


def test_the_csv_streams_in_one_query_however_many_rows(signed_in, auditor, case, caseworker,
                                                         card, leader,
                                                         django_assert_max_num_queries):
    PurchaseFactory.create_batch(300, case=case, worker=caseworker, card=card)
    for purchase in Purchase.objects.all()[:5]:
        purchase.review(by=leader, verdict=Purchase.Verdict.OK)
    client = signed_in(auditor)
    with django_assert_max_num_queries(12):  # the rows come in one COPY, not listed here
        response = client.get("/purchases/export?format=csv")
        assert isinstance(response, StreamingHttpResponse)
        chunks = list(response.streaming_content)
    assert len(chunks) >= 3  # the header, then the rows about 64 KB at a time
    assert all(len(chunk) < COPY_CHUNK + 2048 for chunk in chunks)
    assert len(read_csv_text(b"".join(chunks))) == 301


def read_csv_text(data: bytes):
    return list(csv.reader(io.StringIO(data.decode("utf-8")[1:])))


def test_each_export_is_recorded_with_its_filters_and_row_count(signed_in, auditor, team,
                                                               reviewed, other_purchase):
    signed_in(auditor).get(f"/purchases/export?format=xlsx&team={team.pk}&review_status=ok"
                           "&date_from_day=1&date_from_month=6&date_from_year=2026")
    entry = AccessLog.objects.get()
    assert entry.user == auditor and entry.action == AccessLog.Action.EXPORT
    assert entry.label == ("purchases export: 2026-06-01..end, team Riverside, ok, 1 row")
    assert "format=xlsx" in entry.path


def test_the_filter_form_shows_for_auditors_and_leaders(signed_in, auditor, leader):
    for user in (auditor, leader):
        response = signed_in(user).get("/purchases/export")
        assert response.status_code == 200
        page = response.content.decode()
        assert "Export purchases" in page and 'value="xlsx"' in page
    assert not AccessLog.objects.exists()


def test_caseworkers_and_coordinators_cannot_export(signed_in, caseworker, coordinator, purchase):
    for user in (caseworker, coordinator):
        assert signed_in(user).get("/purchases/export").status_code == 403
        assert signed_in(user).get("/purchases/export?format=csv").status_code == 403
    assert not AccessLog.objects.exists()


def test_the_export_needs_sign_in(client):
    response = client.get("/purchases/export?format=csv")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/sign-in?next=/purchases/export")
    assert not AccessLog.objects.exists()


def test_auditors_cannot_post_to_the_export(signed_in, auditor):
    assert signed_in(auditor).post("/purchases/export").status_code == 405


def test_the_spend_list_links_to_the_export_for_those_who_may(signed_in, auditor, caseworker):
    assert "/purchases/export" in signed_in(auditor).get("/purchases/").content.decode()
    assert "/purchases/export" not in signed_in(caseworker).get("/purchases/").content.decode()


def test_card_filter_offers_every_card_grouped_by_team(signed_in, auditor, team, other_team):
    card = CardFactory(last_four="9876", team=other_team)
    CardFactory(last_four="1234", team=team)
    page = signed_in(auditor).get("/purchases/export").content.decode()
    group = page.split(f'<optgroup label="{other_team.name}">')[1].split("</optgroup>")[0]
    assert f'<option value="{card.pk}">{escape(card)}</option>' in group  # O'Sullivan, say
    assert str(card) == f"Card ending 9876 ({card.holder.get_full_name()})"
    assert "1234" not in group


def test_an_unknown_card_is_an_error_by_the_field_and_nothing_is_exported(signed_in, auditor):
    response = signed_in(auditor).get("/purchases/export?format=csv&card=999999")
    assert response.status_code == 422
    error = response.content.decode().split('id="id_card_error"')[1].split("</p>")[0]
    assert "Choose a card from the list, or All cards" in error
    assert "999999" not in error  # what was typed in the address is not repeated back
    assert not AccessLog.objects.filter(action=AccessLog.Action.EXPORT).exists()


def test_the_access_log_names_the_card_filtered_on(signed_in, auditor, reviewed):
    signed_in(auditor).get(f"/purchases/export?format=csv&card={reviewed.card_id}")
    export = AccessLog.objects.get(action=AccessLog.Action.EXPORT)
    assert f"card ending {reviewed.card.last_four}" in export.label


@pytest.mark.parametrize("chosen", [None, "first", "last"])
def test_the_export_forms_cards_are_grouped_by_team_and_read_once(
        team, other_team, caseworker, make_user, chosen, django_assert_num_queries):
    """The card select (ReadyChoices over a compiled query): each team's cards under its name,
    teams and cards in order, each as `str(card)` says it, the chosen one selected; the rows
    are read once for checking the answer and writing the select."""
    from purchases.forms import ExportForm

    cards = [CardFactory(holder=caseworker, team=team, last_four="2222"),
             CardFactory(holder=make_user("hilda", team=other_team), team=other_team,
                         last_four="9999"),
             CardFactory(holder=caseworker, team=team, last_four="1111")]
    pick = {None: None, "first": cards[1], "last": cards[0]}[chosen]
    form = ExportForm(None if pick is None else {"card": str(pick.pk)})
    with django_assert_num_queries(1) as queries:
        assert form.is_valid() or pick is None
        written = str(form["card"])
    assert queries.captured_queries[0]["sql"].startswith("EXECUTE export_cards_")
    expected = [("", "All cards"), (other_team.name, [cards[1]]),
                (team.name, [cards[2], cards[0]])]
    assert other_team.name < team.name  # Hillside's cards first
    options = []
    for label, group in expected:
        if isinstance(group, list):
            options.append(f'<optgroup label="{label}">')
            options += [f'<option value="{card.pk}"{" selected" if card == pick else ""}>'
                        f'{escape(str(card))}</option>' for card in group]
        else:
            options.append(f'<option value=""{"" if pick else " selected"}>{group}</option>')
    lines = [line.strip() for line in written.splitlines()[1:-1]]
    assert [line for line in lines if line and line != "</optgroup>"] == options
    if pick:
        assert f"card ending {pick.last_four}, 3 rows" in form.summary(3)


def test_a_card_that_does_not_exist_is_refused_next_to_the_field(caseworker, team):
    from purchases.forms import ExportForm

    CardFactory(holder=caseworker, team=team)
    form = ExportForm({"card": "999999"})
    assert not form.is_valid()
    assert form.errors["card"] == ["Choose a card from the list, or All cards"]
