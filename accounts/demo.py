"""The demo council's team and its people: one user per role, plus a second caseworker."""

from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.mfa import must_use_mfa
from accounts.models import Membership, Team, User
from accounts.roles import Role

DEMO_PASSWORD = "liberated-demo-2026"  # noqa: S105 - printed for the demo, never used in production  # nosec B105
# The demo's authenticator key (base32 JBSWY3DPEHPK3PXP), shared by the demo users who must use
# two-step sign-in, so a demo can be run with `manage.py demo_code` instead of a phone.
DEMO_TOTP_KEY = "48656c6c6f21deadbeef"  # noqa: S105 - demo data only

# username, first name, last name, roles, in the team
DEMO_USERS = [
    ("casey", "Casey", "Robson", [Role.CASEWORKER], True),
    ("cora", "Cora", "Bell", [Role.COORDINATOR, Role.CASEWORKER], True),
    ("sam", "Sam", "Hepple", [Role.CASEWORKER], True),
    ("lee", "Lee", "Charlton", [Role.LEADER], False),
    ("audrey", "Audrey", "Milburn", [Role.AUDITOR], False),
    ("ada", "Ada", "Scott", [Role.ADMIN], False),
]


@dataclass
class DemoContext:
    team: Team
    users: dict[Role, User]
    caseworkers: list[User] = field(default_factory=list)


def seed_accounts() -> DemoContext:
    team, _ = Team.objects.get_or_create(name="Riverside community team",
                                         defaults={"case_prefix": "RS"})
    users = {}
    caseworkers = []
    for username, first, last, roles, in_team in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last,
                      "email": f"{username}@example.org",
                      "is_staff": Role.ADMIN in roles},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        user.groups.add(*Group.objects.filter(name__in=[r.value for r in roles]))
        if in_team:
            Membership.objects.get_or_create(user=user, team=team)
            caseworkers.append(user)
        for role in roles:
            users.setdefault(role, user)
        if must_use_mfa(user):
            TOTPDevice.objects.get_or_create(user=user, name="Demo authenticator",
                                             defaults={"key": DEMO_TOTP_KEY, "confirmed": True})
    return DemoContext(team=team, users=users, caseworkers=caseworkers)
