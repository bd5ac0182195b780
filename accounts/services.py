from django.contrib.auth.models import Group, Permission
from django.db import transaction

from accounts.roles import Role, permissions_for


@transaction.atomic
def roles_apply() -> dict[str, int]:
    """Make each role's group hold exactly the permissions roles.py gives it.

    Idempotent: run it after every migrate. Raises LookupError naming any permission that does
    not exist, so a typo in roles.py fails loudly instead of granting nothing.
    """
    applied = {}
    for role in Role:
        wanted = permissions_for(role)
        found = list(
            Permission.objects.filter(
                content_type__app_label__in={name.split(".")[0] for name in wanted},
            ).select_related("content_type")
        )
        by_name = {f"{p.content_type.app_label}.{p.codename}": p for p in found}
        missing = sorted(set(wanted) - set(by_name))
        if missing:
            raise LookupError(f"Role {role} names unknown permissions: {', '.join(missing)}")
        group, _ = Group.objects.get_or_create(name=role.value)
        group.permissions.set([by_name[name] for name in wanted])
        applied[role.value] = len(wanted)
    return applied
