import pytest

from tests.browser.axe import assert_accessible
from tests.factories import CaseFactory, ContactFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def joanne(team, caseworker):
    case = CaseFactory(team=team, lead=caseworker, person__name="Joanne Robson",
                       person__address="14 Quarry Row, Felling")
    ContactFactory(case=case, what_happened="First cup of tea together")
    return case


def test_caseworker_finds_a_person_by_misspelt_surname_and_logs_a_visit_on_a_phone(
        sign_in_as, caseworker, joanne, live_server):
    page = sign_in_as(caseworker, width=390, height=844)
    page.goto(f"{live_server.url}/cases/search")
    assert_accessible(page)
    page.get_by_label("Name, reference, address or phone").fill("Robsen")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Joanne Robson").click()
    page.wait_for_url(f"{live_server.url}/cases/{joanne.pk}/")
    assert_accessible(page)

    page.evaluate("window.notReloaded = true")
    page.get_by_text("Log a visit, call or message").click()
    page.get_by_label("Home visit").check()
    page.get_by_label("What happened").fill("Talked about the gas meter over a brew")
    page.get_by_label("Next step (optional)", exact=True).fill("Ring British Gas about the meter")
    page.locator("#id_contact-next_step_due_day").fill("1")
    page.locator("#id_contact-next_step_due_month").fill("2")
    page.locator("#id_contact-next_step_due_year").fill("2027")
    assert_accessible(page)
    page.get_by_role("button", name="Log it").click()

    first = page.locator(".moj-timeline__item").first
    first.get_by_text("Talked about the gas meter over a brew").wait_for()
    assert "Ring British Gas about the meter by 1 February 2027" in first.inner_text()
    assert page.evaluate("window.notReloaded") is True
    assert page.get_by_role("status").filter(has_text="Home visit logged").is_visible()
    assert_accessible(page)


def test_a_mistake_in_the_quick_log_keeps_the_words_and_focuses_the_summary(
        sign_in_as, caseworker, joanne, live_server):
    page = sign_in_as(caseworker, width=390, height=844)
    page.goto(f"{live_server.url}/cases/{joanne.pk}/")
    page.get_by_text("Log a visit, call or message").click()
    page.get_by_label("What we did (optional)").fill("Sorted the electric key")
    page.get_by_role("button", name="Log it").click()
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    page.wait_for_function("document.activeElement.classList.contains('govuk-error-summary')")
    assert page.get_by_label("What we did (optional)").input_value() == "Sorted the electric key"
    assert_accessible(page)


@pytest.mark.parametrize("path", ["/cases/", "/cases/mine", "/cases/new"])
def test_caseload_pages_are_accessible(sign_in_as, caseworker, joanne, live_server, path):
    page = sign_in_as(caseworker)
    page.goto(f"{live_server.url}{path}")
    assert_accessible(page)


@pytest.mark.parametrize("suffix", ["what-matters", "people/new", "debts/new", "holds/new",
                                    "specialists/new", "decisions/new", "outcomes/new", "close",
                                    "edit"])
def test_case_forms_are_accessible_with_errors_shown(sign_in_as, caseworker, joanne, live_server,
                                                      suffix):
    page = sign_in_as(caseworker, width=390, height=844)
    page.goto(f"{live_server.url}/cases/{joanne.pk}/{suffix}")
    assert_accessible(page)
    if suffix != "edit":
        page.get_by_role("button", name="Save").click()
        page.locator(".govuk-error-summary").wait_for()
        assert_accessible(page)
