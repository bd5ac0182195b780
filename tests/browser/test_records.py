"""The leader's and auditor's record pages added for reconciliation, publication, subject
access and the access log: each works in a real browser with 0 axe violations."""

import datetime
import re

import pytest

from tests.browser.axe import assert_accessible
from tests.factories import CaseFactory
from tests.purchases.factories import CardFactory, PurchaseFactory

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


def last_month() -> datetime.date:
    return (datetime.date.today().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


@pytest.fixture
def spend(team, caseworker, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    card = CardFactory(holder=caseworker, team=team, last_four="4417")
    case = CaseFactory(team=team, lead=caseworker, person__name="Joanne Robson")
    day = last_month() + datetime.timedelta(days=9)
    PurchaseFactory(case=case, worker=caseworker, card=card, date=day, amount="23.50",
                    merchant="Asda")
    PurchaseFactory(case=case, worker=caseworker, card=card, date=day, amount="12.00",
                    merchant="Greggs")
    return case


def test_a_leader_imports_a_statement_and_reconciles_it(sign_in_as, leader, spend, live_server,
                                                        tmp_path):
    day = last_month() + datetime.timedelta(days=10)
    statement = tmp_path / "statement.csv"
    statement.write_text("transaction_id,card_last_four,date,merchant,amount\n"
                         f"TX-1,4417,{day},ASDA STORES,23.50\n"
                         f"TX-2,4417,{day},UNKNOWN SHOP,8.99\n")
    page = sign_in_as(leader, width=1366, height=768)
    page.goto(f"{live_server.url}/purchases/statements/upload")
    assert_accessible(page)
    page.get_by_label("Statement month").select_option(f"{last_month():%Y-%m}")
    page.get_by_label("Upload the statement as CSV").set_input_files(str(statement))
    page.get_by_role("button", name="Check the file").click()
    page.get_by_role("button", name="Import 2 lines").wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="Import 2 lines").click()
    page.wait_for_url(re.compile(r"/purchases/statements/\d+/$"))  # imported, not the preview
    page.get_by_text("UNKNOWN SHOP").first.wait_for()
    assert_accessible(page)
    page.set_viewport_size(PHONE)
    assert_accessible(page)
    page.goto(f"{live_server.url}/purchases/statements/")
    assert_accessible(page)


def test_the_transparency_file_and_the_access_log_are_accessible(sign_in_as, leader, spend,
                                                                 live_server):
    page = sign_in_as(leader, **PHONE)
    page.goto(f"{live_server.url}/purchases/transparency")
    assert_accessible(page)
    page.get_by_role("button", name="Download CSV").first.click()  # no dates: errors
    page.locator(".govuk-error-summary").wait_for()
    assert_accessible(page)

    page.goto(f"{live_server.url}/cases/{spend.pk}/")
    page.goto(f"{live_server.url}/account/access-log")
    page.get_by_label("Case reference or record").fill(spend.reference)
    page.get_by_role("button", name="Search").click()
    page.get_by_text("What was found").wait_for()
    assert page.locator("tbody tr").count() == 1
    assert_accessible(page)


def test_a_leader_prepares_a_subject_access_request(sign_in_as, leader, spend, live_server):
    page = sign_in_as(leader, width=1366, height=768)
    page.goto(f"{live_server.url}/privacy/subject-access/")
    assert_accessible(page)
    person = spend.people.first()
    page.goto(f"{live_server.url}/privacy/subject-access/new?person={person.pk}")
    assert_accessible(page)
    received = datetime.date.today() - datetime.timedelta(days=2)
    page.get_by_label("Day").fill(str(received.day))
    page.get_by_label("Month").fill(str(received.month))
    page.get_by_label("Year").fill(str(received.year))
    page.get_by_role("button", name="Start the request").click()
    page.wait_for_url(re.compile(r"/privacy/subject-access/\d+/$"))  # started, not refused
    page.get_by_role("heading", level=1).wait_for()
    assert "/privacy/subject-access/" in page.url
    assert_accessible(page)
