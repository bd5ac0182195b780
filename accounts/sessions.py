"""Django's database sessions, read with one plain query: every signed-in request reads its
session, and the ORM's query building was most of the cost. Same table, same data, same
expiry; writing is Django's own."""

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import connection
from django.utils import timezone

from accounts import prepared


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self):
        if self.session_key is None:
            return None
        with connection.cursor() as cursor:
            prepared.execute(
                cursor, f"select session_data, expire_date from {self.model._meta.db_table} "  # noqa: S608  # nosec B608
                "where session_key = %s and expire_date > %s",
                [self.session_key, timezone.now()], label=self.model._meta.db_table)
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return self.model(session_key=self.session_key, session_data=row[0], expire_date=row[1])
