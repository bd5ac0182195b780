"""The learning page: who may see it, what each sees, its downloads, and its query count."""

import csv
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.roles import Role
from tests.learning.factories import TODAY, more_of_everything

pytestmark = pytest.mark.django_db

OURS, THEIRS = "No: there is a plan", "Hillside went ahead"


@pytest.fixture(autouse=True)
def _on_the_storys_day(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args: TODAY)


def main(response) -> str:
    html = response.content.decode()
    return html[html.index("<main"):html.index("</main>")]


def test_a_coordinator_sees_their_teams_figures(signed_in, coordinator, story):
    response = signed_in(coordinator).get("/learning/?months=3")
    assert response.status_code == 200
    page = main(response)
    assert "Riverside" in page and "From 1 April 2026 to 20 June 2026" in page
    assert OURS in page and THEIRS not in page
    assert ("Enforcement went ahead twice in the first month of the period and not at all in "
            "the last. That is down to none.") in page
    assert "For learning, not targets" in page


def test_a_caseworker_sees_only_their_own_team(signed_in, caseworker, story):
    page = main(signed_in(caseworker).get("/learning/?months=3"))
    assert OURS in page and THEIRS not in page
    assert 'name="team"' not in page  # one team: nothing to choose
    assert story.cases["E"].reference not in page


def test_a_caseworker_cannot_ask_for_another_team(signed_in, caseworker, story):
    response = signed_in(caseworker).get(f"/learning/?team={story.other_team.pk}")
    assert response.status_code == 404


def test_a_leader_sees_every_team_and_can_pick_one(signed_in, leader, story):
    client = signed_in(leader)
    everyone = main(client.get("/learning/?months=3"))
    assert "All teams" in everyone and OURS in everyone and THEIRS in everyone
    hillside = main(client.get(f"/learning/?months=3&team={story.other_team.pk}"))
    assert THEIRS in hillside and OURS not in hillside
    assert f'<option value="{story.other_team.pk}" selected>Hillside</option>' in hillside


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.ADMIN])
def test_roles_without_learning_are_refused(signed_in, make_user, role, story):
    assert signed_in(make_user(role)).get("/learning/").status_code == 403
    assert signed_in(make_user(role)).get("/learning/?download=holds").status_code == 403


def test_someone_in_no_team_is_told_so(signed_in, make_user):
    page = main(signed_in(make_user(Role.CASEWORKER)).get("/learning/"))
    assert "You are not in a team yet" in page


def test_an_unknown_period_falls_back_to_six_months(signed_in, coordinator, story):
    page = main(signed_in(coordinator).get("/learning/?months=7"))
    assert "From 1 January 2026 to 20 June 2026" in page
    assert '<option value="6" selected>Last 6 months</option>' in page
    assert "govuk-select--error" not in page


def test_no_worker_is_named_and_no_welfare_note_is_shown(signed_in, coordinator, leader,
                                                         caseworker, third_worker, other_lead,
                                                         story):
    for viewer in (coordinator, leader):
        page = main(signed_in(viewer).get("/learning/?months=3"))
        for worker in (caseworker, coordinator, third_worker, other_lead, leader):
            assert worker.get_full_name() not in page
            assert worker.first_name not in page
        assert "private note" not in page


def test_every_chart_is_an_accessible_svg_with_its_table_and_no_styles(signed_in, coordinator,
                                                                       story):
    page = main(signed_in(coordinator).get("/learning/?months=3"))
    charts = re.findall(r"<svg[^>]*>", page)
    assert len(charts) >= 18
    for svg, chart_id in zip(charts, re.findall(r'aria-labelledby="([\w-]+)-title', page),
                             strict=True):
        assert 'role="img"' in svg
        assert f'<title id="{chart_id}-title">' in page and f'<desc id="{chart_id}-desc">' in page
    assert "<pattern" in page and 'stroke-dasharray="6 4"' in page
    assert "style=" not in page and "<script" not in page
    assert page.count('class="govuk-table"') >= len(charts)
    assert page.count("download=") == page.count("Download these figures (CSV)")
    assert "target line" not in page.lower().replace("no target line", "")


def test_welfare_says_when_a_month_is_not_shown(signed_in, coordinator, story):
    page = main(signed_in(coordinator).get("/learning/?months=3"))
    assert "Not shown: fewer than 3 people answered" in page


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_a_figure_downloads_as_csv(signed_in, coordinator, story):
    response = signed_in(coordinator).get("/learning/?months=3&download=holds")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="holds-riverside-2026-04-to-2026-06-20.csv"')
    assert read_csv(response) == [["Month", "Asked for", "Granted", "Ended"],
                                  ["2026-04", "2", "1", "0"], ["2026-05", "1", "1", "0"],
                                  ["2026-06", "1", "0", "1"]]


def test_the_xmr_and_money_downloads_keep_their_numbers(signed_in, coordinator, story):
    client = signed_in(coordinator)
    first_working = read_csv(client.get("/learning/?months=3&download=first-working"))
    assert first_working == [
        ["Person", "First \"working\"", "Days", "Moving range", "Signal"],
        [story.cases["A"].reference, "2026-05-05", "54", "First point", "No"],
        [story.cases["C"].reference, "2026-06-15", "44", "10", "No"]]
    pots = read_csv(client.get("/learning/?months=3&download=spend-against-pots"))
    assert pots[1] == ["2026-04", "1000.00", "110.00", "11.0"]
    assert pots[-1] == ["Whole period", "3500.00", "395.00", "11.3"]


def test_a_caseworkers_download_leaves_other_teams_out(signed_in, caseworker, leader, story):
    ours = read_csv(signed_in(caseworker).get("/learning/?months=3&download=pulls-by-kind"))
    assert ours == [["Specialist", "Times pulled in"], ["Citizens Advice debt adviser", "2"],
                    ["DWP work coach", "1"]]
    everyone = read_csv(signed_in(leader).get("/learning/?months=3&download=pulls-by-kind"))
    assert ["Police or probation", "1"] in everyone


def test_an_unknown_figure_is_not_found(signed_in, coordinator, story):
    assert signed_in(coordinator).get("/learning/?download=league-table").status_code == 404


def page_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("viewer", ["coordinator", "leader"])
def test_the_page_runs_the_same_queries_however_much_data(request, signed_in, story, viewer,
                                                          django_assert_max_num_queries):
    client = signed_in(request.getfixturevalue(viewer))
    url = "/learning/?months=3"
    client.get(url)  # the first request of a session also looks up sign-in devices
    before = page_queries(client, url)
    more_of_everything(story.team, story.cases["A"].lead, 40)
    more_of_everything(story.other_team, story.cases["E"].lead, 40)
    with django_assert_max_num_queries(40):
        after = page_queries(client, url)
    assert after == before


def test_figures_are_kept_for_a_few_minutes_and_say_how_old_they_are(
        signed_in, coordinator, story, settings, django_assert_max_num_queries):
    from django.core.cache import cache

    settings.LEARNING_FIGURES_SECONDS = 300
    cache.clear()
    client = signed_in(coordinator)
    first = main(client.get("/learning/?months=3"))
    assert "Figures as of " in first and "worked out again every 5 minutes" in first
    more_of_everything(story.team, story.cases["A"].lead, 5)
    with django_assert_max_num_queries(6):  # sign-in, the team and period, no figures
        again = main(client.get("/learning/?months=3"))
    assert again == first  # the same figures, with the same time on them
    six_months = main(client.get("/learning/?months=6"))
    assert "From 1 January 2026" in six_months and six_months != first
    cache.clear()
