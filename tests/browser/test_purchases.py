import pytest

from purchases.models import Purchase
from tests.browser.axe import assert_accessible
from tests.factories import CaseFactory
from tests.purchases.factories import CardFactory
from tests.purchases.receipts import png_bytes

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
PLAN = {"Proportionate": "A week's basics, nothing more",
        "Legal": "Ordinary groceries from a supermarket",
        "Auditable": "On the case, with the receipt",
        "Necessary": "No food in until Friday's payment"}


@pytest.fixture
def joanne(team, caseworker, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    CardFactory(holder=caseworker, team=team, last_four="4417")
    return CaseFactory(team=team, lead=caseworker, person__name="Joanne Robson")


def test_caseworker_logs_a_food_shop_on_a_phone_and_a_leader_reviews_it(
        sign_in_as, caseworker, leader, joanne, live_server):
    page = sign_in_as(caseworker, **PHONE)
    page.goto(f"{live_server.url}/cases/{joanne.pk}/")
    page.get_by_role("link", name="Log a purchase for this person").click()
    page.get_by_label("Amount").wait_for()
    assert_accessible(page)

    page.get_by_label("Amount").fill("£23.50")
    page.get_by_label("Where").fill("Asda")
    page.get_by_label("Food", exact=True).check()
    page.get_by_label("What it was for").fill("Food shop: cupboards empty until payday")
    for letter, reason in PLAN.items():
        page.get_by_label(letter, exact=True).check()
        page.get_by_label(f"Why it is {letter.lower()}").fill(reason)
    page.get_by_label("Why it is necessary").fill("")  # a slip: the reason is missing
    page.get_by_label("Receipt (optional)", exact=True).set_input_files(
        {"name": "IMG_2041.png", "mimeType": "image/png", "buffer": png_bytes()})
    page.get_by_role("button", name="Log the purchase").click()

    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    assert "Say in one line why it is necessary" in summary.inner_text()
    assert page.get_by_label("Where").input_value() == "Asda"
    assert page.get_by_text("Choose the receipt again").is_visible()
    assert Purchase.objects.count() == 0
    assert_accessible(page)

    page.get_by_label("Why it is necessary").fill(PLAN["Necessary"])
    page.get_by_label("Receipt (optional)", exact=True).set_input_files(
        {"name": "IMG_2041.png", "mimeType": "image/png", "buffer": png_bytes()})
    page.get_by_role("button", name="Log the purchase").click()
    page.get_by_role("heading", name="£23.50 at Asda").wait_for()
    purchase = Purchase.objects.get()
    assert purchase.receipt_content_type == "image/png"
    assert page.get_by_role("link", name="Download the receipt").is_visible()
    assert_accessible(page)

    page.goto(f"{live_server.url}/cases/{joanne.pk}/")
    assert page.get_by_role("link", name="£23.50 at Asda").is_visible()
    page.goto(f"{live_server.url}/purchases/")
    assert page.get_by_role("link", name="Asda").is_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{live_server.url}/account/sign-in*")
    page = sign_in_as(leader, **PHONE)
    page.goto(f"{live_server.url}/purchases/review")
    assert_accessible(page)
    page.get_by_role("link", name=f"Review purchase {purchase.pk} at Asda").click()
    page.get_by_label("OK", exact=True).check()
    assert_accessible(page)
    page.get_by_role("button", name="Save the verdict").click()
    page.get_by_text("Nothing to review").wait_for()
    assert_accessible(page)
    purchase.refresh_from_db()
    assert (purchase.review_verdict, purchase.reviewed_by) == ("ok", leader)

    page.goto(f"{live_server.url}/purchases/{purchase.pk}/")
    assert page.get_by_text("Reviewed OK").is_visible()
    assert_accessible(page)
