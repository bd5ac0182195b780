"""Two people (or one person in two windows) open the same record's form, and both save.

For every record that can be edited, the first save wins, the second is told clearly that
someone saved first and is shown both texts, and nothing is silently overwritten: the stored
text is the first, and the second person's text is still in their form, ready to save again.
"""

from html import unescape

import pytest
from django.test import Client

from caseload.models import Case, Contact, WhatMatters
from debriefs.models import Entry
from debriefs.services import debrief_start
from issues.models import Issue
from purchases.models import Purchase
from tests.factories import CaseFactory, ContactFactory
from tests.issues.factories import IssueFactory
from tests.purchases.factories import PurchaseFactory
from tests.security.html_forms import form_in, open_form

pytestmark = pytest.mark.django_db

FIRST, SECOND = "First window's words", "Second window's words"


def window(user):
    """A separate browser session for the user (a second tab or device shares nothing)."""
    client = Client()
    client.force_login(user)
    return client


def edit_race(first_user, second_user, url, field, *, extra=None):
    """Both open the form; the first saves FIRST, then the second saves SECOND. Returns the
    second save's response."""
    one, two = window(first_user), window(second_user)
    action_one, data_one = open_form(one, url, field)
    action_two, data_two = open_form(two, url, field)
    # Both forms show the record at the same version (each session has its own CSRF token).
    token = "csrfmiddlewaretoken"
    assert {**data_one, token: None} == {**data_two, token: None}
    saved = one.post(action_one, {**data_one, field: FIRST, **(extra or {})})
    assert saved.status_code == 302
    return two, two.post(action_two, {**data_two, field: SECOND, **(extra or {})})


def assert_conflict(response, *, status=409):
    assert response.status_code == status
    text = unescape(response.text)
    assert FIRST in text  # the record as it is now
    assert SECOND in text  # and the second person's words, still in their form
    assert "nothing was saved" in text.lower() or "Not saved" in text or (
        "saved a new version while you were writing" in text)
    return text


def save_again(client, response, field, url):
    """Having seen both, the second person saves again: their words are kept."""
    action, data = form_in(response, field, url)
    assert data[field] == [SECOND]
    return client.post(action, data)


@pytest.fixture
def case(team, caseworker):
    return CaseFactory(team=team, lead=caseworker, person__name="Joanne Robson")


def test_case_details_second_save_is_a_conflict(caseworker, coordinator, case):
    url = f"/cases/{case.pk}/edit"
    one, two = window(caseworker), window(coordinator)
    action_one, data_one = open_form(one, url, "source")
    action_two, data_two = open_form(two, url, "source")
    assert one.post(action_one, {**data_one, "source": "housing"}).status_code == 302
    response = two.post(action_two, {**data_two, "source": "partner"})
    assert response.status_code == 409
    text = unescape(response.text)
    assert "changed this case's details while you were editing" in text
    assert "Housing" in text  # the details as they are now
    assert 'value="partner" checked' in response.text or (
        '<option value="partner" selected>' in response.text)  # the second choice is kept
    assert Case.objects.get().source == "housing"
    action, data = form_in(response, "source", url)
    assert two.post(action, data).status_code == 302
    assert Case.objects.get().source == "partner"


def test_what_matters_second_save_is_a_conflict(caseworker, coordinator, case):
    WhatMatters.objects.create(case=case, what_matters="Start", written_by=caseworker)
    url = f"/cases/{case.pk}/what-matters"
    two, response = edit_race(caseworker, coordinator, url, "what_matters")
    assert_conflict(response, status=422)
    assert case.what_matters_versions.first().what_matters == FIRST
    assert save_again(two, response, "what_matters", url).status_code == 302
    assert list(case.what_matters_versions.values_list("what_matters", flat=True)) == [
        SECOND, FIRST, "Start"]


def test_contact_second_correction_is_a_conflict(caseworker, case):
    contact = ContactFactory(case=case, worker=caseworker, author=caseworker,
                             what_happened="Popped round")
    url = f"/cases/contacts/{contact.pk}/edit"
    # Only the author corrects an entry: here in two windows (a phone and a laptop).
    two, response = edit_race(caseworker, caseworker, url, "contact-what_happened")
    text = assert_conflict(response)
    assert "corrected somewhere else while you were writing" in text
    assert Contact.objects.get().what_happened == FIRST
    assert save_again(two, response, "contact-what_happened", url).status_code == 302
    assert Contact.objects.get().what_happened == SECOND
    history = list(contact.events.order_by("pgh_id").values_list("what_happened", flat=True))
    assert history == ["Popped round", FIRST, SECOND]


def test_purchase_second_correction_is_a_conflict(caseworker, case):
    purchase = PurchaseFactory(case=case, worker=caseworker)
    url = f"/purchases/{purchase.pk}/edit"
    two, response = edit_race(caseworker, caseworker, url, "purpose")
    assert_conflict(response)
    assert Purchase.objects.get().purpose == FIRST
    assert save_again(two, response, "purpose", url).status_code == 302
    assert Purchase.objects.get().purpose == SECOND


def test_issue_second_edit_is_a_conflict(caseworker, coordinator, team, case):
    issue = IssueFactory(team=team, raised_by=caseworker, cases=[case])
    url = f"/issues/{issue.pk}/edit"
    two, response = edit_race(caseworker, coordinator, url, "countermeasure")
    assert_conflict(response)
    assert Issue.objects.get().countermeasure == FIRST
    assert save_again(two, response, "countermeasure", url).status_code == 302
    assert Issue.objects.get().countermeasure == SECOND


def test_debrief_entry_second_save_is_a_conflict(caseworker, coordinator, team, case):
    debrief = debrief_start(team=team, by=coordinator)
    Entry.objects.create(debrief=debrief, case=case, progress="stuck", note="Start",
                         updated_by=coordinator)
    url, field = f"/debriefs/{debrief.pk}/", f"case{case.pk}-note"
    two, response = edit_race(coordinator, caseworker, url, field)
    assert_conflict(response)
    assert Entry.objects.get().note == FIRST
    assert save_again(two, response, field, url).status_code == 302
    assert Entry.objects.get().note == SECOND
