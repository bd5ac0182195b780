import datetime
import re

import pytest
from django.utils import timezone

from caseload.models import Contact
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def test_logging_a_visit_with_htmx_returns_the_timeline_with_it_on_top(signed_in, caseworker,
                                                                       case):
    ContactFactory(case=case, what_happened="An older visit")
    response = signed_in(caseworker).post(f"/cases/{case.pk}/contacts/new", {
        "contact-kind": "home_visit", "contact-what_happened": "Talked about the gas meter",
        "contact-next_step": "Ring British Gas", "contact-next_step_due_day": "1",
        "contact-next_step_due_month": "1", "contact-next_step_due_year": "2027",
    }, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "<html" not in response.text
    assert response.text.index("Talked about the gas meter") < response.text.index("An older visit")
    assert "Home visit logged" in response.text
    form = response.text[response.text.index("<form"):response.text.index("</form>")]
    assert 'hx-post="/cases/' in form and 'name="csrfmiddlewaretoken"' in form
    assert "gas meter" not in form and "British Gas" not in form  # a fresh form
    assert '<textarea name="contact-what_happened"' in form
    contact = Contact.objects.get(what_happened="Talked about the gas meter")
    assert contact.worker == caseworker and contact.author == caseworker
    assert str(contact.next_step_due) == "2027-01-01"


def test_a_mistake_keeps_the_typed_text_and_writes_nothing(signed_in, caseworker, case):
    response = signed_in(caseworker).post(f"/cases/{case.pk}/contacts/new", {
        "contact-kind": "phone", "contact-what_happened": "",
        "contact-what_we_did": "Sorted the meter", "contact-happened_on_day": "31",
        "contact-happened_on_month": "2", "contact-happened_on_year": "2026",
    }, HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert "Sorted the meter" in response.text
    assert "must be a real date" in response.text
    assert 'value="31"' in response.text
    assert not Contact.objects.exists()


def test_a_next_step_far_in_the_future_is_refused(signed_in, caseworker, case):
    response = signed_in(caseworker).post(f"/cases/{case.pk}/contacts/new", {
        "contact-kind": "phone", "contact-what_happened": "Called",
        "contact-next_step": "Check in", "contact-next_step_due_day": "1",
        "contact-next_step_due_month": "1", "contact-next_step_due_year": "2199"})
    assert response.status_code == 422 and "within 1 years" in response.text
    assert not Contact.objects.exists()


def test_without_htmx_logging_redirects_back_to_the_case(signed_in, caseworker, case):
    response = signed_in(caseworker).post(f"/cases/{case.pk}/contacts/new", {
        "contact-kind": "phone", "contact-what_happened": "Called"})
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"


def test_only_the_author_corrects_an_entry_and_history_is_kept(
        signed_in, caseworker, coordinator, case):
    contact = ContactFactory(case=case, worker=caseworker, what_happened="First wording")
    assert signed_in(coordinator).get(f"/cases/contacts/{contact.pk}/edit").status_code == 403
    client = signed_in(caseworker)
    response = client.post(f"/cases/contacts/{contact.pk}/edit", {
        "contact-kind": "home_visit", "contact-what_happened": "Corrected wording",
        "contact-seen": contact.updated_at.isoformat()})
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.what_happened == "Corrected wording"
    history = [e.what_happened for e in contact.events.order_by("pgh_id")]
    assert history == ["First wording", "Corrected wording"]


def _visits(page: str) -> list[str]:
    return re.findall(r"Visit number (\d+)\b", page)


def test_the_timeline_pages_newest_first_as_a_paginator_would(signed_in, caseworker, case,
                                                             django_assert_max_num_queries):
    """Fifty a page; a page that is not a number is the first, one past the end the last."""
    start = timezone.now() - datetime.timedelta(days=100)
    for n in range(55):
        ContactFactory(case=case, what_happened=f"Visit number {n}",
                       happened_at=start + datetime.timedelta(days=n))
    client = signed_in(caseworker)
    address = f"/cases/{case.pk}/"
    with django_assert_max_num_queries(10):  # as test_cases' bound for the case page
        first = client.get(address).text
    assert _visits(first) == [str(n) for n in range(54, 4, -1)]
    assert "Casey Bell" in first.split('id="timeline"')[1]  # who made each, read with it
    second = [str(n) for n in range(4, -1, -1)]
    assert _visits(client.get(f"{address}?timeline=2").text) == second
    assert _visits(client.get(f"{address}?timeline=9").text) == second
    assert _visits(client.get(f"{address}?timeline=0").text) == second  # as get_page: the last
    assert _visits(client.get(f"{address}?timeline=two").text) == _visits(first)


def test_a_case_with_no_contacts_shows_no_timeline(signed_in, caseworker, case):
    page = signed_in(caseworker).get(f"/cases/{case.pk}/?timeline=3")
    assert page.status_code == 200 and 'id="timeline"' not in page.text


def test_each_timeline_entry_shows_its_kind_worker_correction_and_own_link(
        signed_in, caseworker, make_user, team, case):
    """The timeline's rows are plain values (caseload.views.timeline.TimelineEntry): each
    shows what the contact's model would, a kind no longer offered by its stored value."""
    colleague = make_user("caseworker", team=team, first_name="Robin", last_name="Hale")
    mine = ContactFactory(case=case, worker=caseworker, author=caseworker, kind="phone",
                          what_happened="Mine, first wording")
    theirs = ContactFactory(case=case, worker=colleague, author=colleague, kind="retired_kind",
                            what_happened="Theirs")
    Contact.objects.filter(pk=mine.pk).update(
        updated_at=mine.created_at + datetime.timedelta(minutes=5))
    timeline = signed_in(caseworker).get(f"/cases/{case.pk}/").text.split('id="timeline"')[1]
    items = timeline.split('<div class="moj-timeline__item">')[1:]
    assert len(items) == 2
    [my_row] = [item for item in items if "Mine, first wording" in item]
    [their_row] = [item for item in items if "Theirs" in item]
    assert "Phone call</h3>" in my_row and "by Casey Bell" in my_row
    assert "Corrected " in my_row and f"/contacts/{mine.pk}/edit" in my_row
    assert "retired_kind</h3>" in their_row and "by Robin Hale" in their_row
    assert "Corrected " not in their_row and f"/contacts/{theirs.pk}/" not in their_row


def test_a_forms_team_workers_are_listed_as_the_queryset_would_list_them(
        make_user, team, other_team, caseworker, django_assert_num_queries):
    """The worker and lead selects read their options with a compiled query
    (caseload.forms.offer_team_workers): the same options, in the same order, as Django's
    own ModelChoiceField writes from the queryset, read once a form, and still checked
    against the queryset when the form is sent."""
    from caseload.forms import CaseForm, ContactForm, team_workers

    make_user("caseworker", team=team, first_name="Aisha", last_name="")
    make_user("caseworker", team=team, first_name="", last_name="", username="zed")
    gone = make_user("caseworker", team=team, first_name="Gone")
    gone.is_active = False
    gone.save()
    elsewhere = make_user("caseworker", team=other_team)
    for form, name in ((ContactForm(team=team, prefix="contact"), "worker"),
                       (CaseForm(team=team), "lead")):
        with django_assert_num_queries(1):
            written = str(form[name])
        field = form.fields[name]
        field.widget.choices = field.choices  # Django's own: the queryset, read with iterator()
        assert written == str(form[name])
        assert written.count("<option") == team_workers(team).count() + (name == "worker")
        assert "Aisha" in written and ">zed<" in written and "Gone" not in written
    form = ContactForm({"contact-kind": "home_visit", "contact-what_happened": "Called round",
                        "contact-worker": elsewhere.pk}, team=team, prefix="contact")
    assert not form.is_valid() and "worker" in form.errors


def test_a_new_entrys_fields_are_kept_as_the_form_writes_them_and_follow_the_teams_workers(
        signed_in, caseworker, make_user, team, case, django_assert_num_queries):
    """caseload.views.timeline.new_contact_fields: what ContactForm writes for a new entry,
    kept for the team's workers as they are, the day and the language; a worker who joins,
    is renamed or leaves shows on the next view of the page."""
    from django.template.loader import render_to_string

    from caseload.forms import TEAM_WORKERS, ContactForm
    from caseload.views.timeline import new_contact_fields

    fresh = render_to_string("caseload/includes/contact_fields.jinja",
                             {"form": ContactForm(team=team, prefix="contact")}, using="jinja2")
    workers = TEAM_WORKERS.rows({"team": team.pk})
    assert new_contact_fields(team, workers) == fresh
    with django_assert_num_queries(0):  # kept: the team's workers are read with the page
        assert new_contact_fields(team, workers) == fresh
    client = signed_in(caseworker)

    def workers_listed() -> str:
        page = client.get(f"/cases/{case.pk}/").text
        return page.split('name="contact-worker"')[1].split("</select>")[0]

    assert "Casey Bell" in workers_listed() and "Nadia" not in workers_listed()
    nadia = make_user("caseworker", team=team, first_name="Nadia", last_name="Okafor")
    assert "Nadia Okafor" in workers_listed()
    nadia.last_name = "Hussain"
    nadia.save()
    assert "Nadia Hussain" in workers_listed() and "Okafor" not in workers_listed()
    nadia.is_active = False
    nadia.save()
    assert "Nadia" not in workers_listed()
