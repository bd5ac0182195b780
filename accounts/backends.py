"""Signing in: Django's ModelBackend, reading the signed-in user of each request together with
their roles, capabilities and teams, in the same query as the session (accounts.sessions), or
in one plain query of their own. Every signed-in request pays for this, so it is kept lean."""

from contextvars import ContextVar

from django.contrib import auth
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db import connection

from accounts import prepared
from accounts.models import User

_FIELDS = list(User._meta.concrete_fields)
_ATTNAMES = [field.attname for field in _FIELDS]
# The user `u`'s columns, then their access (User.access_sql): one row per role, capability
# and team. For a query whose `from` names the user as `u` (left joined or not).
USER_COLUMNS = ", ".join(f'u."{field.column}"' for field in _FIELDS) + ", a.*"
USER_ACCESS = f"left join lateral ({User.access_sql('u.id')}) a on true"
_USER_SQL = f"""
    select {USER_COLUMNS}
      from {User._meta.db_table} u
      {USER_ACCESS}
     where u.id = %s
    """  # noqa: S608  # nosec B608: names from the model, the id a placeholder

# The session being read while Django works out the request's user (request_user).
_session: ContextVar = ContextVar("session", default=None)


def request_user(request):
    """Django's `auth.get_user(request)`, with all of its checks (the session's backend, the
    hash of the password the session was signed in with), kept as Django's middleware keeps it.
    The backend takes the user from the rows the session's own query read, when they are the
    rows of the user the session's data names."""
    if not hasattr(request, "_cached_user"):
        token = _session.set(request.session)
        try:
            request._cached_user = auth.get_user(request)
        finally:
            _session.reset(token)
    return request._cached_user


class AccessBackend(ModelBackend):
    def get_user(self, user_id):
        """The active user with this id, their access already read (User.load_access), or
        None, as ModelBackend answers."""
        try:
            pk = User._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        if not -(2**63) <= pk < 2**63:  # not a bigint: no such user, as the ORM would say
            return None
        session = _session.get()
        rows = session.user_rows(pk) if session is not None else None
        if rows is None:
            with connection.cursor() as cursor:
                prepared.execute(cursor, _USER_SQL, [pk], label="accounts_user")
                rows = cursor.fetchall()
        if not rows:
            return None
        count = len(_FIELDS)
        user = User.from_db(connection.alias, _ATTNAMES, rows[0][:count])
        if not self.user_can_authenticate(user):
            return None
        user.keep_access([row[count:] for row in rows if row[count:] != (None, None, None)],
                         capabilities=not user.is_superuser)
        return user
