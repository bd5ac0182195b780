"""Django's database sessions, in a table whose rows also name their signed-in user
(accounts.models.Session), read with one plain query: every signed-in request reads its
session, and the ORM's query building was most of the cost. The same query reads the user
with their roles, capabilities and teams (accounts.backends), which was a second query on
every page. Same data, same expiry; writing is Django's own, with the user's id added."""

from functools import lru_cache

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.core import signing
from django.db import connection
from django.utils import timezone

from accounts import prepared
from accounts.backends import USER_ACCESS, USER_COLUMNS


class SessionStore(DatabaseSessionStore):
    _user_id = None
    _user_rows = ()

    @classmethod
    def get_model_class(cls):
        from accounts.models import Session

        return Session

    def _get_session_from_db(self):
        if self.session_key is None:
            return None
        table, users = self.model._meta.db_table, self.model.user.field.related_model
        with connection.cursor() as cursor:
            prepared.execute(
                cursor, f"select s.session_data, s.expire_date, u.id, {USER_COLUMNS} "  # noqa: S608  # nosec B608
                f"from {table} s left join {users._meta.db_table} u on u.id = s.user_id "
                f"{USER_ACCESS} where s.session_key = %s and s.expire_date > %s",
                [self.session_key, timezone.now()], label=table)
            rows = cursor.fetchall()
        if not rows:
            self._session_key, self._user_id, self._user_rows = None, None, ()
            return None
        # The user's id as their row has it: None when the session names nobody who exists.
        session_data, expire_date, self._user_id = rows[0][:3]
        self._user_rows = [row[3:] for row in rows]
        return self.model(session_key=self.session_key, session_data=session_data,
                          expire_date=expire_date, user_id=self._user_id)

    def decode(self, session_data):
        """Django's decode (its signature checked, then its JSON read), with what a short,
        uncompressed text decodes to kept in this process under that exact text and the keys
        it was checked with: decoding is a function of nothing else, and a signed-in request
        decoded the same text as the user's last one (a tenth of a millisecond of every page).
        Each call answers data of its own, which the request may change. Not kept: a text
        whose signature fails (Django logs it and answers an empty session, every time), and
        a long or compressed one (a pending import's file, say: decoded each time, as
        before, and never held in memory after its request)."""
        if len(session_data) > KEEP_UP_TO or session_data.startswith("."):
            return super().decode(session_data)
        try:
            verified = _verified(session_data, self.key_salt, self.serializer,
                                 settings.SECRET_KEY, tuple(settings.SECRET_KEY_FALLBACKS))
        except Exception:  # Django's decode answers it, and logs a bad signature
            return super().decode(session_data)
        return self.serializer().loads(verified)

    def user_rows(self, user_id: int) -> list[tuple] | None:
        """The rows of accounts.backends.USER_COLUMNS that this session's query read for its
        user, if that is the user with this id, else None (read them yourself)."""
        if self._user_id is None or self._user_id != user_id:
            return None
        return self._user_rows

    def create_model_instance(self, data):
        session = super().create_model_instance(data)
        session.user_id = _user_id(data)
        return session

    async def acreate_model_instance(self, data):
        session = await super().acreate_model_instance(data)
        session.user_id = _user_id(data)
        return session


# The longest session text whose decoding is kept: a signed-in user's session is a few hundred
# characters; at most 1,024 texts of at most 2,048 are kept a process (a few MB at most).
KEEP_UP_TO = 2048


@lru_cache(maxsize=1024)
def _verified(session_data: str, salt: str, serializer, key: str,
              fallback_keys: tuple[str, ...]) -> bytes:
    """The session's data, as its serializer writes it, if `session_data`'s signature holds
    for `key` (or one of `fallback_keys`); raises (and so is not kept) if not, or if it
    cannot be read."""
    data = signing.loads(session_data, key=key, fallback_keys=fallback_keys, salt=salt,
                         serializer=serializer)
    return serializer().dumps(data)


def _user_id(data: dict) -> int | None:
    """The signed-in user's id in the session's data (Django keeps it as text), or None."""
    try:
        return int(data[SESSION_KEY])
    except (KeyError, TypeError, ValueError):
        return None
