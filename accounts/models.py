import pghistory
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
