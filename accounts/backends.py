"""Signing in: Django's ModelBackend, reading the signed-in user of each request together with
their roles, capabilities and teams, in one plain query instead of two (the user through the
ORM, then their access). Every signed-in request pays for this, so it is kept lean."""

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db import connection

from accounts import prepared
from accounts.models import User

_FIELDS = list(User._meta.concrete_fields)
_ATTNAMES = [field.attname for field in _FIELDS]
_USER_SQL = f"""
    select {", ".join(f'u."{field.column}"' for field in _FIELDS)}, a.*
      from {User._meta.db_table} u
      left join lateral ({User.access_sql("u.id")}) a on true
     where u.id = %s
    """  # noqa: S608  # nosec B608: names from the model, the id a placeholder


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
