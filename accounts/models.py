import pghistory
import pgtrigger
from django.contrib.auth.models import AbstractUser
from django.db import models

from accounts.roles import CAPABILITIES, Role


@pghistory.track(exclude=["password", "last_login"])
class User(AbstractUser):
    """A person who signs in: caseworker, coordinator, leader, auditor or admin (or several)."""

    teams = models.ManyToManyField("Team", through="Membership", related_name="members",
                                   blank=True)

    class Meta:
        ordering = ["first_name", "last_name", "username"]

    def __str__(self):
        return self.get_full_name() or self.username

    @property
    def role_names(self) -> set[str]:
        """The user's roles. Runs a query once per user object."""
        if not hasattr(self, "_role_names"):
            self._role_names = set(self.groups.values_list("name", flat=True))
        return self._role_names

    def has_role(self, role: Role | str) -> bool:
        return str(role) in self.role_names

    @property
    def roles(self) -> list[Role]:
        return [role for role in Role if role in self.role_names]


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
    def record(cls, request, obj, *, action=Action.VIEW, label: str | None = None):
        return cls.objects.create(user=request.user, action=action,
                                  object_type=obj._meta.label_lower, object_id=str(obj.pk),
                                  label=label or str(obj), path=request.path[:500])
