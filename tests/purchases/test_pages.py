"""The purchase list and page, corrections, voiding and the history."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver
from django.utils import timezone

from accounts.roles import Role
from purchases.models import Purchase
from tests.factories import CaseFactory
from tests.purchases.factories import PurchaseFactory

pytestmark = pytest.mark.django_db


def test_list_shows_the_teams_spend_and_its_total_without_voided(
        signed_in, caseworker, case, purchase, other_purchase):
    voided = PurchaseFactory(case=case, merchant="Oops Ltd", amount=Decimal("99.00"))
    voided.void(by=caseworker, reason="Logged twice")
    month = timezone.localdate().strftime("%Y-%m")
    page = signed_in(caseworker).get(f"/purchases/?month={month}").text
    assert "Asda" in page and "Greggs" not in page
    assert "2 purchases in " in page and ", £23.50 in total" in page
    assert 'class="govuk-table__row app-voided"' in page
    chosen = timezone.localdate().strftime("%B %Y")  # the month select keeps the choice
    assert f'<option value="{month}" selected>{chosen}</option>' in page


def test_the_month_select_offers_three_years_newest_first_with_none_chosen(signed_in,
                                                                            caseworker):
    page = signed_in(caseworker).get("/purchases/").text
    select = page[page.index('<select class="govuk-select" id="month"'):]
    options = re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>',
                         select[:select.index("</select>")])
    today = timezone.localdate()
    assert options[:2] == [("", "", "Any time"),
                           (today.strftime("%Y-%m"), "", today.strftime("%B %Y"))]
    assert len(options) == 37 and not any(selected for _, selected, _ in options)


def test_without_a_month_nothing_in_reach_is_counted_or_summed(
        signed_in, auditor, purchase, other_purchase):
    client = signed_in(auditor)
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/purchases/").text
    assert "Asda" in page and "Greggs" in page and "in total" not in page
    assert not [q for q in queries.captured_queries if "COUNT(" in q["sql"]
                or "SUM(" in q["sql"]]
    last_month = (timezone.localdate().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    page = client.get(f"/purchases/?month={last_month}").text
    assert "No purchases to show here in" in page


def test_the_list_pages_on_without_a_count(signed_in, caseworker, case, card):
    for n in range(55):
        PurchaseFactory(case=case, card=card, merchant=f"Shop {n}")
    client = signed_in(caseworker)
    first = client.get("/purchases/?show=all").text
    assert 'rel="next"' in first and 'rel="prev"' not in first and "Page 1" in first
    second = client.get("/purchases/?show=all&page=2").text
    assert second.count('<tr class="govuk-table__row') == 6  # header + the last 5
    assert 'rel="next"' not in second and 'rel="prev"' in second
    assert client.get("/purchases/?page=nonsense").status_code == 200


@pytest.mark.parametrize("show, present, absent", [
    ("mine", "Mine shop", "Colleague shop"),
    ("receipt-missing", "Colleague shop", "Mine shop"),
    ("advice", "Mine shop", "Colleague shop"),
    ("awaiting-advice", "Mine shop", "Colleague shop"),
    ("voided", "Voided shop", "Mine shop"),
    ("to-answer", "Queried shop", "Mine shop"),
])
def test_list_filters(signed_in, caseworker, coordinator, leader, case, show, present, absent):
    PurchaseFactory(case=case, worker=caseworker, merchant="Mine shop", advice_asked=True)
    PurchaseFactory(case=case, worker=coordinator, merchant="Colleague shop",
                    no_receipt_reason="")
    PurchaseFactory(case=case, merchant="Voided shop").void(by=caseworker, reason="Twice")
    PurchaseFactory(case=case, merchant="Queried shop").review(by=leader, verdict="query",
                                                              note="Which?")
    page = signed_in(caseworker).get(f"/purchases/?show={show}").text
    assert present in page and absent not in page


def test_one_teams_purchases_in_a_month_when_both_are_chosen(
        signed_in, leader, caseworker, team, other_team, case, purchase, other_purchase):
    """The team filter holds only for teams in reach; a month narrows it further."""
    earlier = PurchaseFactory(case=case, merchant="Earlier shop",
                              date=timezone.localdate() - timedelta(days=70))
    month = timezone.localdate().strftime("%Y-%m")
    client = signed_in(leader)
    page = client.get(f"/purchases/?team={team.pk}").text
    assert "Asda" in page and earlier.merchant in page and "Greggs" not in page
    page = client.get(f"/purchases/?team={team.pk}&month={month}").text
    assert "Asda" in page and earlier.merchant not in page and "Greggs" not in page
    assert "1 purchase in " in page
    page = client.get(f"/purchases/?team={other_team.pk}&show=all").text
    assert "Greggs" in page and "Asda" not in page
    outside = signed_in(caseworker).get(f"/purchases/?team={other_team.pk}").text
    assert "Asda" in outside and "Greggs" not in outside  # not in reach: their own teams'


def test_list_queries_do_not_grow_with_purchases(
        signed_in, caseworker, case, card, django_assert_max_num_queries):
    for n in range(200):
        PurchaseFactory(case=case, card=card, merchant=f"Shop {n}")
    client = signed_in(caseworker)
    with django_assert_max_num_queries(12):
        response = client.get("/purchases/")
    assert response.status_code == 200
    assert response.text.count('<tr class="govuk-table__row') == 51  # header + a page of 50


def test_htmx_gets_the_results_fragment(signed_in, caseworker, purchase):
    response = signed_in(caseworker).get("/purchases/?show=mine", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text and "Asda" in response.text


def test_purchase_page_shows_the_person_to_the_team(signed_in, caseworker, purchase):
    page = signed_in(caseworker).get(f"/purchases/{purchase.pk}/").text
    assert f"{purchase.case.reference}: Joanne Robson" in page
    assert "Nothing in until Friday" not in page  # only what was logged
    assert "No food in the house and no money until Friday" in page


def test_auditor_reads_the_purchase_with_the_case_reference_and_never_a_name(
        signed_in, auditor, purchase):
    client = signed_in(auditor)
    assert "Asda" in client.get("/purchases/").text
    page = client.get(f"/purchases/{purchase.pk}/").text
    assert purchase.case.reference in page
    assert "Joanne" not in page and "Robson" not in page
    assert "Correct it" not in page and "Void it" not in page and "Review this" not in page


def test_a_purchase_outside_the_users_reach_is_not_found(signed_in, caseworker, other_purchase):
    client = signed_in(caseworker)
    for suffix in ("", "edit", "void", "receipt"):
        assert client.get(f"/purchases/{other_purchase.pk}/{suffix}").status_code == 404


def _purchase_urls(pk):
    for pattern in get_resolver("purchases.urls").url_patterns:
        yield "/purchases/" + str(pattern.pattern).replace("<int:pk>", str(pk))


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_auditor_cannot_change_anything(signed_in, auditor, purchase, method):
    client = signed_in(auditor)
    before = list(Purchase.objects.values())
    for url in _purchase_urls(purchase.pk):
        status = getattr(client, method)(url, {"verdict": "ok", "reason": "x"}).status_code
        # 403 where a change could be made; 405 where the page only ever reads
        assert status in (403, 405), f"{method} {url} answered {status}"
        if method == "post" and url.endswith(("new", "edit", "void", "answer",
                                              f"{purchase.pk}/review")):
            assert status == 403, url
    assert list(Purchase.objects.values()) == before


@pytest.mark.parametrize("role", list(Role))
def test_no_url_deletes_a_purchase(signed_in, make_user, team, purchase, role):
    client = signed_in(make_user(role, team=team, is_staff=role == Role.ADMIN))
    for url in [*_purchase_urls(purchase.pk), f"/admin/purchases/purchase/{purchase.pk}/delete/"]:
        client.delete(url)
        client.post(url, {"post": "yes"})
    client.post("/admin/purchases/purchase/", {"action": "delete_selected",
                                               "_selected_action": [purchase.pk], "post": "yes"})
    assert Purchase.objects.filter(pk=purchase.pk).exists()


def test_worker_corrects_an_unreviewed_purchase_and_the_event_names_them(
        signed_in, caseworker, purchase, card):
    client = signed_in(caseworker)
    page = client.get(f"/purchases/{purchase.pk}/edit").text
    assert 'value="Asda"' in page and 'name="version" value="1"' in page
    data = _edit_data(purchase, merchant="Aldi", amount="21.00")
    response = client.post(f"/purchases/{purchase.pk}/edit", data)
    assert response.status_code == 302
    purchase.refresh_from_db()
    assert (purchase.merchant, purchase.amount, purchase.version) == ("Aldi", Decimal("21.00"), 2)
    event = purchase.events.order_by("-pgh_id").first()
    assert event.pgh_context["user"] == caseworker.pk
    history = client.get(f"/purchases/{purchase.pk}/").text
    assert "Corrected" in history and "Asda" in history and "Aldi" in history
    assert "£23.50" in history and "£21.00" in history


def _edit_data(purchase, **changes):
    data = {
        "version": purchase.version, "case": purchase.case_id, "amount": str(purchase.amount),
        "merchant": purchase.merchant, "category": purchase.category,
        "purpose": purchase.purpose, "date_day": purchase.date.day,
        "date_month": purchase.date.month, "date_year": purchase.date.year,
        "card": purchase.card_id, "no_receipt_reason": purchase.no_receipt_reason,
    }
    for key in ("proportionate", "legal", "auditable", "necessary"):
        data[f"plan_{key}"] = "on"
        data[f"plan_{key}_reason"] = getattr(purchase, f"plan_{key}_reason")
    return {**data, **changes}


def test_a_stale_correction_overwrites_nothing_and_keeps_the_typing(
        signed_in, caseworker, purchase):
    stale = _edit_data(purchase, merchant="Typed while someone else saved")
    purchase.advice_asked = True
    purchase.version += 1
    purchase.save()
    response = signed_in(caseworker).post(f"/purchases/{purchase.pk}/edit", stale)
    assert response.status_code == 409
    assert "changed this purchase while you were correcting it" in response.text
    assert 'value="Typed while someone else saved"' in response.text
    assert 'name="version" value="2"' in response.text
    assert Purchase.objects.get().merchant == "Asda"


def test_a_reviewed_purchase_can_no_longer_be_corrected(signed_in, caseworker, leader, purchase):
    purchase.review(by=leader, verdict="ok")
    client = signed_in(caseworker)
    assert client.get(f"/purchases/{purchase.pk}/edit").status_code == 403
    assert client.post(f"/purchases/{purchase.pk}/edit",
                       _edit_data(purchase, merchant="Changed")).status_code == 403
    assert Purchase.objects.get().merchant == "Asda"


def test_only_its_worker_corrects_a_purchase(signed_in, coordinator, purchase):
    assert signed_in(coordinator).get(f"/purchases/{purchase.pk}/edit").status_code == 403


def test_worker_voids_with_a_reason_and_it_is_struck_through_and_not_counted(
        signed_in, caseworker, purchase):
    client = signed_in(caseworker)
    empty = client.post(f"/purchases/{purchase.pk}/void", {"reason": ""})
    assert empty.status_code == 422 and "Say why you are voiding the purchase" in empty.text
    assert not Purchase.objects.get().voided

    response = client.post(f"/purchases/{purchase.pk}/void", {"reason": "Logged twice"})
    assert response.status_code == 302
    purchase.refresh_from_db()
    assert purchase.voided and purchase.voided_by == caseworker
    assert purchase.events.order_by("-pgh_id").first().pgh_context["user"] == caseworker.pk
    page = client.get(f"/purchases/{purchase.pk}/").text
    assert "app-voided" in page and "(voided)" in page and "Logged twice" in page
    assert "Voided" in page
    assert "No purchases to show here" not in client.get("/purchases/?show=voided").text


def test_a_leader_may_void_but_a_colleague_may_not(signed_in, leader, coordinator, purchase):
    assert signed_in(coordinator).post(f"/purchases/{purchase.pk}/void",
                                       {"reason": "Mine now"}).status_code == 403
    assert signed_in(leader).post(f"/purchases/{purchase.pk}/void",
                                  {"reason": "Card refunded"}).status_code == 302
    assert Purchase.objects.get().voided_by == leader


def test_history_lists_who_did_what_and_when(signed_in, caseworker, leader, purchase):
    purchase.review(by=leader, verdict="query", note="Which store?")
    purchase.answer_query(by=caseworker, text="The big Asda")
    page = signed_in(leader).get(f"/purchases/{purchase.pk}/").text
    for text in ("Logged", "Reviewed", "Query answered", "by Lee Charlton", "by Casey Bell",
                 "Not reviewed yet", "Query: needs details", "The big Asda"):
        assert text in page


def test_purchase_page_queries_do_not_grow_with_history(
        signed_in, caseworker, purchase, django_assert_max_num_queries):
    for n in range(30):
        purchase.merchant = f"Shop {n}"
        purchase.save()
    client = signed_in(caseworker)
    with django_assert_max_num_queries(14):
        response = client.get(f"/purchases/{purchase.pk}/")
    assert response.text.count('class="moj-timeline__item"') == 31


def test_admin_manages_cards_and_pots_and_only_reads_purchases(
        signed_in, make_user, team, purchase):
    admin_user = make_user(Role.ADMIN, is_staff=True)
    client = signed_in(admin_user)
    assert client.get("/admin/purchases/card/add/").status_code == 200
    assert client.get("/admin/purchases/budgetpot/add/").status_code == 200
    assert client.get("/admin/purchases/purchase/add/").status_code == 403


def test_a_leader_of_two_teams_sees_every_teams_spend(signed_in, leader, purchase,
                                                      other_purchase):
    page = signed_in(leader).get("/purchases/").text
    assert "Asda" in page and "Greggs" in page


def test_coordinator_sees_the_teams_spend_but_not_others(
        signed_in, coordinator, purchase, other_purchase, team):
    PurchaseFactory(case=CaseFactory(team=team, lead=coordinator), merchant="Cora's shop")
    page = signed_in(coordinator).get("/purchases/").text
    assert "Asda" in page and "Cora&#x27;s shop" in page and "Greggs" not in page


def test_the_list_narrows_to_one_team_in_reach_and_keeps_it_across_pages(
        signed_in, leader, caseworker, case, other_team):
    from tests.factories import CaseFactory

    PurchaseFactory(case=case, merchant="Riverside shop")
    PurchaseFactory(case=CaseFactory(team=other_team), merchant="Hillside shop")
    page = signed_in(leader).get(f"/purchases/?show=all&team={other_team.pk}").text
    assert "Hillside shop" in page and "Riverside shop" not in page
    assert "Hillside’s purchases only" in page
    assert f'name="team" value="{other_team.pk}"' in page  # kept by the month form
    # A caseworker cannot narrow to a team outside their reach: the filter is ignored.
    theirs = signed_in(caseworker).get(f"/purchases/?show=all&team={other_team.pk}").text
    assert "Riverside shop" in theirs and "Hillside" not in theirs
