"""What every signed-in request costs before the page does anything: the session and its user
with their roles, capabilities and teams (one query together), the second step for those who
need it, and no session write unless the idle expiry is due to be pushed back."""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Session
from accounts.roles import Role

pytestmark = pytest.mark.django_db


def home_queries(client) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")
    assert response.status_code == 200
    return [q["sql"] for q in queries.captured_queries]


def expiry(client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_a_signed_in_page_reads_session_user_and_access_and_writes_nothing(signed_in,
                                                                           make_user):
    client = signed_in(make_user())
    client.get("/")
    queries = home_queries(client)
    assert len(queries) == 1  # the session, its user, their roles and capabilities
    assert not [q for q in queries if q.startswith(("UPDATE", "INSERT", "DELETE"))]


def test_a_caseworkers_home_page_reads_roles_and_capabilities_once(signed_in, caseworker):
    client = signed_in(caseworker)
    response = client.get("/")
    assert "Your people today" in response.text  # the caseworker's section: roles were read
    assert "Cases" in response.text  # the navigation: capabilities were read
    assert len(home_queries(client)) == 1


def test_two_step_sign_in_adds_only_the_device_lookup(signed_in, leader):
    client = signed_in(leader)
    response = client.get("/")
    assert "Air cover and review" in response.text
    assert len(home_queries(client)) == 2


def test_roles_and_capabilities_come_from_one_query(make_user):
    user = make_user(Role.COORDINATOR, Role.CASEWORKER)
    with CaptureQueriesContext(connection) as queries:
        assert user.has_perm("accounts.run_debriefs")
        assert user.has_perm("accounts.work_cases")
        assert not user.has_perm("accounts.see_all_teams")
        assert user.role_names == {Role.COORDINATOR, Role.CASEWORKER}
        assert user.get_all_permissions() >= {"accounts.run_debriefs", "accounts.work_cases"}
    assert len(queries) == 1


def test_a_direct_permission_counts_as_well_as_the_roles(make_user):
    from django.contrib.auth.models import Permission

    user = make_user()
    user.user_permissions.add(Permission.objects.get(codename="view_learning"))
    assert user.has_perm("accounts.view_learning")
    assert user.role_names == set()


def test_idle_sessions_expire_after_30_minutes(signed_in, make_user):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    client = signed_in(make_user())
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timezone.timedelta(seconds=1))
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/account/sign-in")


def test_the_idle_expiry_is_renewed_at_most_once_a_minute(signed_in, make_user):
    client = signed_in(make_user())
    client.get("/")
    first = expiry(client)
    client.get("/")
    assert expiry(client) == first  # used again within the minute: no write

    session = client.session
    session["renewed_at"] = timezone.now().timestamp() - settings.SESSION_RENEW_AFTER - 1
    session.save()
    saved = expiry(client)
    Session.objects.filter(session_key=session.session_key).update(
        expire_date=saved - timezone.timedelta(minutes=20))  # as if idle for 20 minutes
    client.get("/")
    renewed = expiry(client)
    assert renewed >= saved  # pushed back to 30 minutes from now
    assert renewed - timezone.now() > timezone.timedelta(minutes=29)


def test_the_apps_connections_do_not_jit_compile_queries():
    """PostgreSQL's JIT spent 120 ms compiling the debrief's ordering query to save a few."""
    from django.db import connections

    for alias in settings.DATABASES:  # default, owner and the replica
        assert "-c jit=off" in settings.DATABASES[alias]["OPTIONS"]["options"]
    with connections["default"].cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)


def test_a_users_teams_come_with_their_access_in_the_same_query(make_user, team, other_team,
                                                                django_assert_num_queries):
    from accounts.models import Membership, User

    Membership.objects.create(user=make_user(Role.CASEWORKER, team=team, username="two"),
                              team=other_team)
    user = User.objects.get(username="two")
    with django_assert_num_queries(1):
        assert user.has_perm("accounts.work_cases")
        assert user.team_ids == sorted([team.pk, other_team.pk])


def test_the_signed_in_user_is_read_as_the_orm_reads_them_with_their_access(
        make_user, team, other_team, django_assert_num_queries):
    from accounts.backends import AccessBackend
    from accounts.models import Membership, User

    made = make_user(Role.COORDINATOR, Role.CASEWORKER, team=team, username="both",
                     first_name="Ada", email="ada@example.org")
    Membership.objects.create(user=made, team=other_team)
    with django_assert_num_queries(1):
        user = AccessBackend().get_user(str(made.pk))  # as the session holds it
        assert user.role_names == {Role.COORDINATOR, Role.CASEWORKER}
        assert user.has_perm("accounts.run_debriefs") and user.has_perm("accounts.work_cases")
        assert not user.has_perm("accounts.see_all_teams")
        assert user.team_ids == sorted([team.pk, other_team.pk])
    fresh = User.objects.get(pk=made.pk)
    assert [getattr(user, f.attname) for f in User._meta.concrete_fields] == \
        [getattr(fresh, f.attname) for f in User._meta.concrete_fields]
    assert user.get_all_permissions() == fresh.get_all_permissions()
    assert user._state.adding is False and user._state.db == "default"


def test_a_user_with_no_role_or_team_is_read_with_no_access(make_user):
    from accounts.backends import AccessBackend

    user = AccessBackend().get_user(make_user().pk)
    assert user.role_names == set() and user.team_ids == []
    assert not user.has_perm("accounts.work_cases")


def test_no_user_for_an_unknown_a_malformed_or_a_deactivated_id(make_user):
    from accounts.backends import AccessBackend

    gone = make_user(Role.CASEWORKER, is_active=False)
    assert AccessBackend().get_user(gone.pk) is None
    assert AccessBackend().get_user(gone.pk + 1000) is None
    assert AccessBackend().get_user("1; drop table accounts_user") is None
    assert AccessBackend().get_user(str(2**63)) is None  # past bigint


def test_a_superuser_is_read_with_every_permission_and_their_roles_and_teams(
        make_user, team, django_assert_num_queries):
    from django.contrib.auth.models import Permission

    from accounts.backends import AccessBackend

    admin = make_user(Role.LEADER, team=team, username="root", is_superuser=True)
    with django_assert_num_queries(1):
        user = AccessBackend().get_user(admin.pk)
        assert user.role_names == {Role.LEADER} and user.team_ids == [team.pk]
    assert user.is_superuser and user.has_perm("accounts.see_all_teams")
    assert len(user.get_all_permissions()) == Permission.objects.count()


def test_a_session_that_is_unknown_or_past_its_expiry_signs_nobody_in(signed_in, make_user):
    from accounts.sessions import SessionStore

    client = signed_in(make_user())
    key = client.session.session_key
    assert SessionStore(key).load()["_auth_user_id"]
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - timezone.timedelta(seconds=1))
    expired = SessionStore(key)
    assert expired.load() == {} and expired.session_key is None
    assert SessionStore("x" * 32).load() == {}


def test_a_signed_in_request_carries_the_user_itself_with_the_second_step_checked(signed_in,
                                                                                leader):
    """`request.user` is the user, not a lazy object around one (accounts.middleware
    TwoStepDeviceMiddleware), and django-otp has looked at it: the leader signed in with both
    steps is verified, by their device."""
    from accounts.models import User

    response = signed_in(leader).get("/")
    user = response.wsgi_request.user
    assert type(user) is User and user.pk == leader.pk
    assert user.is_verified() is True and user.otp_device is not None
