"""Card statements: the provider's CSV is imported after a preview, its lines are matched with
logged purchases, and a leader sees what does not match and why the totals differ."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from purchases.models import Statement, StatementLine
from purchases.reconcile import statement_auto_match, statement_reconciliation
from tests.factories import CaseFactory
from tests.purchases.factories import CardFactory, PurchaseFactory

pytestmark = pytest.mark.django_db

UPLOAD = "/purchases/statements/upload"
HEADER = "transaction_id,card_last_four,date,merchant,amount\n"


def last_month() -> datetime.date:
    return (datetime.date.today().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def day(n: int) -> datetime.date:
    """The nth day of last month."""
    return last_month() + datetime.timedelta(days=n - 1)


def csv_file(*rows: str, name="statement.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (HEADER + "\n".join(rows) + "\n").encode(),
                              content_type="text/csv")


def upload(client, *rows: str, month=None):
    return client.post(UPLOAD, {"month": f"{month or last_month():%Y-%m}",
                                "file": csv_file(*rows)})


def import_statement(client, *rows: str):
    """Upload, check the preview, confirm; returns the confirming response."""
    preview = upload(client, *rows)
    assert preview.status_code == 200, preview.text
    return client.post(UPLOAD, {"confirm": "1", "digest": preview.context["digest"]})


def table_rows(html: str, table_id: str) -> list[str]:
    """The text of each body row of the table with that id ([] when there is no table)."""
    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', html, re.S)
    if not table:
        return []
    body = re.search(r"<tbody.*?</tbody>", table.group(0), re.S).group(0)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()
            for row in re.findall(r"<tr.*?</tr>", body, re.S)]


def line(statement, transaction_id, n, amount, merchant="ASDA STORES"):
    return StatementLine.objects.create(statement=statement, transaction_id=transaction_id,
                                        date=day(n), merchant=merchant, amount=Decimal(amount))


@pytest.fixture
def statement(card, leader):
    return Statement.objects.create(card=card, month=last_month(), file_name="march.csv",
                                    uploaded_by=leader)


# Importing -------------------------------------------------------------------------------

def test_leader_previews_the_statement_then_confirms_and_lines_are_matched(
        signed_in, leader, case, card):
    logged = PurchaseFactory(case=case, card=card, date=day(10), amount=Decimal("23.50"))
    client = signed_in(leader)
    preview = upload(client, f"TX1,1234,{day(11):%Y-%m-%d},ASDA STORES,23.50",
                     f"TX2,1234,{day(14):%d/%m/%Y},GREGGS,£6.40")
    assert preview.status_code == 200
    assert "2 lines will be imported" in preview.text and "Nothing has been saved yet" in preview.text
    assert [r.split()[0] for r in table_rows(preview.text, "new-lines")] == ["2", "3"]
    assert not StatementLine.objects.exists() and not Statement.objects.exists()

    response = client.post(UPLOAD, {"confirm": "1", "digest": preview.context["digest"]})
    statement = Statement.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/purchases/statements/{statement.pk}/"
    assert (statement.card, statement.month, statement.file_name) == (card, last_month(),
                                                                      "statement.csv")
    first = StatementLine.objects.get(transaction_id="TX1")
    assert (first.purchase, first.matched_how, first.matched_by) == (logged, "auto", leader)
    assert StatementLine.objects.get(transaction_id="TX2").amount == Decimal("6.40")
    page = client.get(response["Location"]).text
    assert "Imported 2 lines from statement.csv; 1 matched a logged purchase." in page


def test_confirming_twice_imports_once(signed_in, leader, card):
    client = signed_in(leader)
    preview = upload(client, f"TX1,1234,{day(3):%Y-%m-%d},ASDA,5.00")
    confirm = {"confirm": "1", "digest": preview.context["digest"]}
    client.post(UPLOAD, confirm)
    again = client.post(UPLOAD, confirm, follow=True)
    assert "That preview is no longer waiting to be imported" in again.text
    assert StatementLine.objects.count() == 1


def test_rows_with_problems_are_listed_by_row_number_and_nothing_is_written(
        signed_in, leader, card):
    CardFactory(last_four="5555")
    response = upload(signed_in(leader),
                      f"TX1,1234,{day(3):%Y-%m-%d},ASDA,5.00",
                      f"TX2,9999,{day(3):%Y-%m-%d},ASDA,5.00",
                      "TX3,1234,31/02/2026,ASDA,5.00",
                      f"TX4,1234,{day(3):%Y-%m-%d},,0",
                      f"TX5,5555,{last_month() - datetime.timedelta(days=20):%Y-%m-%d},TESCO,1.234")
    assert response.status_code == 422
    page = response.text
    assert "There is a problem: nothing has been imported" in page
    assert "4 rows need fixing" in page
    assert re.findall(r'id="row-(\d+)"', page) == ["3", "4", "5", "6"]
    assert "No card ends in 9999" in page
    assert "Date must be a real date written as YYYY-MM-DD or DD/MM/YYYY" in page
    assert "Enter the merchant" in page and "Amount must not be £0" in page
    assert f"Date must be in {last_month():%B %Y}, or up to 7 days before it" in page
    assert "Amount must be in pounds with at most 2 decimal places" in page
    assert 'value="' + f"{last_month():%Y-%m}" + '" selected' in page  # the month is kept
    assert not Statement.objects.exists() and not StatementLine.objects.exists()


def test_a_file_without_the_columns_is_refused_next_to_the_field(signed_in, leader):
    response = signed_in(leader).post(UPLOAD, {
        "month": f"{last_month():%Y-%m}",
        "file": SimpleUploadedFile("s.csv", b"id,when,what\n1,2,3\n")})
    assert response.status_code == 422
    assert "it has no transaction_id, card_last_four, date, merchant, amount column" in response.text
    assert not Statement.objects.exists()


def test_duplicates_are_skipped_within_a_file_and_on_reimport(signed_in, leader, card):
    client = signed_in(leader)
    first = f"TX1,1234,{day(3):%Y-%m-%d},ASDA,5.00"
    preview = upload(client, first, f"TX1,1234,{day(3):%Y-%m-%d},ASDA,5.00")
    assert "1 line will be imported, and 1 duplicate skipped" in preview.text
    assert table_rows(preview.text, "duplicates") == ["3 TX1 Also in row 2"]
    client.post(UPLOAD, {"confirm": "1", "digest": preview.context["digest"]})
    assert list(StatementLine.objects.values_list("transaction_id", flat=True)) == ["TX1"]
    assert Statement.objects.get().duplicates_skipped == ["TX1"]

    import_statement(client, first, f"TX2,1234,{day(4):%Y-%m-%d},GREGGS,3.00")
    assert sorted(StatementLine.objects.values_list("transaction_id", flat=True)) == [
        "TX1", "TX2"]
    assert Statement.objects.count() == 1


def test_a_file_already_imported_has_nothing_to_confirm(signed_in, leader, card):
    client = signed_in(leader)
    row = f"TX1,1234,{day(3):%Y-%m-%d},ASDA,5.00"
    import_statement(client, row)
    preview = upload(client, row)
    assert "Nothing to import: every line in this file is already imported" in preview.text
    assert table_rows(preview.text, "duplicates") == ["2 TX1 Already imported"]
    assert 'name="confirm"' not in preview.text
    assert StatementLine.objects.count() == 1


def test_one_file_fills_a_statement_per_card(signed_in, leader, card, make_user, team):
    CardFactory(last_four="7777", team=team)
    response = import_statement(signed_in(leader), f"TX1,1234,{day(3):%Y-%m-%d},ASDA,5.00",
                                f"TX2,7777,{day(4):%Y-%m-%d},ASDA,6.00")
    assert response["Location"] == "/purchases/statements/"
    assert sorted(Statement.objects.values_list("card__last_four", flat=True)) == ["1234", "7777"]


def test_the_upload_page_documents_the_columns_and_offers_a_template(signed_in, leader):
    client = signed_in(leader)
    page = client.get(UPLOAD).text
    for column in ("transaction_id", "card_last_four", "date", "merchant", "amount"):
        assert f"<code>{column}</code>" in page
    template = client.get(UPLOAD + "?template=1")
    assert template["Content-Disposition"] == 'attachment; filename="card-statement.csv"'
    assert template.content.decode("utf-8-sig").startswith(HEADER.strip())


# Matching --------------------------------------------------------------------------------

def test_auto_match_needs_the_same_card_the_same_amount_and_three_days_at_most(
        statement, case, card, leader, caseworker):
    three_days = PurchaseFactory(case=case, card=card, date=day(13), amount=Decimal("20.00"))
    four_days = PurchaseFactory(case=case, card=card, date=day(24), amount=Decimal("15.00"))
    other_card = PurchaseFactory(case=case, card=CardFactory(holder=caseworker),
                                 date=day(5), amount=Decimal("9.99"))
    other_amount = PurchaseFactory(case=case, card=card, date=day(7), amount=Decimal("8.00"))
    lines = [line(statement, "A", 10, "20.00"), line(statement, "B", 20, "15.00"),
             line(statement, "C", 5, "9.99"), line(statement, "D", 7, "8.01")]
    assert statement_auto_match(statement=statement, by=leader) == 1
    matched = {ln.transaction_id: ln.purchase for ln in StatementLine.objects.all()}
    assert matched == {"A": three_days, "B": None, "C": None, "D": None}
    assert four_days.pk and other_card.pk and other_amount.pk and len(lines) == 4


def test_auto_match_prefers_the_nearest_date_and_leaves_voided_purchases(
        statement, case, card, leader, caseworker):
    voided = PurchaseFactory(case=case, card=card, date=day(10), amount=Decimal("20.00"))
    voided.void(by=caseworker, reason="Logged twice")
    further = PurchaseFactory(case=case, card=card, date=day(8), amount=Decimal("20.00"))
    nearer = PurchaseFactory(case=case, card=card, date=day(11), amount=Decimal("20.00"))
    line(statement, "A", 10, "20.00")
    statement_auto_match(statement=statement, by=leader)
    assert StatementLine.objects.get().purchase == nearer
    line(statement, "B", 10, "20.00")
    statement_auto_match(statement=statement, by=leader)
    assert StatementLine.objects.get(transaction_id="B").purchase == further


def test_a_different_amount_nearby_is_shown_as_a_mismatch(statement, case, card, leader):
    logged = PurchaseFactory(case=case, card=card, date=day(15), amount=Decimal("31.20"))
    mismatched = line(statement, "A", 16, "32.10", merchant="TESCO")
    rec = statement_reconciliation(statement)
    assert [(m.line, m.purchase, m.difference) for m in rec.mismatches] == [
        (mismatched, logged, Decimal("0.90"))]
    assert rec.unlogged == [] and rec.no_line == []


def test_the_acceptance_statement_shows_exactly_its_exceptions(signed_in, leader, case, card):
    """A statement with one line nobody logged, one amount that differs and one duplicate."""
    PurchaseFactory(case=case, card=card, date=day(10), merchant="Asda", amount=Decimal("23.50"))
    PurchaseFactory(case=case, card=card, date=day(12), merchant="PayPoint",
                    amount=Decimal("20.00"))
    PurchaseFactory(case=case, card=card, date=day(15), merchant="Tesco", amount=Decimal("31.20"))
    client = signed_in(leader)
    response = import_statement(
        client,
        f"TX1,1234,{day(10):%Y-%m-%d},ASDA STORES,23.50",
        f"TX2,1234,{day(13):%Y-%m-%d},PAYPOINT,20.00",
        f"TX3,1234,{day(14):%Y-%m-%d},GREGGS,6.40",
        f"TX4,1234,{day(15):%Y-%m-%d},TESCO STORES,32.10",
        f"TX1,1234,{day(10):%Y-%m-%d},ASDA STORES,23.50")
    page = client.get(response["Location"]).text

    assert [r.split(" TX")[0] for r in table_rows(page, "unlogged")] == [
        f"{day(14):%-d %b %Y} GREGGS"]
    mismatches = table_rows(page, "mismatches")
    assert len(mismatches) == 1 and "£32.10, TESCO STORES" in mismatches[0]
    assert "£31.20, Tesco" in mismatches[0] and "£0.90" in mismatches[0]
    assert table_rows(page, "no-line") == []
    assert "Logged, not on the statement (0)" in page
    assert re.findall(r"<li><code>(.*?)</code></li>", page) == ["TX1"]
    assert len(table_rows(page, "matched")) == 2
    assert '<dd class="govuk-summary-list__value" id="difference">£7.30</dd>' in page
    assert 'id="explained">£7.30<' in page
    assert "Not reconciled: the totals differ by £7.30, and 2 items need a look." in page


# By hand ---------------------------------------------------------------------------------

def test_leader_matches_a_line_by_hand_and_unmatches_it(signed_in, leader, statement, case, card):
    logged = PurchaseFactory(case=case, card=card, date=day(2), amount=Decimal("10.00"))
    unlogged = line(statement, "A", 20, "12.00")
    client = signed_in(leader)
    response = client.post(f"/purchases/statements/lines/{unlogged.pk}/match",
                           {"purchase": logged.pk})
    assert response.status_code == 302
    unlogged.refresh_from_db()
    assert (unlogged.purchase, unlogged.matched_how, unlogged.matched_by) == (logged, "manual",
                                                                              leader)
    page = client.get(response["Location"]).text
    assert "Matched by hand by Lee Charlton" in page
    assert "Matched by hand with a different amount" in page and 'id="explained">£2.00<' in page
    assert unlogged.events.order_by("-pgh_id").first().pgh_context["user"] == leader.pk

    response = client.post(f"/purchases/statements/lines/{unlogged.pk}/unmatch")
    unlogged.refresh_from_db()
    assert unlogged.purchase is None and unlogged.matched_how == ""


def test_two_leaders_matching_one_line_never_overwrite_each_other(leader, make_user, statement,
                                                                  case, card):
    from django.core.exceptions import ValidationError

    from accounts.roles import Role
    other_leader = make_user(Role.LEADER, username="lena")
    first = PurchaseFactory(case=case, card=card, date=day(2), amount=Decimal("12.00"))
    second = PurchaseFactory(case=case, card=card, date=day(3), amount=Decimal("12.00"))
    unlogged = line(statement, "A", 2, "12.00")
    seen_by_lena = StatementLine.objects.get(pk=unlogged.pk)  # both have the page open
    unlogged.match(first, by=leader)
    with pytest.raises(ValidationError, match="Someone matched this line a moment ago"):
        seen_by_lena.match(second, by=other_leader)
    unlogged.refresh_from_db()
    assert (unlogged.purchase, unlogged.matched_by) == (first, leader)

    seen_again = StatementLine.objects.get(pk=unlogged.pk)
    unlogged.unmatch(by=leader)
    unlogged.match(second, by=leader)
    with pytest.raises(ValidationError, match="changed this line's match a moment ago"):
        seen_again.unmatch(by=other_leader)  # it now holds another match than Lena saw
    unlogged.refresh_from_db()
    assert unlogged.purchase == second


def test_the_list_counts_a_line_matched_with_a_voided_purchase_as_unmatched(
        signed_in, leader, statement, case, card):
    voided = PurchaseFactory(case=case, card=card, date=day(2), amount=Decimal("9.00"))
    line(statement, "A", 2, "9.00").match(voided, by=leader)
    voided.void(by=voided.worker, reason="Charged twice by the shop")
    statement_row = table_rows(signed_in(leader).get("/purchases/statements/").text,
                               "statements")
    assert statement_row[0].endswith("1 1 £9.00")  # 1 line, 1 not matched, its total


def test_matching_with_a_purchase_on_another_card_is_refused(signed_in, leader, statement,
                                                             case, caseworker):
    elsewhere = PurchaseFactory(case=case, card=CardFactory(holder=caseworker, last_four="4321"))
    unlogged = line(statement, "A", 20, "12.00")
    response = signed_in(leader).post(f"/purchases/statements/lines/{unlogged.pk}/match",
                                      {"purchase": elsewhere.pk})
    assert response.status_code == 422
    assert "That purchase was made on another card." in response.text
    assert "govuk-error-summary" in response.text
    assert StatementLine.objects.get().purchase is None


def test_matching_without_choosing_a_purchase_is_refused(signed_in, leader, statement, case,
                                                         card):
    PurchaseFactory(case=case, card=card, date=day(2))
    unlogged = line(statement, "A", 20, "12.00")
    response = signed_in(leader).post(f"/purchases/statements/lines/{unlogged.pk}/match",
                                      {"purchase": ""})
    assert response.status_code == 422
    assert "Select the purchase this line is for" in response.text


def test_htmx_match_gets_the_reconciliation_fragment(signed_in, leader, statement, case, card):
    logged = PurchaseFactory(case=case, card=card, date=day(2), amount=Decimal("12.00"))
    unlogged = line(statement, "A", 20, "12.00")
    response = signed_in(leader).post(f"/purchases/statements/lines/{unlogged.pk}/match",
                                      {"purchase": logged.pk}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "<html" not in response.text and 'id="reconciliation"' in response.text
    assert "Reconciled: every line is matched and the totals agree." in response.text


def test_match_again_picks_up_purchases_logged_since(signed_in, leader, statement, case, card):
    line(statement, "A", 20, "12.00")
    PurchaseFactory(case=case, card=card, date=day(21), amount=Decimal("12.00"))
    response = signed_in(leader).post(f"/purchases/statements/{statement.pk}/match-again",
                                      follow=True)
    assert "1 more line matched a logged purchase." in response.text
    assert StatementLine.objects.get().matched_how == "auto"


def test_caseworker_cannot_see_or_change_statements(signed_in, caseworker, statement, case,
                                                    card):
    unlogged = line(statement, "A", 20, "12.00")
    logged = PurchaseFactory(case=case, card=card)
    client = signed_in(caseworker)
    assert client.get("/purchases/statements/").status_code == 403
    assert client.get(f"/purchases/statements/{statement.pk}/").status_code == 403
    assert client.get(UPLOAD).status_code == 403
    assert client.post(f"/purchases/statements/lines/{unlogged.pk}/match",
                       {"purchase": logged.pk}).status_code == 403
    assert StatementLine.objects.get().purchase is None


def test_auditor_reads_the_reconciliation_but_cannot_change_it(signed_in, auditor, leader,
                                                               statement, case, card):
    matched = line(statement, "A", 20, "12.00")
    logged = PurchaseFactory(case=case, card=card, date=day(20), amount=Decimal("12.00"))
    matched.match(logged, by=leader)
    unlogged = line(statement, "B", 21, "5.00")
    client = signed_in(auditor)
    page = client.get(f"/purchases/statements/{statement.pk}/")
    assert page.status_code == 200
    assert "Unmatch" not in page.text and "Import a statement" not in page.text
    assert client.get("/purchases/statements/").status_code == 200
    assert client.get(UPLOAD).status_code == 403
    assert client.post(f"/purchases/statements/lines/{matched.pk}/unmatch").status_code == 403
    assert client.post(f"/purchases/statements/lines/{unlogged.pk}/match",
                       {"purchase": logged.pk}).status_code == 403
    assert client.post(f"/purchases/statements/{statement.pk}/match-again").status_code == 403
    assert StatementLine.objects.get(pk=matched.pk).purchase == logged


def test_statement_pages_need_sign_in_and_a_missing_one_is_404(client, signed_in, leader):
    assert client.get("/purchases/statements/")["Location"].startswith("/account/sign-in?next=/purchases/statements/")
    assert signed_in(leader).get("/purchases/statements/999/").status_code == 404


# Totals ----------------------------------------------------------------------------------

def test_voided_purchases_count_nowhere(signed_in, leader, statement, case, card, caseworker):
    voided = PurchaseFactory(case=case, card=card, date=day(5), amount=Decimal("40.00"))
    voided.void(by=caseworker, reason="Shop refunded it")
    matched_then_voided = PurchaseFactory(case=case, card=card, date=day(9),
                                          amount=Decimal("7.00"))
    gone = line(statement, "A", 9, "7.00")
    gone.match(matched_then_voided, by=leader)
    matched_then_voided.void(by=caseworker, reason="Logged on the wrong card")
    rec = statement_reconciliation(statement)
    assert rec.logged_total == Decimal("0.00") and rec.no_line == []
    assert rec.unlogged == [gone] and rec.matched == []
    page = signed_in(leader).get(f"/purchases/statements/{statement.pk}/").text
    assert "its purchase was voided" in page


def test_the_reasons_always_add_up_to_the_difference(statement, leader, case, card):
    """Lines nobody logged, purchases with no line, amounts that differ and matches that
    cross into another month together explain the difference exactly."""
    before = PurchaseFactory(case=case, card=card, date=last_month() - datetime.timedelta(days=1),
                             amount=Decimal("11.00"))
    line(statement, "A", 1, "11.00").match(before, by=leader)
    by_hand = PurchaseFactory(case=case, card=card, date=day(6), amount=Decimal("15.00"))
    line(statement, "B", 6, "16.50").match(by_hand, by=leader)
    line(statement, "C", 8, "4.00")  # nobody logged it
    line(statement, "D", 12, "-9.00")  # a refund
    PurchaseFactory(case=case, card=card, date=day(20), amount=Decimal("30.00"))  # no line
    next_month = Statement.objects.create(card=card, month=statement.end, file_name="n.csv",
                                          uploaded_by=leader)
    late = PurchaseFactory(case=case, card=card, date=day(25), amount=Decimal("5.00"))
    StatementLine.objects.create(statement=next_month, transaction_id="E", date=day(25),
                                 merchant="LATE", amount=Decimal("5.00")).match(late, by=leader)
    rec = statement_reconciliation(statement)
    assert rec.statement_total == Decimal("22.50")
    assert rec.logged_total == Decimal("50.00")
    assert rec.difference == Decimal("-27.50") == rec.explained
    assert sorted(r.amount for r in rec.reasons) == [
        Decimal("-30.00"), Decimal("-9.00"), Decimal("-5.00"), Decimal("1.50"),
        Decimal("4.00"), Decimal("11.00")]


def test_a_statement_matching_every_purchase_is_reconciled(signed_in, leader, statement, case,
                                                           card):
    logged = PurchaseFactory(case=case, card=card, date=day(3), amount=Decimal("8.00"))
    line(statement, "A", 3, "8.00").match(logged, by=leader, how="auto")
    page = signed_in(leader).get(f"/purchases/statements/{statement.pk}/").text
    assert "Reconciled: every line is matched and the totals agree." in page
    assert 'id="difference">£0.00<' in page


# Speed -----------------------------------------------------------------------------------

def test_the_reconciliation_screen_runs_a_fixed_number_of_queries(
        signed_in, leader, statement, card, team, django_assert_max_num_queries):
    cases = [CaseFactory(team=team, lead=card.holder) for _ in range(3)]
    for n in range(60):
        purchase = PurchaseFactory(case=cases[n % 3], card=card, date=day(1 + n % 28),
                                   amount=Decimal(10 + n))
        added = line(statement, f"T{n}", 1 + n % 28, f"{10 + n + (n % 4 == 0)}.00")
        if n % 2:
            added.match(purchase, by=leader)
    client = signed_in(leader)
    with django_assert_max_num_queries(7):
        page = client.get(f"/purchases/statements/{statement.pk}/")
    assert page.status_code == 200 and len(table_rows(page.text, "matched")) == 30


def test_the_statement_list_runs_a_fixed_number_of_queries(
        signed_in, leader, team, django_assert_max_num_queries):
    for n in range(30):
        card = CardFactory(team=team)
        statement = Statement.objects.create(card=card, month=last_month(), file_name="s.csv",
                                             uploaded_by=leader)
        line(statement, f"L{n}", 3, "4.00")
    client = signed_in(leader)
    with django_assert_max_num_queries(6):
        page = client.get("/purchases/statements/")
    assert page.text.count("/purchases/statements/") >= 30
    htmx = client.get("/purchases/statements/", HTTP_HX_REQUEST="true")
    assert "<html" not in htmx.text and 'id="statement-results"' in htmx.text


def test_leaders_and_auditors_find_statements_from_the_spend_page(signed_in, leader, auditor,
                                                                  caseworker):
    for user in (leader, auditor):
        assert "/purchases/statements/" in signed_in(user).get("/purchases/").text
    assert "/purchases/statements/" not in signed_in(caseworker).get("/purchases/").text


def test_the_demo_months_each_have_a_few_exceptions(settings, tmp_path):
    from accounts.demo import seed_accounts
    from accounts.services import roles_apply
    from caseload import demo as caseload_demo
    from purchases import demo

    roles_apply()
    context = seed_accounts()
    caseload_demo.seed(context)
    demo.seed(context)
    months = sorted(set(Statement.objects.values_list("month", flat=True)))
    assert len(months) >= demo.MONTHS - 1
    assert datetime.date.today().replace(day=1) not in months  # this month's is not out yet
    for month in months:
        recs = [statement_reconciliation(s) for s in Statement.objects.filter(month=month)]
        assert sum(len(r.no_line) for r in recs) == 1
        assert 1 <= sum(len(r.unlogged) for r in recs) <= 2
        assert sum(len(r.mismatches) for r in recs) == 0
        assert all(r.explained == r.difference for r in recs)
    count = StatementLine.objects.count()
    demo.seed(context)
    assert StatementLine.objects.count() == count
