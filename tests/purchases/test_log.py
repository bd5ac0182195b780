"""Logging a purchase: quick, PLAN-checked, and nothing written until everything is right."""

from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.roles import Role
from purchases.models import Purchase
from tests.factories import CaseFactory
from tests.purchases.factories import CardFactory
from tests.purchases.receipts import exe_bytes, jpeg_bytes, pdf_bytes, png_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def form_data(case, card):
    today = timezone.localdate()
    return {
        "case": case.pk, "amount": "23.50", "merchant": "Asda", "category": "food",
        "purpose": "Food shop: cupboards empty until payday",
        "date_day": today.day, "date_month": today.month, "date_year": today.year,
        "card": card.pk,
        "plan_proportionate": "on", "plan_proportionate_reason": "A week's basics, no more",
        "plan_legal": "on", "plan_legal_reason": "Ordinary groceries",
        "plan_auditable": "on", "plan_auditable_reason": "On the case, receipt kept",
        "plan_necessary": "on", "plan_necessary_reason": "Nothing in until Friday",
    }


def test_caseworker_logs_a_food_shop_with_plan_reasons_and_a_receipt(
        signed_in, caseworker, case, card, form_data, settings):
    response = signed_in(caseworker).post(
        "/purchases/new", {**form_data, "receipt": upload("IMG_0042.JPG", jpeg_bytes())})
    purchase = Purchase.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/purchases/{purchase.pk}/"
    assert (purchase.case, purchase.worker, purchase.card) == (case, caseworker, card)
    assert purchase.amount == Decimal("23.50") and purchase.category == "food"
    assert purchase.plan_necessary_reason == "Nothing in until Friday"
    assert purchase.created_by == purchase.updated_by == caseworker
    assert purchase.receipt.name.startswith("receipts/") and purchase.receipt.name.endswith(".jpg")
    assert "IMG_0042" not in purchase.receipt.name
    assert purchase.receipt_content_type == "image/jpeg"
    assert (settings.MEDIA_ROOT / purchase.receipt.name).read_bytes() == jpeg_bytes()
    event = purchase.events.get()
    assert event.pgh_label == "insert" and event.pgh_context["user"] == caseworker.pk


def test_the_form_preselects_the_case_today_and_the_workers_own_card(
        signed_in, caseworker, case, card, team):
    CardFactory(team=team, last_four="9999")  # a colleague's card, also offered
    page = signed_in(caseworker).get(f"/purchases/new?case={case.pk}").text
    assert f'<option value="{case.pk}" selected>{case.reference}: Joanne Robson</option>' in page
    assert f'<option value="{card.pk}" selected>Ending 1234' in page
    assert "Ending 9999" in page
    assert f'value="{timezone.localdate().year}"' in page
    assert 'enctype="multipart/form-data"' in page


def test_a_card_guidance_limit_is_shown_and_never_blocks(signed_in, caseworker, card, form_data):
    card.per_transaction_guidance = Decimal("20.00")
    card.save()
    client = signed_in(caseworker)
    assert "up to £20.00 a purchase" in client.get("/purchases/new").text
    response = client.post("/purchases/new", {**form_data, "no_receipt_reason": "Lost"},
                           follow=True)
    assert Purchase.objects.count() == 1
    assert "over your card&#x27;s guidance of £20.00" in response.text


def test_closed_cases_and_other_teams_cases_are_not_offered(
        signed_in, caseworker, case, other_case, team):
    closed = CaseFactory(team=team, lead=caseworker, person__name="Closed Person")
    closed.close(note="Done")
    page = signed_in(caseworker).get("/purchases/new").text
    assert "Joanne Robson" in page
    assert "Peter Armstrong" not in page and "Closed Person" not in page


@pytest.mark.parametrize("amount, stored", [
    ("£23.50", "23.50"), ("23.5", "23.50"), ("1,000", "1000.00"), (" 7 ", "7.00"), (".99", "0.99"),
])
def test_amounts_are_read_as_people_type_them(signed_in, caseworker, form_data, amount, stored):
    signed_in(caseworker).post("/purchases/new", {**form_data, "amount": amount,
                                                  "no_receipt_reason": "Lost"})
    assert Purchase.objects.get().amount == Decimal(stored)


def _bad(client, data, message):
    response = client.post("/purchases/new", data)
    assert response.status_code == 422
    assert "There is a problem" in response.text
    assert message in response.text.replace("&#x27;", "'").replace("&quot;", '"')
    assert Purchase.objects.count() == 0
    return response


@pytest.mark.parametrize("changes, message", [
    ({"plan_legal_reason": ""}, "Say in one line why it is legal"),
    ({"plan_necessary": ""}, "Confirm the purchase is necessary (N in PLAN)"),
    ({"amount": "-5"}, "Amount must be more than £0"),
    ({"amount": "0"}, "Amount must be more than £0"),
    ({"amount": "12.345"}, "no more than 2 numbers after the point"),
    ({"amount": "£1e9"}, "Amount must be a number in pounds, like 23.50"),
    ({"amount": "NaN"}, "Amount must be a number in pounds, like 23.50"),
    ({"amount": "20000"}, "Amount must be £10,000 or less"),
    ({"amount": ""}, "Enter the amount"),
    ({"merchant": ""}, "Enter where you bought it"),
    ({"category": "holiday"}, "Select a valid choice"),
    ({"date_year": "2099"}, "must be today or in the past"),
    ({"date_year": "2001"}, "within the last year"),
])
def test_bad_input_is_refused_with_a_clear_message_the_rest_kept_and_nothing_written(
        signed_in, caseworker, form_data, changes, message):
    data = {k: v for k, v in {**form_data, **changes}.items() if v != ""}
    response = _bad(signed_in(caseworker), data, message)
    if "merchant" not in changes:
        assert 'value="Asda"' in response.text
    assert "Nothing in until Friday" in response.text


def test_a_case_from_another_team_is_refused(signed_in, caseworker, other_case, form_data):
    _bad(signed_in(caseworker), {**form_data, "case": other_case.pk},
         "Choose one of your team's open cases")


def test_another_teams_card_is_refused(signed_in, caseworker, other_team, form_data):
    stranger = CardFactory(team=other_team)
    _bad(signed_in(caseworker), {**form_data, "card": stranger.pk},
         "Choose one of your team's cards")


def test_an_implausible_amount_asks_the_worker_to_check_then_saves_once_confirmed(
        signed_in, caseworker, form_data):
    client = signed_in(caseworker)
    response = _bad(client, {**form_data, "amount": "£1,250"},
                    "Check the amount: purchase-card spends are usually under £1,000")
    assert "Yes, the amount is right" in response.text
    client.post("/purchases/new", {**form_data, "amount": "£1,250", "amount_confirmed": "on"})
    assert Purchase.objects.get().amount == Decimal("1250.00")


@pytest.mark.parametrize("name, data, message", [
    ("receipt.jpg", exe_bytes(), "The receipt must be a photo (JPEG, PNG, HEIC or WebP) or a PDF"),
    ("receipt.jpg", jpeg_bytes() + b"PK\x03\x04\x14\x00" + b"\x00" * 40,
     "The receipt must be a photo"),
    ("receipt.pdf", b"\xef\xbb\xbf" + pdf_bytes(), "The receipt must be a photo"),
    ("receipt.jpg", b"GIF89a" + b"\x00" * 50, "The receipt must be a photo"),
    ("big.jpg", jpeg_bytes() + b"\x00" * (11 * 1024 * 1024), "smaller than 10 MB"),
])
def test_a_receipt_that_is_not_a_photo_or_pdf_or_too_big_is_refused(
        signed_in, caseworker, form_data, name, data, message, settings):
    response = _bad(signed_in(caseworker), {**form_data, "receipt": upload(name, data)}, message)
    assert "Choose the receipt again" not in response.text  # the receipt itself is the problem
    assert not (settings.MEDIA_ROOT / "receipts").exists()


@pytest.mark.parametrize("data, content_type, extension", [
    (png_bytes(), "image/png", "png"),
    (pdf_bytes(), "application/pdf", "pdf"),
])
def test_photos_and_pdfs_are_typed_from_their_content_not_their_name(
        signed_in, caseworker, form_data, data, content_type, extension):
    signed_in(caseworker).post("/purchases/new",
                               {**form_data, "receipt": upload("scan.jpeg", data)})
    purchase = Purchase.objects.get()
    assert purchase.receipt.name.endswith(f".{extension}")
    assert purchase.receipt_content_type == content_type


def test_a_chosen_receipt_must_be_chosen_again_after_another_mistake(
        signed_in, caseworker, form_data):
    response = _bad(signed_in(caseworker),
                    {**form_data, "amount": "-5", "receipt": upload("r.png", png_bytes())},
                    "Amount must be more than £0")
    assert "Choose the receipt again" in response.text


def test_advice_asked_is_still_saved(signed_in, caseworker, form_data):
    signed_in(caseworker).post("/purchases/new", {**form_data, "advice_asked": "on",
                                                  "no_receipt_reason": "Online order"})
    assert Purchase.objects.get().advice_asked is True


@pytest.mark.parametrize("role", [Role.LEADER, Role.AUDITOR, Role.ADMIN])
def test_only_caseworkers_log_purchases(signed_in, make_user, form_data, role):
    client = signed_in(make_user(role))
    assert client.get("/purchases/new").status_code == 403
    assert client.post("/purchases/new", form_data).status_code == 403
    assert Purchase.objects.count() == 0


def test_a_caseworker_with_no_card_is_told_to_ask_an_admin(signed_in, make_user, team, case):
    newcomer = make_user(Role.CASEWORKER, team=team)
    assert "Ask an admin to add yours" in signed_in(newcomer).get("/purchases/new").text
