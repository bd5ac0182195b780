import pytest
from django.apps import apps

from accounts.models import Team

pytestmark = pytest.mark.django_db


def events_for(team_id):
    event_model = apps.get_model("accounts", "TeamEvent")
    return list(event_model.objects.filter(pgh_obj_id=team_id).order_by("pgh_id"))


def test_team_changes_are_recorded_with_the_acting_user(signed_in, service_admin):
    client = signed_in(service_admin)
    response = client.post("/admin/accounts/team/add/", {"name": "Quayside", "case_prefix": "QS"})
    assert response.status_code == 302
    team = Team.objects.get(name="Quayside")
    client.post(f"/admin/accounts/team/{team.pk}/change/",
                {"name": "Quayside team", "case_prefix": "QS"})

    events = events_for(team.pk)
    assert [e.pgh_label for e in events] == ["insert", "update"]
    assert all(e.pgh_context["user"] == service_admin.pk for e in events)
    assert events[1].pgh_context["url"] == f"/admin/accounts/team/{team.pk}/change/"


def test_deletes_are_recorded_too(team):
    team_id = team.pk
    team.delete()
    assert [e.pgh_label for e in events_for(team_id)] == ["insert", "delete"]
