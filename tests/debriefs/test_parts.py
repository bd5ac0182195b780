"""htmx asks for parts of the debrief page by themselves (blocks of a Jinja2 page:
config/jinja2.py `Part`): each answer is that part alone, as it stands after the save, and a
mistake keeps what was typed and writes nothing."""

import re

import pytest
from django.template import TemplateDoesNotExist, engines

from debriefs.models import Debrief, Welfare

pytestmark = pytest.mark.django_db


def _alone(response, opening: str) -> str:
    text = response.text.strip()
    assert text.startswith(opening) and "<html" not in text and "<footer" not in text
    return text


def test_welfare_saved_with_htmx_answers_with_its_section_alone(signed_in, caseworker, debrief):
    response = signed_in(caseworker).post(f"/debriefs/{debrief.pk}/welfare", {
        "welfare-feeling": "2", "welfare-note": "Tired <but> fine"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    section = _alone(response, '<section id="welfare"')
    assert "Saved. Only you and the coordinator can see it." in section
    assert "Tired &lt;but&gt; fine" in section
    assert Welfare.objects.get().note == "Tired <but> fine"


def test_welfare_without_an_answer_is_422_keeps_the_note_and_writes_nothing(
        signed_in, caseworker, debrief):
    response = signed_in(caseworker).post(f"/debriefs/{debrief.pk}/welfare", {
        "welfare-note": "Kept note"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    section = _alone(response, '<section id="welfare"')
    assert "There is a problem" in section and "Kept note" in section
    assert "Saved." not in section
    assert not Welfare.objects.exists()


def test_closing_with_htmx_answers_with_its_section_alone(signed_in, coordinator, debrief):
    client = signed_in(coordinator)
    refused = client.post(f"/debriefs/{debrief.pk}/close", {"reflection": ""},
                          HTTP_HX_REQUEST="true")
    assert refused.status_code == 422
    assert "There is a problem" in _alone(refused, '<section id="close"')
    assert Debrief.objects.get().closed_at is None

    closed = client.post(f"/debriefs/{debrief.pk}/close", {"reflection": "Short & sweet"},
                         HTTP_HX_REQUEST="true")
    section = _alone(closed, '<section id="close"')
    assert "Debrief closed. Thank you, everyone." in section
    assert "Short &amp; sweet" in section and "Save the reflection" in section
    assert Debrief.objects.get().closed_at is not None


def test_every_form_on_the_page_carries_the_pages_one_token(signed_in, coordinator, debrief,
                                                             case):
    page = signed_in(coordinator).get(f"/debriefs/{debrief.pk}/").text
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert len(tokens) >= 6
    assert len(set(tokens)) == 1
    assert f'"X-CSRFToken": "{tokens[0]}"' in page


def test_a_part_the_page_does_not_have_is_not_found():
    with pytest.raises(TemplateDoesNotExist):
        engines["jinja2"].get_template("debriefs/debrief_detail.jinja#no_such_part")


def test_the_page_says_since_when_things_are_new_from_the_teams_debrief_before(
        signed_in, coordinator, other_team, team, case, debrief):
    """The day before is read with the debrief itself (debriefs.permissions.DEBRIEF): none for
    the team's first; the latest earlier day of the same team, not another team's."""
    from datetime import timedelta

    client = signed_in(coordinator)
    assert "anything new first" in client.get(f"/debriefs/{debrief.pk}/").text
    day = debrief.held_on
    for held_on, of in ((day - timedelta(days=9), team), (day - timedelta(days=3), team),
                        (day - timedelta(days=1), other_team)):
        Debrief.objects.create(team=of, held_on=held_on, started_by=coordinator)
    page = client.get(f"/debriefs/{debrief.pk}/").text
    assert f"anything new since {(day - timedelta(days=3)):%-d %B} first" in page
