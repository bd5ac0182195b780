import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessLog, Membership
from accounts.roles import Role
from caseload.models import Case, Contact, Debt, Person, WhatMatters
from tests.factories import CaseFactory, ContactFactory

pytestmark = pytest.mark.django_db


def test_caseworker_sees_team_caseload_with_last_contact(signed_in, caseworker, case, other_case):
    ContactFactory(case=case)
    page = signed_in(caseworker).get("/cases/").text
    assert "Joanne Robson" in page
    assert "0 days ago" in page
    assert "Peter Armstrong" not in page


def test_my_cases_lists_only_cases_i_lead(signed_in, caseworker, coordinator, case, team):
    CaseFactory(team=team, lead=coordinator, person__name="Norma Dodds")
    page = signed_in(caseworker).get("/cases/mine").text
    assert "Joanne Robson" in page and "Norma Dodds" not in page


def test_caseload_filters_overdue_and_not_seen(signed_in, caseworker, case, team):
    import datetime

    from django.utils import timezone
    seen = CaseFactory(team=team, lead=caseworker, person__name="Seen Recently")
    ContactFactory(case=seen)
    ContactFactory(case=case, happened_at=timezone.now() - datetime.timedelta(days=40),
                   next_step="Ring the landlord",
                   next_step_due=timezone.localdate() - datetime.timedelta(days=2))
    client = signed_in(caseworker)
    not_seen = client.get("/cases/?not_seen_days=30").text
    assert "Joanne Robson" in not_seen and "Seen Recently" not in not_seen
    overdue = client.get("/cases/?overdue=on").text
    assert "Joanne Robson" in overdue and "Seen Recently" not in overdue
    assert "Overdue" in overdue


def test_caseload_filters_by_lead_offering_the_teams_leads_by_name(
        signed_in, caseworker, coordinator, case, team, other_case):
    CaseFactory(team=team, lead=coordinator, person__name="Norma Dodds")
    client = signed_in(caseworker)
    page = client.get("/cases/").text
    select = page.split('<select name="lead"')[1].split("</select>")[0]
    assert '<option value="" selected>Any</option>' in select
    assert f'<option value="{coordinator.pk}">{coordinator}</option>' in select
    assert f'value="{other_case.lead.pk}"' not in select  # another team's lead
    chosen = client.get(f"/cases/?lead={coordinator.pk}").text
    assert "Norma Dodds" in chosen and "Joanne Robson" not in chosen
    assert f'<option value="{coordinator.pk}" selected>' in chosen
    # Not a lead of the team's (or no one at all): ignored, as every filter is, not an error.
    for unknown in (other_case.lead.pk, 99999999, "nobody"):
        ignored = client.get(f"/cases/?lead={unknown}")
        assert ignored.status_code == 200
        assert "Norma Dodds" in ignored.text and "Joanne Robson" in ignored.text


def test_the_leads_are_read_once_and_only_where_the_filter_offers_them(
        signed_in, caseworker, coordinator, case, team):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    CaseFactory(team=team, lead=coordinator)
    client = signed_in(caseworker)

    def lead_reads(path):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        return sum(q["sql"].startswith("EXECUTE case_leads_") for q in queries)

    assert lead_reads("/cases/") == 1
    assert lead_reads(f"/cases/?lead={coordinator.pk}") == 1  # shown and checked: one read
    assert lead_reads("/cases/mine") == 0  # no lead filter on my own cases


def test_caseload_list_queries_do_not_grow_with_cases(
        signed_in, caseworker, team, django_assert_max_num_queries):
    for _ in range(200):
        case = CaseFactory(team=team, lead=caseworker)
        ContactFactory(case=case, next_step="Call back")
    client = signed_in(caseworker)
    with django_assert_max_num_queries(13):
        response = client.get("/cases/?status=all")
    assert response.status_code == 200
    assert response.text.count('class="govuk-table__row"') == 51  # header + a page of 50


def test_case_page_queries_do_not_grow_with_contacts(
        signed_in, caseworker, case, django_assert_max_num_queries):
    Contact.objects.bulk_create([Contact(case=case, worker=caseworker, author=caseworker,
                                         what_happened=f"Visit {n}") for n in range(300)])
    client = signed_in(caseworker)
    # The session and two-step checks, the case, the access log, and one batch for the rest
    # of the page: its seven kinds of record, the timeline's count and page, the team's
    # workers (for a new entry's fields), and each app's panel (spend, issues, debrief
    # notes), in one round trip.
    with (django_assert_max_num_queries(10),
          CaptureQueriesContext(connection) as queries):
        response = client.get(f"/cases/{case.pk}/")
    assert response.status_code == 200
    [batch] = [query["sql"] for query in queries if query["sql"].count("EXECUTE") > 1]
    assert batch.count("EXECUTE") == 13
    assert all(label in batch for label in ("EXECUTE caseload_contact_", "EXECUTE purchases_",
                                            "EXECUTE issues_", "EXECUTE debriefs_entry_",
                                            "EXECUTE team_workers_"))
    assert response.text.count('class="moj-timeline__item"') == 50


def test_every_case_page_view_writes_one_access_log_row(signed_in, caseworker, case):
    client = signed_in(caseworker)
    client.get(f"/cases/{case.pk}/")
    client.get(f"/cases/{case.pk}/")
    rows = AccessLog.objects.for_object(case)
    assert rows.count() == 2
    assert {r.user_id for r in rows} == {caseworker.pk}
    first = rows.first()
    assert (first.label, first.action, first.path) == (case.reference, AccessLog.Action.VIEW,
                                                       f"/cases/{case.pk}/")
    assert abs(first.at - timezone.now()) < datetime.timedelta(minutes=1)


def test_leader_reads_the_access_log_and_caseworker_cannot(signed_in, leader, caseworker, case):
    signed_in(caseworker).get(f"/cases/{case.pk}/")
    assert signed_in(caseworker).get(f"/cases/{case.pk}/access-log").status_code == 403
    page = signed_in(leader).get(f"/cases/{case.pk}/access-log").text
    assert str(caseworker) in page


def test_access_log_is_append_only(signed_in, caseworker, case):
    from django.db import DatabaseError, transaction
    signed_in(caseworker).get(f"/cases/{case.pk}/")
    with pytest.raises(DatabaseError, match="Cannot update or delete"), transaction.atomic():
        AccessLog.objects.update(label="changed")
    with pytest.raises(DatabaseError, match="Cannot update or delete"), transaction.atomic():
        AccessLog.objects.all().delete()


def test_opening_a_case_creates_case_and_main_person(signed_in, caseworker, team):
    response = signed_in(caseworker).post("/cases/new", {
        "person-name": "Vera Hall", "person-preferred_name": "Vee", "person-phone": "07700 900456",
        "lead": caseworker.pk, "source": "recovery_list", "transitions": ["leaving_care"],
    })
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    assert case.reference == "RS-0001" and case.team == team
    assert case.main_person.preferred_name == "Vee"
    assert case.transitions == ["leaving_care"]


def test_opening_a_case_for_someone_we_know_warns_and_shows_the_match(signed_in, caseworker, case):
    client = signed_in(caseworker)
    data = {"person-name": "Jo R", "person-phone": "+44 7700 900123", "lead": caseworker.pk,
            "source": "self"}
    response = client.post("/cases/new", data)
    assert response.status_code == 422
    assert "We may already know this person" in response.text
    assert f"Open {case.reference} instead" in response.text
    assert Case.objects.count() == 1
    response = client.post("/cases/new", {**data, "person-add_anyway": "on"})
    assert response.status_code == 302 and Case.objects.count() == 2


@pytest.mark.parametrize("field, value, message", [
    ("person-name", "", "This field is required"),
    ("person-name", "x" * 10240, "at most 200 characters"),
    ("person-date_of_birth_day", "31", "must be a real date"),
    ("person-date_of_birth_year", "2099", "must be today or in the past"),
])
def test_bad_input_on_a_new_case_is_422_keeps_input_and_writes_nothing(
        signed_in, caseworker, field, value, message):
    data = {"person-name": "Vera Hall", "person-address": "12 Quarry Row",
            "person-date_of_birth_day": "28", "person-date_of_birth_month": "2",
            "person-date_of_birth_year": "1980", "lead": caseworker.pk, "source": "self",
            field: value}
    response = signed_in(caseworker).post("/cases/new", data)
    assert response.status_code == 422
    assert "govuk-error-summary" in response.text and message in response.text
    assert "12 Quarry Row" in response.text
    assert Case.objects.count() == 0 and Person.objects.count() == 0


def test_closing_needs_a_note_and_a_closed_case_can_be_reopened(signed_in, caseworker, case):
    client = signed_in(caseworker)
    assert client.post(f"/cases/{case.pk}/close", {"note": ""}).status_code == 422
    client.post(f"/cases/{case.pk}/close", {"note": "Back on her feet"})
    case.refresh_from_db()
    assert case.status == "closed" and case.closed_on and case.closing_note == "Back on her feet"
    client.post(f"/cases/{case.pk}/reopen")
    case.refresh_from_db()
    assert case.status == "open" and case.closed_on is None


def test_editing_what_matters_keeps_the_earlier_version_visible(signed_in, caseworker, case):
    client = signed_in(caseworker)
    client.post(f"/cases/{case.pk}/what-matters", {"what_matters": "Keeping the flat"})
    first = WhatMatters.objects.get()
    client.post(f"/cases/{case.pk}/what-matters",
                {"what_matters": "Getting back to work", "based_on": first.pk})
    page = client.get(f"/cases/{case.pk}/").text
    assert "Getting back to work" in page
    assert "Earlier versions (1)" in page and "Keeping the flat" in page


def test_what_matters_stale_save_is_a_conflict_and_both_texts_survive(
        signed_in, caseworker, coordinator, case):
    WhatMatters.objects.create(case=case, what_matters="Start", written_by=caseworker)
    base = WhatMatters.objects.get().pk
    signed_in(coordinator).post(f"/cases/{case.pk}/what-matters",
                                {"what_matters": "Cora's words", "based_on": base})
    client = signed_in(caseworker)
    response = client.post(f"/cases/{case.pk}/what-matters",
                           {"what_matters": "Casey's words", "based_on": base})
    assert response.status_code == 422
    assert "saved a new version while you were writing" in response.text
    assert "Cora&#x27;s words" in response.text and "Casey&#x27;s words" in response.text
    assert list(WhatMatters.objects.values_list("what_matters", flat=True)) == [
        "Cora's words", "Start"]


def test_negative_debt_is_refused(signed_in, caseworker, case):
    response = signed_in(caseworker).post(f"/cases/{case.pk}/debts/new", {
        "creditor": "council_tax", "amount": "-5", "pay_status": "cant_pay"})
    assert response.status_code == 422
    assert "Amount must be £0 or more" in response.text
    assert not Debt.objects.exists()


def test_search_forgives_a_misspelt_surname(signed_in, caseworker, case, team):
    CaseFactory(team=team, lead=caseworker, person__name="Robert Smith")
    response = signed_in(caseworker).get("/cases/search", {"q": "Robsen"})
    assert "Joanne Robson" in response.text
    assert "Robert Smith" not in response.text


def test_search_finds_phone_and_reference_and_htmx_gets_a_fragment(signed_in, caseworker, case):
    client = signed_in(caseworker)
    assert "Joanne Robson" in client.get("/cases/search", {"q": "900123"}).text
    response = client.get("/cases/search", {"q": case.reference}, HTTP_HX_REQUEST="true")
    assert case.reference in response.text and "<html" not in response.text


def test_search_keeps_the_same_people_when_more_than_fifty_match_equally(caseworker, team):
    """Equally close people are kept in the order they were added: the same search gives the
    same results every time, whichever index PostgreSQL reads."""
    from caseload.search import MAX_RESULTS, search_cases

    cases = [CaseFactory(team=team, lead=caseworker, person__name="Ann Twin")
             for _ in range(MAX_RESULTS + 5)]
    # Changing the first ten writes them again, after the rest, where a scan meets them last.
    Person.objects.filter(case__in=cases[:10]).update(phone="0191 000 0000")
    found = search_cases(caseworker, "Ann Twin")
    assert sorted(result.case.pk for result in found) == [case.pk for case in
                                                          cases[:MAX_RESULTS]]


def test_search_never_shows_another_teams_people(signed_in, caseworker, other_case):
    assert "Peter Armstrong" not in signed_in(caseworker).get("/cases/search?q=Armstrong").text


def test_search_by_name_reaches_as_far_as_each_user_does(
        caseworker, leader, make_user, team, other_team, case, other_case):
    """The nearest-name queries are compiled once per shape of reach (accounts/compiled.py):
    a leader finds people in every team, a caseworker in theirs, someone in two teams in
    both, and someone with no team or role nobody."""
    from caseload.search import search_cases

    both = make_user(Role.CASEWORKER, team=team, username="both")
    Membership.objects.create(user=both, team=other_team)
    nobody = make_user(username="nobody")
    for query in ("Robson", "Armstrong", "Robsen"):  # the last misspelt
        for user, expected in ((leader, True), (caseworker, query != "Armstrong"),
                               (both, True), (nobody, False)):
            found = {result.case.pk for result in search_cases(user, query)}
            wanted = case if query != "Armstrong" else other_case
            assert (wanted.pk in found) is expected, (query, user.username)
            assert other_case.pk not in found or user in (leader, both)


def test_leader_sees_every_team_but_cannot_change(signed_in, leader, case, other_case):
    client = signed_in(leader)
    page = client.get("/cases/?status=all").text
    assert "Joanne Robson" in page and "Peter Armstrong" in page
    assert client.get(f"/cases/{case.pk}/edit").status_code == 403


def test_auditor_never_sees_a_name(signed_in, auditor, case):
    client = signed_in(auditor)
    for url in ["/cases/", f"/cases/{case.pk}/", "/cases/search?q=Robson"]:
        response = client.get(url)
        assert response.status_code == 403
        assert "Robson" not in response.text


def test_reverse_names_are_namespaced():
    assert reverse("caseload:case-detail", args=[1]) == "/cases/1/"


def test_a_row_of_the_caseload_list_changes_with_anything_it_shows(
        signed_in, caseworker, coordinator, case):
    """The next view after any one change shows it (rows were once kept, keyed by what they
    show: this checked every value was in the key)."""
    import datetime

    from django.utils import timezone

    client = signed_in(caseworker)
    assert "Joanne Robson" in client.get("/cases/").text
    assert "Joanne Robson" in client.get("/cases/").text
    person = case.main_person
    person.name = "Joanne Hall"
    person.save()
    page = client.get("/cases/").text
    assert "Joanne Hall" in page and "Joanne Robson" not in page
    case.lead = coordinator
    case.save()
    table = client.get("/cases/").text.split('<tbody class="govuk-table__body">')[1]
    assert "Cora Hepple" in table  # in the row, not only in the filter's list of leads
    ContactFactory(case=case, happened_at=timezone.now() - datetime.timedelta(days=3))
    assert "3 days ago" in client.get("/cases/").text
    ContactFactory(case=case, happened_at=timezone.now() - datetime.timedelta(days=3),
                   next_step="Ring the landlord",
                   next_step_due=timezone.localdate() - datetime.timedelta(days=1))
    assert "Overdue" in client.get("/cases/").text
