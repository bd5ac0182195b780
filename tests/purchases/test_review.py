"""Review after the fact: leaders give a verdict; nobody reviews their own spend; the worker
answers queries on the purchase page."""

import datetime

import pytest

from accounts.roles import Role
from purchases.models import Purchase
from tests.factories import CaseFactory
from tests.purchases.factories import PurchaseFactory

pytestmark = pytest.mark.django_db


def test_leader_sees_unreviewed_spend_oldest_first(signed_in, leader, case, caseworker):
    today = datetime.date.today()
    newer = PurchaseFactory(case=case, merchant="Newer shop", date=today)
    older = PurchaseFactory(case=case, merchant="Older shop",
                            date=today - datetime.timedelta(days=9))
    PurchaseFactory(case=case, merchant="Voided shop").void(by=caseworker, reason="Twice")
    PurchaseFactory(case=case, merchant="Reviewed shop").review(by=leader, verdict="ok")
    page = signed_in(leader).get("/purchases/review").text
    assert page.index("Older shop") < page.index("Newer shop")
    assert "Voided shop" not in page and "Reviewed shop" not in page
    assert f"/purchases/{older.pk}/review" in page and f"/purchases/{newer.pk}/review" in page


def test_the_queue_hides_the_reviewers_own_spend(signed_in, make_user, team):
    both = make_user(Role.LEADER, Role.CASEWORKER, team=team)
    PurchaseFactory(case=CaseFactory(team=team, lead=both), merchant="My own shop")
    page = signed_in(both).get("/purchases/review").text
    assert "My own shop" not in page
    assert "1 purchase you logged is left for another leader" in page


def test_reviewing_own_spend_is_refused_with_a_clear_message(signed_in, make_user, team):
    both = make_user(Role.LEADER, Role.CASEWORKER, team=team)
    purchase = PurchaseFactory(case=CaseFactory(team=team, lead=both))
    client = signed_in(both)
    for response in (client.get(f"/purchases/{purchase.pk}/review"),
                     client.post(f"/purchases/{purchase.pk}/review", {"verdict": "ok"})):
        assert response.status_code == 403
        assert "You cannot review your own spend" in response.text
    assert Purchase.objects.get().review_verdict == ""


def test_leader_reviews_ok_and_the_event_names_them(signed_in, leader, purchase):
    response = signed_in(leader).post(f"/purchases/{purchase.pk}/review",
                                      {"verdict": "ok", "note": ""})
    assert response.status_code == 302 and response["Location"] == "/purchases/review"
    purchase.refresh_from_db()
    assert (purchase.review_verdict, purchase.reviewed_by) == ("ok", leader)
    event = purchase.events.order_by("-pgh_id").first()
    assert event.pgh_context["user"] == leader.pk
    assert event.pgh_context["url"] == f"/purchases/{purchase.pk}/review"


@pytest.mark.parametrize("verdict, message", [
    ("query", "Write a note saying what you need to know"),
    ("not_ok", "Write a note saying why it is not OK"),
    ("", "Choose OK, query or not OK"),
])
def test_a_verdict_needs_its_note(signed_in, leader, purchase, verdict, message):
    response = signed_in(leader).post(f"/purchases/{purchase.pk}/review", {"verdict": verdict})
    assert response.status_code == 422 and message in response.text
    assert Purchase.objects.get().review_verdict == ""


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.COORDINATOR, Role.AUDITOR])
def test_only_reviewers_review(signed_in, make_user, team, purchase, role):
    client = signed_in(make_user(role, team=team))
    assert client.get("/purchases/review").status_code == 403
    assert client.get(f"/purchases/{purchase.pk}/review").status_code == 403
    assert client.post(f"/purchases/{purchase.pk}/review", {"verdict": "ok"}).status_code == 403
    assert Purchase.objects.get().review_verdict == ""


def test_the_worker_sees_a_query_and_answers_it_on_the_purchase_page(
        signed_in, caseworker, leader, purchase):
    purchase.review(by=leader, verdict="query", note="Was this the weekly shop?")
    client = signed_in(caseworker)
    page = client.get(f"/purchases/{purchase.pk}/").text
    assert "Was this the weekly shop?" in page and "Send the answer" in page
    assert str(purchase.merchant) in client.get("/purchases/?show=to-answer").text

    empty = client.post(f"/purchases/{purchase.pk}/answer", {"answer": " "})
    assert empty.status_code == 422 and "Write your answer to the query" in empty.text

    response = client.post(f"/purchases/{purchase.pk}/answer", {"answer": "Yes, for 4 people"})
    assert response.status_code == 302
    purchase.refresh_from_db()
    assert purchase.query_answer == "Yes, for 4 people"
    assert purchase.events.order_by("-pgh_id").first().pgh_context["user"] == caseworker.pk
    assert f"/purchases/{purchase.pk}/review" in signed_in(leader).get("/purchases/review").text


def test_a_colleague_cannot_answer_someone_elses_query(signed_in, coordinator, leader, purchase):
    purchase.review(by=leader, verdict="query", note="Which shop?")
    response = signed_in(coordinator).post(f"/purchases/{purchase.pk}/answer", {"answer": "Asda"})
    assert response.status_code == 403
    assert Purchase.objects.get().query_answer == ""
