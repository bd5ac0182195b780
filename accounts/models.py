import pghistory
import pgtrigger
from django.contrib.auth.models import AbstractUser
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import connection, connections, models, router
from django.utils import timezone

from accounts import prepared
from accounts.roles import CAPABILITIES, Role
from accounts.stamps import moved_by_changes


@pghistory.track(exclude=["password", "last_login"])
class User(AbstractUser):
    """A person who signs in: caseworker, coordinator, leader, auditor or admin (or several)."""

    teams = models.ManyToManyField("Team", through="Membership", related_name="members",
                                   blank=True)

    class Meta:
        ordering = ["first_name", "last_name", "username"]
        # What is kept with people's names in it (accounts/stamps.py) is worked out again
        # when a name changes.
        triggers = [moved_by_changes("user_names", "names", "first_name", "last_name",
                                     "username")]

    def __str__(self):
        return self.get_full_name() or self.username

    @staticmethod
    def shown_name(first_name: str, last_name: str, username: str) -> str:
        """What `str(user)` says, from plain columns (for lists read as rows, not objects)."""
        return f"{first_name} {last_name}".strip() or username

    @property
    def role_names(self) -> set[str]:
        """The user's roles. Runs a query once per user object (see load_access)."""
        if not hasattr(self, "_role_names"):
            if self.is_active and not self.is_superuser:
                self.load_access()
            else:
                self._role_names = set(self.groups.values_list("name", flat=True))
        return self._role_names

    def load_access(self) -> None:
        """Read the user's roles, capabilities and teams together, in one query, and keep them
        on this object for the request: the navigation, the views and the templates ask for
        them many times. Django's ModelBackend would take three queries (groups, the user's
        permissions, the groups' permissions); it reads its own cache, `_perm_cache`, which
        this fills with the same "app_label.codename" strings. Not for superusers, who have
        every permission (Django's backend answers for them). A signed-in request reads them
        with the user instead (accounts.backends), in the same single query."""
        with connection.cursor() as cursor:
            cursor.execute(self.access_sql("%s"), [self.pk] * 3)
            self.keep_access(cursor.fetchall())

    @classmethod
    def access_sql(cls, user_id: str) -> str:
        """Rows of (role, "app_label.codename" capability, team id), each with the other two
        null, for the user whose id is the SQL expression `user_id` (used three times)."""
        user_groups = cls._meta.get_field("groups").remote_field.through._meta.db_table
        user_perms = cls._meta.get_field("user_permissions").remote_field.through._meta.db_table
        memberships = cls._meta.get_field("teams").remote_field.through._meta.db_table
        return f"""
            select g.name, ct.app_label || '.' || p.codename, null::bigint
              from {user_groups} ug
              join auth_group g on g.id = ug.group_id
              left join auth_group_permissions gp on gp.group_id = g.id
              left join auth_permission p on p.id = gp.permission_id
              left join django_content_type ct on ct.id = p.content_type_id
             where ug.user_id = {user_id}
            union all
            select null, ct.app_label || '.' || p.codename, null
              from {user_perms} up
              join auth_permission p on p.id = up.permission_id
              join django_content_type ct on ct.id = p.content_type_id
             where up.user_id = {user_id}
            union all
            select null, null, m.team_id from {memberships} m where m.user_id = {user_id}
            """  # noqa: S608  # nosec B608: table names from the models, the id a placeholder

    def keep_access(self, rows, *, capabilities: bool = True) -> None:
        """Keep the (role, capability, team id) rows of access_sql on this object. Not the
        capabilities of a superuser, who has every one (Django's backend reads its own
        `_perm_cache` for them, which must hold them all)."""
        self._role_names = {group for group, _, _ in rows if group is not None}
        self._team_ids = sorted(team for _, _, team in rows if team is not None)
        if capabilities:
            self._perm_cache = {perm for _, perm, _ in rows if perm is not None}

    @property
    def team_ids(self) -> list[int]:
        """The ids of the user's teams, read with their access (see load_access). A list of
        ids rather than a subquery lets PostgreSQL read one team's rows in index order."""
        if not hasattr(self, "_team_ids"):
            if self.is_active and not self.is_superuser:
                self.load_access()
            else:
                self._team_ids = sorted(self.memberships.values_list("team_id", flat=True))
        return self._team_ids

    def _access_loaded(self) -> None:
        if not hasattr(self, "_perm_cache") and self.is_active and not self.is_superuser:
            self.load_access()

    def has_perm(self, perm, obj=None) -> bool:
        """The answer Django's backends give, without asking each of them on every call (a
        page asks dozens of times): for an active user who is not a superuser, and no object,
        the only backend that grants anything is ModelBackend, whose answer is whether the
        permission is in the user's permissions. Anything else goes through the backends."""
        if obj is None and self.is_active and not self.is_superuser:
            self._access_loaded()
            return perm in self._perm_cache
        return super().has_perm(perm, obj)

    def has_module_perms(self, app_label) -> bool:
        self._access_loaded()
        return super().has_module_perms(app_label)

    def get_all_permissions(self, obj=None) -> set[str]:
        self._access_loaded()
        return super().get_all_permissions(obj)

    def has_role(self, role: Role | str) -> bool:
        return str(role) in self.role_names

    @property
    def roles(self) -> list[Role]:
        return [role for role in Role if role in self.role_names]


class Session(AbstractBaseSession):
    """A browser's session: Django's database session, with the signed-in user's id in a column
    of its own, written from the session's data each time it is saved (accounts.sessions). A
    request reads its session and its user in one query, and deleting a user ends their
    sessions (Django's cascade). No foreign-key constraint in the database: a session saved
    just as its user is deleted must not fail to save (Django would try again for ever to
    create it); a user id naming nobody reads no user."""

    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="+", db_constraint=False)

    @classmethod
    def get_session_store_class(cls):
        from accounts.sessions import SessionStore

        return SessionStore


@pghistory.track()
class Team(models.Model):
    """A community casework team: the unit that shares a caseload, debriefs and a budget pot."""

    name = models.CharField(max_length=120, unique=True)
    case_prefix = models.CharField(
        max_length=4, unique=True,
        help_text="Letters that start the team's case references, for example GH in GH-0042.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


@pghistory.track()
class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    joined_on = models.DateField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "team"], name="membership_unique_user_team"),
        ]

    def __str__(self):
        return f"{self.user} in {self.team}"


class ChangeStamp(models.Model):
    """How many committed writes have changed what a scope covers (`spend:<team id>`,
    `caseload:<team id>`, `names`). Written only by the database's triggers: see
    accounts/stamps.py."""

    scope = models.CharField(max_length=60, primary_key=True)
    count = models.BigIntegerField()

    class Meta:
        # A count that went back, or a scope deleted and begun again, could repeat a number a
        # process kept other figures under. So it may only grow, whoever writes it.
        triggers = [
            pgtrigger.Protect(name="change_stamp_no_delete", operation=pgtrigger.Delete),
            pgtrigger.Protect(name="change_stamp_only_grows", operation=pgtrigger.Update,
                              condition=pgtrigger.Q(new__count__lte=pgtrigger.F("old__count"))
                              | ~pgtrigger.Q(new__scope=pgtrigger.F("old__scope"))),
        ]

    def __str__(self):
        return f"{self.scope}: {self.count}"


class Capability(models.Model):
    """Holds the service-wide capabilities that roles are built from. It has no rows:
    each capability is a permission (`accounts.<codename>`), granted to roles in roles.py."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = list(CAPABILITIES.items())

    def __str__(self):
        return "Capability"


class AccessLogQuerySet(models.QuerySet):
    def for_object(self, obj):
        return self.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))


class AccessLog(models.Model):
    """Who looked at which record, and when. Append-only: the database refuses changes."""

    class Action(models.TextChoices):
        VIEW = "view", "Viewed"
        DOWNLOAD = "download", "Downloaded"
        EXPORT = "export", "Exported"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=10, choices=Action.choices, default=Action.VIEW)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=40)
    label = models.CharField(max_length=200, help_text="A reference, never a person's name")
    path = models.CharField(max_length=500)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["object_type", "object_id", "-at"])]
        triggers = [
            pgtrigger.Protect(name="access_log_append_only",
                              operation=pgtrigger.Update | pgtrigger.Delete),
        ]

    def __str__(self):
        return f"{self.user} {self.get_action_display().lower()} {self.label}"

    @classmethod
    def record(cls, request, obj, *, action=Action.VIEW, label: str | None = None) -> None:
        """Write down that the signed-in user looked at `obj`: every view of a case does, so
        it is one prepared statement (accounts/prepared.py), not a model saved."""
        with connections[router.db_for_write(cls)].cursor() as cursor:
            prepared.execute(
                cursor, f"INSERT INTO {cls._meta.db_table} "  # noqa: S608  # nosec B608: the table
                "(at, user_id, action, object_type, object_id, label, path) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s)",
                [timezone.now(), request.user.pk, action, obj._meta.label_lower, str(obj.pk),
                 label or str(obj), request.path[:500]], label="access_log")
