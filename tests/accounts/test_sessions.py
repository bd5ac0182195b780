"""Sessions name their signed-in user in a column of their own (accounts.models.Session), so a
request reads its session and its user in one query. Django's checks stand: the user is the
one the session's data names, active, with the password the session was signed in with."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.backends import AccessBackend
from accounts.models import Session, User
from accounts.roles import Role

pytestmark = pytest.mark.django_db


def home(client):
    """The home page, and the queries that read its user apart from the session's."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")
    return response, [q["sql"] for q in queries.captured_queries
                      if q["sql"].startswith("EXECUTE accounts_user_")]


def session_of(client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def test_signing_in_writes_the_users_id_beside_the_session(client, make_user, password):
    user = make_user(Role.CASEWORKER, username="ada")
    response = client.post("/account/sign-in", {"username": "ada", "password": password})
    assert response.status_code == 302
    assert session_of(client).user_id == user.pk


def test_the_user_read_with_the_session_is_the_user_the_orm_reads(signed_in, make_user, team,
                                                                  other_team):
    from accounts.models import Membership

    made = make_user(Role.COORDINATOR, Role.CASEWORKER, team=team, first_name="Ada",
                     email="ada@example.org")
    Membership.objects.create(user=made, team=other_team)
    response, user_queries = home(signed_in(made))
    assert response.status_code == 200 and not user_queries
    user, fresh = response.wsgi_request.user, User.objects.get(pk=made.pk)
    assert [getattr(user, f.attname) for f in User._meta.concrete_fields] == \
        [getattr(fresh, f.attname) for f in User._meta.concrete_fields]
    assert user.role_names == {Role.COORDINATOR, Role.CASEWORKER}
    assert user.team_ids == sorted([team.pk, other_team.pk])
    assert user.get_all_permissions() == fresh.get_all_permissions()


def test_a_session_whose_column_names_someone_else_signs_in_the_user_its_data_names(
        signed_in, make_user):
    """The column only saves a query; who is signed in is what Django reads in the data."""
    ada, bob = make_user(Role.CASEWORKER, username="ada"), make_user(Role.LEADER, username="bob")
    client = signed_in(ada)
    Session.objects.filter(session_key=client.session.session_key).update(user=bob)
    response, user_queries = home(client)
    assert response.wsgi_request.user.pk == ada.pk
    assert "Your people today" in response.text and "Air cover" not in response.text
    assert len(user_queries) == 1  # Ada read by a query of her own


def test_deleting_a_user_ends_their_sessions(signed_in, make_user):
    user = make_user(Role.CASEWORKER)
    client = signed_in(user)
    key = client.session.session_key
    user.delete()
    assert not Session.objects.filter(session_key=key).exists()
    response, _ = home(client)
    assert response.status_code == 302 and response["Location"].startswith("/account/sign-in")


def test_a_deactivated_user_is_signed_out_at_their_next_request(signed_in, make_user):
    user = make_user(Role.CASEWORKER)
    client = signed_in(user)
    User.objects.filter(pk=user.pk).update(is_active=False)
    response, _ = home(client)
    assert response.status_code == 302 and response["Location"].startswith("/account/sign-in")


def test_a_password_changed_elsewhere_signs_the_session_out(signed_in, make_user):
    user = make_user(Role.CASEWORKER)
    client = signed_in(user)
    user.set_password("a-new-pass-word-2")
    user.save()
    response, _ = home(client)
    assert response.status_code == 302 and response["Location"].startswith("/account/sign-in")
    assert not Session.objects.filter(user=user).exists()  # Django flushed it


def test_a_session_naming_a_user_who_is_gone_saves_and_signs_nobody_in(client, make_user):
    """Its user column has no constraint: a session saved just as its user is deleted is
    saved (Django would try again for ever to create it), and reads no user."""
    from accounts.sessions import SessionStore

    gone = make_user(Role.CASEWORKER)
    gone_id = gone.pk
    gone.delete()
    store = SessionStore()
    store.update({SESSION_KEY: str(gone_id), "_auth_user_backend":
                  "accounts.backends.AccessBackend"})
    store.create()
    assert Session.objects.get(session_key=store.session_key).user_id == gone_id
    client.cookies["sessionid"] = store.session_key
    response, _ = home(client)
    assert response.status_code == 302 and response["Location"].startswith("/account/sign-in")


def test_signing_out_deletes_the_session(signed_in, make_user):
    client = signed_in(make_user(Role.CASEWORKER))
    key = client.session.session_key
    assert client.post("/account/sign-out").status_code == 302
    assert not Session.objects.filter(session_key=key).exists()


def test_outside_a_request_the_backend_reads_the_user_itself(signed_in, make_user,
                                                             django_assert_num_queries):
    user = make_user(Role.CASEWORKER)
    assert signed_in(user).get("/").status_code == 200  # leaves no session behind it
    with django_assert_num_queries(1):
        assert AccessBackend().get_user(user.pk).pk == user.pk


@pytest.mark.django_db(transaction=True)
def test_the_upgrade_moves_open_sessions_with_their_users_and_back(make_user):
    from django.contrib.sessions.backends.db import SessionStore as DjangoSessionStore

    user = make_user(Role.CASEWORKER)
    executor = MigrationExecutor(connection)
    before, after = [("accounts", "0005_change_stamps")], [("accounts",
                                                          "0006_sessions_with_their_user")]
    executor.migrate(before)
    executor.loader.build_graph()
    old = executor.loader.project_state([*before, ("sessions", "0001_initial")]).apps.get_model(
        "sessions", "Session")
    store = DjangoSessionStore()
    later = timezone.now() + timezone.timedelta(minutes=10)
    old.objects.create(session_key="signed-in", expire_date=later,
                       session_data=store.encode({SESSION_KEY: str(user.pk), "x": 1}))
    old.objects.create(session_key="anonymous", expire_date=later,
                       session_data=store.encode({"x": 2}))
    old.objects.create(session_key="ended", expire_date=timezone.now(),
                       session_data=store.encode({SESSION_KEY: str(user.pk)}))

    executor = MigrationExecutor(connection)
    executor.migrate(after)
    moved = {s.session_key: s for s in Session.objects.all()}
    assert set(moved) == {"signed-in", "anonymous"}
    assert moved["signed-in"].user_id == user.pk and moved["anonymous"].user_id is None
    assert moved["signed-in"].get_decoded() == {SESSION_KEY: str(user.pk), "x": 1}
    assert not old.objects.exists()

    executor = MigrationExecutor(connection)
    executor.migrate(before)
    assert set(old.objects.values_list("session_key", flat=True)) == {"signed-in", "anonymous"}
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())  # every app as the other tests need


def test_the_same_session_data_decodes_to_data_of_its_own_each_time():
    from accounts.sessions import SessionStore

    store = SessionStore()
    text = store.encode({"signed_in_at": 1.5, "messages": [["info", "Saved"]]})
    first, second = store.decode(text), store.decode(text)
    assert first == second == {"signed_in_at": 1.5, "messages": [["info", "Saved"]]}
    first["messages"].append(["info", "Changed by the request"])
    first["new"] = True
    assert store.decode(text) == second  # nothing the request changed is kept


def test_a_short_sessions_data_is_checked_once_and_a_long_ones_every_time():
    from unittest import mock

    from django.core import signing

    from accounts.sessions import KEEP_UP_TO, SessionStore

    store = SessionStore()
    short = store.encode({SESSION_KEY: "3", "note": "short"})
    long = store.encode({SESSION_KEY: "3", "import": "".join(
        f"{n:x}" for n in range(KEEP_UP_TO))})  # a pending import's file, say
    assert len(short) <= KEEP_UP_TO < len(long)
    with mock.patch("accounts.sessions.signing.loads", wraps=signing.loads) as loads:
        assert store.decode(short) == store.decode(short) == {SESSION_KEY: "3", "note": "short"}
        assert loads.call_count <= 1  # checked once (none: kept from an earlier test)
        loads.reset_mock()
        for _ in range(2):
            assert store.decode(long)[SESSION_KEY] == "3"
        assert loads.call_count == 2


def test_session_data_whose_signature_fails_is_empty_logged_every_time_and_not_kept(caplog):
    from accounts.sessions import SessionStore, _verified

    store = SessionStore()
    text = store.encode({SESSION_KEY: "1"})
    tampered = text.replace(text[-1], "A" if text[-1] != "A" else "B")
    kept = _verified.cache_info().currsize
    for _ in range(2):
        assert store.decode(tampered) == {}
    assert caplog.text.count("Session data corrupted") == 2
    assert _verified.cache_info().currsize == kept


def test_session_data_signed_for_another_purpose_does_not_decode():
    from accounts.sessions import SessionStore

    class OtherStore(SessionStore):
        key_salt = "another.purpose"

    text = SessionStore().encode({SESSION_KEY: "5"})
    assert SessionStore().decode(text) == {SESSION_KEY: "5"}  # read, and kept
    assert OtherStore().decode(text) == {}


def test_session_data_signed_with_a_key_no_longer_used_does_not_decode(settings):
    from accounts.sessions import SessionStore

    text = SessionStore().encode({SESSION_KEY: "7"})
    assert SessionStore().decode(text) == {SESSION_KEY: "7"}  # read, and kept
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY = "another-key-" + "x" * 50
    assert SessionStore().decode(text) == {}
    settings.SECRET_KEY_FALLBACKS = [old_key]  # a key being rotated out still reads it
    assert SessionStore().decode(text) == {SESSION_KEY: "7"}
