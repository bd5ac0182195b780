import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from accounts.roles import CAPABILITIES, ROLE_CAPABILITIES, Role
from accounts.services import roles_apply

pytestmark = pytest.mark.django_db


def group_permissions():
    return {g.name: sorted(g.permissions.values_list("codename", flat=True))
            for g in Group.objects.all()}


def test_setup_roles_is_idempotent_and_exact():
    call_command("setup_roles")
    first = group_permissions()
    Group.objects.get(name="auditor").permissions.clear()
    call_command("setup_roles")
    assert group_permissions() == first
    assert set(first) == {r.value for r in Role}
    assert "review_spend" in first["leader"] and "review_spend" not in first["caseworker"]


def test_every_role_capability_is_a_defined_capability():
    for codes in ROLE_CAPABILITIES.values():
        assert set(codes) <= set(CAPABILITIES)


def test_a_person_can_hold_several_roles(make_user, team):
    roles_apply()
    cora = make_user(Role.COORDINATOR, Role.CASEWORKER, team=team)
    assert cora.has_perm("accounts.run_debriefs") and cora.has_perm("accounts.work_cases")
    assert cora.roles == [Role.CASEWORKER, Role.COORDINATOR]


@pytest.mark.parametrize("role, heading, absent", [
    (Role.CASEWORKER, "Your people today", "Air cover and review"),
    (Role.COORDINATOR, "Today&#x27;s debrief", "Purchase records"),
    (Role.LEADER, "Air cover and review", "Your people today"),
    (Role.AUDITOR, "Purchase records", "Your people today"),
    (Role.ADMIN, "Manage the service", "Purchase records"),
])
def test_each_role_has_its_own_home_page(signed_in, make_user, team, role, heading, absent):
    client = signed_in(make_user(role, team=team))
    page = client.get("/").text
    assert heading in page
    assert absent not in page


def test_navigation_shows_only_what_the_role_may_use(signed_in, make_user):
    auditor_page = signed_in(make_user(Role.AUDITOR)).get("/").text
    assert 'class="govuk-service-navigation__link" href="/admin/"' not in auditor_page
    admin_page = signed_in(make_user(Role.ADMIN, is_staff=True)).get("/").text
    assert 'class="govuk-service-navigation__link" href="/admin/"' in admin_page


def test_user_without_roles_is_told_what_to_do(signed_in, make_user):
    assert "You have no role yet" in signed_in(make_user()).get("/").text
