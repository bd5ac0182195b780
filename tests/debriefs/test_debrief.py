import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from debriefs.models import Activity, Debrief, Entry, Stroke, Welfare
from debriefs.services import debrief_start
from tests.factories import CaseFactory, ContactFactory

pytestmark = pytest.mark.django_db


def entry_post(client, debrief, case, progress, note="", version=""):
    prefix = f"case{case.pk}"
    return client.post(f"/debriefs/{debrief.pk}/cases/{case.pk}",
                       {f"{prefix}-progress": progress, f"{prefix}-note": note,
                        f"{prefix}-version": version}, HTTP_HX_REQUEST="true")


def test_anyone_in_the_team_can_start_todays_debrief_once(signed_in, caseworker, coordinator):
    response = signed_in(caseworker).post("/debriefs/start")
    debrief = Debrief.objects.get()
    assert response["Location"] == f"/debriefs/{debrief.pk}/"
    signed_in(coordinator).post("/debriefs/start")
    assert Debrief.objects.count() == 1
    present = {a.user.username: a.present for a in debrief.attendance.select_related("user")}
    assert present == {"casey": True, "cora": False}


def test_today_redirects_to_the_started_debrief(signed_in, caseworker, debrief):
    assert signed_in(caseworker).get("/debriefs/")["Location"] == f"/debriefs/{debrief.pk}/"


def test_people_with_something_new_come_first_then_longest_undiscussed(
        signed_in, caseworker, team, debrief):
    quiet = CaseFactory(team=team, lead=caseworker, person__name="Quiet Quinn")
    busy = CaseFactory(team=team, lead=caseworker, person__name="Busy Bella")
    ContactFactory(case=busy, what_happened="Got the gas back on")
    page = signed_in(caseworker).get(f"/debriefs/{debrief.pk}/").text
    assert page.index("Busy Bella") < page.index("Quiet Quinn")
    assert "Got the gas back on" in page
    assert quiet.reference in page


def test_an_entry_saves_with_htmx_and_says_so(signed_in, caseworker, debrief, case):
    response = entry_post(signed_in(caseworker), debrief, case, "stuck", "Waiting on UC")
    assert response.status_code == 200 and "<html" not in response.text
    assert "Saved at" in response.text
    entry = Entry.objects.get()
    assert (entry.progress, entry.note, entry.updated_by) == ("stuck", "Waiting on UC", caseworker)
    assert 'value="1"' in response.text  # the version the next save must quote


def test_a_stale_save_is_a_conflict_and_both_texts_survive(signed_in, client, caseworker,
                                                           coordinator, debrief, case):
    entry_post(signed_in(coordinator), debrief, case, "working", "Cora: rent sorted")
    from django.test import Client
    phone = Client()
    phone.force_login(caseworker)
    # The caseworker's phone loaded the page before Cora saved, so it quotes no version.
    response = entry_post(phone, debrief, case, "not_yet", "Casey: still waiting")
    assert response.status_code == 409
    assert "Cora: rent sorted" in response.text and "Casey: still waiting" in response.text
    assert Entry.objects.get().note == "Cora: rent sorted"
    # Having seen both, the caseworker saves again quoting the current version.
    response = entry_post(phone, debrief, case, "not_yet", "Casey: still waiting", version=1)
    assert response.status_code == 200
    history = [e.note for e in Entry.objects.get().events.order_by("pgh_id")]
    assert history == ["Cora: rent sorted", "Casey: still waiting"]


def test_an_entry_without_a_choice_is_422_and_writes_nothing(signed_in, caseworker, debrief,
                                                              case):
    response = entry_post(signed_in(caseworker), debrief, case, "", "A note I typed")
    assert response.status_code == 422
    assert "Choose whether this is working" in response.text
    assert not Entry.objects.exists()


def test_debrief_page_queries_do_not_grow_with_60_cases(
        signed_in, coordinator, team, debrief, django_assert_max_num_queries):
    for n in range(60):
        case = CaseFactory(team=team, lead=coordinator)
        ContactFactory(case=case)
        if n % 2:
            Entry.objects.create(debrief=debrief, case=case, progress="working",
                                 updated_by=coordinator)
    client = signed_in(coordinator)
    # The session and two-step checks, the debrief, its people and today's entries, one batch
    # for attendance, advice, tallies and welfare, and the session's save.
    with (django_assert_max_num_queries(10),
          CaptureQueriesContext(connection) as queries):
        response = client.get(f"/debriefs/{debrief.pk}/")
    [batch] = [query["sql"] for query in queries if query["sql"].count("EXECUTE") > 1]
    assert [label in batch for label in ("EXECUTE debriefs_attendance_", "EXECUTE purchases_",
                                         "EXECUTE debriefs_activity_", "EXECUTE debriefs_welfare_")
            ] == [True] * 4
    assert response.text.count('class="app-entry govuk') == 30  # the first 30, then more
    assert "Showing 1 to 30 of 60 people" in response.text
    with django_assert_max_num_queries(12):
        more = client.get(f"/debriefs/{debrief.pk}/?from=30", HTTP_HX_REQUEST="true")
    assert more.text.count('class="app-entry govuk') == 30 and "<html" not in more.text
    assert "Show more people" not in more.text  # that was everyone


def many_open_cases(team, lead, n):
    """n open cases with a main person each, written in bulk (the factories take too long)."""
    from caseload.models import Case, Person

    cases = Case.objects.bulk_create(
        [Case(team=team, lead=lead, number=k, reference=f"{team.case_prefix}-{k:04d}",
              source="recovery_list") for k in range(1, n + 1)])
    Person.objects.bulk_create([Person(case=case, name=f"Person {case.number}",
                                       relationship="main") for case in cases])
    return cases


def test_debrief_page_shows_400_open_cases_30_at_a_time_in_fixed_queries(
        signed_in, coordinator, team, debrief, django_assert_max_num_queries):
    cases = many_open_cases(team, coordinator, 400)
    busy = cases[-1]
    ContactFactory(case=busy, what_happened="Got the gas back on")
    client = signed_in(coordinator)
    with django_assert_max_num_queries(10):  # as for 60 cases
        response = client.get(f"/debriefs/{debrief.pk}/")
    page = response.text
    assert page.count('class="app-entry govuk') == 30
    assert "400 open cases" in page and "Showing 1 to 30 of 400 people" in page
    assert page.index(f'id="case-{busy.pk}"') < page.index(f'id="case-{cases[0].pk}"')
    assert f'href="/debriefs/{debrief.pk}/?from=30#people"' in page  # works without htmx
    with django_assert_max_num_queries(12):
        more = client.get(f"/debriefs/{debrief.pk}/?from=370", HTTP_HX_REQUEST="true")
    assert more.text.count('class="app-entry govuk') == 30
    assert f'id="case-{cases[-2].pk}"' in more.text  # the last of the list, in case order
    assert "data-focus-here" in more.text  # focus moves to the first person added
    plain = client.get(f"/debriefs/{debrief.pk}/?from=30")
    assert plain.text.count('class="app-entry govuk') == 30 and "back to the first" in plain.text


def test_the_quick_entry_post_runs_a_few_queries_and_saves(
        signed_in, coordinator, debrief, case, django_assert_max_num_queries):
    client = signed_in(coordinator)
    client.get("/")  # the session and its CSRF token, as on the page
    # The session, the user, their capabilities, the debrief and the case; then the write.
    # (Two more are the savepoint around the write, which only the tests' transaction adds.)
    with django_assert_max_num_queries(8):
        first = entry_post(client, debrief, case, "working")
    assert first.status_code == 200 and "Saved at" in first.text
    with django_assert_max_num_queries(9):
        again = entry_post(client, debrief, case, "stuck", "Rent sorted", version="1")
    assert again.status_code == 200 and 'value="2"' in again.text
    assert Entry.objects.get().progress == "stuck"


def test_strokes_and_new_activities_tally_as_five_bar_gates(signed_in, caseworker, debrief):
    client = signed_in(caseworker)
    response = client.post(f"/debriefs/{debrief.pk}/activities/new",
                           {"activity-name": "Got a food shop in", "activity-complexity": "1"},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    activity = Activity.objects.get()
    for _ in range(5):
        response = client.post(f"/debriefs/{debrief.pk}/activities/{activity.pk}/stroke",
                               HTTP_HX_REQUEST="true")
    assert Stroke.objects.count() == 6
    assert response.text.count("app-tally__group--gate") == 1
    assert '<span class="govuk-visually-hidden">6</span>' in response.text


def test_a_duplicate_activity_is_refused(signed_in, caseworker, debrief):
    client = signed_in(caseworker)
    data = {"activity-name": "Drove someone to an appointment", "activity-complexity": "2"}
    client.post(f"/debriefs/{debrief.pk}/activities/new", data, HTTP_HX_REQUEST="true")
    response = client.post(f"/debriefs/{debrief.pk}/activities/new",
                           {**data, "activity-name": "drove someone to an  appointment"},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 422 and "add a stroke to it" in response.text
    assert Activity.objects.count() == 1


def test_welfare_is_seen_only_by_the_person_and_the_coordinator(
        signed_in, caseworker, coordinator, leader, make_user, team, debrief):
    signed_in(caseworker).post(f"/debriefs/{debrief.pk}/welfare",
                               {"welfare-feeling": "2", "welfare-note": "CANARY-tired"})
    assert Welfare.objects.get().user == caseworker
    colleague = make_user("caseworker", team=team)
    assert "CANARY-tired" not in signed_in(colleague).get(f"/debriefs/{debrief.pk}/").text
    assert "CANARY-tired" not in signed_in(leader).get(f"/debriefs/{debrief.pk}/").text
    assert "CANARY-tired" in signed_in(coordinator).get(f"/debriefs/{debrief.pk}/").text
    assert "CANARY-tired" in signed_in(caseworker).get(f"/debriefs/{debrief.pk}/").text


def test_closing_needs_a_reflection_and_stays_correctable(signed_in, coordinator, debrief):
    client = signed_in(coordinator)
    assert client.post(f"/debriefs/{debrief.pk}/close", {"reflection": ""}).status_code == 422
    client.post(f"/debriefs/{debrief.pk}/close", {"reflection": "Too long on one person"})
    debrief.refresh_from_db()
    assert debrief.is_closed and debrief.closed_by == coordinator
    client.post(f"/debriefs/{debrief.pk}/close", {"reflection": "Too long on Bella"})
    assert [e.reflection for e in debrief.events.order_by("pgh_id")][-2:] == [
        "Too long on one person", "Too long on Bella"]


def test_another_teams_debrief_is_404(signed_in, make_user, other_team, debrief, case):
    stranger = make_user("caseworker", team=other_team)
    client = signed_in(stranger)
    assert client.get(f"/debriefs/{debrief.pk}/").status_code == 404
    assert entry_post(client, debrief, case, "working").status_code == 404


def test_value_work_matrix_has_svg_table_and_csv(signed_in, caseworker, debrief):
    activity = Activity.objects.create(team=debrief.team, name="Helped claim a benefit",
                                       complexity=3, created_by=caseworker)
    Stroke.objects.create(activity=activity, debrief=debrief, added_by=caseworker)
    client = signed_in(caseworker)
    page = client.get("/debriefs/value-work").text
    assert 'role="img"' in page and "Helped claim a benefit" in page
    csv = client.get("/debriefs/value-work?format=csv").content.decode()
    assert "Helped claim a benefit,3,1," in csv


def test_an_issue_raised_in_the_debrief_is_linked_to_the_persons_case(signed_in, caseworker,
                                                                       debrief, case,
                                                                       other_case):
    from issues.models import Issue
    client = signed_in(caseworker)
    data = {"quick-title": "Allocations rule blocks the move", "quick-level": "2",
            "quick-owner_level": "team", "quick-countermeasure": "Asked for an exception"}
    response = client.post(f"/debriefs/{debrief.pk}/issues",
                           {**data, "quick-case": f" {case.reference.lower()} "},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "logged" in response.text
    assert list(Issue.objects.get().cases.all()) == [case]
    refused = client.post(f"/debriefs/{debrief.pk}/issues",
                          {**data, "quick-case": other_case.reference}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 422 and Issue.objects.count() == 1
    # Another team's case: said next to the field, with what was typed and the rest kept.
    assert (f"No open case of this team has the reference {other_case.reference}. Check it, "
            f"for example {debrief.team.case_prefix}-0042") in refused.text
    assert f'value="{other_case.reference}"' in refused.text
    assert "Asked for an exception" in refused.text
    too_long = client.post(f"/debriefs/{debrief.pk}/issues", {**data, "quick-case": "R" * 21},
                           HTTP_HX_REQUEST="true")
    assert too_long.status_code == 422 and "A case reference is at most 20 characters" in (
        too_long.text)
    client.post(f"/debriefs/{debrief.pk}/issues", {**data, "quick-case": ""},
                HTTP_HX_REQUEST="true")
    assert Issue.objects.count() == 2 and not Issue.objects.latest("pk").cases.exists()


def test_the_debriefs_quick_issue_asks_for_a_reference_not_a_list_of_every_case(
        signed_in, coordinator, debrief, case):
    page = signed_in(coordinator).get(debrief.get_absolute_url()).text
    form = page[page.index('id="quick-issue"'):]
    assert '<input type="text" name="quick-case" class="govuk-input govuk-input--width-10"' in form
    assert '<option value="' + str(case.pk) not in form


def test_the_debriefs_new_issue_and_activity_fields_are_kept_as_their_forms_write_them(
        signed_in, coordinator, other_team, debrief):
    """debriefs.forms.new_issue_fields and new_activity_fields: what a new quick issue form
    (for the team's case prefix) and a new activity form write, kept; the debrief and its
    htmx answers show them, and a sent form with a mistake is written from the form."""
    from django.template.loader import render_to_string

    from debriefs.forms import (
        ActivityForm,
        _new_issue_fields,
        debrief_issue_form,
        new_activity_fields,
        new_issue_fields,
    )

    def fresh(template, **values):
        return render_to_string(f"debriefs/includes/{template}", values, using="jinja2")

    issue_fields = fresh("issue_fields.jinja", issue_form=debrief_issue_form(debrief))
    activity_fields = fresh("activity_fields.jinja",
                            activity_form=ActivityForm(team=debrief.team, prefix="activity"))
    assert new_issue_fields(debrief) == issue_fields and "For example, RS-0042" in issue_fields
    assert new_activity_fields() == activity_fields and 'name="activity-name"' in activity_fields
    other = debrief_start(team=other_team, by=coordinator)
    assert "For example, HS-0042" in new_issue_fields(other)
    client = signed_in(coordinator)
    kept_before = _new_issue_fields.cache_info().hits
    page = client.get(debrief.get_absolute_url()).text
    assert issue_fields in page and activity_fields in page
    assert _new_issue_fields.cache_info().hits == kept_before + 1  # written once, then kept
    stroke_answer = client.post(f"/debriefs/{debrief.pk}/activities/new",
                                {"activity-name": "Sorted a DRO", "activity-complexity": "3"},
                                HTTP_HX_REQUEST="true")
    assert activity_fields in stroke_answer.text
    mistake = client.post(f"/debriefs/{debrief.pk}/activities/new",
                          {"activity-name": "Rang the landlord", "activity-complexity": "9"},
                          HTTP_HX_REQUEST="true")
    assert mistake.status_code == 422 and 'value="Rang the landlord"' in mistake.text
    assert activity_fields not in mistake.text
    sent = client.post(f"/debriefs/{debrief.pk}/issues",
                       {"quick-title": "", "quick-countermeasure": "Rang them"},
                       HTTP_HX_REQUEST="true")
    assert sent.status_code == 422 and "Rang them" in sent.text
    assert "govuk-error-message" in sent.text and issue_fields not in sent.text


def test_the_debrief_shows_the_oldest_ten_purchases_waiting_for_advice_and_counts_the_rest(
        signed_in, coordinator, team, debrief, case, django_assert_max_num_queries):
    import datetime

    from django.utils import timezone

    from tests.purchases.factories import PurchaseFactory

    today = timezone.localdate()
    for n in range(12):
        PurchaseFactory(case=case, merchant=f"Shop {n:02d}", advice_asked=True,
                        date=today - datetime.timedelta(days=30 - n))
    PurchaseFactory(case=case, merchant="Advised shop", advice_asked=True,
                    advice_given="Fine", advice_given_by=coordinator,
                    advice_given_at=timezone.now())
    client = signed_in(coordinator)
    with django_assert_max_num_queries(24):
        page = client.get(f"/debriefs/{debrief.pk}/").text
    shown = [n for n in range(12) if f"Shop {n:02d}" in page]
    assert shown == list(range(10))  # the oldest ten
    assert "12 purchases are waiting for advice" in page and "Advised shop" not in page
    assert f'href="/purchases/?show=awaiting-advice&amp;team={team.pk}"' in page
    waiting = client.get(f"/purchases/?show=awaiting-advice&team={team.pk}").text
    assert "Shop 11" in waiting and "Advised shop" not in waiting
    assert "Riverside’s purchases only" in waiting


def test_an_entry_keeps_its_debriefs_day_however_it_is_written(debrief, case, coordinator):
    """Saved, or written in bulk (the database's trigger), an entry takes its debrief's day:
    the debrief orders people by the last day they were discussed, read from the entry."""
    saved = Entry.objects.create(debrief=debrief, case=case, progress="working",
                                 updated_by=coordinator)
    assert saved.held_on == debrief.held_on
    other = CaseFactory(team=debrief.team, lead=coordinator)
    [bulk] = Entry.objects.bulk_create([Entry(debrief=debrief, case=other, progress="stuck",
                                              updated_by=coordinator)])
    assert Entry.objects.get(pk=bulk.pk).held_on == debrief.held_on


def test_a_debriefs_day_never_changes(debrief):
    """Its entries carry a copy of the day, so the database refuses to move it."""
    import datetime

    from django.db import DatabaseError, transaction

    with pytest.raises(DatabaseError), transaction.atomic():
        Debrief.objects.filter(pk=debrief.pk).update(
            held_on=debrief.held_on - datetime.timedelta(days=1))
    assert Debrief.objects.get(pk=debrief.pk).held_on == debrief.held_on


def test_who_is_here_is_listed_by_first_name_with_ticks_kept(
        signed_in, coordinator, caseworker, make_user, team, debrief):
    """The attendance list (read by a compiled query: debriefs.services.attendance)."""
    from tests.factories import UserFactory

    amy = UserFactory(first_name="Amy", last_name="Zeal", roles=["caseworker"], team=team)
    debrief.attendance.create(user=amy, present=False)
    client = signed_in(coordinator)
    page = client.get(f"/debriefs/{debrief.pk}/").text
    names = re.findall(r'class="govuk-label govuk-checkboxes__label" for="present-\d+">([^<]+)<',
                       page)
    assert names == sorted(names) and "Amy Zeal" in names and len(names) == 3
    assert f'value="{coordinator.pk}" checked' in page  # whoever started it is here
    answer = client.post(f"/debriefs/{debrief.pk}/attendance",
                         {"present": [str(amy.pk), str(caseworker.pk)]}, HTTP_HX_REQUEST="true")
    assert answer.status_code == 200 and "Saved" in answer.text
    assert f'value="{amy.pk}" checked' in answer.text
    assert f'value="{coordinator.pk}" checked' not in answer.text


def test_my_welfare_answer_is_back_in_my_form(signed_in, caseworker, debrief):
    client = signed_in(caseworker)
    client.post(f"/debriefs/{debrief.pk}/welfare",
                {"welfare-feeling": "2", "welfare-note": "A long week"})
    page = client.get(f"/debriefs/{debrief.pk}/").text
    assert 'name="welfare-note" value="A long week"' in page
    assert 'name="welfare-feeling" type="radio" value="2" checked' in page


def test_the_case_page_shows_the_latest_20_debrief_notes(signed_in, coordinator, team, case):
    """The debriefs' panel on the case page (debriefs.panels, a compiled query)."""
    import datetime

    other = CaseFactory(team=team, lead=coordinator)
    for n in range(24):
        day = datetime.date(2026, 1, 1) + datetime.timedelta(days=n)
        debrief = Debrief.objects.create(team=team, held_on=day, started_by=coordinator)
        progress = "not_discussed" if n == 23 else "working"
        Entry.objects.create(debrief=debrief, case=case, progress=progress, note=f"Note {n:02d}",
                             updated_by=coordinator)
        Entry.objects.create(debrief=debrief, case=other, progress="stuck", note=f"Elsewhere {n}",
                             updated_by=coordinator)
    page = signed_in(coordinator).get(f"/cases/{case.pk}/").text
    notes = re.findall(r"– (Note \d\d)</li>", page)
    assert notes == [f"Note {n:02d}" for n in range(22, 2, -1)]  # newest first, 20 of them
    assert "<strong>Working</strong> – Note 22</li>" in page
    assert "Elsewhere" not in page
    latest = Debrief.objects.get(held_on=datetime.date(2026, 1, 23))
    assert f'href="{latest.get_absolute_url()}">23 Jan 2026</a>' in page
